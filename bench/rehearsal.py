"""Festival-week rehearsal: the real motsbot process against the Telegram Bot API fake and a real
Synapse on loopback, a simulated festival in accelerated time, faults injected, invariants checked.

    .venv/bin/python -m bench.rehearsal [--residents 5000] [--matrix 20] [--days 7] [--seconds 600]
        [--kills 5] [--storms 3] [--bursts 3] [--synapse-restarts 2] [--locks 3] [--seed N]

What happens, all bounded in time and count (the run stops by itself):

- motsbot runs as a subprocess (`python -m bench.rehearsal serve CONFIG`): the store, the engine,
  the real PTB connector pointed at the fake, the real Matrix connector and the scheduler, built
  as `motsbot run` builds them, with one difference: its clock runs `speed` times faster, from the
  eve of the festival (`FestivalClock`, computed from the wall clock so that every life after a
  kill continues the same simulated time). APScheduler's own timers run on the wall clock, so the
  runner wakes the scheduler itself (`SCHEDULER_TICK`), which is what the periodic job would do.
- Telegram residents (in the fake) arrive over the first part of the run, in six languages, and
  ask questions from `tests/understand/questions.jsonl`, sign up for events with a capacity,
  some cancel, answer evaluation polls and waiting-list offers as they arrive. Matrix residents
  (real nio clients with encryption) arrive over the same part of the run, ask two questions
  apart in time and are signed up at the registration desk
  (through the store: signing up by typed numbers is not scripted), so they get reminders,
  notices and polls through Synapse.
- The organiser imports a changed programme (one event moved by an hour, one cancelled) and
  broadcasts to everyone.
- Faults at random moments: SIGKILL of motsbot (started again at once), 429 storms and 5xx
  bursts from the fake, Synapse stopped and started, the database held by a second connection
  in `BEGIN EXCLUSIVE` for `LOCK_SECONDS`.

Afterwards (`check`): for every kind, what the outbox says should have gone out against what the
platform really holds (the fake's messages, the residents' received events), lost, duplicated,
expired/failed/cancelled with a reason, overbooked events, reply latency per channel, peak RSS and
CPU of the motsbot process (from /proc).

To find out why answers were slow at one moment and not another, every real second is kept in
`timeline.csv` (in `--keep DIR`): asks, answers slower than `SLOW`, what the fake received by
kind, and from inside motsbot (`bench/timeline.py`) its loop's lateness, garbage collection, CPU,
maintenance time and the writers' wait for and hold of the database. The report shows the
busiest festival hour second by second and the seconds with the most slow answers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import logging
import os
import random
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.timeline import LoopWatch, MachineWatch, Second, watch_writers  # noqa: E402
from tests.adapters.telegram.tg_fake_api import TOKEN, FakeBotApi, Sent  # noqa: E402

QUESTIONS = ROOT / "tests" / "understand" / "questions.jsonl"
LANGUAGES = ("sv", "en", "ar", "fa", "so", "fi")
START = datetime.fromisoformat("2027-05-09T12:00:00+02:00")
"""The simulated run begins the day before the demo festival's first day."""
FIRST_CHAT = 80_000_000
SCHEDULER_TICK = 0.25
"""Real seconds between the runner's wakes of the scheduler (planning, closing, dispatch)."""
SCHEDULER_RATE = 200.0
CONNECTOR_RATE = 250.0
FAKE_CEILING = 250.0
TARGET_P99_MS = 500
"""Issue #9's target for reply p99 at the busiest hour."""
BUSY_HOUR = 150
"""Asks in a festival hour that make it a busy one, for the summary of hours."""
FAULT_SHADOW = 15.0
"""Real seconds after a fault (a restart, a storm) that still count as near it."""
ORGANISER_ACTS = ("programme re-imported", "broadcast")
"""Noted among the faults for the timeline, but load, not faults."""
STORM = 80
LOCK_SECONDS = 1.0
SLOW = 0.5
"""Seconds: an answer slower than this is counted slow in the timeline (#9's p99 target)."""
BROADCAST = {lang: f"[{lang}] Regn i kväll: allt utomhus flyttar in i Folkets Park." for lang in LANGUAGES}


# -- the simulated clock, shared by the harness and every life of motsbot ----------------------


@dataclass(frozen=True)
class FestivalClock:
    start: datetime
    wall_zero: float
    speed: float

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.time() - self.wall_zero) * self.speed)

    def wall_at(self, moment: datetime) -> float:
        return self.wall_zero + (moment - self.start).total_seconds() / self.speed


# -- motsbot's side: one life of the process ------------------------------------------------------


@dataclass
class RunnerConfig:
    db: str
    telegram_url: str
    homeserver: str
    matrix_user: str
    matrix_password: str
    matrix_store: str
    clock_start: str
    wall_zero: float
    speed: float
    tick: float = SCHEDULER_TICK
    """Real seconds between wakes of the scheduler; no Matrix connector when `homeserver` is empty."""
    timeline: str = ""
    """Where each life appends its loop's second-by-second record (`bench.timeline`), if given."""


