"""Updates in, none lost and each answered once: an update is written to the inbox before it is
confirmed to Telegram, handled from there, and crossed off once handled. After a crash the
inbox's leftovers are handled first; an update handled already is skipped when it comes again.

Why not PTB's `Updater`: it confirms a batch as soon as the updates are queued (the next
`getUpdates` carries the new offset), so a crash between fetching and answering loses every
update in between (the rehearsal's kill -9 lost a resident's signup this way). Confirming only
after handling instead would hold every resident up behind the slowest reply of the batch (one
waiting out a 429): hence the inbox. The webhook path writes to the same inbox before "200".

No update stops the channel: one that PTB cannot read (a new or older shape of the Bot API) and
one whose handling fails are set aside as dead letters (`bot/store/dead_letters.py`), crossed
off and confirmed like any other; the loop goes on. That is why getUpdates is fetched as JSON
and each update read on its own: PTB's `get_updates` reads the whole batch at once, and one
update it cannot read fails the batch (a `poll_answer` without `option_persistent_ids` raised
TypeError and stopped polling for good).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from telegram import Update
from telegram.error import RetryAfter, TelegramError
from telegram.ext import Application

from adapters.base import IntakeHealth
from adapters.telegram.limiter import retry_seconds
from bot.store import schema as t
from bot.store.database import Database
from bot.store.dead_letters import DeadLetterStore, reason_of
from bot.store.group_write import GroupWrite

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
HANDLED_KEPT = timedelta(days=7)
"""An id matters only until Telegram has been told of it; a week covers any outage we resume."""
PRUNE_EVERY = timedelta(days=1)
"""How often a running motsbot drops handled ids older than HANDLED_KEPT (and at each start)."""
RECENT_KEPT = 10_000
"""Ids taken in since this start, remembered in memory: a webhook delivery tried again comes soon."""
RETRY_FIRST = 0.5
RETRY_MAX = 30.0
READ_SLACK = 10.0
"""How much longer than the long poll's own timeout a getUpdates may take before it is given up."""
STOP_WAIT = 30.0
"""How long a graceful stop lets the updates being handled finish."""
NAME_KEYS = ("last_name", "username")


def without_names(value: Any) -> Any:
    """The update as JSON with people's names taken out (ids are all the bot uses): the inbox
    keeps only what answering needs. `first_name` is required by the Bot API's types, so it
    stays, emptied."""
    if isinstance(value, dict):
        return {
            key: "" if key == "first_name" else without_names(item)
            for key, item in value.items()
            if key not in NAME_KEYS
        }
    if isinstance(value, list):
        return [without_names(item) for item in value]
    return value


class UpdateLog:
    """The updates taken in, in the store: one row each, holding the update until it is handled
    and only its id after. Each step is one statement, atomic on its own: this runs twice for
    every message a resident sends."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._crossing_off: GroupWrite[tuple[int, datetime]] = GroupWrite(self._cross_off)

    async def receive(self, updates: Sequence[dict[str, Any]], now: datetime) -> None:
        rows = [
            {"update_id": data["update_id"], "update": without_names(data), "received_at": now, "handled_at": None}
            for data in updates
        ]
        # An id there already (handled, or waiting from before a crash) stays as it is.
        await self.database.execute(self.database.insert_new(t.telegram_update).values(rows))

    async def set_aside(self, update_ids: Sequence[int], now: datetime) -> None:
        """Ids of updates kept as dead letters: handled, so that one coming again is skipped."""
        rows = [{"update_id": i, "update": None, "received_at": now, "handled_at": now} for i in update_ids]
        await self.database.execute(self.database.insert_new(t.telegram_update).values(rows))

    async def waiting(self) -> list[dict[str, Any]]:
        updates = t.telegram_update
        async with self.database.reading() as conn:
            rows = await conn.execute(
                select(updates.c.update).where(updates.c.handled_at.is_(None)).order_by(updates.c.update_id)
            )
            return [dict(r.update) for r in rows]

    async def done(self, update_id: int, now: datetime) -> None:
        """Crosses the update off; returns once that is written. Updates handled meanwhile go
        in one statement (`GroupWrite`): one write per update was a third of all writes
        waiting for the database in the rehearsal's busiest seconds."""
        await self._crossing_off.add((update_id, now))

    async def _cross_off(self, handled: list[tuple[int, datetime]]) -> None:
        updates = t.telegram_update
        ids = [update_id for update_id, _ in handled]
        now = max(at for _, at in handled)
        await self.database.execute(
            updates.update().where(updates.c.update_id.in_(ids)).values(update=None, handled_at=now)
        )

    async def seen(self, update_id: int) -> bool:
        updates = t.telegram_update
        async with self.database.reading() as conn:
            found = await conn.scalar(select(updates.c.update_id).where(updates.c.update_id == update_id))
            return found is not None

    async def highest(self) -> int:
        async with self.database.reading() as conn:
            return int(await conn.scalar(select(func.max(t.telegram_update.c.update_id))) or 0)

    async def prune(self, now: datetime) -> int:
        updates = t.telegram_update
        result = await self.database.execute(updates.delete().where(updates.c.handled_at < now - HANDLED_KEPT))
        return int(result.rowcount or 0)


