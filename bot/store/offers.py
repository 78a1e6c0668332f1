"""Waiting-list offers: a freed seat is held for the first person waiting, who accepts or
declines with a button before the offer expires; a decline or an expiry offers it to the next.

Only when the scheduler runs (it delivers and expires the offers) does `SignupStore` use this;
without it a freed seat goes to the first person waiting at once, as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, ScalarSelect, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import SignupStatus
from bot.store import schema as t
from bot.store.database import Database

Tell = Callable[[AsyncConnection, Sequence[Any]], Awaitable[None]]
"""Told the expired offers, inside the transaction that expires them."""


class OfferStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    """The event was cancelled or started, or the person left the waiting list."""


@dataclass(frozen=True)
class OfferPolicy:
    expiry: timedelta = timedelta(hours=2)
    minimum: timedelta = timedelta(minutes=10)
    before_start: timedelta = timedelta(minutes=15)

    def expires_at(self, now: datetime, starts_at: datetime) -> datetime | None:
        """Shorter when the event starts sooner; None when it is too late to offer at all."""
        if starts_at <= now:
            return None
        room = starts_at - self.before_start - now
        return now + max(self.minimum, min(self.expiry, room))


@dataclass(frozen=True)
class OfferAnswer:
    status: OfferStatus
    """What the offer is now (ACCEPTED or DECLINED when this answer counted)."""
    event_id: int | None
    counted: bool


def signup_count(event_id: int | BindParameter[int], status: SignupStatus) -> ScalarSelect[int]:
    """The event's signups with this status, as a subquery."""
    return (
        select(func.count())
        .select_from(t.signup)
        .where(t.signup.c.event_id == event_id, t.signup.c.status == status.value)
        .scalar_subquery()
    )


def seats_taken(event_id: int | BindParameter[int]) -> ColumnElement[int]:
    """The event's confirmed signups plus the seats held by open offers, as an expression."""
    # An offer to someone who has since left the waiting list holds nothing.
    held = (
        select(func.count())
        .select_from(t.waitlist_offer)
        .join(t.signup, t.signup.c.id == t.waitlist_offer.c.signup_id)
        .where(
            t.waitlist_offer.c.event_id == event_id,
            t.waitlist_offer.c.status == OfferStatus.OPEN.value,
            t.signup.c.status == SignupStatus.WAITLISTED.value,
        )
        .scalar_subquery()
    )
    return signup_count(event_id, SignupStatus.CONFIRMED) + held


async def offer_free_seats(conn: AsyncConnection, event_id: int, now: datetime, policy: OfferPolicy) -> int:
    """Offers each seat that is neither taken nor held to the next person waiting; returns how
    many offers were made."""
    event = (
        await conn.execute(
            select(t.event.c.capacity, t.event.c.starts_at, t.event.c.status).where(t.event.c.id == event_id)
        )
    ).first()
    if event is None or event.status == "cancelled":
        return 0
    expires = policy.expires_at(now, event.starts_at)
    if expires is None:
        return 0
    taken = int(await conn.scalar(select(seats_taken(event_id))) or 0)
    free = None if event.capacity is None else event.capacity - taken
    offered = select(t.waitlist_offer.c.signup_id).where(t.waitlist_offer.c.event_id == event_id)
    waiting = (
        await conn.execute(
            select(t.signup.c.id)
            .where(
                t.signup.c.event_id == event_id,
                t.signup.c.status == SignupStatus.WAITLISTED.value,
                t.signup.c.id.not_in(offered.where(t.waitlist_offer.c.status == OfferStatus.OPEN.value)),
            )
            .order_by(t.signup.c.created_at, t.signup.c.id)
            .limit(free if free is not None else 0)
        )
    ).all()
    for row in waiting:
        await conn.execute(
            insert(t.waitlist_offer).values(
                signup_id=row.id,
                event_id=event_id,
                status=OfferStatus.OPEN.value,
                expires_at=expires,
                created_at=now,
                updated_at=now,
            )
        )
    return len(waiting)