async def serve(config: RunnerConfig) -> None:
    """motsbot as `motsbot run` builds it (minus the admin web), on the rehearsal's clock."""
    from dataclasses import replace

    from adapters.base import Hub
    from adapters.matrix import MatrixConfig, MatrixConnector
    from adapters.telegram.connector import TelegramConnector
    from adapters.telegram.limiter import ChatLimiter, Limits
    from admin.metrics import Metrics
    from bot.engine import Engine
    from bot.messages import Incoming, Outgoing
    from bot.store.database import database_url
    from motsbot.run import Standby, freeze_startup_heap
    from motsbot.serving import ServingTurn
    from motsbot.settings import Settings
    from scheduler import Scheduler, config_from_settings, connect

    logging.basicConfig(level=logging.ERROR, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    turn = ServingTurn(database_url(config.db))
    standby = Standby(config.db, Engine)

    async def wait_as_standby() -> None:
        await standby.prepare()
        print("standby", flush=True)

    await turn.take(while_waiting=wait_as_standby)
    clock = FestivalClock(datetime.fromisoformat(config.clock_start), config.wall_zero, config.speed)
    watch = LoopWatch(Path(config.timeline) if config.timeline else None)
    watching = asyncio.create_task(watch.run())
    store = await standby.open_store()
    watch_writers(store.database, watch)
    engine = standby.engine or Engine(store)
    await engine.warm_up()
    answer = Metrics().metered(engine.handle)

    async def timed_answer(incoming: Incoming, now: datetime) -> list[Outgoing]:
        with watch.spent("answer"):
            return await answer(incoming, now)

    hub = Hub(timed_answer, clock.now)
    limiter = ChatLimiter(Limits(total_per_second=CONNECTOR_RATE, total_burst=CONNECTOR_RATE))
    telegram = TelegramConnector(TOKEN, store, base_url=config.telegram_url, limiter=limiter, poll_timeout=1)
    matrix = (
        None
        if not config.homeserver
        else MatrixConnector(
            MatrixConfig(
                homeserver=config.homeserver,
                user=config.matrix_user,
                password=config.matrix_password,
                store_path=Path(config.matrix_store),
                pickle_key="rehearsal pickle key",
                sync_timeout_ms=500,
                max_reconnect_wait=0.5,
            ),
            store,
        )
    )
    connectors = [telegram] if matrix is None else [telegram, matrix]
    for connector in connectors:
        hub.add(connector)
        await connector.start(hub)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, scheduler_telegram_per_second=SCHEDULER_RATE, telegram_paid_broadcasts=True
    )
    # A held-up reply's usefulness is measured on the festival clock, which runs ~1000 times
    # faster than the connectors' retries on the wall clock: in the rehearsal it lasts the run.
    scheduler_config = replace(config_from_settings(settings), reply_useful=timedelta(days=30))
    scheduler = Scheduler(store, hub.connectors, scheduler_config, clock=clock.now)
    connect(scheduler, hub)
    await scheduler.start()
    freeze_startup_heap()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    try:
        while not stop.is_set():
            # APScheduler's interval and date jobs wait on the wall clock: in accelerated time
            # they would fire hours of festival late, so the runner does their work itself.
            try:
                with watch.spent("maintain"):
                    await scheduler.maintain()
            except Exception:
                logging.getLogger("rehearsal").exception("maintenance failed")
            scheduler.wake()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), config.tick)
    finally:
        await scheduler.stop()
        for connector in reversed(connectors):
            with contextlib.suppress(Exception):
                await connector.stop()
        await store.close()
        watching.cancel()
        await turn.give_back()


async def start_serve(
    config: RunnerConfig, path: Path, log: Path, *, expect: str = "ready"
) -> asyncio.subprocess.Process:
    """One life of motsbot as a subprocess (`serve`, its config written to `path`, its stderr
    appended to `log`); returns once it says `expect`: "ready", or "standby" when another
    motsbot serves the database and this one waits to take over (motsbot/serving.py)."""
    await asyncio.to_thread(path.write_text, json.dumps(asdict(config)))
    with log.open("ab") as err:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.rehearsal", "serve", str(path),
            cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=err,
        )  # fmt: skip
    await expect_line(process, expect, log)
    return process


async def expect_line(process: asyncio.subprocess.Process, expect: str, log: Path) -> None:
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 120)
    if line != f"{expect}\n".encode():
        raise RuntimeError(f"motsbot is not {expect}: {(await asyncio.to_thread(log.read_text))[-3000:]}")


# -- the platforms' side --------------------------------------------------------------------------


@dataclass
class Arrival:
    message_id: str
    chat: str
    at: float
    content: str


class RecordingFake(FakeBotApi):
    """The Bot API fake, noting when each message arrived and calling `on_message` for it."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.arrivals: list[Arrival] = []
        self.on_message: Callable[[Sent], None] | None = None
        self._waiting: dict[int, list[asyncio.Future[None]]] = defaultdict(list)
        """Residents waiting for a message in their chat. The fake's own `wait_for` wakes every
        waiter at every API call to check its predicate: with hundreds of residents waiting, a third
        of the harness's CPU, which delayed the fake's answers to motsbot."""

    async def wait_chat(self, chat: int, more_than: int, within: float) -> None:
        """Waits until the chat holds more than `more_than` messages; TimeoutError after `within`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while len(self.chat(chat)) <= more_than:
            future: asyncio.Future[None] = loop.create_future()
            self._waiting[chat].append(future)
            try:
                await asyncio.wait_for(future, max(0.0, deadline - loop.time()))
            finally:
                waiting = self._waiting.get(chat)
                if waiting is not None and future in waiting:
                    waiting.remove(future)

    def _store(self, sent: Sent) -> dict[str, Any]:
        result = super()._store(sent)
        self._arrived(sent)
        return result

    def _arrived(self, sent: Sent) -> None:
        content = json.dumps([sent.kind, sent.text, sent.poll and sent.poll["question"], sent.reply_markup])
        self.arrivals.append(Arrival(str(sent.message_id), str(sent.chat_id), time.monotonic(), content))
        for future in self._waiting.pop(sent.chat_id, []):
            if not future.done():
                future.set_result(None)
        if self.on_message is not None:
            self.on_message(sent)

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await super()._api_editMessageText(params)
        chat = int(params["chat_id"])
        for sent in self.chats.get(chat, []):
            if sent.message_id == int(params["message_id"]):
                # An edit answers a button press as a new message would (a different content:
                # never counted as a repeat).
                self.arrivals.append(Arrival(f"edit:{sent.message_id}", str(chat), time.monotonic(), "edit"))
        return result


@dataclass
class Ask:
    channel: str
    chat: str
    at: float
    what: str


@dataclass
class Fault:
    at: float
    what: str
    detail: str = ""


@dataclass
class Plan:
    residents: int = 100
    matrix: int = 6
    days: float = 2.0
    seconds: float = 60.0
    kills: int = 1
    storms: int = 1
    bursts: int = 1
    synapse_restarts: int = 1
    locks: int = 1
    burst_size: int = 15
    """5xx answers in a row: more than the connector's own retries of one send (5, 0.5 s
    doubling), so a reply can outlast them and must come back through the outbox (the first
    runs, before that path existed, lost such replies)."""
    seed: int = 0
    drain: float = 90.0
    standby: bool = True
    """A second motsbot waits as a standby and takes over at a kill (motsbot/serving.py), and the
    harness starts a new standby; without, the harness starts motsbot again after each kill."""

    @property
    def speed(self) -> float:
        return self.days * 86_400 / self.seconds


