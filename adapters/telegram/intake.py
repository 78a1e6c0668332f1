"""Updates in, at least once and answered once: an update is confirmed to Telegram only after it
was handled, and one handled already is skipped when it comes again.

Why not PTB's `Updater`: it confirms a batch as soon as the updates are queued (the next
`getUpdates` carries the new offset), so a crash between fetching and answering loses every
update in between (the rehearsal's kill -9 lost a resident's signup this way). The webhook path
has the same gap when it answers 200 before handling; here it answers after.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from telegram import Update
from telegram.error import RetryAfter, TelegramError
from telegram.ext import Application

from adapters.telegram.limiter import retry_seconds
from bot.store import schema as t
from bot.store.database import Database

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
HANDLED_KEPT = timedelta(days=7)
"""An id matters only until its batch is confirmed; a week covers any outage we would resume."""
RETRY_FIRST = 0.5
RETRY_MAX = 30.0
RECENT_KEPT = 10_000
"""Ids handled since this start, remembered in memory: a retry of a webhook delivery comes soon."""
STOP_WAIT = 30.0
"""How long a graceful stop lets the batch being handled finish."""


class HandledUpdates:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def seen(self, update_id: int) -> bool:
        async with self.database.engine.connect() as conn:
            found = await conn.scalar(
                select(t.telegram_handled_update.c.update_id).where(t.telegram_handled_update.c.update_id == update_id)
            )
            return found is not None

    async def mark(self, update_id: int, now: datetime) -> None:
        with contextlib.suppress(IntegrityError):
            async with self.database.transaction() as conn:
                await conn.execute(insert(t.telegram_handled_update).values(update_id=update_id, handled_at=now))

    async def highest(self) -> int:
        async with self.database.engine.connect() as conn:
            value = await conn.scalar(select(func.max(t.telegram_handled_update.c.update_id)))
            return int(value or 0)

    async def prune(self, now: datetime) -> int:
        async with self.database.transaction() as conn:
            result = await conn.execute(
                delete(t.telegram_handled_update).where(t.telegram_handled_update.c.handled_at < now - HANDLED_KEPT)
            )
            return int(result.rowcount or 0)


class UpdateIntake:
    """Hands each update to the application (its update processor keeps one chat's updates in
    order), marks it handled, and only then lets polling confirm it."""

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        handled: HandledUpdates,
        clock: Clock,
        *,
        poll_timeout: int,
        allowed_updates: Sequence[str],
    ) -> None:
        self.app = app
        self.handled = handled
        self.clock = clock
        self.poll_timeout = poll_timeout
        self.allowed_updates = list(allowed_updates)
        self._polling: asyncio.Task[None] | None = None
        self._batch: asyncio.Future[list[None]] | None = None
        self._stopping = False
        self._highest_before: int | None = None
        self._recent: set[int] = set()
        self._recent_order: deque[int] = deque()

    async def handle(self, update: Update) -> None:
        # Through the processor first, so that one chat's updates keep their order.
        await self.app.update_processor.process_update(update, self._once(update))

    async def _handled_before(self) -> int:
        if self._highest_before is None:
            self._highest_before = await self.handled.highest()
        return self._highest_before

    async def _repeat(self, update_id: int) -> bool:
        if update_id in self._recent:
            return True  # a webhook delivery Telegram tried again
        # Only an id up to the highest handled before this start can be a repeat from then
        # (Telegram's ids grow): the others skip the lookup.
        return update_id <= await self._handled_before() and await self.handled.seen(update_id)

    async def _once(self, update: Update) -> None:
        if await self._repeat(update.update_id):
            log.info("telegram update %s came again; handled already", update.update_id)
            return
        await self.app.process_update(update)
        await self.handled.mark(update.update_id, self.clock())
        self._recent.add(update.update_id)
        self._recent_order.append(update.update_id)
        if len(self._recent_order) > RECENT_KEPT:
            self._recent.discard(self._recent_order.popleft())

    # -- long polling --------------------------------------------------------------------------

    def start_polling(self) -> None:
        self._stopping = False
        self._polling = asyncio.create_task(self._poll(), name="telegram polling")

    async def stop_polling(self) -> None:
        self._stopping = True
        if self._batch is not None:
            # Let the updates being answered finish: cut off, they would come again and an
            # answer already sent would repeat.
            with contextlib.suppress(Exception, TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._batch), STOP_WAIT)
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
            self._polling = None

    async def _poll(self) -> None:
        await self.handled.prune(self.clock())
        await self._handled_before()
        offset = 0
        failures = 0
        while not self._stopping:
            try:
                updates = await self.app.bot.get_updates(
                    offset=offset, timeout=self.poll_timeout, allowed_updates=self.allowed_updates
                )
            except RetryAfter as error:
                await asyncio.sleep(retry_seconds(error))
                continue
            except TelegramError as error:
                failures += 1
                delay = min(RETRY_MAX, RETRY_FIRST * 2 ** (failures - 1))
                log.warning("telegram getUpdates failed (%s); again in %.1f s", error, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            if not updates:
                continue
            self._batch = asyncio.gather(*(self._handle_logged(u) for u in updates))
            try:
                await self._batch
            finally:
                self._batch = None
            # The next getUpdates confirms the batch to Telegram.
            offset = updates[-1].update_id + 1

    async def _handle_logged(self, update: Update) -> None:
        try:
            await self.handle(update)
        except Exception:
            # The connector answers its own failures; this is the bookkeeping around it.
            log.exception("telegram update %s could not be handled", update.update_id)
