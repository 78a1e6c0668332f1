"""SQLite run in the event loop's own thread, behind aiosqlite's interface.

aiosqlite runs each call on its own thread and hands the result back through the event loop.
A statement through SQLAlchemy is three or four such calls, and under load each one waits for a
whole round of the loop (every other ready task runs first). A write transaction held the
process's one writer turn (`Database._one_writer`) across all of them: in the festival-week
rehearsal's busy seconds the turn was held 98 % of the time, a signup's write took up to 150 ms
for under a millisecond of SQLite, and residents queued behind it. Run here, a statement costs
what SQLite spends on it, a transaction keeps the loop until it is done, and no hand-over costs
CPU. `bench/reply_cost.py --rate 70`: reply p99 81–139 ms and 11 ms of CPU per ask, against
298 ms and 14 ms with aiosqlite's threads, and 343–396 ms and 13 ms with only the writes run
here (the reads still waiting rounds of the loop). The queries on this database are small
(indexed lookups, one festival's rows); the one long piece of work, the planner's, lets the
loop run others between slices (scheduler/plan.py).

This is aiosqlite's connection (SQLAlchemy's aiosqlite dialect drives it unchanged) with its
thread taken out; no library offers SQLite with an async interface that runs in the caller's
thread. SQLite's busy handler would sleep in the loop's thread while another process (an import
from the command line) holds the database, so this connection gets `SQLITE_BUSY` at once and
waits for its turn with `asyncio.sleep` instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

BUSY_WAIT = 30.0
"""Seconds a statement waits for another process's lock before it fails (as `busy_timeout`)."""
FIRST_PAUSE = 0.001
LONGEST_PAUSE = 0.05


class _RunAtOnce:
    """Stands in for aiosqlite's queue to its thread: SQLAlchemy's dialect puts calls on it
    directly (to set the isolation level)."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:
            if future is not None:
                future.set_exception(error)
            return
        if future is not None:
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run at once in the calling thread."""

    def __init__(self, path: str) -> None:
        super().__init__(lambda: sqlite3.connect(path, timeout=0), 64)
        self._tx = _RunAtOnce()  # type: ignore[assignment]

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        pause = FIRST_PAUSE
        deadline = time.monotonic() + BUSY_WAIT
        while True:
            changes = self._connection.total_changes
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as error:
                # Tried again only if the call changed nothing (several statements in one call
                # commit one by one outside a transaction) and time is left.
                busy = error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
                if not busy or self._connection.total_changes != changes or time.monotonic() > deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)

    async def _connect(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self) -> Any:
        return self._connect().__await__()

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            # Called by the garbage collector too, in whatever thread it runs: sqlite3 refuses a
            # close from another thread, and then closes the connection itself when freed.
            with contextlib.suppress(sqlite3.ProgrammingError):
                self._connection.close()
            self._connection = None


def inline_connector(path: str) -> Callable[[], Any]:
    """`create_async_engine`'s `async_creator` for a database file."""

    async def connect() -> InlineConnection:
        return await InlineConnection(path)._connect()

    return connect


CHECKPOINT_EVERY = 1.0
"""Seconds between checkpoints while there are writes."""


class Checkpointer:
    """Copies the write-ahead log into the database file from a worker thread, every second
    while there are writes. SQLite's own checkpoint runs in the connection whose commit fills the
    log past 1,000 pages: here that is the event loop's thread, and a checkpoint of 900 pages
    (copy and two fsyncs) took 11-14 ms on this machine's disk, a pause for every resident being
    answered, longer on a slower disk. So the connections turn theirs off
    (`wal_autocheckpoint=0`)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._writes = 0
        self._task: asyncio.Task[None] | None = None
        self._in_flight: asyncio.Future[None] | None = None

    def wrote(self) -> None:
        """A write was committed: a checkpoint follows within a second."""
        self._writes += 1
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(CHECKPOINT_EVERY)
            seen = self._writes
            self._in_flight = asyncio.ensure_future(asyncio.to_thread(self._checkpoint))
            await asyncio.shield(self._in_flight)
            if self._writes == seen:
                return

    def _checkpoint(self) -> None:
        try:
            with contextlib.closing(sqlite3.connect(self.path)) as conn:
                # PASSIVE: as much as no reader or writer has to wait for.
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error:
            log.warning("checkpoint of %s failed; the next one tries again", self.path, exc_info=True)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._in_flight is not None:
            await self._in_flight
