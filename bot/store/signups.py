"""Signups: seats counted inside the transaction that takes them, waiting list, cancellation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Insert, Integer, and_, bindparam, case, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import ReturningInsert

from bot.model import EventStatus, Person, SignupStatus
from bot.store import schema as t
from bot.store.database import Database
from bot.store.offers import OfferPolicy, offer_free_seats, seats_taken, signup_count
from bot.store.people import PeopleStore, _person


class SignupError(Exception):
    """The event cannot take signups: `reason` is 'unknown', 'cancelled' or 'ended'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SignupOutcome:
    status: SignupStatus
    already: bool
    """The person was already signed up (or waiting) before this request."""
    waitlist_position: int | None = None


@dataclass(frozen=True)
class CancelOutcome:
    previous: SignupStatus | None
    """None when there was nothing to cancel."""
    promoted: Person | None = None
    """The first person on the waiting list, now confirmed in the freed seat."""


@dataclass(frozen=True)
class Occupancy:
    confirmed: int
    waitlisted: int
    capacity: int | None

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.confirmed, 0)


@dataclass(frozen=True)
class MySignup:
    event_code: str
    status: SignupStatus
    created_at: datetime


class SignupStore:
    def __init__(self, database: Database, people: PeopleStore) -> None:
        self.database = database
        self.people = people
        self.offers: OfferPolicy | None = None
        """Set by the scheduler: a freed seat is then offered with an expiry, not given at once."""
        self._take_seat = _take_seat(database)

    async def sign_up(self, event_id: int, person_id: int, now: datetime) -> SignupOutcome:
        async with self.database.transaction() as conn:
            if not self.database.is_sqlite:
                # Locks the event row on PostgreSQL, so that two signups count its seats in turn;
                # SQLite's BEGIN IMMEDIATE already holds the database's write lock (database.py).
                await conn.execute(select(t.event.c.id).where(t.event.c.id == event_id).with_for_update())
            # The seats are counted and one taken in one statement: in the write lock each
            # statement waits a round of the event loop under load, and every writer with it.
            seat = {"event_id": event_id, "person_id": person_id, "now": now}
            taken = (await conn.execute(self._take_seat, seat)).first()
            if taken is None:
                # No seat taken: the event can't take signups, or the person has one already.
                status, signup_id = await _already(conn, event_id, person_id, now)
            else:
                status, signup_id = SignupStatus(taken.status), int(taken.id)
                waiting = int(status is SignupStatus.WAITLISTED)
                await conn.execute(self._tally(event_id, signups=1, waitlisted=waiting))
        # Read after the write lock is given on: the position only informs.
        position = await self._waitlist_position(event_id, signup_id) if status is SignupStatus.WAITLISTED else None
        return SignupOutcome(status, already=taken is None, waitlist_position=position)

    def _tally(self, event_id: int, **increments: int) -> Insert:
        return self.database.add_up(t.event_tally, {"event_id": event_id}, **increments)

    async def _waitlist_position(self, event_id: int, signup_id: int) -> int:
        """Where the signup stands on the event's waiting list (1 is next); 0 if it is not on it."""
        mine = t.signup.alias("mine")
        ahead = (
            select(func.count())
            .select_from(t.signup)
            .where(
                t.signup.c.event_id == event_id,
                t.signup.c.status == SignupStatus.WAITLISTED.value,
                tuple_(t.signup.c.created_at, t.signup.c.id) < tuple_(mine.c.created_at, mine.c.id),
            )
            .scalar_subquery()
        )
        async with self.database.reading() as conn:
            position = await conn.scalar(
                select(ahead + 1).where(mine.c.id == signup_id, mine.c.status == SignupStatus.WAITLISTED.value)
            )
        return int(position or 0)

    async def cancel(self, event_id: int, person_id: int, now: datetime) -> CancelOutcome:
        async with self.database.transaction() as conn:
            return await self._cancel(conn, event_id, person_id, now)

    async def _cancel(self, conn: AsyncConnection, event_id: int, person_id: int, now: datetime) -> CancelOutcome:
        await conn.execute(select(t.event.c.id).where(t.event.c.id == event_id).with_for_update())
        row = (
            await conn.execute(
                select(t.signup.c.id, t.signup.c.status).where(
                    t.signup.c.event_id == event_id, t.signup.c.person_id == person_id
                )
            )
        ).first()
        if row is None or row.status == SignupStatus.CANCELLED.value:
            return CancelOutcome(previous=None)
        previous = SignupStatus(row.status)
        await conn.execute(
            update(t.signup).where(t.signup.c.id == row.id).values(status=SignupStatus.CANCELLED.value, updated_at=now)
        )
        await conn.execute(self._tally(event_id, cancellations=1))
        promoted = None
        if previous is SignupStatus.CONFIRMED:
            if self.offers is not None:
                await offer_free_seats(conn, event_id, now, self.offers)
            else:
                promoted = await _promote_first_waiting(conn, event_id, now)
        return CancelOutcome(previous=previous, promoted=promoted)

    async def occupancy(self, event_id: int) -> Occupancy:
        async with self.database.reading() as conn:
            capacity = await conn.scalar(select(t.event.c.capacity).where(t.event.c.id == event_id))
            return Occupancy(
                confirmed=await _count(conn, event_id, SignupStatus.CONFIRMED),
                waitlisted=await _count(conn, event_id, SignupStatus.WAITLISTED),
                capacity=capacity,
            )

    async def status_of(self, event_id: int, person_id: int) -> SignupStatus | None:
        async with self.database.reading() as conn:
            value = await conn.scalar(
                select(t.signup.c.status).where(t.signup.c.event_id == event_id, t.signup.c.person_id == person_id)
            )
            return None if value is None else SignupStatus(value)

    async def of_person(self, person_id: int) -> list[MySignup]:
        """The person's active signups (confirmed or waiting), soonest event first."""
        async with self.database.reading() as conn:
            rows = await conn.execute(
                select(t.event.c.code, t.signup.c.status, t.signup.c.created_at)
                .join(t.event, t.event.c.id == t.signup.c.event_id)
                .where(
                    t.signup.c.person_id == person_id,
                    t.signup.c.status != SignupStatus.CANCELLED.value,
                )
                .order_by(t.event.c.starts_at)
            )
            return [MySignup(r.code, SignupStatus(r.status), r.created_at) for r in rows]

    async def forget(self, person_id: int, now: datetime) -> list[tuple[Person, int]]:
        """Deletes a person with their signups and dialogue state, in one transaction.

        Their seats go to the waiting lists; the event tallies keep the counts. Returns the
        promoted people with the event id they were promoted at.
        """
        promoted: list[tuple[Person, int]] = []
        async with self.database.transaction() as conn:
            rows = await conn.execute(
                select(t.signup.c.event_id, t.signup.c.status).where(t.signup.c.person_id == person_id)
            )
            for row in rows.all():
                if row.status != SignupStatus.CANCELLED.value:
                    outcome = await self._cancel(conn, row.event_id, person_id, now)
                    if outcome.promoted is not None:
                        promoted.append((outcome.promoted, row.event_id))
                await conn.execute(self._tally(row.event_id, forgotten=1))
            await self.people.delete(conn, person_id)
        return promoted


