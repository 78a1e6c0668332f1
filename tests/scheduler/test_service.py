"""The running scheduler: APScheduler only wakes the dispatcher; a crash's in-flight rows resume."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from adapters.base import Hub
from bot.store import Store
from motsbot.settings import Settings
from scheduler import Audience, Scheduler, config_from_settings, start_scheduler
from scheduler.outbox import Status
from tests.scheduler.conftest import FakeClock, FakeConnector


def real_now() -> datetime:
    return datetime.now(UTC)


async def test_running_scheduler_sends_now_and_sets_its_wake_up_for_the_next_due_row(store: Store) -> None:
    connector = FakeConnector(FakeClock(real_now()))
    for user in ("u1", "u2"):
        await store.people.create("console", user, "en", real_now())
    hub = Hub(lambda incoming, now: asyncio.sleep(0, []), real_now)
    hub.add(connector)
    scheduler = await start_scheduler(Settings(), store, hub)
    assert isinstance(scheduler, Scheduler)
    try:
        await scheduler.broadcast({"en": "Doors open at six."}, Audience(everyone=True))
        async with asyncio.timeout(10):
            while len(connector.sent) < 2:
                connector.arrived.clear()
                await connector.arrived.wait()
        assert sorted(s.user_id for s in connector.sent) == ["u1", "u2"]
        later = real_now() + timedelta(hours=2)
        await scheduler.broadcast({"en": "Later."}, Audience(everyone=True), at=later)
        async with asyncio.timeout(10):
            while True:
                assert scheduler._aps is not None
                job = scheduler._aps.get_job("wake")
                if job is not None and job.next_run_time == later:
                    break
                await asyncio.sleep(0.01)
    finally:
        await scheduler.stop()


async def test_rows_left_sending_by_a_crash_are_sent_again_at_start(store: Store) -> None:
    clock = FakeClock(real_now())
    connector = FakeConnector(clock)
    await store.people.create("console", "u1", "en", clock.now())
    first = Scheduler(store, {"console": connector}, clock=clock.now)
    broadcast = await first.broadcasts.create({"en": "Hello"}, Audience(everyone=True), clock.now())
    claimed = await first.outbox.claim_due(clock.now(), 10)
    assert len(claimed) == 1  # … and then the process died before it was recorded
    second = Scheduler(store, {"console": connector}, clock=clock.now)
    assert await second.outbox.recover(clock.now()) == 1
    await second.tick()
    progress = await second.broadcasts.progress(broadcast)
    assert (progress.sent, progress.pending) == (1, 0)
    row = (await second.outbox.items())[0]
    assert row.status is Status.SENT and row.attempts == 2


def test_telegram_rate_is_capped_unless_paid_broadcasts_are_on() -> None:
    assert config_from_settings(Settings()).limits["telegram"].per_second == 25
    try:
        config_from_settings(Settings(scheduler_telegram_per_second=100))
    except ValueError as error:
        assert "30" in str(error)
    else:
        raise AssertionError("over 30/s without paid broadcasts must be refused")
    paid = config_from_settings(Settings(scheduler_telegram_per_second=500, telegram_paid_broadcasts=True))
    assert paid.limits["telegram"].per_second == 500
