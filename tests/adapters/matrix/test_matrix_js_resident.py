"""An Element-grade resident (matrix-js-sdk 43 with its Rust crypto, own device cross-signed,
excluding devices their owner has not cross-signed) and the bot."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from js_resident import JsResident
from matrix_support import Bot

from bot.messages import Incoming, Outgoing, Span


async def echo(incoming: Incoming, now: datetime) -> list[Outgoing]:
    return [Outgoing(spans=[Span(text=f"echo: {incoming.text}")])]


async def test_js_resident_reads_the_cross_signed_bot(bot: Bot, js_residents: Callable[[], Awaitable[JsResident]]) -> None:
    connector = await bot.start(echo)
    alice = await js_residents()
    room = await alice.open_dm(bot.user_id)
    await alice.wait_texts(bot.user_id, room, 1)
    await alice.say(room, "hello")
    texts = await alice.wait_texts(bot.user_id, room, 2)
    print(alice.from_user(bot.user_id, room), await alice.devices(bot.user_id))
    assert texts == ["echo: /start", "echo: hello"]