@dataclass
class Report:
    plan: Plan
    rows: dict[str, dict[str, int]]
    lost: int
    telegram_duplicates: int
    matrix_duplicates: int
    in_flight_at_kills: list[int]
    overbooked: dict[str, tuple[int, int]]
    latency: dict[str, dict[str, float]]
    peak_rss_mb: float
    cpu_seconds: float
    cpu_percent: float
    wall_seconds: float
    faults: list[Fault]
    reasons: dict[str, int]
    slow_seconds: list[str] = field(default_factory=list)
    """The real seconds with the most slow answers, and what went on in them (`Timeline`)."""
    hours_summary: str = ""
    problems: list[str] = field(default_factory=list)
    downtimes: list[float] = field(default_factory=list)
    """Real seconds from each kill to motsbot ready again."""

    def table(self) -> str:
        lines = [
            f"rehearsal: {self.plan.residents} Telegram + {self.plan.matrix} Matrix residents, "
            f"{self.plan.days:g} festival days in {self.plan.seconds:g} s (×{self.plan.speed:.0f}), "
            f"seed {self.plan.seed}",
            "",
            "| kind | expected | delivered | lost | duplicated | expired | failed | cancelled |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for kind, row in self.rows.items():
            lines.append(
                f"| {kind} | {row['expected']} | {row['delivered']} | {row['lost']} | {row['duplicated']} "
                f"| {row['expired']} | {row['failed']} | {row['cancelled']} |"
            )
        lines += [
            "",
            f"lost {self.lost}; Telegram duplicates {self.telegram_duplicates} (in flight at the kills: "
            f"{self.in_flight_at_kills}, bound {sum(self.in_flight_at_kills)}); Matrix duplicates "
            f"{self.matrix_duplicates}; overbooked events {self.overbooked or 0}",
            "",
            "| channel | replies | p50 ms | p95 ms | p99 ms | max ms |",
            "|---|---|---|---|---|---|",
        ]
        for channel, figures in self.latency.items():
            lines.append(
                f"| {channel} | {figures['n']:.0f} | {figures['p50']:.0f} | {figures['p95']:.0f} "
                f"| {figures['p99']:.0f} | {figures['max']:.0f} |"
            )
        if self.hours_summary:
            lines += ["", self.hours_summary]
        lines += [
            "",
            f"motsbot: peak RSS {self.peak_rss_mb:.0f} MB, CPU {self.cpu_seconds:.1f} s over "
            f"{self.wall_seconds:.0f} s ({self.cpu_percent:.0f} % of one core)",
            f"down after each kill ({'a standby took over' if self.plan.standby else 'started again'}): "
            + (", ".join(f"{d:.2f} s" for d in self.downtimes) or "no kills"),
            "faults: " + "; ".join(f"{f.at:.1f} s {f.what} {f.detail}".strip() for f in self.faults),
            "not sent, with reasons: " + (", ".join(f"{k} ×{v}" for k, v in sorted(self.reasons.items())) or "none"),
        ]
        if self.slow_seconds:
            lines += ["", *self.slow_seconds]
        if self.problems:
            lines += ["", "PROBLEMS:", *(f"- {p}" for p in self.problems)]
        return "\n".join(lines)


def _p99_within(asks: list[int], replied: dict[int, float]) -> bool:
    return percentiles([replied[i] for i in asks if i in replied])["p99"] <= TARGET_P99_MS


def percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"n": 0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return {"n": len(ordered), "p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1] * 1000}


class ProcessWatch:
    """Peak RSS (of any one process) and CPU time (of all together) of motsbot's lives and
    standbys, sampled from /proc (psutil is not installed). A process that has ended counts
    with its last sample."""

    def __init__(self) -> None:
        self.peak_rss = 0
        self._cpu: dict[int, float] = {}
        self._ticks = os.sysconf("SC_CLK_TCK")

    def follow(self, pid: int) -> None:
        self._cpu.setdefault(pid, 0.0)

    def sample(self) -> None:
        for pid in self._cpu:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    self.peak_rss = max(self.peak_rss, int(line.split()[1]) * 1024)
            self._cpu[pid] = (int(stat[11]) + int(stat[12])) / self._ticks

    @property
    def cpu_seconds(self) -> float:
        return sum(self._cpu.values())


def questions(rng: random.Random) -> dict[str, list[str]]:
    by_lang: dict[str, list[str]] = defaultdict(list)
    for line in QUESTIONS.read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            by_lang[record["lang"]].append(record["text"])
    for texts in by_lang.values():
        rng.shuffle(texts)
    return by_lang


def changed_schedule(source: Path, target: Path, moved_event: str, cancelled_event: str) -> Path:
    """The demo programme with `moved_event` an hour later and `cancelled_event` gone."""
    data = json.loads(source.read_text())
    for day in data["schedule"]["conference"]["days"]:
        for room, talks in day["rooms"].items():
            for talk in talks:
                if talk["code"] == moved_event:
                    moved = datetime.fromisoformat(talk["date"]) + timedelta(hours=1)
                    talk["date"] = moved.isoformat()
                    talk["start"] = moved.strftime("%H:%M")
            day["rooms"][room] = [talk for talk in talks if talk["code"] != cancelled_event]
    target.write_text(json.dumps(data))
    return target


# -- the harness --------------------------------------------------------------------------------


class Rehearsal:
    def __init__(self, plan: Plan, root: Path) -> None:
        self.plan = plan
        self.root = root
        self.rng = random.Random(plan.seed)
        self.db = root / "motsbot.sqlite3"
        self.log = root / "motsbot.log"
        self.fake = RecordingFake(ceiling=FAKE_CEILING)
        self.asks: list[Ask] = []
        self._by_hour: dict[datetime, list[int]] | None = None
        """Asks by festival hour, made once all are in (`_asks_by_hour`)."""
        self.faults: list[Fault] = []
        self.in_flight_at_kills: list[int] = []
        self.outages: list[tuple[str, float, float]] = []
        """(channel or "*", from, to) in monotonic seconds: motsbot or Synapse down, Telegram
        answering 429 or 5xx."""
        self.watch = ProcessWatch()
        self.loop_watch = LoopWatch()
        self.machine = MachineWatch()
        self.process: asyncio.subprocess.Process | None = None
        self.standby: asyncio.subprocess.Process | None = None
        self.standby_starting: asyncio.Task[None] | None = None
        self.downtimes: list[float] = []
        """Real seconds from each kill to motsbot ready again."""
        self.began = 0.0
        self.background: set[asyncio.Task[Any]] = set()
        self.reacting = True
        self.questions = questions(self.rng)
        self.problems: list[str] = []
        self.matrix_residents: list[Any] = []
        self.synapse: Any = None
        self.bot_user = ""
        self.broadcast_people = 0

    # -- infrastructure ------------------------------------------------------------------------

    def elapsed(self) -> float:
        return time.monotonic() - self.began

    def note(self, what: str, detail: str = "") -> None:
        self.faults.append(Fault(round(self.elapsed(), 1), what, detail))

    def spawn(self, step: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(step)
        self.background.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self.background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.problems.append(f"harness task failed: {task.exception()!r}")

    def runner_config(self) -> RunnerConfig:
        return RunnerConfig(
            db=str(self.db),
            telegram_url=self.fake.base_url,
            homeserver=self.synapse.url,
            matrix_user=self.bot_user,
            matrix_password=self.bot_password,
            matrix_store=str(self.root / "matrix-store"),
            clock_start=self.clock.start.isoformat(),
            wall_zero=self.clock.wall_zero,
            speed=self.clock.speed,
            timeline=str(self.root / "timeline-motsbot.jsonl"),
        )

    async def start_motsbot(self) -> None:
        self.process = await start_serve(self.runner_config(), self.root / "runner.json", self.log)
        self.watch.follow(self.process.pid)

    async def start_standby(self) -> None:
        self.standby = await start_serve(self.runner_config(), self.root / "runner.json", self.log, expect="standby")
        self.watch.follow(self.standby.pid)

    async def kill(self) -> None:
        assert self.process is not None
        if self.standby_starting is not None:
            await self.standby_starting
        standby, self.standby = self.standby, None
        began = time.monotonic()
        self.watch.sample()
        if standby is not None:
            # Held still while the sends in flight are counted: it would take over and send them.
            standby.send_signal(signal.SIGSTOP)
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        with contextlib.closing(sqlite3.connect(self.db, timeout=30)) as conn:
            in_flight = conn.execute("SELECT count(*) FROM outbox WHERE status = 'sending'").fetchone()[0]
        self.in_flight_at_kills.append(int(in_flight))
        self.note("kill -9", f"({in_flight} in flight)")
        if standby is None:
            await self.start_motsbot()
        else:
            standby.send_signal(signal.SIGCONT)
            await expect_line(standby, "ready", self.log)
            self.process = standby
            self.standby_starting = asyncio.create_task(self.start_standby())
        self.downtimes.append(time.monotonic() - began)
        self.outages.append(("*", began, time.monotonic()))

    async def stop_standby(self) -> None:
        if self.standby_starting is not None:
            with contextlib.suppress(Exception):
                await self.standby_starting
        if self.standby is not None and self.standby.returncode is None:
            # A standby holds nothing: SIGTERM ends it before it has signal handlers of its own.
            self.standby.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.standby.wait(), 30)

    async def lock_database(self) -> None:
        def hold() -> None:
            with contextlib.closing(sqlite3.connect(self.db, timeout=30, isolation_level=None)) as conn:
                conn.execute("BEGIN EXCLUSIVE")
                time.sleep(LOCK_SECONDS)
                conn.execute("COMMIT")

        self.note("database locked", f"{LOCK_SECONDS:g} s")
        await asyncio.to_thread(hold)

    async def restart_synapse(self) -> None:
        self.note("Synapse stopped")
        began = time.monotonic()
        await asyncio.to_thread(self.synapse.stop)
        await asyncio.sleep(1.0)
        await asyncio.to_thread(self.synapse.start)
        self.note("Synapse started")
        self.outages.append(("matrix", began, time.monotonic()))

    async def faults_script(self) -> None:
        plan = self.plan
        steps: list[tuple[float, str]] = []
        for kind, count in (
            ("kill", plan.kills),
            ("storm", plan.storms),
            ("burst", plan.bursts),
            ("synapse", plan.synapse_restarts),
            ("lock", plan.locks),
        ):
            steps += [(self.rng.uniform(0.15, 0.9) * plan.seconds, kind) for _ in range(count)]
        for at, kind in sorted(steps):
            await asyncio.sleep(max(0.0, at - self.elapsed()))
            if kind == "kill":
                await self.kill()
            elif kind == "storm":
                self.telegram_outage(self.fake.fail("sendMessage", 429, times=STORM, retry_after=1))
                self.note("429 storm", f"×{STORM}")
            elif kind == "burst":
                status = self.rng.choice((500, 502, 503))
                self.telegram_outage(self.fake.fail("sendMessage", status, times=plan.burst_size))
                self.note(f"{status} burst", f"×{plan.burst_size}")
            elif kind == "synapse":
                await self.restart_synapse()
            else:
                await self.lock_database()

    def telegram_outage(self, fault: Any) -> None:
        """Telegram answers errors from now until the fault is used up: an outage of Telegram's,
        which replies meeting it wait out (the connector's retries, then the outbox)."""
        began = time.monotonic()

        async def until_over() -> None:
            # Bounded by the run: a fault left over at the end counts as an outage till then.
            with contextlib.suppress(AssertionError, TimeoutError):
                await self.fake.wait_for(lambda: fault.times <= 0, within=self.plan.seconds * 2)
            self.outages.append(("telegram", began, time.monotonic()))

        self.spawn(until_over())

    async def sample_process(self) -> None:
        while True:
            self.watch.sample()
            await asyncio.sleep(0.5)

    # -- residents ---------------------------------------------------------------------------

    def question(self, lang: str) -> str:
        texts = self.questions[lang]
        return texts[self.rng.randrange(len(texts))]

    def ask_telegram(self, chat: int, lang: str, what: str, text: str | None = None, data: str | None = None) -> None:
        self.asks.append(Ask("telegram", str(chat), time.monotonic(), what))
        if data is None:
            self.fake.say(chat, text or "", lang=lang)
        else:
            target = self.fake.chat(chat)[-1] if self.fake.chat(chat) else Sent(1, chat, "text", text="?")
            self.fake.push(self.fake.callback_update(chat, target, data, lang=lang))

    async def wait_reply(self, chat: int, after: int, within: float = 30.0) -> None:
        with contextlib.suppress(TimeoutError):
            await self.fake.wait_chat(chat, after, within)

    async def telegram_resident(self, n: int, events: list[str]) -> None:
        chat = FIRST_CHAT + n
        lang = LANGUAGES[n % len(LANGUAGES)]
        arrive = self.rng.uniform(0.02, 0.45) * self.plan.seconds
        await asyncio.sleep(max(0.0, arrive - self.elapsed()))
        before = len(self.fake.chat(chat))
        self.ask_telegram(chat, lang, "question", text=self.question(lang))
        await self.wait_reply(chat, before)
        now = self.clock.now()
        open_events = [code for code, starts in self.starts.items() if code in events and starts > now]
        chosen = self.rng.sample(open_events, min(2, len(open_events)))
        for code in chosen:
            before = len(self.fake.chat(chat))
            self.ask_telegram(chat, lang, "sign up", data=f"1:su:{code}")
            await self.wait_reply(chat, before)
        if chosen and self.rng.random() < 0.25:
            await asyncio.sleep(self.rng.uniform(0.5, 0.3 * self.plan.seconds))
            before = len(self.fake.chat(chat))
            self.ask_telegram(chat, lang, "cancel", data=f"1:cx:{chosen[0]}")
            await self.wait_reply(chat, before)
        if self.rng.random() < 0.5:
            await asyncio.sleep(self.rng.uniform(0.5, 0.3 * self.plan.seconds))
            self.ask_telegram(chat, lang, "question", text=self.question(lang))

    def react(self, sent: Sent) -> None:
        """A resident answers what asks for an answer: an evaluation poll, a waiting-list offer."""
        if not self.reacting or sent.chat_id < FIRST_CHAT:
            return
        if sent.kind == "poll" and sent.poll is not None and self.rng.random() < 0.7:
            poll_id = sent.poll["id"]
            option = self.rng.randrange(len(sent.poll["options"]))
            self.spawn(
                self._later(self.rng.uniform(0.05, 0.5), lambda: self.fake.vote(sent.chat_id, poll_id, [option]))
            )
            return
        offers = [b for b in sent.buttons if str(b.get("callback_data", "")).startswith("1:offer:")]
        if offers:
            lang = LANGUAGES[(sent.chat_id - FIRST_CHAT) % len(LANGUAGES)]
            data = str(offers[0]["callback_data"])

            def accept() -> None:
                self.asks.append(Ask("telegram", str(sent.chat_id), time.monotonic(), "offer answer"))
                self.fake.push(self.fake.callback_update(sent.chat_id, sent, data, lang=lang))

            self.spawn(self._later(self.rng.uniform(0.05, 0.3), accept))

    @staticmethod
    async def _later(delay: float, action: Callable[[], object]) -> None:
        await asyncio.sleep(delay)
        action()

    async def matrix_resident(self, resident: Any, n: int, events: list[str]) -> None:
        from bot.store import Store
        from bot.store.signups import SignupError

        lang = LANGUAGES[n % len(LANGUAGES)]
        # Matrix residents arrive through the week's first half as Telegram residents do, so that
        # their answers are measured under the week's load and faults, not only at the start.
        arrive = self.rng.uniform(0.02, 0.45) * self.plan.seconds
        await asyncio.sleep(max(0.0, arrive - self.elapsed()))
        room = await resident.open_dm(self.bot_user)
        await resident.wait_texts(self.bot_user, room, 1, within=60)
        await self.ask_matrix(resident, room, lang)
        # The registration desk signs the person up (typed-number signups are not scripted).
        store = await Store.open(str(self.db))
        try:
            person = await store.people.find("matrix", resident.user_id)
            if person is None:
                self.problems.append(f"no person for Matrix resident {resident.user_id}")
                return
            now = self.clock.now()
            for code in [c for c, starts in self.starts.items() if c in events and starts > now][:2]:
                event_id = await store.programme.event_id(code)
                if event_id is not None:
                    # The organiser may have cancelled the event meanwhile: then there is no seat.
                    with contextlib.suppress(SignupError):
                        await store.signups.sign_up(event_id, person.id, now)
        finally:
            await store.close()
        await asyncio.sleep(self.rng.uniform(0.5, 0.3 * self.plan.seconds))
        await self.ask_matrix(resident, room, lang)

    async def ask_matrix(self, resident: Any, room: str, lang: str) -> None:
        before = len(resident.texts_from(self.bot_user, room))
        self.asks.append(Ask("matrix", resident.user_id, time.monotonic(), "question"))
        # nio retries a send until Synapse answers again, so an ask made while it is down waits.
        await resident.say(room, self.question(lang))
        with contextlib.suppress(AssertionError):
            await resident.wait_texts(self.bot_user, room, before + 1, within=60)

    async def organiser(self, schedule: Path) -> None:
        from bot.programme.loader import load_programme_file
        from bot.store import Store
        from scheduler import Audience
        from scheduler.broadcasts import Broadcasts

        await asyncio.sleep(max(0.0, 0.35 * self.plan.seconds - self.elapsed()))
        store = await Store.open(str(self.db))
        try:
            report = await store.programme.apply(load_programme_file(schedule), self.clock.now())
            self.note("programme re-imported", report.summary())
            await asyncio.sleep(max(0.0, 0.55 * self.plan.seconds - self.elapsed()))
            with contextlib.closing(sqlite3.connect(self.db, timeout=30)) as conn:
                self.broadcast_people = int(conn.execute("SELECT count(*) FROM person").fetchone()[0])
            broadcast_id = await Broadcasts(store).create(dict(BROADCAST), Audience(everyone=True), self.clock.now())
            self.note("broadcast", f"#{broadcast_id} to {self.broadcast_people}")
        finally:
            await store.close()

    # -- the run -------------------------------------------------------------------------------

    async def run(self) -> Report:
        # The residents' nio clients report each failed sync while Synapse is down: expected here.
        logging.getLogger("nio").setLevel(logging.CRITICAL)
        from bot.programme.demo import demo_files
        from bot.programme.loader import load_programme_file
        from bot.store import Store
        from tests.adapters.matrix.matrix_support import Resident, Synapse

        plan = self.plan
        store = await Store.open(str(self.db))
        for path in demo_files():
            await store.programme.apply(load_programme_file(path), START)
        snapshot = await store.programme.snapshot()
        assert snapshot is not None
        end = START + timedelta(days=plan.days)
        self.starts = {e.code: e.starts_at for e in snapshot.events if START < e.starts_at < end}
        capacity_events = [e.code for e in snapshot.events if e.code in self.starts and e.capacity]
        await store.close()
        # The organiser re-imports at 35 % of the run: change events that still lie ahead then,
        # and that residents sign up for (those with a capacity).
        ahead = sorted(
            (code for code in capacity_events if self.starts[code] > START + timedelta(days=0.4 * plan.days)),
            key=lambda code: self.starts[code],
        )
        schedule = changed_schedule(demo_files()[0], self.root / "changed.schedule.json", ahead[0], ahead[1])

        await self.fake.start()
        self.fake.on_message = self.react
        (self.root / "synapse").mkdir(exist_ok=True)
        self.synapse = Synapse(self.root / "synapse")
        await asyncio.to_thread(self.synapse.start)
        self.bot_user, self.bot_password = await asyncio.to_thread(self.synapse.register, "motsbot")
        residents = [
            recording_resident(Resident, self.synapse, self.root / f"resident{n}", self.bot_user)
            for n in range(plan.matrix)
        ]
        for resident in residents:
            await resident.start()
        self.matrix_residents = residents

        self.clock = FestivalClock(START, time.time(), plan.speed)
        self.began = time.monotonic()
        sampler = asyncio.create_task(self.sample_process())
        watches = [asyncio.create_task(self.loop_watch.run()), asyncio.create_task(self.machine.run())]
        try:
            await self.start_motsbot()
            if plan.standby:
                await self.start_standby()
            work = [asyncio.create_task(self.telegram_resident(n, capacity_events)) for n in range(plan.residents)]
            work += [asyncio.create_task(self.matrix_resident(r, n, capacity_events)) for n, r in enumerate(residents)]
            work += [asyncio.create_task(self.organiser(schedule)), asyncio.create_task(self.faults_script())]
            finished = await asyncio.wait_for(asyncio.gather(*work, return_exceptions=True), plan.seconds * 3 + 120)
            self.problems += [f"harness step failed: {r!r}" for r in finished if isinstance(r, BaseException)]
            await asyncio.sleep(max(0.0, plan.seconds - self.elapsed()))
            await self.drain()
            self.reacting = False
            assert self.process is not None
            self.watch.sample()
            # The standby first: it would take over from motsbot stopping.
            await self.stop_standby()
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), 30)
        finally:
            sampler.cancel()
            for watch in watches:
                watch.cancel()
            for task in list(self.background):
                task.cancel()
            for process in (self.standby, self.process):
                if process is not None and process.returncode is None:
                    process.kill()
                    await process.wait()
        wall = self.elapsed()
        report = self.check(wall)
        for resident in residents:
            await resident.stop()
        await asyncio.to_thread(self.synapse.stop)
        await self.fake.stop()
        return report

    def outbox_rows(self) -> list[sqlite3.Row]:
        with contextlib.closing(sqlite3.connect(self.db, timeout=30)) as conn:
            conn.row_factory = sqlite3.Row
            return conn.execute(
                "SELECT id, kind, channel, user_id, status, reason, not_before, platform_message_id FROM outbox"
            ).fetchall()

    def replied(self) -> dict[int, float]:
        """For each ask (by index): seconds until the bot's next message to that chat that the
        outbox did not send."""
        # Replies that an outage held up and the outbox sent later are replies all the same.
        scheduled = {
            r["platform_message_id"] for r in self.outbox_rows() if r["platform_message_id"] and r["kind"] != "reply"
        }
        answers: dict[str, list[float]] = defaultdict(list)
        for arrival in self.fake.arrivals:
            if arrival.message_id not in scheduled:
                answers[f"telegram:{arrival.chat}"].append(arrival.at)
        for resident in self.matrix_residents:
            for at, event_id in getattr(resident, "arrivals", []):
                if event_id not in scheduled:
                    answers[f"matrix:{resident.user_id}"].append(at)
        result: dict[int, float] = {}
        used: dict[str, int] = defaultdict(int)
        for index, ask in sorted(enumerate(self.asks), key=lambda pair: pair[1].at):
            times = answers[f"{ask.channel}:{ask.chat}"]
            position = used[f"{ask.channel}:{ask.chat}"]
            while position < len(times) and times[position] < ask.at:
                position += 1
            if position < len(times):
                result[index] = times[position] - ask.at
                used[f"{ask.channel}:{ask.chat}"] = position + 1
        return result

    async def drain(self) -> None:
        """Waits (bounded) until nothing due is left in the outbox and every ask has its reply."""
        deadline = time.monotonic() + self.plan.drain
        while time.monotonic() < deadline:
            now = self.clock.now().astimezone(START.tzinfo).isoformat()
            with contextlib.closing(sqlite3.connect(self.db, timeout=30)) as conn:
                due = conn.execute(
                    "SELECT count(*) FROM outbox WHERE status = 'sending' OR (status = 'pending' AND not_before <= ?)",
                    (self.clock.now().isoformat(),),
                ).fetchone()[0]
            del now
            if not due and len(self.replied()) == len(self.asks):
                return
            await asyncio.sleep(0.5)

    def check(self, wall: float) -> Report:
        rows = self.outbox_rows()
        now = self.clock.now()
        telegram_by_id = {a.message_id: a for a in self.fake.arrivals}
        matrix_received: dict[str, Counter[str]] = {}
        matrix_events: set[str] = set()
        for resident in self.matrix_residents:
            bodies: Counter[str] = Counter()
            for event in resident.from_user(self.bot_user):
                bodies[json.dumps(event.source.get("content", {}).get("body"))] += 1
                matrix_events.add(event.event_id)
            matrix_received[resident.user_id] = bodies
        groups = {
            "reminder": "reminders",
            "poll": "polls",
            "poll_nudge": "polls",
            "offer": "offers",
            "broadcast": "broadcasts",
            "moved": "notices",
            "cancelled": "notices",
            "reply": "replies held up, sent by the outbox",
        }
        table: dict[str, dict[str, int]] = {}
        blank = dict.fromkeys(("expected", "delivered", "lost", "duplicated", "expired", "failed", "cancelled"), 0)
        reasons: Counter[str] = Counter()
        scheduled_content: dict[str, set[str]] = defaultdict(set)
        referenced: set[str] = set()
        lost = 0
        for row in rows:
            kind = groups.get(row["kind"], row["kind"])
            figures = table.setdefault(kind, dict(blank))
            status = row["status"]
            if status in ("expired", "failed", "cancelled"):
                figures[status] += 1
                reasons[f"{row['kind']} {status}: {row['reason']}"] += 1
                continue
            if status == "pending" and datetime.fromisoformat(row["not_before"]).replace(tzinfo=now.tzinfo) > now:
                continue  # due after the simulated window
            figures["expected"] += 1
            message = row["platform_message_id"]
            found = status == "sent" and (
                (row["channel"] == "telegram" and message in telegram_by_id)
                or (row["channel"] == "matrix" and message in matrix_events)
            )
            if found:
                figures["delivered"] += 1
                if row["channel"] == "telegram":
                    referenced.add(message)
                    # A held-up reply may say what another answer said (the same question
                    # twice): only scheduled messages are matched for repeats.
                    if row["kind"] != "reply":
                        scheduled_content[telegram_by_id[message].chat].add(telegram_by_id[message].content)
            else:
                figures["lost"] += 1
                lost += 1
                self.problems.append(f"lost: outbox row {row['id']} {row['kind']} {status} to {row['user_id']}")
        # A repeat after a kill is a second message with the same content as one the outbox
        # recorded, to the same chat, that no outbox row refers to.
        telegram_duplicates = 0
        for arrival in self.fake.arrivals:
            if arrival.message_id not in referenced and arrival.content in scheduled_content[arrival.chat]:
                telegram_duplicates += 1
        matrix_duplicates = 0
        # Two events' polls carry the same question: a repeat is a body received more often
        # than outbox rows account for.
        scheduled_bodies = self._matrix_scheduled()
        for user, bodies in matrix_received.items():
            for body, n in bodies.items():
                rows_for = scheduled_bodies.get((user, body), 0)
                if rows_for and n > rows_for:
                    matrix_duplicates += n - rows_for
                    self.problems.append(f"Matrix repeat ×{n - rows_for} to {user}: {body[:100]}")
        replied = self.replied()
        latency: dict[str, dict[str, float]] = {}
        reply_row = dict(blank)
        for channel in ("telegram", "matrix"):
            asks = [i for i, a in enumerate(self.asks) if a.channel == channel]
            latency[channel] = percentiles([replied[i] for i in asks if i in replied])
            # Asks that met an outage (motsbot restarting, Synapse down) wait for it to end:
            # their figures say how long the outage lasted, not how fast motsbot answers.
            calm = [i for i in asks if i in replied and not self._met_outage(self.asks[i], replied[i])]
            latency[f"{channel}, outside outages"] = percentiles([replied[i] for i in calm])
            reply_row["expected"] += len(asks)
            reply_row["delivered"] += sum(1 for i in asks if i in replied)
        # The festival hour with the most asks (both channels): the load to plan for.
        hours = Counter({hour: len(asked) for hour, asked in self._asks_by_hour().items()})
        if hours:
            busiest, count = hours.most_common(1)[0]
            in_hour = [i for i in self._asked_in(busiest) if i in replied]
            label = f"busiest festival hour ({busiest:%a %H}:00, {count} asks)"
            latency[label] = percentiles([replied[i] for i in in_hour])
            calm = [i for i in in_hour if not self._met_outage(self.asks[i], replied[i])]
            latency[f"{label}, outside outages"] = percentiles([replied[i] for i in calm])
            # The busiest hour that no fault came near: motsbot at its busiest with nothing to
            # recover from (a kill's pile-up of held-up residents makes its own busiest hour).
            calm_hours = Counter({hour: n for hour, n in hours.items() if not self._near_fault(hour)})
            if calm_hours:
                hour, count = calm_hours.most_common(1)[0]
                in_calm = [i for i in self._asked_in(hour) if i in replied]
                label = f"busiest festival hour with no fault near ({hour:%a %H}:00, {count} asks)"
                latency[label] = percentiles([replied[i] for i in in_calm])
        hours_summary = self._busy_hours(hours, replied)
        busiest_seconds: set[int] = set()
        if hours:
            busiest_seconds = {int(self.asks[i].at) for i in self._asked_in(busiest)}
        slow_seconds = self.timeline(replied, rows, busiest_seconds)
        reply_row["lost"] = reply_row["expected"] - reply_row["delivered"]
        lost += reply_row["lost"]
        for index, ask in enumerate(self.asks):
            if index not in replied:
                self.problems.append(
                    f"no reply: {ask.what} in {ask.channel} chat {ask.chat} at {ask.at - self.began:.2f} s"
                )
        table = {"replies": reply_row, **dict(sorted(table.items()))}
        for kind, figures in table.items():
            if kind != "replies":
                figures["duplicated"] = 0
        table.setdefault("broadcasts", dict(blank))
        if table["broadcasts"]["expected"] + table["broadcasts"]["failed"] < self.broadcast_people:
            missing = self.broadcast_people - table["broadcasts"]["expected"] - table["broadcasts"]["failed"]
            self.problems.append(f"broadcast rows missing for {missing} people")
        overbooked = self.overbooked()
        return Report(
            plan=self.plan,
            rows=table,
            lost=lost,
            telegram_duplicates=telegram_duplicates,
            matrix_duplicates=matrix_duplicates,
            in_flight_at_kills=self.in_flight_at_kills,
            downtimes=self.downtimes,
            overbooked=overbooked,
            latency=latency,
            peak_rss_mb=self.watch.peak_rss / 2**20,
            cpu_seconds=self.watch.cpu_seconds,
            cpu_percent=100 * self.watch.cpu_seconds / wall if wall else 0.0,
            wall_seconds=wall,
            faults=self.faults,
            reasons=dict(reasons),
            slow_seconds=slow_seconds,
            hours_summary=hours_summary,
            problems=self.problems,
        )

    def timeline(self, replied: dict[int, float], rows: list[sqlite3.Row], busiest: set[int]) -> list[str]:
        """Second by second: asks, slow answers (over `SLOW`, outside outages), what the fake
        received by kind, and the state of motsbot's loop, the harness's loop and the machine.
        Writes all of it to `timeline.csv`; returns tables of the busiest festival hour's seconds
        and of the seconds with the most slow answers."""
        kinds = {r["platform_message_id"]: r["kind"] for r in rows if r["platform_message_id"]}
        counts: dict[int, Counter[str]] = defaultdict(Counter)
        for index, ask in enumerate(self.asks):
            counts[int(ask.at)]["asks"] += 1
            waited = replied.get(index)
            if waited is not None and waited > SLOW and not self._met_outage(ask, waited):
                counts[int(ask.at)]["slow"] += 1
        for arrival in self.fake.arrivals:
            counts[int(arrival.at)][kinds.get(arrival.message_id, "answer")] += 1
        log = self.root / "timeline-motsbot.jsonl"
        motsbot = LoopWatch.read([log]) if log.exists() else {}
        harness = self.loop_watch.seconds
        faults = [(self.began + f.at, f.what) for f in self.faults]
        first = int(self.began)
        seconds = range(first, max([first, *counts, *motsbot]) + 1)
        kinds_seen = sorted({k for c in counts.values() for k in c} - {"asks", "slow", "answer"})

        def row(at: int) -> dict[str, Any]:
            c = counts.get(at, Counter())
            m = motsbot.get(at, Second(at))
            h = harness.get(at, Second(at))
            return {
                "s": at - first,
                "asks": c["asks"],
                "slow": c["slow"],
                "answers": c["answer"],
                **{k: c[k] for k in kinds_seen},
                "motsbot cpu ms": round(m.cpu_ms),
                "motsbot lag ms": round(m.lag_ms),
                "motsbot gc ms": round(m.gc_ms),
                "gc full": m.gc_full,
                "maintain ms": round(m.spent_ms.get("maintain", 0.0)),
                "handled": m.counted.get("answer", 0),
                "writes": m.counted.get("write hold", 0),
                "write wait ms": round(m.spent_ms.get("write wait", 0.0)),
                "longest write wait ms": m.longest.get("write wait", (0, ""))[0],
                "write hold ms": round(m.spent_ms.get("write hold", 0.0)),
                "longest write": "{} ms {}".format(*m.longest.get("write hold", (0, ""))),
                "harness cpu ms": round(h.cpu_ms),
                "harness lag ms": round(h.lag_ms),
                "machine busy %": round(100 * self.machine.busy.get(at, 0.0)),
                "faults": " ".join(what for when, what in faults if at - 2 <= when < at + 1),
            }

        table = [row(at) for at in seconds]
        with (self.root / "timeline.csv").open("w", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(table[0]) if table else ["s"])
            writer.writeheader()
            writer.writerows(table)

        def markdown(title: str, chosen: list[dict[str, Any]]) -> list[str]:
            if not chosen:
                return []
            names = list(chosen[0])
            return [
                title,
                "| " + " | ".join(names) + " |",
                "|" + "---|" * len(names),
                *("| " + " | ".join(str(r[n]) for n in names) + " |" for r in chosen),
                "",
            ]

        worst = sorted((r for r in table if r["slow"]), key=lambda r: (-r["slow"], r["s"]))[:12]
        in_busiest = [r for r in table if r["s"] + first in busiest]
        lines = markdown("The busiest festival hour, second by second:", in_busiest)
        lines += markdown(f"The seconds with the most answers slower than {SLOW * 1000:.0f} ms:", worst)
        calm = [r for r in table if r["asks"] and not r["slow"]]
        if worst and calm:
            averaged = ("asks", "motsbot cpu ms", "motsbot lag ms", "maintain ms", "write wait ms", "write hold ms")
            averaged += ("harness lag ms", "machine busy %")
            slow = [r for r in table if r["slow"]]
            averages = [
                f"{name}: {sum(r[name] for r in slow) / len(slow):.0f} in seconds with slow answers, "
                f"{sum(r[name] for r in calm) / len(calm):.0f} in the others"
                for name in averaged
            ]
            lines += ["Averages per second: " + "; ".join(averages)]
        return lines

    def _festival_hour(self, ask: Ask) -> datetime:
        moment = START + timedelta(seconds=(ask.at - self.began) * self.plan.speed)
        return moment.replace(minute=0, second=0, microsecond=0)

    def _asks_by_hour(self) -> dict[datetime, list[int]]:
        if self._by_hour is None:
            self._by_hour = defaultdict(list)
            for i, ask in enumerate(self.asks):
                self._by_hour[self._festival_hour(ask)].append(i)
        return self._by_hour

    def _asked_in(self, hour: datetime) -> list[int]:
        return self._asks_by_hour().get(hour, [])

    def _near_fault(self, hour: datetime) -> bool:
        """Whether a fault (not an organiser's import or broadcast, which are load) happened
        during the festival hour or in the FAULT_SHADOW before it."""
        times = [self.asks[i].at for i in self._asked_in(hour)]
        if not times:
            return False
        first, last = min(times), max(times)
        return any(
            first - FAULT_SHADOW <= self.began + fault.at <= last
            for fault in self.faults
            if fault.what not in ORGANISER_ACTS
        )

    def _busy_hours(self, hours: Counter[datetime], replied: dict[int, float]) -> str:
        """How many busy festival hours had their p99 within the target, with and without faults near."""
        busy = [hour for hour, n in hours.items() if n >= BUSY_HOUR]
        met = {hour for hour in busy if _p99_within(self._asked_in(hour), replied)}
        calm = [hour for hour in busy if not self._near_fault(hour)]
        return (
            f"festival hours with {BUSY_HOUR}+ asks: {len(busy)}; reply p99 within {TARGET_P99_MS} ms in "
            f"{len(met)} of them; of the {len(calm)} with no fault near, in {len(met.intersection(calm))}"
        )

    def _met_outage(self, ask: Ask, waited: float) -> bool:
        return any(
            channel in ("*", ask.channel) and ask.at <= end and ask.at + waited >= began
            for channel, began, end in self.outages
        )

    def _matrix_scheduled(self) -> Counter[tuple[str, str]]:
        scheduled = {r["platform_message_id"] for r in self.outbox_rows() if r["channel"] == "matrix"}
        bodies: Counter[tuple[str, str]] = Counter()
        for resident in self.matrix_residents:
            for event in resident.from_user(self.bot_user):
                if event.event_id in scheduled:
                    bodies[(resident.user_id, json.dumps(event.source.get("content", {}).get("body")))] += 1
        return bodies

    def overbooked(self) -> dict[str, tuple[int, int]]:
        with contextlib.closing(sqlite3.connect(self.db, timeout=30)) as conn:
            found = conn.execute(
                "SELECT e.code, e.capacity, count(s.id) FROM event e JOIN signup s ON s.event_id = e.id "
                "WHERE s.status = 'confirmed' AND e.capacity IS NOT NULL GROUP BY e.id HAVING count(s.id) > e.capacity"
            ).fetchall()
        return {str(code): (int(taken), int(capacity)) for code, capacity, taken in found}