class OfferStore:
    def __init__(self, database: Database, policy: OfferPolicy | None = None) -> None:
        self.database = database
        self.policy = policy or OfferPolicy()

    async def answer(self, offer_id: int, person_id: int, accept: bool, now: datetime) -> OfferAnswer:
        async with self.database.transaction() as conn:
            row = (
                await conn.execute(
                    select(t.waitlist_offer, t.signup.c.person_id, t.signup.c.status.label("signup_status"))
                    .join(t.signup, t.signup.c.id == t.waitlist_offer.c.signup_id)
                    .where(t.waitlist_offer.c.id == offer_id)
                )
            ).first()
            if row is None or row.person_id != person_id:
                return OfferAnswer(OfferStatus.WITHDRAWN, None, counted=False)
            if row.status == OfferStatus.OPEN.value and row.signup_status != SignupStatus.WAITLISTED.value:
                # The person left the waiting list (or got a seat another way) since: the offer
                # held no seat from then on, and that seat may be someone else's by now. The
                # rehearsal overbooked an event by accepting such an offer.
                await conn.execute(
                    update(t.waitlist_offer)
                    .where(t.waitlist_offer.c.id == offer_id)
                    .values(status=OfferStatus.WITHDRAWN.value, updated_at=now)
                )
                return OfferAnswer(OfferStatus.WITHDRAWN, row.event_id, counted=False)
            if row.status != OfferStatus.OPEN.value or row.expires_at <= now:
                status = OfferStatus(row.status) if row.status != OfferStatus.OPEN.value else OfferStatus.EXPIRED
                return OfferAnswer(status, row.event_id, counted=False)
            status = OfferStatus.ACCEPTED if accept else OfferStatus.DECLINED
            await conn.execute(
                update(t.waitlist_offer)
                .where(t.waitlist_offer.c.id == offer_id)
                .values(status=status.value, updated_at=now)
            )
            await conn.execute(
                update(t.signup)
                .where(t.signup.c.id == row.signup_id)
                .values(
                    status=(SignupStatus.CONFIRMED if accept else SignupStatus.CANCELLED).value,
                    updated_at=now,
                )
            )
            if not accept:
                await offer_free_seats(conn, row.event_id, now, self.policy)
            return OfferAnswer(status, row.event_id, counted=True)

    async def expire_due(self, now: datetime, tell: Tell | None = None) -> int:
        """Expired offers leave the waiting list and the seat goes to the next person.

        Off the list rather than back in line: a seat offered again to someone who did not
        answer would be held from the others for another round. `tell` is given the expired
        offers (id, event id, person id, channel, channel user id) inside the same
        transaction, so that the notice that tells them is never lost."""
        async with self.database.transaction() as conn:
            rows = (
                await conn.execute(
                    select(
                        t.waitlist_offer.c.id,
                        t.waitlist_offer.c.signup_id,
                        t.waitlist_offer.c.event_id,
                        t.signup.c.person_id,
                        t.person.c.channel,
                        t.person.c.channel_user_id,
                    )
                    .join(t.signup, t.signup.c.id == t.waitlist_offer.c.signup_id)
                    .join(t.person, t.person.c.id == t.signup.c.person_id)
                    .where(t.waitlist_offer.c.status == OfferStatus.OPEN.value, t.waitlist_offer.c.expires_at <= now)
                )
            ).all()
            for row in rows:
                await conn.execute(
                    update(t.waitlist_offer)
                    .where(t.waitlist_offer.c.id == row.id)
                    .values(status=OfferStatus.EXPIRED.value, updated_at=now)
                )
                await conn.execute(
                    update(t.signup)
                    .where(t.signup.c.id == row.signup_id, t.signup.c.status == SignupStatus.WAITLISTED.value)
                    .values(status=SignupStatus.CANCELLED.value, updated_at=now)
                )
            if tell is not None and rows:
                await tell(conn, rows)
            for event_id in {row.event_id for row in rows}:
                await offer_free_seats(conn, event_id, now, self.policy)
            return len(rows)
