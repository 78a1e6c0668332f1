"""Evaluation polls and check-in: when an event used check-in at the door, only the people
checked in are asked to rate it (late arrivals included); without check-in, every confirmed
attendee is."""

from __future__ import annotations

from sqlalchemy import select

from admin.store import AdminStore
from bot.store import schema as t
from scheduler.outbox import Kind, Status
from tests.scheduler.conftest import Harness, local

# MM007: Tue 11 May 13:00–15:00 local, the poll goes at 15:10. MM009 has signups too.
POLL_TIME = local("2027-05-11 15:10")


async def _signup_id(harness: Harness, event_id: int, person_id: int) -> int:
    async with harness.store.database.engine.connect() as conn:
        value = await conn.scalar(
            select(t.signup.c.id).where(t.signup.c.event_id == event_id, t.signup.c.person_id == person_id)
        )
    assert isinstance(value, int)
    return value


async def test_poll_goes_only_to_checked_in_people_when_the_event_used_check_in(harness: Harness) -> None:
    people = {user: await harness.sign_up(user, "MM007", "en") for user in ("ida", "jon", "kim", "liv")}
    event = await harness.event("MM007")
    assert event.id is not None
    admin = AdminStore(harness.store.database)
    signups = {user: await _signup_id(harness, event.id, person.id) for user, person in people.items()}
    # The door list gives every signup its code; only some people come.
    await admin.checkins(list(signups.values()))
    await harness.at(local("2027-05-11 12:00"))  # the 1-h reminders, and the poll rows planned
    await admin.check_in(signups["ida"], "door", local("2027-05-11 12:55"))
    await admin.check_in(signups["kim"], "door", local("2027-05-11 13:20"))  # late, after planning
    sent = await harness.at(POLL_TIME)
    assert sorted(s.user_id for s in sent if s.message.poll is not None) == ["ida", "kim"]
    rows = {r.user_id: r for r in await harness.scheduler.outbox.items(t.outbox.c.kind == Kind.POLL.value)}
    assert rows["jon"].status is Status.CANCELLED and rows["jon"].reason == "not checked in at the event"
    assert rows["liv"].status is Status.CANCELLED


async def test_without_check_in_every_confirmed_attendee_is_asked(harness: Harness) -> None:
    for user in ("ida", "jon"):
        await harness.sign_up(user, "MM007", "en")
    event = await harness.event("MM007")
    assert event.id is not None
    other = await harness.sign_up("oda", "MM009", "en")
    other_event = await harness.event("MM009")
    assert other_event.id is not None
    # Codes handed out but nobody checked in here; check-in at another event does not count.
    admin = AdminStore(harness.store.database)
    await admin.checkins([await _signup_id(harness, event.id, p.id) for p in [await harness.person("ida")]])
    other_signup = await _signup_id(harness, other_event.id, other.id)
    await admin.checkins([other_signup])
    await admin.check_in(other_signup, "door", local("2027-05-11 09:00"))
    await harness.at(local("2027-05-11 12:00"))
    sent = await harness.at(POLL_TIME)
    assert sorted(s.user_id for s in sent if s.message.poll is not None) == ["ida", "jon"]
