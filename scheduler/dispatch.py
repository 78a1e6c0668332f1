"""The dispatcher: claims due outbox rows, renders them, sends them through each platform's gate
and records the outcome — with the reason whenever a row is not sent.

Catch-up is decided per row by `expires_at` (useful until): after downtime a row that is still
useful is sent late, one that is not is expired with the reason, never dropped silently.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from adapters.base import Connector, DeliveryError, NotConnected
from bot.choices import choice_state
from bot.store import Store
from bot.store import schema as t
from scheduler.config import SchedulerConfig
from scheduler.limits import Gate, MonotonicClock, Sleep
from scheduler.outbox import Item, Kind, Outbox, Result, Status
from scheduler.render import Renderer, Skip

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class RateLimited(DeliveryError):
    """The platform said "too many requests": the whole platform pauses for `retry_after`."""

    def __init__(self, reason: str, retry_after: float) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


LATE = {
    Kind.REMINDER: "too late: the event has started",
    Kind.CANCELLED: "too late: the event's time has passed",
    Kind.MOVED: "too late: the event has started",
    Kind.POLL: "too late: the poll has closed",
    Kind.POLL_NUDGE: "too late: the poll has closed",
    Kind.OFFER: "too late: the offer has expired",
    Kind.OFFER_EXPIRED: "too late: the event has started",
    Kind.BROADCAST: "too late: the broadcast's time is over",
    Kind.REPLY: "too late: the answer is no longer useful",
}


@dataclass
class DispatchStats:
    sent: int = 0
    not_sent: dict[str, int] = field(default_factory=dict)
    retried: int = 0

    def count(self, result: Result) -> None:
        if result.status is Status.SENT:
            self.sent += 1
        elif result.status is Status.PENDING:
            self.retried += 1
        else:
            key = f"{result.status.value}: {result.reason}"
            self.not_sent[key] = self.not_sent.get(key, 0) + 1


class Dispatcher:
    def __init__(
        self,
        store: Store,
        connectors: Mapping[str, Connector],
        config: SchedulerConfig,
        clock: Clock,
        *,
        monotonic: MonotonicClock | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.store = store
        self.connectors = connectors
        """Looked up at send time (the hub's dict), so connectors started later are found."""
        self.config = config
        self.clock = clock
        self.outbox = Outbox(store.database)
        self.renderer = Renderer(store, config)
        self._monotonic = monotonic
        self._sleep = sleep
        self.gates: dict[str, Gate] = {}
        self.stats = DispatchStats()

    def gate(self, channel: str) -> Gate:
        gate = self.gates.get(channel)
        if gate is None:
            kwargs: dict[str, object] = {}
            if self._monotonic is not None:
                kwargs["clock"] = self._monotonic
            if self._sleep is not None:
                kwargs["sleep"] = self._sleep
            gate = Gate(self.config.limits_for(channel), **kwargs)  # type: ignore[arg-type]
            self.gates[channel] = gate
        return gate

    async def run(self) -> DispatchStats:
        """Sends everything that is due, and returns when nothing due is left or in flight."""
        stats = DispatchStats()
        inflight: dict[asyncio.Task[Result], Item] = {}
        try:
            while True:
                free = self.config.in_flight - len(inflight)
                if free > 0 and (not inflight or free * 2 >= self.config.in_flight):
                    busy = [(i.channel, i.user_id) for i in inflight.values()]
                    claimed = await self.outbox.claim_due(self.clock(), free, busy)
                    if claimed:
                        await self.renderer.refresh()
                        languages = await self._languages(claimed)
                        for item in claimed:
                            task = asyncio.create_task(self._one(item, languages.get(item.person_id)))
                            inflight[task] = item
                if not inflight:
                    break
                done, _pending = await asyncio.wait(inflight, return_when=asyncio.FIRST_COMPLETED)
                results = []
                for task in done:
                    item = inflight.pop(task)
                    try:
                        result = task.result()
                    except Exception as error:
                        log.exception("outbox row %s failed", item.id)
                        result = self._transient(item, f"internal error: {error!r}")
                    results.append(result)
                    stats.count(result)
                    self.stats.count(result)
                await self.outbox.record(results, self.clock())
        finally:
            # Cancelled mid-way (shutdown): what was in flight stays `sending` and is resumed
            # at the next start.
            for task in inflight:
                task.cancel()
            # Wait for them to unwind: a task left running would touch the database after the
            # store is closed at shutdown, and never finish.
            if inflight:
                await asyncio.gather(*inflight, return_exceptions=True)
        return stats

    async def _languages(self, items: list[Item]) -> dict[int | None, str]:
        ids = {i.person_id for i in items if i.person_id is not None}
        if not ids:
            return {}
        async with self.store.database.reading() as conn:
            rows = await conn.execute(select(t.person.c.id, t.person.c.language).where(t.person.c.id.in_(ids)))
            return {int(r.id): str(r.language) for r in rows}

    def _expired(self, item: Item, now: datetime) -> Result | None:
        if item.expires_at is not None and now >= item.expires_at:
            return Result(item.id, Status.EXPIRED, LATE.get(item.kind, "too late"))
        return None

    def _transient(self, item: Item, reason: str) -> Result:
        # A held-up answer is tried until it is no longer useful (`expires_at`): the outage that
        # held it up may well outlast five tries (a homeserver restarting for minutes).
        if item.attempts >= self.config.max_attempts and item.kind is not Kind.REPLY:
            return Result(item.id, Status.FAILED, f"gave up after {item.attempts} attempts: {reason}")
        delay = min(self.config.retry_max, self.config.retry_first * 2 ** max(item.attempts - 1, 0))
        return Result(item.id, Status.PENDING, f"retrying: {reason}", retry_at=self.clock() + delay)

    async def _one(self, item: Item, language: str | None) -> Result:
        now = self.clock()
        expired = self._expired(item, now)
        if expired is not None:
            return expired
        if item.person_id is not None and language is None:
            return Result(item.id, Status.CANCELLED, "person deleted their data")
        rendered = await self.renderer.render(item, language or "sv", now)
        if isinstance(rendered, Skip):
            return Result(item.id, rendered.status, rendered.reason)
        connector = self.connectors.get(item.channel)
        if connector is None:
            return self._transient(item, f"no {item.channel} connection")
        if not await self.store.people.is_reachable(item.channel, item.user_id):
            return Result(item.id, Status.FAILED, "unreachable: the person has blocked the bot")
        gate = self.gate(item.channel)
        await gate.acquire(item.user_id)
        expired = self._expired(item, self.clock())
        if expired is not None:
            return expired
        try:
            message_id = await connector.send(item.user_id, rendered, key=item.key)
        except RateLimited as error:
            gate.pause(error.retry_after)
            log.warning("%s: 429, pausing %.1f s", item.channel, error.retry_after)
            # Not the message's fault: this try does not count against its attempts.
            return Result(
                item.id,
                Status.PENDING,
                f"rate limited: {error}",
                retry_at=self.clock() + timedelta(seconds=error.retry_after),
                counted=False,
            )
        except NotConnected as error:
            # Not the message's fault either: it waits for the connection while still useful.
            return Result(
                item.id,
                Status.PENDING,
                f"waiting: {error}",
                retry_at=self.clock() + self.config.retry_first,
                counted=False,
            )
        except DeliveryError as error:
            if error.permanent:
                if str(error).startswith("forbidden"):
                    await self.store.people.set_unreachable(item.channel, item.user_id, self.clock())
                    return Result(item.id, Status.FAILED, f"unreachable: {error}")
                return Result(item.id, Status.FAILED, str(error))
            return self._transient(item, str(error))
        if item.person_id is not None and any(b.payload for b in rendered.numbered_choices()):
            # Typed numbers answer what was sent last, also on channels without buttons (Matrix).
            await self.store.people.update_dialogue(item.person_id, choice_state([rendered]), self.clock())
        return Result(item.id, Status.SENT, platform_message_id=message_id)