def recording_resident(resident_class: Any, synapse: Any, root: Path, bot_user: str) -> Any:
    """A Matrix resident that also notes when each of the bot's messages arrived (for reply
    latency)."""
    resident = resident_class(synapse, root)
    resident.arrivals = []
    original = resident.start

    async def start() -> None:
        await original()

        async def stamp(room: Any, event: Any) -> None:
            # Only the bot's: the echo of the resident's own message is no answer (the first
            # runs counted it as one).
            if event.sender == bot_user:
                resident.arrivals.append((time.monotonic(), event.event_id))

        from nio import Event

        resident.client.add_event_callback(stamp, Event)

    resident.start = start
    return resident


async def rehearse(plan: Plan, root: Path | None = None) -> Report:
    if root is not None:
        return await Rehearsal(plan, root).run()
    with tempfile.TemporaryDirectory(prefix="rehearsal-") as tmp:
        return await Rehearsal(plan, Path(tmp)).run()


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        config = RunnerConfig(**json.loads(Path(sys.argv[2]).read_text()))
        profile_to = os.environ.get("MOTSBOT_PROFILE")
        if not profile_to:
            asyncio.run(serve(config))
            return
        # cProfile of the event loop's thread, written at a graceful stop (`pstats` reads it).
        import cProfile

        with cProfile.Profile() as profile:
            asyncio.run(serve(config))
        profile.dump_stats(profile_to)
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=5000, help="Telegram residents")
    parser.add_argument("--matrix", type=int, default=20, help="Matrix residents (real nio clients)")
    parser.add_argument("--days", type=float, default=7.0, help="festival days simulated")
    parser.add_argument("--seconds", type=float, default=600.0, help="real seconds for those days")
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--storms", type=int, default=3)
    parser.add_argument("--bursts", type=int, default=3)
    parser.add_argument("--synapse-restarts", type=int, default=2)
    parser.add_argument("--locks", type=int, default=3)
    parser.add_argument("--burst-size", type=int, default=Plan.burst_size)
    parser.add_argument("--drain", type=float, default=180.0)
    parser.add_argument("--no-standby", action="store_true", help="start motsbot again after a kill, with no standby")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="directory to keep the run's files in")
    args = parser.parse_args()
    plan = Plan(
        residents=args.residents,
        matrix=args.matrix,
        days=args.days,
        seconds=args.seconds,
        kills=args.kills,
        storms=args.storms,
        bursts=args.bursts,
        synapse_restarts=args.synapse_restarts,
        locks=args.locks,
        burst_size=args.burst_size,
        seed=args.seed if args.seed is not None else random.randrange(2**32),
        drain=args.drain,
        standby=not args.no_standby,
    )
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    report = asyncio.run(rehearse(plan, args.keep))
    print(report.table())
    sys.exit(1 if report.problems else 0)


if __name__ == "__main__":
    main()
