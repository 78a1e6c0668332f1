"""Polls, undecryptable messages, group rooms, rate limits and a homeserver restart, each
against the real Synapse with a real resident client."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import aiohttp
from matrix_support import ENCRYPTION, Bot, Resident, Synapse, wait_until
from nio import RoomCreateResponse
from nio.api import RoomPreset

from adapters.matrix import texts as texts_module
from bot.messages import Incoming, Outgoing, Poll, Span

POLL = Poll(poll_id="eval-42", question="How was the concert?", options=["Great", "Fine", "Meh"])


def polling_handler(votes: dict[str, tuple[int, ...]], calls: list[Incoming]) -> Any:
    async def handle(incoming: Incoming, now: datetime) -> list[Outgoing]:
        calls.append(incoming)
        if incoming.poll_id is not None:
            votes[incoming.user_id] = incoming.poll_options  # a person's latest vote counts
            return []
        if incoming.text == "poll":
            return [Outgoing(poll=POLL)]
        return [Outgoing(spans=[Span(text=f"echo: {incoming.text}")])]

    return handle


async def test_poll_answered_unstable_stable_and_by_number_then_closed(
    bot: Bot, residents: Callable[[], Awaitable[Resident]]
) -> None:
    votes: dict[str, tuple[int, ...]] = {}
    calls: list[Incoming] = []
    connector = await bot.start(polling_handler(votes, calls))
    alice = await residents()
    room = await alice.open_dm(bot.user_id)
    await alice.wait_texts(bot.user_id, room, 1)  # the echo of /start

    await alice.say(room, "poll")
    await alice.wait_texts(bot.user_id, room, 2)
    start = alice.from_user(bot.user_id, room)[-1]
    assert start.source["type"] == "org.matrix.msc3381.poll.start"
    content = start.source["content"]
    assert content["body"] == "How was the concert?\n\n1. Great\n2. Fine\n3. Meh"
    answers = content["org.matrix.msc3381.poll.start"]["answers"]
    assert [a["org.matrix.msc1767.text"] for a in answers] == ["Great", "Fine", "Meh"]
    relation = {"rel_type": "m.reference", "event_id": start.event_id}

    def answered(count: int) -> Callable[[], bool]:
        return lambda: sum(1 for call in calls if call.poll_id) >= count

    await alice.send(
        room,
        "org.matrix.msc3381.poll.response",
        {"m.relates_to": relation, "org.matrix.msc3381.poll.response": {"answers": [answers[0]["id"]]}},
    )
    await wait_until(answered(1), what="the unstable response")
    assert votes == {alice.user_id: (0,)}

    await alice.send(room, "m.poll.response", {"m.relates_to": relation, "m.selections": [answers[2]["id"]]})
    await wait_until(answered(2), what="the stable response")
    assert votes == {alice.user_id: (2,)}

    await alice.say(room, "2")
    await wait_until(answered(3), what="the typed number")
    assert votes == {alice.user_id: (1,)}, "the changed vote counts once, as the latest"
    assert all(call.poll_id == "eval-42" for call in calls if call.poll_options)

    await connector.close_poll("eval-42")
    await alice.wait_texts(bot.user_id, room, 3)
    end = alice.from_user(bot.user_id, room)[-1]
    assert end.source["type"] == "org.matrix.msc3381.poll.end"
    assert end.source["content"]["m.relates_to"] == relation

    await alice.send(room, "m.poll.response", {"m.relates_to": relation, "m.selections": [answers[0]["id"]]})
    await alice.say(room, "3")
    texts = await alice.wait_texts(bot.user_id, room, 4)
    assert texts[-1] == "echo: 3", "after the end a number is just text again"
    assert votes == {alice.user_id: (1,)}


async def test_undecryptable_message_gets_a_polite_answer(
    bot: Bot, residents: Callable[[], Awaitable[Resident]], synapse: Synapse, caplog: Any
) -> None:
    calls: list[Incoming] = []
    await bot.start(polling_handler({}, calls))
    alice = await residents()
    room = await alice.open_dm(bot.user_id)
    await alice.wait_texts(bot.user_id, room, 1)

    # Ciphertext for a Megolm session the bot never received: what a resident's client sends
    # when key sharing failed.
    garbage = {
        "algorithm": "m.megolm.v1.aes-sha2",
        "ciphertext": "AwgAEnAbCdEf",
        "sender_key": alice.client.olm.account.identity_keys["curve25519"],
        "session_id": "no-such-session",
        "device_id": alice.client.device_id,
    }
    async with aiohttp.ClientSession() as http:
        url = f"{synapse.url}/_matrix/client/v3/rooms/{room}/send/m.room.encrypted/garbage1"
        async with http.put(
            url, json=garbage, headers={"Authorization": f"Bearer {alice.client.access_token}"}
        ) as response:
            assert response.status == 200

    texts = await alice.wait_texts(bot.user_id, room, 2)
    # No language known for this person: the festival's default, Swedish.
    assert texts[-1] == texts_module.undecryptable("sv")
    assert texts_module.undecryptable("en").endswith("Could you send it again?")
    assert [call.text for call in calls] == ["/start"], "nothing undecryptable reaches the engine"
    assert any(
        "cannot decrypt" in record.message and alice.client.device_id in record.message for record in caplog.records
    )


async def test_group_room_answers_commands_and_mentions_and_keeps_personal_data_private(
    bot: Bot, residents: Callable[[], Awaitable[Resident]]
) -> None:
    calls: list[Incoming] = []

    async def handle(incoming: Incoming, now: datetime) -> list[Outgoing]:
        calls.append(incoming)
        if incoming.text == "/mydata":
            return [Outgoing(spans=[Span(text="You signed up for 2 events.")], personal=True)]
        return [Outgoing(spans=[Span(text=f"group echo: {incoming.text}")])]

    await bot.start(handle)
    alice, bob = await residents(), await residents()
    created = await alice.client.room_create(
        name="Möts volunteers",
        invite=[bot.user_id, bob.user_id],
        preset=RoomPreset.private_chat,
        initial_state=[ENCRYPTION],
    )
    assert isinstance(created, RoomCreateResponse), created
    room = created.room_id
    await wait_until(lambda: room in bob.client.invited_rooms, what="bob's invite")
    await bob.client.join(room)
    await wait_until(lambda: room in alice.client.rooms, what="the room in alice's sync")

    await alice.say(room, "just chatting among us")
    localpart = bot.user_id[1:].split(":")[0]
    await alice.say(room, f"{localpart}: what is on today?")
    await alice.say(room, "!help")
    texts = await alice.wait_texts(bot.user_id, room, 2)
    assert texts == ["group echo: what is on today?", "group echo: /help"]
    assert all(call.in_group for call in calls)

    await alice.say(room, "/mydata")
    texts = await alice.wait_texts(bot.user_id, room, 3)
    assert texts[-1] == texts_module.answered_in_direct_message("en")  # the reply's language
    assert all("2 events" not in text for text in bob.texts_from(bot.user_id))

    dm = await wait_until(
        lambda: next(iter(r for r in alice.client.invited_rooms if r != room), None), what="the bot's DM invite"
    )
    await alice.client.join(dm)
    personal = await alice.wait_texts(bot.user_id, dm, 1)
    assert personal == ["You signed up for 2 events."]
    assert getattr(alice.from_user(bot.user_id, dm)[0], "decrypted", False), "the DM the bot opened is encrypted"


async def test_rate_limit_is_waited_out(
    bot: Bot, residents: Callable[[], Awaitable[Resident]], synapse: Synapse
) -> None:
    async def burst(incoming: Incoming, now: datetime) -> list[Outgoing]:
        return [Outgoing(spans=[Span(text=f"part {n}")]) for n in range(1, 5)]

    synapse.override_ratelimit(bot.user_id, messages_per_second=4, burst_count=1)
    connector = await bot.start(burst)
    alice = await residents()
    room = await alice.open_dm(bot.user_id, encrypted=False)
    texts = await alice.wait_texts(bot.user_id, room, 4)
    assert texts == ["part 1", "part 2", "part 3", "part 4"]
    assert connector.rate_limited > 0, "Synapse answered 429 and the bot waited"


async def test_bot_reconnects_after_the_homeserver_restarts(
    bot: Bot, residents: Callable[[], Awaitable[Resident]], synapse: Synapse
) -> None:
    calls: list[Incoming] = []
    connector = await bot.start(polling_handler({}, calls))
    alice = await residents()
    room = await alice.open_dm(bot.user_id)
    await alice.wait_texts(bot.user_id, room, 1)
    await alice.say(room, "before")
    await alice.wait_texts(bot.user_id, room, 2)

    synapse.restart()
    await alice.say(room, "after")
    texts = await alice.wait_texts(bot.user_id, room, 3, within=60)
    assert texts[1:] == ["echo: before", "echo: after"]
    assert connector.health.running and connector.health.restarts == 0, "the sync loop itself rode it out"
    await asyncio.sleep(0)
