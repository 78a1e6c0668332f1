"""Signups: seats counted inside the transaction that takes them, waiting list, cancellation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import EventStatus, Person, SignupStatus
from bot.store import schema as t
from bot.store.database import Database
from bot.store.offers import OfferPolicy, held_seats, offer_free_seats
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

    async def sign_up(self, event_id: int, person_id: int, now: datetime) -> SignupOutcome:
        async with self.database.transaction() as conn:
            # FOR UPDATE locks the event row on PostgreSQL; SQLite's BEGIN IMMEDIATE already
            # holds the database's write lock (see database.py).
            event = (await conn.execute(select(t.event).where(t.event.c.id == event_id).with_for_update())).first()
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
            ).first()
            if existing is not None and existing.status != SignupStatus.CANCELLED.value:
                status = SignupStatus(existing.status)
                position = (
                    await _waitlist_position(conn, event_id, existing.id) if status is SignupStatus.WAITLISTED else None
                )
                return SignupOutcome(status, already=True, waitlist_position=position)
            confirmed = await _count(conn, event_id, SignupStatus.CONFIRMED) + await held_seats(conn, event_id)
            full = event.capacity is not None and confirmed >= event.capacity
            status = SignupStatus.WAITLISTED if full else SignupStatus.CONFIRMED
            if existing is None:
                result = await conn.execute(
                    insert(t.signup).values(
                        event_id=event_id,
                        person_id=person_id,
                        status=status.value,
                        created_at=now,
                        updated_at=now,
                    )
                )
                assert result.inserted_primary_key is not None
                signup_id = int(result.inserted_primary_key[0])
            else:
                # A returning person queues anew: their place is by this request's time.
                signup_id = int(existing.id)
                await conn.execute(
                    update(t.signup)
                    .where(t.signup.c.id == signup_id)
                    .values(status=status.value, created_at=now, updated_at=now)
                )
            await _tally(conn, event_id, signups=1, waitlisted=int(full))
            position = await _waitlist_position(conn, event_id, signup_id) if full else None
            return SignupOutcome(status, already=False, waitlist_position=position)

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
        await _tally(conn, event_id, cancellations=1)
        promoted = None
        if previous is SignupStatus.CONFIRMED:
            if self.offers is not None:
                await offer_free_seats(conn, event_id, now, self.offers)
            else:
                promoted = await _promote_first_waiting(conn, event_id, now)
        return CancelOutcome(previous=previous, promoted=promoted)

    async def occupancy(self, event_id: int) -> Occupancy:
        async with self.database.engine.connect() as conn:
            capacity = await conn.scalar(select(t.event.c.capacity).where(t.event.c.id == event_id))
            return Occupancy(
                confirmed=await _count(conn, event_id, SignupStatus.CONFIRMED),
                waitlisted=await _count(conn, event_id, SignupStatus.WAITLISTED),
                capacity=capacity,
            )

    async def status_of(self, event_id: int, person_id: int) -> SignupStatus | None:
        async with self.database.engine.connect() as conn:
            value = await conn.scalar(
                select(t.signup.c.status).where(t.signup.c.event_id == event_id, t.signup.c.person_id == person_id)
            )
            return None if value is None else SignupStatus(value)

    async def of_person(self, person_id: int) -> list[MySignup]:
        """The person's active signups (confirmed or waiting), soonest event first."""
        async with self.database.engine.connect() as conn:
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
                await _tally(conn, row.event_id, forgotten=1)
            await self.people.delete(conn, person_id)
        return promoted


async def _count(conn: AsyncConnection, event_id: int, status: SignupStatus) -> int:
    value = await conn.scalar(
        select(func.count())
        .select_from(t.signup)
        .where(t.signup.c.event_id == event_id, t.signup.c.status == status.value)
    )
    return int(value or 0)


async def _waitlist_position(conn: AsyncConnection, event_id: int, signup_id: int) -> int:
    rows = await conn.execute(
        select(t.signup.c.id)
        .where(t.signup.c.event_id == event_id, t.signup.c.status == SignupStatus.WAITLISTED.value)
        .order_by(t.signup.c.created_at, t.signup.c.id)
    )
    ids = [r.id for r in rows]
    return ids.index(signup_id) + 1 if signup_id in ids else 0


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


async def _tally(conn: AsyncConnection, event_id: int, **increments: int) -> None:
    exists = await conn.scalar(select(t.event_tally.c.event_id).where(t.event_tally.c.event_id == event_id))
    if exists is None:
        await conn.execute(
            insert(t.event_tally).values(event_id=event_id, signups=0, waitlisted=0, cancellations=0, forgotten=0)
        )
    values: dict[str, Any] = {name: t.event_tally.c[name] + amount for name, amount in increments.items()}
    await conn.execute(update(t.event_tally).where(t.event_tally.c.event_id == event_id).values(**values))
