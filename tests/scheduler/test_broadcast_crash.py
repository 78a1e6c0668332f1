"""Fault test: motsbot is killed with SIGKILL at random points of a 2,000-recipient Telegram
broadcast and started again each time, while the Bot API fake answers a 429 storm and bursts of
5xx. Afterwards every recipient has the message, and the only repeats are rows that were in
flight (`sending`) at a kill — at most `SchedulerConfig.in_flight` per kill.

motsbot runs as a real subprocess (this module run with `-m`, see `serve`): the store, the real
PTB connector pointed at the fake through `base_url`, and the scheduler started as `motsbot run`
starts it. The fake runs in the test's event loop on 127.0.0.1, so it outlives every kill and
counts what each person received.

Rates the test depends on, all explicit: the scheduler sends at SCHEDULER_RATE (above Telegram's
30/s, so paid broadcasts are switched on: at 25/s the broadcast alone would take 80 s), the
connector's own limiter allows CONNECTOR_RATE, and the fake takes at most FAKE_CEILING sends in
any 1 s and answers 429 above it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import signal
import sqlite3
import sys
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from adapters.base import Hub
from adapters.pacing import MARGIN
from adapters.telegram.connector import TelegramConnector
from adapters.telegram.limiter import ChatLimiter, Limits
from bot.engine import Engine
from bot.store import Store
from bot.store import schema as t
from motsbot.settings import Settings
from scheduler import Audience, SchedulerConfig, share_flood_pauses, start_scheduler
from scheduler.broadcasts import Broadcasts
from scheduler.config import PlatformLimits
from scheduler.limits import Gate
from scheduler.outbox import Result
from tests.adapters.telegram.tg_fake_api import TOKEN, FakeBotApi

ROOT = Path(__file__).resolve().parents[2]
RECIPIENTS = 2_000
FIRST_CHAT = 70_000_000
SCHEDULER_RATE = 200.0
"""Messages/s the scheduler's gate lets out (paid broadcasts on: above Telegram's free 30/s)."""
CONNECTOR_RATE = 250.0
"""The connector's `ChatLimiter` bot-wide rate and burst (its default is Telegram's 30/s)."""
FAKE_CEILING = 250.0
"""Sends the fake takes in any 1-s window; 429 with retry_after 1 s above it."""
IN_FLIGHT = SchedulerConfig().in_flight
KILLS = 4
STORM = 30
"""429s (retry_after 1 s) answered in a row once a quarter of the broadcast is out."""
STORM_TIME = STORM * 1.0
"""How long the storm may hold sending up: a 429 pauses all of Telegram's sends, and then one
send at a time tries again after each pause, so if the storm meets few sends in flight it is
waited out one retry_after after another (it took 100 s for a storm of 100 in one run)."""
BURST = 60
"""502s, then later 500s, answered in a row at a half and at three quarters."""
TEXT = "Regn i kväll: invigningen flyttar in i Folkets Park."
LIFE = 60.0
"""Bounded wait for a life of motsbot to reach its kill point (each start imports PTB & co,
and the machine may be shared: unloaded, a life takes a few seconds)."""
FINISH = 120.0


def settings() -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        scheduler_telegram_per_second=SCHEDULER_RATE,
        telegram_paid_broadcasts=True,
    )


async def serve(db: str, api_url: str, broadcast_id: int) -> None:
    """One life of motsbot: runs until the broadcast is done (or until it is killed)."""
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    store = await Store.open(db)
    hub = Hub(Engine(store).handle, lambda: datetime.now(UTC))
    limiter = ChatLimiter(Limits(total_per_second=CONNECTOR_RATE, total_burst=CONNECTOR_RATE))
    connector = TelegramConnector(TOKEN, store, base_url=api_url, limiter=limiter, poll_timeout=1)
    hub.add(connector)
    await connector.start(hub)
    done = asyncio.Event()
    scheduler = await start_scheduler(settings(), store, hub)
    assert scheduler is not None
    outbox = scheduler.dispatcher.outbox
    record = outbox.record

    async def record_then_check(results: Sequence[Result], now: datetime) -> None:
        # The broadcast is over only once its last outcome is written: the test then reads
        # the database, and a row still `sending` there would be a lie about the end state.
        await record(results, now)
        if (await scheduler.broadcasts.progress(broadcast_id)).done:
            done.set()

    vars(outbox)["record"] = record_then_check
    try:
        if not (await scheduler.broadcasts.progress(broadcast_id)).done:
            await done.wait()
        print("done", flush=True)
    finally:
        await scheduler.stop()
        await connector.stop()
        await store.close()


class CountingFake(FakeBotApi):
    """Counts accepted sends as they happen, so that waiting for a kill point costs nothing."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.accepted = 0

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await super()._api_sendMessage(params)
        self.accepted += 1
        return result

    def reached(self, count: int) -> Callable[[], bool]:
        return lambda: self.accepted >= count


