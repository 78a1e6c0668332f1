"""The scheduler: APScheduler 3 wakes the outbox dispatcher at the next due time and runs the
periodic jobs (planning, closing polls, expiring offers). It keeps nothing in memory that
matters: the outbox in the store is the record, so a restart resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.base import REPLY_KEY, Connector
from bot.evaluation import poll_id_of
from bot.messages import Outgoing
from bot.store import Store
from bot.store import schema as t
from bot.store.offers import OfferPolicy, OfferStore
from bot.store.qa import QaStore
from bot.store.ratings import RatingStore
from bot.store.retention import PurgeReport, purge_if_due
from bot.store.surveys import SurveyStore
from bot.surveys import poll_id_of as survey_poll_id
from scheduler.broadcasts import Audience, Broadcasts
from scheduler.config import SchedulerConfig
from scheduler.dispatch import Clock, Dispatcher, DispatchStats
from scheduler.limits import MonotonicClock, Sleep
from scheduler.outbox import OPEN, Kind, NewItem, Outbox, Priority, add_in
from scheduler.plan import Planner, PlanReport
from scheduler.surveys import close_survey

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class TickReport:
    plan: PlanReport = field(default_factory=PlanReport)
    closed_polls: list[int] = field(default_factory=list)
    expired_offers: int = 0
    closed_surveys: list[int] = field(default_factory=list)
    closed_qa: list[int] = field(default_factory=list)
    dispatch: DispatchStats = field(default_factory=DispatchStats)
    purge: PurgeReport | None = None


class Scheduler:
    def __init__(
        self,
        store: Store,
        connectors: Mapping[str, Connector],
        config: SchedulerConfig | None = None,
        *,
        clock: Clock = utc_now,
        monotonic: MonotonicClock | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.store = store
        self.config = config or SchedulerConfig()
        self.clock = clock
        self.connectors = connectors
        self.outbox = Outbox(store.database)
        self.planner = Planner(store, self.config)
        self.dispatcher = Dispatcher(store, connectors, self.config, clock, monotonic=monotonic, sleep=sleep)
        self.ratings = RatingStore(store.database)
        self.broadcasts = Broadcasts(store)
        policy = OfferPolicy(self.config.offer_expiry, self.config.offer_min, self.config.offer_before_start)
        self.offers = OfferStore(store.database, policy)
        # From now on a freed seat is offered (this scheduler delivers and expires the offers)
        # instead of going to the first person waiting at once.
        store.signups.offers = policy
        self._aps: AsyncIOScheduler | None = None
        self._wake = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None
        self._jobs: set[asyncio.Task[Any]] = set()
        """Maintenance runs under way, so that `stop` can wait for them."""

    # -- one step, for tests and for the periodic job ---------------------------------------

    async def maintain(self) -> TickReport:
        """Plans the outbox and closes what is due to close; sends nothing."""
        now = self.clock()
        report = TickReport()
        report.expired_offers = await self.offers.expire_due(now, self._tell_expired)
        report.plan = await self.planner.plan(now)
        report.closed_polls = await self.close_polls(now)
        report.closed_surveys = await self.close_surveys(now)
        report.closed_qa = await QaStore(self.store.database).close_due(now)
        if self.config.retention_days is not None:
            report.purge = await purge_if_due(self.store.database, now, self.config.retention_days)
            if report.purge is not None and report.purge.total:
                log.info("retention purge: %s", report.purge.summary())
        return report

    async def _tell_expired(self, conn: AsyncConnection, offers: Sequence[Any]) -> None:
        """Every change to a person's place is told: an offer that expired, too."""
        now = self.clock()
        starts = {
            int(r.id): r.starts_at
            for r in await conn.execute(
                select(t.event.c.id, t.event.c.starts_at).where(t.event.c.id.in_({o.event_id for o in offers}))
            )
        }
        await add_in(
            conn,
            [
                NewItem(
                    key=f"offer_expired:{offer.id}",
                    kind=Kind.OFFER_EXPIRED,
                    channel=offer.channel,
                    user_id=offer.channel_user_id,
                    person_id=offer.person_id,
                    event_id=offer.event_id,
                    not_before=now,
                    expires_at=starts.get(int(offer.event_id)),
                    priority=Priority.URGENT,
                )
                for offer in offers
            ],
            now,
        )

    async def tick(self) -> TickReport:
        """Everything the scheduler does at this moment: plan, close, then send what is due."""
        report = await self.maintain()
        report.dispatch = await self.dispatcher.run()
        return report

    async def close_polls(self, now: datetime) -> list[int]:
        closed = await self.ratings.close_due(now)
        if not closed:
            return closed
        async with self.store.database.transaction() as conn:
            # Whether a person was nudged says whether they had answered by then: the nudge rows
            # go with the ballots (the poll rows themselves went to every attendee alike).
            await conn.execute(
                delete(t.outbox).where(t.outbox.c.kind == Kind.POLL_NUDGE.value, t.outbox.c.event_id.in_(closed))
            )
        for connector in self.connectors.values():
            close_poll = getattr(connector, "close_poll", None)
            if close_poll is None:
                continue
            for event_id in closed:
                try:
                    await close_poll(poll_id_of(event_id))
                except Exception:
                    log.exception("closing poll %s on %s failed", event_id, connector.channel)
        return closed

    async def close_surveys(self, now: datetime) -> list[int]:
        closed = await SurveyStore(self.store.database).close_due(now)
        for survey_id in closed:
            await self.end_survey_polls(survey_id)
        return closed

    async def close_survey(self, survey_id: int) -> bool:
        """An admin's "close now": the same close as at the closing time, native polls and all."""
        closed = await close_survey(self.store, survey_id, self.clock())
        if closed:
            await self.end_survey_polls(survey_id)
        return closed

    async def end_survey_polls(self, survey_id: int) -> None:
        """Ends the survey's native polls in the clients that have them (Telegram, Matrix)."""
        survey = await SurveyStore(self.store.database).get(survey_id)
        for index in range(len(survey.questions) if survey else 0):
            for connector in self.connectors.values():
                close_poll = getattr(connector, "close_poll", None)
                if close_poll is None:
                    continue
                try:
                    await close_poll(survey_poll_id(survey_id, index))
                except Exception:
                    log.exception("closing survey poll %s/%s on %s failed", survey_id, index, connector.channel)

    # -- broadcasts -----------------------------------------------------------------------

    async def broadcast(
        self,
        texts: dict[str, str],
        audience: Audience,
        *,
        at: datetime | None = None,
        expires_at: datetime | None = None,
    ) -> int:
        broadcast_id = await self.broadcasts.create(texts, audience, self.clock(), at=at, expires_at=expires_at)
        self.wake()
        return broadcast_id

    # -- replies a platform outage held up -------------------------------------------------

    async def later(self, message: Outgoing, key: str | None = None) -> None:
        """Keeps a message a connector could not deliver (`Hub.later`) in the outbox: sent again
        soon, ahead of bulk messages, while still useful; emptied once done. The row's key is
        `reply:` and the connector's `key` (a repeat is one row), or a random one."""
        assert message.recipient is not None
        now = self.clock()
        channel, user_id = message.recipient.channel, message.recipient.user_id
        person = await self.store.people.find(channel, user_id)
        item = NewItem(
            key=f"{REPLY_KEY}{key if key is not None else uuid.uuid4().hex}",
            kind=Kind.REPLY,
            channel=channel,
            user_id=user_id,
            not_before=now + self.config.reply_retry,
            expires_at=now + self.config.reply_useful,
            person_id=person.id if person is not None else None,
            payload={"message": message.model_dump(mode="json", exclude={"recipient"})},
            priority=Priority.URGENT,
        )
        await self.outbox.add([item], now)
        self.wake()

    async def holding(self, channel: str, user_id: str) -> bool:
        """Whether answers for this recipient wait in the outbox (`Hub.holding`)."""
        rows = await self.outbox.items(
            t.outbox.c.kind == Kind.REPLY.value,
            t.outbox.c.channel == channel,
            t.outbox.c.user_id == user_id,
            t.outbox.c.status.in_(OPEN),
        )
        return bool(rows)

    # -- running --------------------------------------------------------------------------

    async def start(self) -> None:
        now = self.clock()
        resumed = await self.outbox.recover(now)
        if resumed:
            log.warning("%d outbox rows were in flight at the last stop; sending them again", resumed)
        self._aps = AsyncIOScheduler(timezone=UTC)
        self._aps.add_job(
            self._periodic,
            "interval",
            seconds=self.config.plan_every.total_seconds(),
            id="maintain",
            next_run_time=now,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )
        self._aps.start()
        self._loop = asyncio.create_task(self._dispatch_loop())
        self.wake()

    async def stop(self) -> None:
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None
        # APScheduler's shutdown does not wait for a running job: maintenance still using the
        # database when the store closes would never finish.
        for job in list(self._jobs):
            job.cancel()
        if self._jobs:
            await asyncio.gather(*self._jobs, return_exceptions=True)
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
            self._loop = None

    def wake(self) -> None:
        self._wake.set()

    async def _wake_job(self) -> None:
        self._wake.set()

    async def _periodic(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._jobs.add(task)
        try:
            await self.maintain()
        except Exception:
            log.exception("scheduler maintenance failed")
        finally:
            if task is not None:
                self._jobs.discard(task)
        self.wake()

    async def _dispatch_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.dispatcher.run()
                next_due = await self.outbox.next_due()
            except Exception:
                log.exception("outbox dispatch failed")
                next_due = None
            if next_due is not None and self._aps is not None:
                if next_due <= self.clock():
                    self.wake()
                else:
                    self._aps.add_job(
                        self._wake_job,
                        "date",
                        run_date=next_due,
                        id="wake",
                        replace_existing=True,
                        misfire_grace_time=None,
                    )
