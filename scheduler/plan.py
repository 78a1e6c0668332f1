"""What should be in the outbox, derived from the programme and the signups.

The planner does not rely on anyone remembering to tell it about a change: each run compares
what the store says now (events, their times and status, confirmed signups) with the pending
rows, adds what is missing, moves what moved and cancels, with the reason, what no longer
applies. So an event moved or cancelled by an import, the admin or anything else has its
reminders moved or cancelled and its attendees told at the next run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, case, cast, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import EventStatus, SignupStatus
from bot.store import Store
from bot.store import schema as t
from bot.store.offers import OfferStatus
from bot.store.programme import _current_festival_row
from scheduler.config import SchedulerConfig
from scheduler.outbox import Kind, NewItem, NewRows, Priority, Status, sort_new, write_new

PLANNED = (Kind.REMINDER, Kind.CANCELLED, Kind.MOVED, Kind.POLL, Kind.POLL_NUDGE, Kind.OFFER)
COLLAPSE = timedelta(hours=2)
"""Two reminders of one signup closer than this (after quiet hours moved one) become one."""
PLAN_SLICE = 2000
"""Signups the planner works through before it lets the event loop run other tasks. SQLite runs
in the loop's own thread (bot/store/inline_sqlite.py), and a whole plan of 10,000 signups in one
piece held the loop 130 ms, residents' answers waiting."""