class UpdateIntake:
    """Takes updates in (inbox first), hands each to the application (its update processor keeps
    one chat's updates in order) and crosses it off once handled."""

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        updates: UpdateLog,
        clock: Clock,
        *,
        poll_timeout: int,
        allowed_updates: Sequence[str],
        dead_letters: DeadLetterStore,
        health: IntakeHealth,
    ) -> None:
        self.app = app
        self.updates = updates
        self.clock = clock
        self.dead_letters = dead_letters
        self.health = health
        self.poll_timeout = poll_timeout
        self.allowed_updates = list(allowed_updates)
        self._handling: set[asyncio.Task[None]] = set()
        self._highest_before: int | None = None
        self._recent: set[int] = set()
        self._recent_order: deque[int] = deque()
        self._pruned_at: datetime | None = None

    async def resume(self) -> int:
        """Handles what a crash left in the inbox; returns how many."""
        self._highest_before = await self.updates.highest()
        await self._prune_if_due()
        left = await self.updates.waiting()
        if left:
            log.warning("%d telegram updates were not handled before the last stop; handling them now", len(left))
            self._start(await self._read(left, inboxed=True))
        return len(left)

    async def take_json(self, updates: Sequence[dict[str, Any]]) -> None:
        """Updates as Telegram sent them (getUpdates, the webhook): each read on its own; one
        that cannot be read is set aside, the others taken in."""
        fresh = [data for data in updates if not await self._repeat(_update_id(data))]
        read = await self._read(fresh, inboxed=False)
        if read:
            await self.take(read)

    async def _read(self, updates: Sequence[dict[str, Any]], *, inboxed: bool) -> list[Update]:
        read: list[Update] = []
        for data in updates:
            try:
                read.append(Update.de_json(data, self.app.bot))
            except Exception as error:
                await self.set_aside(data, error, "unreadable")
                if inboxed:
                    await self.updates.done(_update_id(data), self.clock())
        return read

    async def set_aside(self, data: dict[str, Any], error: BaseException, what: str) -> None:
        """Logs the update with its id and keeps it as a dead letter (names taken out); its id
        is crossed off, so it is confirmed to Telegram and never comes back to stop the channel."""
        update_id = _update_id(data)
        log.error("telegram update %s %s; set aside: %s", update_id, what, reason_of(error), exc_info=error)
        now = self.clock()
        try:
            await self.dead_letters.add(
                "telegram",
                str(update_id),
                f"{what}: {reason_of(error)}",
                without_names(data),
                now,
                user_id=_sender(data),
            )
            self._remember(update_id)
            await self.updates.set_aside([update_id], now)
        except Exception:
            log.exception("telegram update %s could not be set aside", update_id)

    async def take(self, updates: Sequence[Update]) -> None:
        """New updates: into the inbox (before Telegram is told), then handled in the background."""
        fresh = [u for u in updates if not await self._repeat(u.update_id)]
        if not fresh:
            return
        await self.updates.receive([u.to_dict() for u in fresh], self.clock())
        self._start(fresh)
        await self._prune_if_due()

    async def _prune_if_due(self) -> None:
        # At each start and then daily: a motsbot that runs all week keeps a week of ids, not
        # all it ever handled (the data inventory in the README promises a week).
        now = self.clock()
        if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
            self._pruned_at = now
            await self.updates.prune(now)
            await self.dead_letters.prune(now)

    def _start(self, updates: Sequence[Update]) -> None:
        for update in updates:
            self._remember(update.update_id)
            task = asyncio.create_task(self._handle(update))
            self._handling.add(task)
            task.add_done_callback(self._handling.discard)

    async def _repeat(self, update_id: int) -> bool:
        if update_id in self._recent:
            return True
        # Only an id up to the highest known at this start can be a repeat from before it
        # (Telegram's ids grow): the others skip the lookup.
        if self._highest_before is None:
            self._highest_before = await self.updates.highest()
        return update_id <= self._highest_before and await self.updates.seen(update_id)

    def _remember(self, update_id: int) -> None:
        self._recent.add(update_id)
        self._recent_order.append(update_id)
        if len(self._recent_order) > RECENT_KEPT:
            self._recent.discard(self._recent_order.popleft())

    async def _handle(self, update: Update) -> None:
        try:
            # Through the processor, so that one chat's updates keep their order.
            await self.app.update_processor.process_update(update, self.app.process_update(update))
        except Exception as error:
            # The connector answers its own failures; what gets here failed around that. Tried
            # again at every start it would fail every time: it is set aside instead.
            await self.set_aside(update.to_dict(), error, "failed")
        try:
            await self.updates.done(update.update_id, self.clock())
        except Exception:
            # The database: the update stays in the inbox and is handled again at the next start.
            log.exception("telegram update %s could not be crossed off", update.update_id)

    # -- long polling --------------------------------------------------------------------------

    async def stop(self) -> None:
        """Lets the updates being answered finish: cut off, they would be handled again from
        the inbox and an answer already sent would repeat. (Polling is stopped by its
        supervisor, before this.)"""
        if self._handling:
            _done, pending = await asyncio.wait(set(self._handling), timeout=STOP_WAIT)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)

    async def _fetch(self, offset: int) -> list[dict[str, Any]]:
        # What `Bot.get_updates` sends, without reading the batch (see above). `do_api_request`
        # would do the same but warns at every call that `get_updates` exists.
        result = await self.app.bot._post(
            "getUpdates",
            {"offset": offset, "timeout": self.poll_timeout, "allowed_updates": self.allowed_updates},
            read_timeout=self.poll_timeout + READ_SLACK,
        )
        if not isinstance(result, list):
            raise TelegramError(f"getUpdates answered {type(result).__name__}, not a list")
        return [data for data in result if isinstance(data, dict)]

    async def poll(self) -> None:
        """Long polling, until cancelled (its supervisor starts it again if anything ends it)."""
        offset = 0
        failures = 0
        while True:
            try:
                updates = await self._fetch(offset)
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
            self.health.succeeded()
            if not updates:
                continue
            try:
                await self.take_json(updates)
            except Exception:
                # The inbox could not be written (the database locked for long): Telegram is
                # not told, so it brings these updates again.
                log.exception("telegram updates could not be taken in; fetching them again")
                await asyncio.sleep(RETRY_FIRST)
                continue
            # The next getUpdates confirms them to Telegram.
            offset = max(_update_id(data) for data in updates) + 1


def _update_id(data: dict[str, Any]) -> int:
    value = data.get("update_id")
    return value if isinstance(value, int) else 0


def _sender(data: dict[str, Any]) -> str | None:
    """The Telegram user id of whoever sent the update, for /forget; None if none is found."""
    for value in data.values():
        if isinstance(value, dict):
            user = value.get("from") or value.get("user")
            if isinstance(user, dict) and isinstance(user.get("id"), int):
                return str(user["id"])
    return None
