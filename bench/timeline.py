"""What a process's event loop went through, second by second: for finding why answers were slow
at one moment of a benchmark and not at another.

`LoopWatch` runs inside the process it watches (motsbot's `serve`, the rehearsal's harness). Each
real second (keyed by `time.monotonic()`, which is one clock for all processes on the machine) it
keeps the loop's worst lateness, the time spent in the garbage collector, this process's CPU, and
named durations the caller adds (`spent`). `MachineWatch` keeps the share of both cores in use.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

TICK = 0.02
"""Seconds between the loop watch's wakes: its lateness is how long the loop was held."""


@dataclass
class Second:
    at: int
    lag_ms: float = 0.0
    gc_ms: float = 0.0
    gc_full: int = 0
    cpu_ms: float = 0.0
    spent_ms: dict[str, float] = field(default_factory=dict)
    counted: dict[str, int] = field(default_factory=dict)
    longest: dict[str, tuple[float, str]] = field(default_factory=dict)
    """Per kind of duration: the longest one in this second (ms) and whose it was."""


class LoopWatch:
    def __init__(self, write_to: Path | None = None) -> None:
        self.seconds: dict[int, Second] = {}
        self._write_to = write_to
        self._gc_began = 0.0

    def _now(self) -> Second:
        at = int(time.monotonic())
        second = self.seconds.get(at)
        if second is None:
            second = self.seconds[at] = Second(at)
        return second

    def _gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_began = time.perf_counter()
            return
        second = self._now()
        second.gc_ms += (time.perf_counter() - self._gc_began) * 1000
        if info.get("generation") == 2:
            second.gc_full += 1

    @contextlib.contextmanager
    def spent(self, what: str, who: str = "") -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.add(what, (time.perf_counter() - began) * 1000, who)

    def add(self, what: str, ms: float, who: str = "") -> None:
        second = self._now()
        second.spent_ms[what] = second.spent_ms.get(what, 0.0) + ms
        second.counted[what] = second.counted.get(what, 0) + 1
        if ms > second.longest.get(what, (-1.0, ""))[0]:
            second.longest[what] = (round(ms, 1), who)

    async def run(self) -> None:
        """Watches until cancelled; with `write_to`, appends each finished second as a JSON line
        (so a life of motsbot ended by SIGKILL leaves all but its last second)."""
        gc.callbacks.append(self._gc)
        cpu = time.process_time()
        out = self._write_to.open("a") if self._write_to is not None else None
        try:
            while True:
                planned = time.perf_counter() + TICK
                await asyncio.sleep(TICK)
                second = self._now()
                second.lag_ms = max(second.lag_ms, (time.perf_counter() - planned) * 1000)
                now_cpu = time.process_time()
                second.cpu_ms += (now_cpu - cpu) * 1000
                cpu = now_cpu
                if out is not None:
                    for at in [at for at in self.seconds if at < second.at]:
                        out.write(json.dumps(asdict(self.seconds.pop(at))) + "\n")
                    out.flush()
        finally:
            gc.callbacks.remove(self._gc)
            if out is not None:
                out.close()

    @staticmethod
    def read(paths: list[Path]) -> dict[int, Second]:
        seconds: dict[int, Second] = {}
        for path in paths:
            for line in path.read_text().splitlines():
                with contextlib.suppress(ValueError, TypeError):
                    second = Second(**json.loads(line))
                    second.longest = {k: (v[0], v[1]) for k, v in second.longest.items()}
                    seconds[second.at] = second
        return seconds


class MachineWatch:
    """Share of all cores busy per real second, from /proc/stat."""

    def __init__(self) -> None:
        self.busy: dict[int, float] = {}
        self._last = self._read()

    @staticmethod
    def _read() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields) - idle, sum(fields)

    def sample(self) -> None:
        busy, total = self._read()
        last_busy, last_total = self._last
        self._last = (busy, total)
        if total > last_total:
            self.busy[int(time.monotonic())] = (busy - last_busy) / (total - last_total)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self.sample()


def caller(skip: tuple[str, ...] = ("contextlib", "bench/", "database.py", "asyncio/")) -> str:
    """The innermost of motsbot's own functions on the stack: whose write it is."""
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        if "/.venv/" not in name and not any(part in name for part in skip):
            return f"{Path(name).stem}.{frame.f_code.co_qualname}"
        frame = frame.f_back  # type: ignore[assignment]
    return "?"


def watch_writers(database: Any, watch: LoopWatch) -> None:
    """Times the database's writers (`Database._one_writer`): the wait for the lock and how long
    each holds it, with whose write it was. Replaces the method on this one instance."""
    original = database._one_writer

    @contextlib.asynccontextmanager
    async def timed() -> AsyncIterator[None]:
        who = caller()
        asked = time.perf_counter()
        async with original():
            got = time.perf_counter()
            watch.add("write wait", (got - asked) * 1000, who)
            try:
                yield
            finally:
                watch.add("write hold", (time.perf_counter() - got) * 1000, who)

    database._one_writer = timed
