"""Updates are confirmed to Telegram only once handled: a crash between fetching and answering
brings the update again after the restart, and an update handled already is not answered twice."""

from __future__ import annotations

import asyncio
from datetime import datetime

from telegram import Update
from tg_fake_api import FakeBotApi
from tg_support import BotFactory

from bot.messages import Incoming, Outgoing, Span


def text(value: str) -> Outgoing:
    return Outgoing(spans=[Span(text=value)])


async def echo(incoming: Incoming, now: datetime) -> list[Outgoing]:
    return [text(f"reply to {incoming.text}")]


async def test_an_update_cut_off_by_a_crash_comes_again_and_is_answered(fake: FakeBotApi, make_bot: BotFactory) -> None:
    entered = asyncio.Event()

    async def stuck(incoming: Incoming, now: datetime) -> list[Outgoing]:
        entered.set()
        await asyncio.Event().wait()  # the process dies before it answers
        return []

    first = await make_bot(stuck)
    update = fake.say(160, "anmäl mig till MM009")
    await asyncio.wait_for(entered.wait(), 20)
    # A crash: the polling task dies where it is, no graceful stop.
    polling = first.connector.intake._polling
    assert polling is not None
    polling.cancel()
    offsets = [int(c.params.get("offset") or 0) for c in fake.calls_to("getUpdates")]
    assert max(offsets) <= update["update_id"], "the update was not confirmed before it was handled"

    second = await make_bot(echo)
    [reply] = await fake.wait_messages(160, 1)
    assert reply.shown == "reply to anmäl mig till MM009"
    assert [i.text for i in second.received] == ["anmäl mig till MM009"]


async def test_an_update_handled_already_is_not_answered_again(fake: FakeBotApi, make_bot: BotFactory) -> None:
    first = await make_bot(echo)
    update = fake.say(161, "hej")
    await fake.wait_messages(161, 1)
    await first.connector.stop()

    # Telegram brings the same update again (a crash after answering, before confirming), to a
    # new process, and once more through the webhook's retry to the same process.
    second = await make_bot(echo)
    again = Update.de_json(update, second.connector.app.bot)
    await second.connector.intake.handle(again)
    await second.connector.intake.handle(again)
    await asyncio.sleep(0.2)
    assert len(fake.chat(161)) == 1
    assert second.received == []

    fresh = fake.say(161, "hej igen")
    await fake.wait_messages(161, 2)
    await second.connector.put_update(fresh)  # the webhook's retry of a fresh update
    await asyncio.sleep(0.2)
    assert [m.shown for m in fake.chat(161)] == ["reply to hej", "reply to hej igen"]
