from __future__ import annotations

from datetime import datetime

from tg_fake_api import FakeBotApi
from tg_support import BotFactory

from bot.messages import Incoming, Outgoing, Span


async def echo(incoming: Incoming, now: datetime) -> list[Outgoing]:
    return [Outgoing(spans=[Span(text=f"you said: {incoming.text}")])]


async def test_a_message_is_answered(fake: FakeBotApi, make_bot: BotFactory) -> None:
    bot = await make_bot(echo)
    fake.say(42, "hej <b> & co")
    [reply] = await fake.wait_messages(42, 1)
    assert reply.shown == "you said: hej <b> & co"
    assert reply.parse_mode == "HTML"
    assert bot.received[0].lang_hint == "sv"
