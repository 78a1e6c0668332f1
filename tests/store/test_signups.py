"""One resident's signup at the store: seats, the waiting list, coming back, refusals, the tally."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.model import EventStatus, SignupStatus
from bot.store import Store
from bot.store import schema as t
from bot.store.offers import OfferStatus
from bot.store.signups import SignupError
from tests.conftest import FESTIVAL_MORNING, import_demo

NOW = FESTIVAL_MORNING


async def _event_with_seats(store: Store, seats: int) -> int:
    await import_demo(store)
    event_id = await store.programme.event_id("MM004")
    assert event_id is not None
    async with store.database.transaction() as conn:
        await conn.execute(update(t.event).where(t.event.c.id == event_id).values(capacity=seats))
    return event_id


async def _tally(store: Store, event_id: int) -> tuple[int, int, int]:
    async with store.database.engine.connect() as conn:
        row = (
            await conn.execute(
                select(t.event_tally.c.signups, t.event_tally.c.waitlisted, t.event_tally.c.cancellations).where(
                    t.event_tally.c.event_id == event_id
                )
            )
        ).one()
    return int(row.signups), int(row.waitlisted), int(row.cancellations)


async def test_seats_then_waiting_list_in_order_and_a_second_press_changes_nothing(store: Store) -> None:
    event_id = await _event_with_seats(store, 2)
    people = [await store.people.create("console", f"p{i}", "sv", NOW) for i in range(4)]
    first = [await store.signups.sign_up(event_id, p.id, NOW + timedelta(seconds=i)) for i, p in enumerate(people)]
    assert [(o.status, o.already, o.waitlist_position) for o in first] == [
        (SignupStatus.CONFIRMED, False, None),
        (SignupStatus.CONFIRMED, False, None),
        (SignupStatus.WAITLISTED, False, 1),
        (SignupStatus.WAITLISTED, False, 2),
    ]
    again = [await store.signups.sign_up(event_id, p.id, NOW + timedelta(minutes=1)) for p in people]
    assert [(o.status, o.already, o.waitlist_position) for o in again] == [
        (SignupStatus.CONFIRMED, True, None),
        (SignupStatus.CONFIRMED, True, None),
        (SignupStatus.WAITLISTED, True, 1),
        (SignupStatus.WAITLISTED, True, 2),
    ]
    assert await _tally(store, event_id) == (4, 2, 0), "pressing again is not a signup"


async def test_someone_who_cancelled_comes_back_at_the_end_of_the_queue(store: Store) -> None:
    event_id = await _event_with_seats(store, 1)
    seated, waiting, returning = [await store.people.create("console", f"p{i}", "sv", NOW) for i in range(3)]
    await store.signups.sign_up(event_id, seated.id, NOW)
    await store.signups.sign_up(event_id, returning.id, NOW + timedelta(seconds=1))
    await store.signups.sign_up(event_id, waiting.id, NOW + timedelta(seconds=2))
    assert (await store.signups.cancel(event_id, returning.id, NOW + timedelta(seconds=3))).previous is (
        SignupStatus.WAITLISTED
    )
    back = await store.signups.sign_up(event_id, returning.id, NOW + timedelta(seconds=4))
    assert (back.status, back.already, back.waitlist_position) == (SignupStatus.WAITLISTED, False, 2)
    assert await _tally(store, event_id) == (4, 3, 1)


async def test_a_seat_held_by_an_open_offer_is_not_given_to_someone_new(store: Store) -> None:
    event_id = await _event_with_seats(store, 1)
    seated, waiting, new, later = [await store.people.create("console", f"p{i}", "sv", NOW) for i in range(4)]
    await store.signups.sign_up(event_id, seated.id, NOW)
    await store.signups.sign_up(event_id, waiting.id, NOW)
    async with store.database.transaction() as conn:
        # A seat more, offered to the first person waiting.
        await conn.execute(update(t.event).where(t.event.c.id == event_id).values(capacity=2))
        waiting_signup = await conn.scalar(select(t.signup.c.id).where(t.signup.c.person_id == waiting.id))
        offer = t.waitlist_offer.insert().values(
            signup_id=waiting_signup,
            event_id=event_id,
            status=OfferStatus.OPEN.value,
            expires_at=NOW + timedelta(hours=1),
            created_at=NOW,
            updated_at=NOW,
        )
        await conn.execute(offer)
    assert (await store.signups.sign_up(event_id, new.id, NOW)).status is SignupStatus.WAITLISTED
    async with store.database.transaction() as conn:
        await conn.execute(update(t.waitlist_offer).values(status=OfferStatus.DECLINED.value))
    assert (await store.signups.sign_up(event_id, later.id, NOW)).status is SignupStatus.CONFIRMED


@pytest.mark.parametrize("reason", ["unknown", "cancelled", "ended"])
async def test_an_event_that_takes_no_signups_says_why_and_stores_nothing(store: Store, reason: str) -> None:
    event_id = await _event_with_seats(store, 5)
    person = await store.people.create("console", "p", "sv", NOW)
    now = NOW
    if reason == "cancelled":
        async with store.database.transaction() as conn:
            await conn.execute(
                update(t.event).where(t.event.c.id == event_id).values(status=EventStatus.CANCELLED.value)
            )
    elif reason == "ended":
        now = NOW + timedelta(days=30)
    target = event_id + 10_000 if reason == "unknown" else event_id
    with pytest.raises(SignupError) as refused:
        await store.signups.sign_up(target, person.id, now)
    assert refused.value.reason == reason
    assert await store.signups.of_person(person.id) == []