async def _count(conn: AsyncConnection, event_id: int, status: SignupStatus) -> int:
    return int(await conn.scalar(select(signup_count(event_id, status))) or 0)


def _take_seat(database: Database) -> ReturningInsert[tuple[int, str]]:
    """A signup for an event that takes signups: confirmed while seats are free (seats held
    by open offers count as taken), waiting otherwise. A cancelled signup comes back instead,
    queued anew by this request's time. Returns its id and status, or no row.

    Built once, with the event, person and time as parameters: building it and its cache key
    took 0.7 ms a signup."""
    event_id, person_id = bindparam("event_id", type_=Integer), bindparam("person_id", type_=Integer)
    now = bindparam("now", type_=t.UTCDateTime)
    full = and_(t.event.c.capacity.is_not(None), seats_taken(event_id) >= t.event.c.capacity)
    status = case((full, SignupStatus.WAITLISTED.value), else_=SignupStatus.CONFIRMED.value)
    new = select(event_id, person_id, status, now, now).where(
        t.event.c.id == event_id,
        t.event.c.status != EventStatus.CANCELLED.value,
        t.event.c.ends_at > now,
    )
    insert = database.insert_into(t.signup).from_select(
        ["event_id", "person_id", "status", "created_at", "updated_at"], new
    )
    return insert.on_conflict_do_update(
        index_elements=["event_id", "person_id"],
        set_={name: insert.excluded[name] for name in ("status", "created_at", "updated_at")},
        where=t.signup.c.status == SignupStatus.CANCELLED.value,
    ).returning(t.signup.c.id, t.signup.c.status)


async def _already(conn: AsyncConnection, event_id: int, person_id: int, now: datetime) -> tuple[SignupStatus, int]:
    """Why a signup took no seat: SignupError if the event can't take signups; else the status
    and id of the signup the person has already."""
    event = (await conn.execute(select(t.event.c.status, t.event.c.ends_at).where(t.event.c.id == event_id))).first()
    if event is None:
        raise SignupError("unknown")
    if event.status == EventStatus.CANCELLED.value:
        raise SignupError("cancelled")
    if event.ends_at <= now:
        raise SignupError("ended")
    existing = (
        await conn.execute(
            select(t.signup.c.id, t.signup.c.status).where(
                t.signup.c.event_id == event_id, t.signup.c.person_id == person_id
            )
        )
    ).one()
    return SignupStatus(existing.status), int(existing.id)


async def _promote_first_waiting(conn: AsyncConnection, event_id: int, now: datetime) -> Person | None:
    first = (
        await conn.execute(
            select(t.signup.c.id, t.signup.c.person_id)
            .where(t.signup.c.event_id == event_id, t.signup.c.status == SignupStatus.WAITLISTED.value)
            .order_by(t.signup.c.created_at, t.signup.c.id)
            .limit(1)
        )
    ).first()
    if first is None:
        return None
    await conn.execute(
        update(t.signup).where(t.signup.c.id == first.id).values(status=SignupStatus.CONFIRMED.value, updated_at=now)
    )
    row = (await conn.execute(select(t.person).where(t.person.c.id == first.person_id))).first()
    return None if row is None else _person(row)
