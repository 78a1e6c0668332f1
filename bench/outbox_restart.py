"""Benchmark: restart with many pending outbox rows, and how late due rows fire.

    .venv/bin/python bench/outbox_restart.py [--rows 100000] [--firing 2000] [--spread 10] [--lead 20]

Fills a fresh database with `--rows` pending reminders (most due over the next days, `--firing`
of them due within the next `--spread` seconds), then measures a cold start of the scheduler
(open the store, resume in-flight rows, start APScheduler, find the next due time) and the
lateness of each firing row (send time − `not_before`) through an in-process connector.
Not a timed test: it prints figures for the scheduler's note.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from adapters.base import Connector, Hub
from bot.messages import Outgoing
from bot.store import Store
from bot.store import schema as t
from scheduler.config import PlatformLimits, SchedulerConfig
from scheduler.outbox import Kind, NewItem, Priority, values_of
from scheduler.service import Scheduler


class Recorder(Connector):
    channel = "console"

    def __init__(self) -> None:
        self.sent: dict[str, datetime] = {}
        self.done = asyncio.Event()
        self.expected = 0

    async def start(self, hub: Hub) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def send(self, user_id: str, message: Outgoing, *, key: str | None = None) -> str | None:
        self.sent[user_id] = datetime.now(UTC)
        if len(self.sent) >= self.expected:
            self.done.set()
        return str(len(self.sent))


async def fill(path: str, rows: int, firing: int, spread: float, lead: float, start: datetime) -> dict[str, datetime]:
    store = await Store.open(path)
    due: dict[str, datetime] = {}
    batch = []
    async with store.database.transaction() as conn:
        await conn.execute(
            insert(t.person),
            [
                {"channel": "console", "channel_user_id": f"u{n}", "language": "sv", "created_at": start}
                for n in range(rows)
            ],
        )
    for n in range(rows):
        if n < firing:
            not_before = start + timedelta(seconds=lead + spread * n / firing)
            due[f"u{n}"] = not_before
        else:
            not_before = start + timedelta(days=1, seconds=n)
        batch.append(
            values_of(
                NewItem(
                    key=f"broadcast:bench:{n}",
                    kind=Kind.BROADCAST,
                    channel="console",
                    user_id=f"u{n}",
                    person_id=n + 1,
                    not_before=not_before,
                    payload={"texts": {"sv": "Påminnelse"}},
                    priority=Priority.PERSONAL,
                ),
                start,
            )
        )
    async with store.database.transaction() as conn:
        for i in range(0, len(batch), 5000):
            await conn.execute(insert(t.outbox), batch[i : i + 5000])
    await store.close()
    return due


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--firing", type=int, default=2_000)
    parser.add_argument("--spread", type=float, default=10.0)
    parser.add_argument("--lead", type=float, default=20.0, help="seconds from filling to the first due row")
    args = parser.parse_args()
    path = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
    start = datetime.now(UTC)
    fill_started = time.perf_counter()
    due = await fill(path, args.rows, args.firing, args.spread, args.lead, start)
    print(f"filled {args.rows} pending rows in {time.perf_counter() - fill_started:.1f} s")

    connector = Recorder()
    connector.expected = args.firing
    config = SchedulerConfig(
        limits={"console": PlatformLimits(per_second=10_000.0, per_recipient_seconds=0.0)},
        plan_every=timedelta(hours=1),
    )
    cold = time.perf_counter()
    store = await Store.open(path)
    scheduler = Scheduler(store, {"console": connector}, config)
    await scheduler.start()
    next_due = await scheduler.outbox.next_due()
    started = time.perf_counter() - cold
    print(f"cold start with {args.rows} pending (open store, resume, APScheduler, next due): {started:.3f} s")
    assert next_due is not None
    try:
        await asyncio.wait_for(connector.done.wait(), timeout=args.spread + 120)
    finally:
        await scheduler.stop()
        await store.close()
    lateness = sorted((connector.sent[user] - due[user]).total_seconds() for user in due if user in connector.sent)
    p50 = statistics.median(lateness)
    p99 = lateness[int(len(lateness) * 0.99) - 1]
    print(
        f"fired {len(lateness)}/{len(due)} due rows over {args.spread:g} s: lateness p50 {p50 * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms, max {lateness[-1] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main())
