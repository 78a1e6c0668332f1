"""No event stops the Matrix channel: an event the bot fails on is set aside as a dead letter
at once (no retries holding up everyone behind it), a malformed one is read as well as it
can be, and the messages after both are answered; a sync loop that ends is started again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from matrix_support import Bot, Resident, wait_until

from bot.messages import Incoming, Outgoing, Span


async def fails_on_boom(incoming: Incoming, now: datetime) -> list[Outgoing]:
    if incoming.text == "boom 0701234567":
        raise RuntimeError("the engine broke on this one")
    return [Outgoing(spans=[Span(text=f"echo: {incoming.text}")])]


async def test_a_poisoned_event_is_set_aside_and_the_next_answered(
    bot: Bot, residents: Callable[[], Awaitable[Resident]]
) -> None:
    connector = await bot.start(fails_on_boom)
    alice = await residents()
    room = await alice.open_dm(bot.user_id)
    await alice.wait_texts(bot.user_id, room, 1)  # the greeting ("/start")

    boom = await alice.say(room, "boom 0701234567")
    # `m.relates_to` must be an object; nio passes this one on as a text message.
    await alice.send(room, "m.room.message", {"msgtype": "m.text", "body": "odd", "m.relates_to": "not an object"})
    await alice.say(room, "hej")
    texts = await alice.wait_texts(bot.user_id, room, 3)
    assert texts[1:] == ["echo: odd", "echo: hej"]

    [letter] = await bot.store.dead_letters.recent()
    assert letter.channel == "matrix" and letter.platform_id == boom
    assert letter.reason == "failed in the bot: RuntimeError: the engine broke on this one"
    assert letter.body["content"]["body"] == "boom …", "contact details are masked"
    assert await bot.store.dead_letters.counts() == {"matrix": 1}
    assert connector.health.restarts == 0 and connector.health.last_success is not None

    # A sync loop that ends, for whatever reason, is started again.
    assert connector.supervisor is not None and connector.supervisor.current is not None
    connector.supervisor.current.cancel()
    await wait_until(lambda: connector.health.restarts == 1, what="the restart")
    await alice.say(room, "efter")
    texts = await alice.wait_texts(bot.user_id, room, 4)
    assert texts[3] == "echo: efter"
