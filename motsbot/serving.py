"""One motsbot serves a database at a time; a second one started on it waits as a standby and
takes over the moment the first stops or dies.

Two motsbots on one database and one bot token would both poll Telegram (which answers the
second with 409 Conflict) and both run the scheduler, so reminders and polls would go out twice.
The second one therefore waits here, after its imports and language models are loaded: that is
most of a start (~2.5 s of the 3 s measured in the festival-week rehearsal), and while motsbot
is down, residents wait. A standby has the turn within `TAKEOVER_POLL` of the first one's end and
answers again 0.16-0.27 s after a kill (the short rehearsal), after a kill -9 as after a graceful
stop (an upgrade: start the new version, stop the old one).

The turn is an exclusive `flock` on a file next to the SQLite database (`filelock`): the kernel
lets go of it when its process ends, however it ends. A database given by URL (PostgreSQL) has
no such file, and there is no standby: each motsbot serves at once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from filelock import AsyncFileLock, Timeout
from sqlalchemy import make_url

log = logging.getLogger(__name__)

TAKEOVER_POLL = 0.02
"""Seconds between a standby's tries at the turn: a try is one system call."""
SUFFIX = "-serving"
"""The turn's file is the database's path with this added (next to SQLite's own -wal, -shm)."""


def turn_file(url: str) -> Path | None:
    """The file whose lock is the turn to serve the database at `url`; None if it is no file."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(f"{parsed.database}{SUFFIX}")


class ServingTurn:
    """The turn to serve one database. `take` returns once this process has it; it is given
    back by `give_back`, or by the kernel when the process ends."""

    def __init__(self, url: str) -> None:
        self.path = turn_file(url)
        self._lock = (
            None
            if self.path is None
            # Soft locks (a file that exists) would outlive a kill -9: never.
            else AsyncFileLock(self.path, run_in_executor=False, fallback_to_soft=False, poll_interval=TAKEOVER_POLL)
        )
        self.waited = False
        """Whether another motsbot had the turn when this one asked: this one was a standby."""

    async def take(self, while_waiting: Callable[[], Awaitable[object]] | None = None) -> None:
        """Takes the turn; if another motsbot has it, calls `while_waiting` (to load what serving
        needs) and then waits for it, however long."""
        if self._lock is None:
            return
        try:
            await self._lock.acquire(timeout=0)
            return
        except Timeout:
            pass
        self.waited = True
        log.warning("another motsbot serves %s: this one waits as its standby", self.path)
        if while_waiting is not None:
            await while_waiting()
        await self._lock.acquire()
        log.warning("the other motsbot has stopped: this one serves %s now", self.path)

    async def give_back(self) -> None:
        if self._lock is not None and self._lock.is_locked:
            await self._lock.release()
