"""Updates go to the inbox before Telegram is told: a crash between fetching and answering
leaves the update there for the next start, and an update handled already is not answered twice."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Update
from tg_fake_api import FakeBotApi
from tg_support import BotFactory, echo

from adapters.telegram.intake import HANDLED_KEPT, UpdateLog
from bot.messages import Incoming, Outgoing
from bot.store import Store


async def test_an_update_cut_off_by_a_crash_is_handled_at_the_next_start(
    fake: FakeBotApi, make_bot: BotFactory, store: Store
) -> None:
    entered = asyncio.Event()

    async def stuck(incoming: Incoming, now: datetime) -> list[Outgoing]:
        entered.set()
        await asyncio.Event().wait()  # the process dies before it answers
        return []

    first = await make_bot(stuck)
    fake.say(160, "anmäl mig till MM009")
    await asyncio.wait_for(entered.wait(), 20)
    # A crash: polling and handling die where they are, no graceful stop.
    intake, supervisor = first.connector.intake, first.connector.supervisor
    assert supervisor is not None and supervisor.current is not None and supervisor._task is not None
    for task in [supervisor._task, supervisor.current, *intake._handling]:
        task.cancel()
    [kept] = await UpdateLog(store.database).waiting()
    sender = kept["message"]["from"]
    assert sender["id"] == 160 and sender["first_name"] == "", "the inbox keeps no names"
    assert "Person 160" not in json.dumps(kept)

    second = await make_bot(echo)
    [reply] = await fake.wait_messages(160, 1)
    assert reply.shown == "reply to anmäl mig till MM009"
    assert [i.text for i in second.received] == ["anmäl mig till MM009"]
    await fake.wait_for(lambda: second.connector.handled == 1)
    await asyncio.sleep(0.1)
    assert await UpdateLog(store.database).waiting() == []


async def test_an_update_handled_already_is_not_answered_again(fake: FakeBotApi, make_bot: BotFactory) -> None:
    first = await make_bot(echo)
    update = fake.say(161, "hej")
    await fake.wait_messages(161, 1)
    await first.connector.stop()

    # Telegram brings the same update again (a crash after answering, before confirming), to a
    # new process, and once more through the webhook's retry.
    second = await make_bot(echo)
    again = Update.de_json(update, second.connector.app.bot)
    await second.connector.intake.take([again])
    await second.connector.put_update(update)
    await asyncio.sleep(0.2)
    assert len(fake.chat(161)) == 1
    assert second.received == []

    fresh = fake.say(161, "hej igen")
    await fake.wait_messages(161, 2)
    await second.connector.put_update(fresh)  # the webhook's retry of an update handled since the start
    await asyncio.sleep(0.2)
    assert [m.shown for m in fake.chat(161)] == ["reply to hej", "reply to hej igen"]


async def test_updates_handled_together_are_crossed_off_together(store: Store) -> None:
    log = UpdateLog(store.database)
    now = datetime(2027, 5, 10, 9, 0, tzinfo=UTC)
    await log.receive([{"update_id": n, "message": {"text": f"hej {n}"}} for n in range(1, 21)], now)
    written: list[int] = []
    execute = store.database.execute

    async def counted(statement: Any) -> Any:
        written.append(1)
        return await execute(statement)

    store.database.execute = counted  # type: ignore[method-assign]
    await asyncio.gather(*(log.done(n, now) for n in range(1, 21)))
    assert await log.waiting() == [], "every one is crossed off once done() returns"
    assert 1 <= len(written) <= 2, "one statement for those that came together (a second for the rest)"
    await log.done(21, now)  # not in the inbox: crossing it off is harmless
    assert len(written) <= 3


async def test_a_running_motsbot_drops_handled_ids_older_than_a_week(
    fake: FakeBotApi, make_bot: BotFactory, store: Store
) -> None:
    bot = await make_bot(echo)
    started = bot.connector.hub.clock()
    log = UpdateLog(store.database)
    old = started - HANDLED_KEPT + timedelta(hours=1)
    planted = 10**9  # an id of its own, far from the fake's
    await log.receive([{"update_id": planted, "message": {"text": "hej"}}], old)
    await log.done(planted, old)
    assert await log.seen(planted), "handled less than a week ago: kept"

    # Two days on, without a restart, a resident writes.
    bot.connector.hub.clock = lambda: started + timedelta(days=2)
    update = fake.say(162, "hej igen")
    await fake.wait_messages(162, 1)
    await fake.wait_for(lambda: bot.connector.handled == 1)
    assert not await log.seen(planted), "handled over a week ago by now: dropped"
    assert await log.seen(update["update_id"]), "the new one is kept"
