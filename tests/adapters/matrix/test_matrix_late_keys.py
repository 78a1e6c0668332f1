"""A room key that arrives after the message it opens: the message waits, and is answered
when the key comes, once, with no "could not read" in between.

The resident is a nio client whose steps are reordered as a slow to-device delivery reorders
them: the Megolm session is made and its key wrapped for the bot's device with Olm as nio
always does, the encrypted message is sent, and only once the bot holds the message is the
key sent."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime
from uuid import uuid4

import aiohttp
from matrix_support import Bot, Resident, Synapse, wait_until

from bot.messages import Incoming, Outgoing, Span


async def echo(incoming: Incoming, now: datetime) -> list[Outgoing]:
    return [Outgoing(spans=[Span(text=f"echo: {incoming.text}")])]


async def test_a_message_whose_key_comes_later_is_answered_then_once(
    bot: Bot, residents: Callable[[], Awaitable[Resident]], synapse: Synapse
) -> None:
    bot.config = dataclasses.replace(bot.config, key_wait=120.0)
    connector = await bot.start(echo)
    alice = await residents()
    room = await alice.open_dm(bot.user_id)
    await alice.wait_texts(bot.user_id, room, 1)  # the greeting: the resident knows the bot's device

    client = alice.client
    assert client.olm is not None
    missing = client.get_missing_sessions(room)
    if missing:
        await client.keys_claim(missing)
    users = list(client.rooms[room].users)
    held_back = list(client.olm.share_group_session_parallel(room, users, ignore_unverified_devices=True))
    assert any(bot.user_id in {user for user, _ in sharing} for sharing, _ in held_back), "a key for the bot"
    client.olm.outbound_group_sessions[room].shared = True
    encrypted = client.olm.group_encrypt(
        room, {"type": "m.room.message", "content": {"msgtype": "m.text", "body": "early"}}
    )

    headers = {"Authorization": f"Bearer {client.access_token}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        url = f"{synapse.url}/_matrix/client/v3/rooms/{room}/send/m.room.encrypted/{uuid4()}"
        async with http.put(url, json=encrypted) as response:
            assert response.status == 200
        late = connector.late_keys
        assert late is not None
        await wait_until(lambda: len(late.waiting) == 1, what="the message waiting for its key")

        for _, to_device in held_back:
            url = f"{synapse.url}/_matrix/client/v3/sendToDevice/m.room.encrypted/{uuid4()}"
            async with http.put(url, json=to_device) as response:
                assert response.status == 200

    await alice.wait_texts(bot.user_id, room, 2)
    assert not late.waiting
    await alice.say(room, "after")  # answered after anything the late key caused
    texts = await alice.wait_texts(bot.user_id, room, 3)
    assert texts == ["echo: /start", "echo: early", "echo: after"], texts
