"""What one resident's message costs motsbot, end to end: the real motsbot process (as the
rehearsal runs it, Telegram only) answering residents through the Bot API fake on loopback,
at a steady rate, in real time during a festival day.

    .venv/bin/python -m bench.reply_cost [--rate 40] [--seconds 30] [--residents 2000] [--kill-at 10]

Residents ask a question from the question set (in six languages) and then press "sign up" under
an event, so both typed questions and buttons are measured. Prints reply latency (the ask put
in the fake to the first answer in the chat) and motsbot's CPU per ask, from /proc. A benchmark,
not a test: the figures go into notes, never into assertions.

With `--kill-at S`, motsbot is killed (-9) S seconds in and started again at once, as the
rehearsal does, while residents go on asking; the table then also shows the asks made while it
was down, and those in the first 10 s after it was ready again (the restart's pile-up).

To see where the time goes: `MOTSBOT_PROFILE=FILE` writes a cProfile of motsbot's event loop
(read it with `pstats`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import signal
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.rehearsal import (  # noqa: E402
    FAKE_CEILING,
    LANGUAGES,
    ProcessWatch,
    RecordingFake,
    RunnerConfig,
    percentiles,
    questions,
    start_serve,
)

FESTIVAL_MORNING = datetime.fromisoformat("2027-05-11T09:00:00+02:00")
FIRST_CHAT = 90_000_000
DRAIN = 3.0
"""Seconds after the last ask for the last answers (and motsbot's CPU for them)."""
PRODUCTION_TICK = 30.0
"""`motsbot run` wakes the scheduler every 30 s; at real speed the bench does the same."""


async def prepare(db: Path) -> list[str]:
    """The demo festival in a fresh database; returns the codes of events one can sign up for."""
    from bot.programme.demo import demo_files
    from bot.programme.loader import load_programme_file
    from bot.store import Store

    store = await Store.open(str(db))
    for path in demo_files():
        await store.programme.apply(load_programme_file(path), FESTIVAL_MORNING)
    snapshot = await store.programme.snapshot()
    assert snapshot is not None
    await store.close()
    return [e.code for e in snapshot.events if e.capacity and e.starts_at > FESTIVAL_MORNING]


AFTER_RESTART = 10.0
"""Seconds after motsbot is ready again whose asks count as the restart's pile-up."""


async def measure(rate: float, seconds: float, residents: int, seed: int, kill_at: float | None) -> None:
    rng = random.Random(seed)
    texts = questions(rng)
    with tempfile.TemporaryDirectory(prefix="reply-cost-") as tmp:
        root = Path(tmp)
        events = await prepare(root / "motsbot.sqlite3")
        fake = RecordingFake(ceiling=FAKE_CEILING)
        await fake.start()
        config = RunnerConfig(
            db=str(root / "motsbot.sqlite3"),
            telegram_url=fake.base_url,
            homeserver="",
            matrix_user="",
            matrix_password="",
            matrix_store="",
            clock_start=FESTIVAL_MORNING.isoformat(),
            wall_zero=time.time(),
            speed=1.0,
            tick=PRODUCTION_TICK,
        )
        process = await start_serve(config, root / "runner.json", root / "motsbot.log")
        print(f"motsbot pid {process.pid}", flush=True)
        watch = ProcessWatch()
        watch.follow(process.pid)
        asks: list[tuple[str, str, float]] = []
        unanswered = 0

        async def resident(n: int) -> None:
            nonlocal unanswered
            chat = FIRST_CHAT + n
            lang = LANGUAGES[n % len(LANGUAGES)]
            before = len(fake.chat(chat))
            asks.append(("question", str(chat), time.monotonic()))
            fake.say(chat, rng.choice(texts[lang]), lang=lang)
            try:
                await fake.wait_chat(chat, before, 60.0)
            except TimeoutError:
                unanswered += 1
                return
            # Reading the answer: its other parts arrive meanwhile, and are not taken for the
            # answer to the button.
            await asyncio.sleep(rng.uniform(1.0, 3.0))
            asks.append(("sign up", str(chat), time.monotonic()))
            fake.push(fake.callback_update(chat, fake.chat(chat)[-1], f"1:su:{rng.choice(events)}", lang=lang))

        down: tuple[float, float] | None = None

        async def kill_and_restart() -> None:
            nonlocal process, down, cpu_dead
            assert kill_at is not None
            await asyncio.sleep(kill_at)
            watch.sample()
            killed = time.monotonic()
            process.send_signal(signal.SIGKILL)
            await process.wait()
            cpu_dead = watch.cpu_seconds
            process = await start_serve(config, root / "runner.json", root / "motsbot.log")
            down = (killed, time.monotonic())
            watch.follow(process.pid)
            print(f"killed at {kill_at:g} s, ready again after {down[1] - down[0]:.2f} s", flush=True)

        watch.sample()
        cpu_dead = 0.0
        cpu_before, wall_before = watch.cpu_seconds, time.monotonic()
        tasks: list[asyncio.Task[None]] = []
        if kill_at is not None:
            tasks.append(asyncio.create_task(kill_and_restart()))
        for n in range(int(rate * seconds / 2)):
            # Poisson arrivals, each resident asking twice: `rate` asks a second in all.
            await asyncio.sleep(rng.expovariate(rate / 2))
            tasks.append(asyncio.create_task(resident(n % residents)))
        await asyncio.gather(*tasks)
        await asyncio.sleep(DRAIN)
        watch.sample()
        cpu = watch.cpu_seconds + cpu_dead - cpu_before
        wall = time.monotonic() - wall_before
        process.terminate()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), 60)
        await fake.stop()
    # Latency: from the ask to the first message (or edit) in that chat after it.
    arrivals: dict[str, list[float]] = defaultdict(list)
    for arrival in fake.arrivals:
        arrivals[arrival.chat].append(arrival.at)
    latencies: dict[str, list[float]] = {"question": [], "sign up": []}
    phases: dict[str, list[float]] = defaultdict(list)
    for what, chat, asked in asks:
        after = [at for at in arrivals[chat] if at >= asked]
        if after:
            latencies[what].append(min(after) - asked)
            if down is not None:
                phases[_phase(asked, down)].append(min(after) - asked)
        else:
            unanswered += 1
    answered = sum(len(v) for v in latencies.values())
    print(f"\n{len(asks)} asks at {rate:g}/s for {seconds:g} s; {unanswered} unanswered")
    print("| asks | count | p50 ms | p95 ms | p99 ms | max ms |\n|---|---|---|---|---|---|")
    by_phase = [(name, phases[name]) for name in PHASES if phases[name]]
    for what, values in [*latencies.items(), ("all", [v for vs in latencies.values() for v in vs]), *by_phase]:
        p = percentiles(values)
        print(f"| {what} | {len(values)} | {p['p50']:.0f} | {p['p95']:.0f} | {p['p99']:.0f} | {p['max']:.0f} |")
    share, per_ask = 100 * cpu / wall, 1000 * cpu / max(answered, 1)
    print(f"\nmotsbot CPU {cpu:.1f} s over {wall:.1f} s ({share:.0f} % of one core): {per_ask:.1f} ms per ask")


PHASES = ("before the kill", "while down", f"first {AFTER_RESTART:g} s after ready", "later")


def _phase(asked: float, down: tuple[float, float]) -> str:
    killed, ready = down
    if asked < killed:
        return PHASES[0]
    if asked < ready:
        return PHASES[1]
    return PHASES[2] if asked < ready + AFTER_RESTART else PHASES[3]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=40.0, help="asks a second (questions and sign-ups)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--residents", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kill-at", type=float, default=None, help="kill -9 and restart motsbot this many seconds in")
    args = parser.parse_args()
    asyncio.run(measure(args.rate, args.seconds, args.residents, args.seed, args.kill_at))


if __name__ == "__main__":
    main()