async def prepare(db: Path) -> int:
    store = await Store.open(str(db))
    now = datetime.now(UTC)
    try:
        async with store.database.transaction() as conn:
            await conn.execute(
                insert(t.person),
                [
                    {"channel": "telegram", "channel_user_id": str(FIRST_CHAT + n), "language": "sv", "created_at": now}
                    for n in range(RECIPIENTS)
                ],
            )
        return await Broadcasts(store).create({"sv": TEXT}, Audience(everyone=True), now)
    finally:
        await store.close()


def rows_by_status(db: Path) -> dict[str, list[str]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT status, user_id FROM outbox").fetchall()
    result: dict[str, list[str]] = {}
    for status, user_id in rows:
        result.setdefault(status, []).append(user_id)
    return result


async def start_motsbot(db: Path, fake: FakeBotApi, broadcast_id: int, log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as err:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.scheduler.test_broadcast_crash",
            str(db),
            fake.base_url,
            str(broadcast_id),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
        )


async def inject_faults(fake: CountingFake) -> list[str]:
    """The 429 storm and the 5xx bursts, each once the broadcast has reached its point."""
    done: list[str] = []
    for share, status, times, retry_after in (
        (0.25, 429, STORM, 1),
        (0.5, 502, BURST, None),
        (0.75, 500, BURST, None),
    ):
        await fake.wait_for(fake.reached(int(share * RECIPIENTS)), within=KILLS * LIFE + FINISH + STORM_TIME)
        fake.fail("sendMessage", status, times=times, retry_after=retry_after)
        done.append(f"{status}×{times} at {fake.accepted}")
    return done


async def test_kill_9_during_a_broadcast_misses_nobody_and_repeats_only_what_was_in_flight(tmp_path: Path) -> None:
    seed = int(os.environ.get("MOTSBOT_CRASH_SEED") or random.randrange(2**32))
    rng = random.Random(seed)
    kill_points = sorted(rng.sample(range(RECIPIENTS // 20, RECIPIENTS * 19 // 20), KILLS))
    context = f"seed {seed}, kills after {kill_points} accepted sends"
    db = tmp_path / "motsbot.sqlite3"
    log = tmp_path / "motsbot.log"
    broadcast_id = await prepare(db)
    fake = CountingFake(ceiling=FAKE_CEILING)
    await fake.start()
    faults = asyncio.create_task(inject_faults(fake))
    in_flight_at_kills: list[list[str]] = []
    lives: list[float] = []
    process: asyncio.subprocess.Process | None = None
    loop = asyncio.get_running_loop()

    async def bounded(step: Awaitable[Any], within: float, what: str) -> Any:
        try:
            return await asyncio.wait_for(step, within)
        except TimeoutError:
            raise AssertionError(
                f"{context}: {what} not within {within:g} s; {fake.accepted} sends accepted, "
                f"lives {lives}; motsbot's log: {log.read_text()[-3000:]}"
            ) from None

    try:
        for point in kill_points:
            started = loop.time()
            process = await start_motsbot(db, fake, broadcast_id, log)
            # Short of the point when the process dies on its own: then the wait times out.
            within = LIFE + STORM_TIME
            await bounded(fake.wait_for(fake.reached(point), within=within), within + 1, f"kill point {point}")
            process.send_signal(signal.SIGKILL)
            assert await bounded(process.wait(), 10, "death after SIGKILL") == -signal.SIGKILL
            lives.append(round(loop.time() - started, 1))
            in_flight_at_kills.append(rows_by_status(db).get("sending", []))
        started = loop.time()
        process = await start_motsbot(db, fake, broadcast_id, log)
        assert process.stdout is not None
        line = await bounded(process.stdout.readline(), FINISH + STORM_TIME, "the end of the broadcast")
        assert line == b"done\n", f"{context}: {log.read_text()[-3000:]}"
        assert await bounded(process.wait(), 10, "a clean exit") == 0
        lives.append(round(loop.time() - started, 1))
        injected = await bounded(faults, 1, "the faults")
    finally:
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()
        faults.cancel()
        await fake.stop()

    received = Counter(c.params["chat_id"] for c in fake.calls if c.method == "sendMessage" and c.status == 200)
    chats = [FIRST_CHAT + n for n in range(RECIPIENTS)]
    missed = [chat for chat in chats if received[chat] == 0]
    repeats = {chat: n - 1 for chat, n in received.items() if n > 1}
    in_flight = [len(rows) for rows in in_flight_at_kills]
    ever_in_flight = {int(user) for rows in in_flight_at_kills for user in rows}
    statuses = {status: len(rows) for status, rows in rows_by_status(db).items()}
    rejected = Counter(c.status for c in fake.rejected)
    print(
        f"\n{context}; lives (s) {lives}; faults {injected}; rows in flight at each kill {in_flight}; "
        f"duplicates {sum(repeats.values())} (to {len(repeats)} people); missed {len(missed)}; "
        f"rejected by the fake {dict(rejected)} (ceiling 429s {fake.floods})"
    )
    assert missed == [], f"{context}: {len(missed)} missed"
    assert set(received) <= set(chats)
    assert statuses == {"sent": RECIPIENTS}, context
    assert all(n <= IN_FLIGHT for n in in_flight), context
    assert sum(repeats.values()) <= sum(in_flight), f"{context}: duplicates {repeats}"
    assert set(repeats) <= ever_in_flight, f"{context}: a repeat to someone not in flight at a kill"
    assert rejected[429] >= STORM and rejected[502] == BURST and rejected[500] == BURST, context
    assert all(f.times == 0 for f in fake.faults), "every scripted fault was met during the broadcast"


def test_a_429_keeps_a_slot_of_the_gate_for_the_limiters_own_retry() -> None:
    """Telegram's limiter waits out a 429 and sends the message again, past the scheduler's gate.
    At the ceiling (30/s with no headroom) that retry plus the gate's next message would make a
    second with 31 sends, and so the next 429."""
    now = [100.0]
    gate = Gate(PlatformLimits(per_second=30.0), clock=lambda: now[0])
    connector = TelegramConnector.__new__(TelegramConnector)
    connector.limiter = ChatLimiter(clock=lambda: now[0])
    assert share_flood_pauses(connector, gate)
    connector.limiter.pause(4711, 1.0)
    interval = (1 + MARGIN) / 30
    assert gate.pauses == [1.0]
    connector.limiter.pause(4713, 1.0)  # a second message in flight met the 429 too
    assert gate.wait_time("4712", now[0]) == 1.0
    now[0] += 1.0  # the pause is over: both retries go now, the gate's next message after them
    assert abs(gate.wait_time("4712", now[0]) - 2 * interval) < 1e-9


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], sys.argv[2], int(sys.argv[3])))
