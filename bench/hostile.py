"""Hostile input at volume: the generators of `tests/hostile/` without CI's limits.

Run: .venv/bin/python bench/hostile.py [--cases 100000] [--workers 4] [--seed 1] [--show 5]

Every worker process opens its own store with the demo festival and runs its share of each
suite (hypothesis generating only, no shrinking: a failure is recorded, never stops the run).
Prints per suite: cases, messages through the engine, crashes (an exception escaped),
unhandled errors (the engine's last-resort handler caught one), rule violations, and time.
A benchmark, not a test: the figures go into notes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

# Run as a script: the repository root holds the test helpers this shares.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from bot.store import Store
from tests.conftest import import_demo
from tests.hostile.support import (
    EngineProbe,
    ImportProbe,
    Mutation,
    Step,
    Tally,
    moments,
    mutate_bytes,
    mutate_json,
    mutate_lines,
    mutations,
    payloads,
    poll_ids,
    poll_options,
    steps,
    texts,
    valid_samples,
)

# Share of the cases per suite; the importer suites parse in microseconds, the engine's cost more.
SUITES: dict[str, float] = {
    "engine: conversations": 0.20,
    "engine: text": 0.15,
    "engine: payloads": 0.10,
    "engine: poll answers": 0.05,
    "import: arbitrary bytes": 0.15,
    "import: mutated pretalx": 0.10,
    "import: mutated FAQ/glossary": 0.07,
    "import: mutated CSV": 0.09,
    "import: mutated iCal": 0.09,
}


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )


def _drive(runner: asyncio.Runner, examples: int, seed: int, strategy: Any, body: Callable[..., Any]) -> None:
    @hypothesis_seed(seed)
    @_settings(examples)
    @given(strategy)
    def run(value: Any) -> None:
        runner.run(body(value))

    if examples > 0:
        run()


Body = Callable[[Any, Tally], Coroutine[Any, Any, None]]


def _suite(
    suite: str, engine_probe: EngineProbe, import_probe: ImportProbe, samples: dict[str, bytes]
) -> tuple[Any, Body]:
    """The generator and the check of one suite."""
    documents = {name: json.loads(data) for name, data in samples.items() if name.endswith(".json")}
    if suite == "engine: conversations":

        async def conversation(value: Any, tally: Tally) -> None:
            await engine_probe.run(value[0], value[1], tally)

        return st.tuples(steps, moments), conversation
    if suite == "engine: text":

        async def text(value: Any, tally: Tally) -> None:
            typed, start, user = value
            await engine_probe.run([Step("text", user, "telegram", text=typed, lang_hint="sv")], start, tally)

        return st.tuples(texts, moments, st.sampled_from(["a", "b", "c"])), text
    if suite == "engine: payloads":

        async def payload(value: Any, tally: Tally) -> None:
            await engine_probe.run([Step("payload", "p", "matrix", payload=value[0])], value[1], tally)

        return st.tuples(payloads, moments), payload
    if suite == "engine: poll answers":

        async def poll(value: Any, tally: Tally) -> None:
            poll_id, options, start = value
            await engine_probe.run([Step("poll", "voter", "telegram", poll_id=poll_id, options=options)], start, tally)

        return st.tuples(poll_ids, poll_options, moments), poll
    if suite == "import: arbitrary bytes":

        async def arbitrary(value: Any, tally: Tally) -> None:
            await import_probe.run(value[0] + value[1], value[2], tally)

        prefixes = [b"", b"{", b"[", b"BEGIN:VCALENDAR\r\n", b"code,title_sv,start,end\n", b"\xef\xbb\xbf"]
        return (
            st.tuples(
                st.sampled_from(prefixes),
                st.binary(max_size=2048) | st.text(max_size=500).map(str.encode),
                st.sampled_from(["x.json", "x.csv", "x.ics", "x"]),
            ),
            arbitrary,
        )
    if "pretalx" in suite or "FAQ" in suite:
        names = ["schedule.json"] if "pretalx" in suite else ["faq.json", "glossary.json"]

        async def json_file(value: Any, tally: Tally) -> None:
            name, changes = value
            await import_probe.run(mutate_json(documents[name], changes), name, tally)

        return st.tuples(st.sampled_from(names), mutations), json_file
    file = "programme.csv" if "CSV" in suite else "programme.ics"

    async def text_file(changes: list[Mutation], tally: Tally) -> None:
        await import_probe.run(mutate_lines(samples[file], changes), file, tally)
        await import_probe.run(mutate_bytes(samples[file], changes), file, tally)

    return mutations, text_file


def _worker(job: tuple[int, int, int, str]) -> dict[str, tuple[Tally, float]]:
    index, cases, seed, only = job
    # The engine's error log is counted (tests.hostile.support.capture_errors), not printed.
    logging.getLogger().addHandler(logging.NullHandler())
    results: dict[str, tuple[Tally, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, asyncio.Runner() as runner:
        store: Store = runner.run(Store.open(str(Path(tmp) / "hostile.sqlite3")))
        runner.run(import_demo(store))
        engine_probe = EngineProbe(store)
        runner.run(engine_probe.prepare())
        samples = runner.run(valid_samples(store))
        # Imports go to a store of their own, so the engine suites always see the demo festival.
        import_store: Store = runner.run(Store.open(str(Path(tmp) / "imports.sqlite3")))
        runner.run(import_demo(import_store))
        import_probe = ImportProbe(import_store, apply_every=10)
        for number, (suite, share) in enumerate(SUITES.items()):
            if only not in suite:
                continue
            tally = Tally()
            began = time.perf_counter()
            strategy, body = _suite(suite, engine_probe, import_probe, samples)

            async def one(value: Any, body: Body = body, tally: Tally = tally) -> None:
                await body(value, tally)

            _drive(runner, max(1, round(cases * share)), seed * 1000 + index * 17 + number, strategy, one)
            results[suite] = (tally, time.perf_counter() - began)
        runner.run(import_store.close())
        runner.run(store.close())
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="generated cases in all (default 100,000)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=5, help="examples of each kind of failure to print")
    parser.add_argument("--only", default="", help="run only the suites whose name contains this")
    args = parser.parse_args()
    began = time.perf_counter()
    share = -(-args.cases // args.workers)
    jobs = [(i, share, args.seed, args.only) for i in range(args.workers)]
    totals: dict[str, tuple[Tally, float]] = {suite: (Tally(), 0.0) for suite in SUITES}
    with ProcessPoolExecutor(args.workers) as pool:
        for result in pool.map(_worker, jobs):
            for suite, (tally, seconds) in result.items():
                total, spent = totals[suite]
                total.merge(tally)
                totals[suite] = (total, spent + seconds)
    wall = time.perf_counter() - began

    print(f"{'suite':32} {'cases':>8} {'messages':>9} {'crashes':>8} {'unhandled':>10} {'violations':>11} {'cpu s':>7}")
    overall = Tally()
    for suite, (tally, seconds) in totals.items():
        if args.only not in suite:
            continue
        overall.merge(tally)
        print(
            f"{suite:32} {tally.cases:>8,} {tally.messages:>9,} {len(tally.crashes):>8} "
            f"{len(tally.unhandled):>10} {len(tally.violations):>11} {seconds:>7.1f}"
        )
    print(
        f"{'all':32} {overall.cases:>8,} {overall.messages:>9,} {len(overall.crashes):>8} "
        f"{len(overall.unhandled):>10} {len(overall.violations):>11}"
    )
    print(f"wall time {wall:.1f} s with {args.workers} workers, seed {args.seed}, at {datetime.now():%Y-%m-%d %H:%M}")
    for kind, found in (
        ("crashes", overall.crashes),
        ("unhandled", overall.unhandled),
        ("violations", overall.violations),
    ):
        distinct: dict[str, str] = {}
        for line in found:
            distinct.setdefault(line.split(" || ")[0][:160], line)
        for head, line in list(distinct.items())[: args.show]:
            print(f"{kind}: {head}\n    {line[:400]}")
    sys.exit(1 if overall.failures else 0)


if __name__ == "__main__":
    main()