def in_quiet_hours(moment: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


def reminder_time(starts_at: datetime, lead: timedelta, zone: ZoneInfo, quiet: tuple[time, time]) -> datetime:
    """`lead` before the start, moved earlier to just before quiet hours if it falls in them."""
    due = starts_at - lead
    local = due.astimezone(zone)
    quiet_start, quiet_end = quiet
    if not in_quiet_hours(local.time().replace(tzinfo=None), quiet_start, quiet_end):
        return due
    day = local.date()
    if quiet_start > quiet_end and local.time().replace(tzinfo=None) < quiet_end:
        day -= timedelta(days=1)
    evening = datetime.combine(day, quiet_start, tzinfo=zone) - timedelta(minutes=1)
    return evening.astimezone(due.tzinfo)


def reminder_key(signup_id: int, lead: timedelta, starts_at: datetime) -> str:
    # The start time is part of the key: when the event moves, the old reminders are cancelled
    # ("event moved") and new ones made, even those already sent for the old time.
    return f"reminder:{signup_id}:{int(lead.total_seconds() // 60)}:{int(starts_at.timestamp())}"


@dataclass
class PlanReport:
    added: int = 0
    moved: int = 0
    cancelled: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Event:
    id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    moved_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class _Signup:
    id: int
    event_id: int
    person_id: int
    status: str
    created_at: datetime
    channel: str
    user_id: str


@dataclass
class _Changes:
    moved: list[tuple[int, NewItem]] = field(default_factory=list)
    """Pending rows whose time changed, with the item that has the new one."""
    cancelled: dict[str, list[int]] = field(default_factory=dict)
    """Pending rows no longer planned, by reason."""
    new: NewRows = field(default_factory=NewRows)


@dataclass(frozen=True)
class _Inputs:
    programme: tuple[Any, ...]
    """The festival, its programme revision and time zone, and the reminder overrides."""
    events: dict[int, tuple[Any, ...]]
    """Per event: its signups and open offers, summed up."""


def _among(column: Any, ids: set[int] | None) -> Any:
    return true() if ids is None else column.in_(ids)


STATUS_WEIGHT = case(
    (t.signup.c.status == SignupStatus.CONFIRMED.value, 1),
    (t.signup.c.status == SignupStatus.WAITLISTED.value, 2),
    else_=3,
)


EVENT_REMOVED = "event removed"
OFFER_CLOSED = "offer no longer open"
EVENT_CANCELLED = "event cancelled"
EVENT_BACK = "event no longer cancelled"
SIGNUP_CANCELLED = "signup cancelled"
EVENT_MOVED = "event moved"
NO_LONGER_PLANNED = "no longer planned"
PLANNER_REASONS = frozenset(
    (EVENT_REMOVED, OFFER_CLOSED, EVENT_CANCELLED, EVENT_BACK, SIGNUP_CANCELLED, EVENT_MOVED, NO_LONGER_PLANNED)
)
"""Why the planner cancels a row. Only such rows come back when the plan wants them again;
one cancelled for another reason (a poll nudge not needed once the person answered) stays."""


class Planner:
    def __init__(self, store: Store, config: SchedulerConfig) -> None:
        self.store = store
        self.config = config
        self._planned_for: _Inputs | None = None
        """What the plan was made from last time: the same again means the same plan."""

    async def _inputs(self) -> _Inputs:
        """A fingerprint of everything the plan is made from — the festival and its programme
        revision, reminder overrides, and per event its signups and open offers — summed up
        inside SQLite. The plan itself does not depend on the time, so the same inputs give the
        same plan."""
        async with self.store.database.reading() as conn:
            festival = await _current_festival_row(conn)
            overrides = (
                await conn.execute(
                    select(
                        func.group_concat(
                            cast(t.reminder_override.c.event_id, String)
                            + ":"
                            + cast(t.reminder_override.c.leads_minutes, String)
                        )
                    )
                )
            ).scalar()
            signups = await conn.execute(
                select(
                    t.signup.c.event_id,
                    func.count(),
                    func.total(t.signup.c.id),
                    func.total(t.signup.c.id * STATUS_WEIGHT),
                    func.max(t.signup.c.updated_at),
                ).group_by(t.signup.c.event_id)
            )
            events: dict[int, tuple[Any, ...]] = {int(r[0]): tuple(r[1:]) for r in signups}
            offers = await conn.execute(
                select(t.waitlist_offer.c.event_id, func.count(), func.total(t.waitlist_offer.c.id))
                .where(t.waitlist_offer.c.status == OfferStatus.OPEN.value)
                .group_by(t.waitlist_offer.c.event_id)
            )
            for r in offers:
                events[int(r[0])] = (*events.get(int(r[0]), ()), "offers", *r[1:])
            programme = None if festival is None else (festival.id, festival.revision, festival.time_zone)
            return _Inputs((programme, overrides), events)

    async def plan(self, now: datetime) -> PlanReport:
        # Planning reads signups under the write lock: skipped when nothing it is made from has
        # changed, and when only some events' signups or offers changed, only those events are
        # planned again (with 10,000 signups a whole plan took 100-160 ms, and in a busy hour
        # signups change between any two plans).
        inputs = await self._inputs()
        last = self._planned_for
        if inputs == last:
            return PlanReport()
        if last is None or inputs.programme != last.programme:
            report = await self._plan(now)
        else:
            changed = {
                e for e in inputs.events.keys() | last.events.keys() if inputs.events.get(e) != last.events.get(e)
            }
            report = await self._plan(now, only=changed)
        self._planned_for = inputs
        return report

    async def _plan(self, now: datetime, only: set[int] | None = None) -> PlanReport:
        """Makes the outbox match the plan: for all events, or `only` these (their signups,
        offers and pending rows; the other events' rows are left as they are).

        Everything is read and worked out in a read transaction, which holds up no one; only
        the changes are written under the write lock. (Reading there held every other writer,
        residents' answers among them, up to 300 ms in the rehearsal.) A change made in between
        is planned at the next run, which sees its event's fingerprint changed: a row added for
        a signup just cancelled is cancelled then, one cancelled for a signup just made again
        comes back."""
        async with self.store.database.snapshot() as conn:
            changes = await self._changes(conn, now, only)
        report = PlanReport()
        if changes is None or not (changes.moved or changes.cancelled or changes.new.fresh or changes.new.revived):
            return report
        async with self.store.database.transaction() as conn:
            for row_id, item in changes.moved:
                await conn.execute(
                    update(t.outbox)
                    .where(t.outbox.c.id == row_id, t.outbox.c.status == Status.PENDING.value)
                    .values(not_before=item.not_before, expires_at=item.expires_at, updated_at=now)
                )
            for reason, ids in changes.cancelled.items():
                await conn.execute(
                    update(t.outbox)
                    .where(t.outbox.c.id.in_(ids), t.outbox.c.status == Status.PENDING.value)
                    .values(status=Status.CANCELLED.value, reason=reason, updated_at=now)
                )
            report.added = await write_new(conn, changes.new, now, statement=self.store.database.insert_new(t.outbox))
        report.moved = len(changes.moved)
        report.cancelled = {reason: len(ids) for reason, ids in changes.cancelled.items()}
        return report

    async def _changes(self, conn: AsyncConnection, now: datetime, only: set[int] | None) -> _Changes | None:
        """What `_plan` must write, read in one consistent view; None without a festival."""
        festival = await _current_festival_row(conn)
        if festival is None:
            return None
        zone = ZoneInfo(festival.time_zone)
        events = {
            r.id: _Event(r.id, r.starts_at, r.ends_at, r.status, r.moved_at, r.updated_at)
            for r in await conn.execute(
                select(
                    t.event.c.id,
                    t.event.c.starts_at,
                    t.event.c.ends_at,
                    t.event.c.status,
                    t.event.c.moved_at,
                    t.event.c.updated_at,
                ).where(t.event.c.festival_id == festival.id)
            )
        }
        overrides = {
            int(r.event_id): tuple(timedelta(minutes=int(m)) for m in r.leads_minutes)
            for r in await conn.execute(select(t.reminder_override))
        }
        signup_rows = await conn.execute(
            select(
                t.signup.c.id,
                t.signup.c.event_id,
                t.signup.c.person_id,
                t.signup.c.status,
                t.signup.c.created_at,
                t.person.c.channel,
                t.person.c.channel_user_id,
            )
            .join(t.person, t.person.c.id == t.signup.c.person_id)
            .where(t.signup.c.status != SignupStatus.CANCELLED.value, _among(t.signup.c.event_id, only))
        )
        signups: list[_Signup] = []
        for rows in signup_rows.partitions(PLAN_SLICE):
            signups.extend(
                _Signup(r.id, r.event_id, r.person_id, r.status, r.created_at, r.channel, r.channel_user_id)
                for r in rows
                if r.event_id in events
            )
            await asyncio.sleep(0)
        desired: list[NewItem] = []
        for start in range(0, len(signups), PLAN_SLICE):
            desired.extend(self._desired(zone, events, overrides, signups[start : start + PLAN_SLICE]))
            await asyncio.sleep(0)
        desired.extend(
            NewItem(
                key=f"offer:{r.id}",
                kind=Kind.OFFER,
                channel=r.channel,
                user_id=r.channel_user_id,
                person_id=r.person_id,
                event_id=r.event_id,
                not_before=r.created_at,
                expires_at=r.expires_at,
                payload={"offer_id": r.id, "expires_at": r.expires_at.isoformat()},
                priority=Priority.URGENT,
            )
            for r in await conn.execute(
                select(
                    t.waitlist_offer.c.id,
                    t.waitlist_offer.c.event_id,
                    t.waitlist_offer.c.created_at,
                    t.waitlist_offer.c.expires_at,
                    t.signup.c.person_id,
                    t.person.c.channel,
                    t.person.c.channel_user_id,
                )
                .join(t.signup, t.signup.c.id == t.waitlist_offer.c.signup_id)
                .join(t.person, t.person.c.id == t.signup.c.person_id)
                .where(t.waitlist_offer.c.status == OfferStatus.OPEN.value, _among(t.waitlist_offer.c.event_id, only))
            )
        )
        wanted = {item.key: item for item in desired}
        pending = (
            await conn.execute(
                select(
                    t.outbox.c.id,
                    t.outbox.c.dedupe_key,
                    t.outbox.c.kind,
                    t.outbox.c.event_id,
                    t.outbox.c.person_id,
                    t.outbox.c.not_before,
                ).where(
                    t.outbox.c.status == Status.PENDING.value,
                    t.outbox.c.kind.in_([k.value for k in PLANNED]),
                    _among(t.outbox.c.event_id, only),
                )
            )
        ).all()
        await asyncio.sleep(0)
        active = {(s.event_id, s.person_id): s.status for s in signups}
        changes = _Changes()
        for row in pending:
            item = wanted.get(row.dedupe_key)
            if item is None:
                reason = self._why_not(row.kind, events.get(row.event_id), active.get((row.event_id, row.person_id)))
                changes.cancelled.setdefault(reason, []).append(row.id)
            elif item.not_before != row.not_before:
                changes.moved.append((row.id, item))
        # Rows that could no longer be useful are not made at all; pending ones that fell out of
        # use while the bot was down are expired by the dispatcher, with the reason.
        useful = (i for i in desired if i.expires_at is None or i.expires_at > now)
        changes.new = await sort_new(conn, useful, revive=PLANNER_REASONS)
        return changes

    @staticmethod
    def _why_not(kind: str, event: _Event | None, signup_status: str | None) -> str:
        if event is None:
            return EVENT_REMOVED
        if kind == Kind.OFFER.value:
            return OFFER_CLOSED
        if event.status == EventStatus.CANCELLED.value and kind != Kind.CANCELLED.value:
            return EVENT_CANCELLED
        if kind == Kind.CANCELLED.value:
            return EVENT_BACK
        if signup_status != SignupStatus.CONFIRMED.value:
            return SIGNUP_CANCELLED
        if kind == Kind.REMINDER.value:
            return EVENT_MOVED
        return NO_LONGER_PLANNED

    def _desired(
        self,
        zone: ZoneInfo,
        events: dict[int, _Event],
        overrides: dict[int, tuple[timedelta, ...]],
        signups: list[_Signup],
    ) -> Iterable[NewItem]:
        quiet = (self.config.quiet_start, self.config.quiet_end)
        polls = self.config.polls
        for signup in signups:
            event = events[signup.event_id]
            common = partial(
                NewItem,
                channel=signup.channel,
                user_id=signup.user_id,
                person_id=signup.person_id,
                event_id=event.id,
            )
            if event.status == EventStatus.CANCELLED.value:
                if signup.created_at < event.updated_at:
                    yield common(
                        key=f"cancelled:{event.id}:{signup.person_id}",
                        kind=Kind.CANCELLED,
                        not_before=event.updated_at,
                        expires_at=event.starts_at,
                        priority=Priority.URGENT,
                    )
                continue
            if signup.status != SignupStatus.CONFIRMED.value:
                continue
            if (
                event.moved_at is not None
                and signup.created_at < event.moved_at
                and event.status == EventStatus.MOVED.value
            ):
                yield common(
                    key=f"moved:{event.id}:{signup.person_id}:{int(event.moved_at.timestamp())}",
                    kind=Kind.MOVED,
                    not_before=event.moved_at,
                    expires_at=event.starts_at,
                    priority=Priority.URGENT,
                )
            leads = sorted(overrides.get(event.id, self.config.reminder_leads))
            times: list[tuple[timedelta, datetime]] = []
            for lead in leads:
                due = reminder_time(event.starts_at, lead, zone, quiet)
                if due <= signup.created_at or due >= event.starts_at:
                    continue
                if any(abs(due - other) < COLLAPSE for _, other in times):
                    continue
                times.append((lead, due))
            for lead, due in times:
                yield common(
                    key=reminder_key(signup.id, lead, event.starts_at),
                    kind=Kind.REMINDER,
                    not_before=due,
                    expires_at=event.starts_at,
                    payload={"lead_minutes": int(lead.total_seconds() // 60)},
                )
            if signup.created_at >= event.ends_at:
                continue
            sent_at = event.ends_at + polls.delay
            yield common(
                key=f"poll:{event.id}:{signup.person_id}",
                kind=Kind.POLL,
                not_before=sent_at,
                expires_at=sent_at + polls.open_for,
            )
            yield common(
                key=f"poll_nudge:{event.id}:{signup.person_id}",
                kind=Kind.POLL_NUDGE,
                not_before=sent_at + polls.nudge_after,
                expires_at=sent_at + polls.open_for,
            )
