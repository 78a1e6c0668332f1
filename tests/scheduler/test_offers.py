"""Waiting-list offers: a freed seat is offered with accept/decline buttons and an expiry;
a decline or an expiry offers it to the next person waiting."""

from __future__ import annotations

from sqlalchemy import update

from bot.messages import Outgoing
from bot.model import SignupStatus
from bot.store import schema as t
from scheduler.outbox import Kind, Status
from tests.scheduler.conftest import Harness, local


async def _one_seat(harness: Harness, code: str) -> int:
    event = await harness.event(code)
    assert event.id is not None
    async with harness.store.database.transaction() as conn:
        await conn.execute(update(t.event).where(t.event.c.id == event.id).values(capacity=1))
    return event.id


def _press(message: Outgoing, label: str) -> str:
    payload = next(b.payload for b in message.numbered_choices() if label in b.label)
    assert payload is not None
    return payload


async def test_offer_decline_next_expiry_and_accept(harness: Harness) -> None:
    event_id = await _one_seat(harness, "MM007")  # 11 May 13:00 local
    harness.clock.set(local("2027-05-09 18:00"))
    anna = await harness.sign_up("anna", "MM007", "en")
    bo = await harness.sign_up("bo", "MM007", "en")
    cai = await harness.sign_up("cai", "MM007", "en")
    signups = harness.store.signups
    assert await signups.status_of(event_id, bo.id) is SignupStatus.WAITLISTED

    await signups.cancel(event_id, anna.id, harness.clock.now())
    assert await signups.status_of(event_id, bo.id) is SignupStatus.WAITLISTED, "offered, not promoted at once"
    dan = await harness.sign_up("dan", "MM007", "en")
    assert await signups.status_of(event_id, dan.id) is SignupStatus.WAITLISTED, "the seat is held for the offer"

    sent = await harness.at(local("2027-05-09 18:00"))
    assert [s.user_id for s in sent] == ["bo"]
    offer = sent[0].message
    assert "A seat is free" in offer.text and "20:00" in offer.text
    replies = await harness.say("bo", payload=_press(offer, "No, thanks"))
    assert "next person" in replies[0].text
    assert await signups.status_of(event_id, bo.id) is SignupStatus.CANCELLED

    sent = await harness.at(local("2027-05-09 18:05"))
    assert [s.user_id for s in sent] == ["cai"]
    # cai does not answer: after 2 h the offer expires and dan gets it.
    sent = await harness.at(local("2027-05-09 20:05"))
    assert sorted(s.user_id for s in sent) == ["cai", "dan"]
    assert await signups.status_of(event_id, cai.id) is SignupStatus.CANCELLED
    # cai is told: the offer expired, they are off the waiting list, and how to join it again.
    [told] = [s.message for s in sent if s.user_id == "cai"]
    assert "went to the next person" in told.text and "no longer on the waiting list" in told.text
    assert told.personal and [b.label for b in told.numbered_choices()] == ["Sign up again", "My events"]
    sent = [s for s in sent if s.user_id == "dan"]
    replies = await harness.say("cai", payload=_press(harness.connector.to("cai")[0], "Yes"))
    assert "no longer open" in replies[0].text

    replies = await harness.say("dan", payload=_press(sent[0].message, "Yes"))
    assert "signed up" in replies[0].text
    assert await signups.status_of(event_id, dan.id) is SignupStatus.CONFIRMED
    replies = await harness.say("dan", payload=_press(sent[0].message, "Yes"))
    assert "already have this seat" in replies[0].text
    rows = [r for r in await harness.scheduler.outbox.items() if r.kind is Kind.OFFER]
    assert [r.status for r in rows] == [Status.SENT] * 3


async def test_offer_is_shorter_when_the_event_starts_soon(harness: Harness) -> None:
    event_id = await _one_seat(harness, "MM007")
    harness.clock.set(local("2027-05-11 12:00"))  # an hour before the start
    anna = await harness.sign_up("anna", "MM007")
    await harness.sign_up("bo", "MM007")
    await harness.store.signups.cancel(event_id, anna.id, harness.clock.now())
    await harness.at(local("2027-05-11 12:00"))
    row = next(r for r in await harness.scheduler.outbox.items() if r.kind is Kind.OFFER)
    assert row.expires_at == local("2027-05-11 12:45"), "15 minutes before the start"


async def test_an_offer_can_be_answered_by_typing_its_number(harness: Harness) -> None:
    """Channels without buttons (Matrix) show the offer's buttons as numbered lines."""
    event_id = await _one_seat(harness, "MM007")
    harness.clock.set(local("2027-05-09 18:00"))
    anna = await harness.sign_up("anna", "MM007", "en")
    bo = await harness.sign_up("bo", "MM007", "en")
    await harness.store.signups.cancel(event_id, anna.id, harness.clock.now())
    [sent] = await harness.at(local("2027-05-09 18:00"))
    labels = [b.label for b in sent.message.numbered_choices() if b.payload]
    yes = next(number for number, label in enumerate(labels, start=1) if "Yes" in label)
    await harness.say("bo", text=str(yes))
    assert await harness.store.signups.status_of(event_id, bo.id) is SignupStatus.CONFIRMED


async def test_an_offer_to_someone_who_left_the_waiting_list_cannot_be_accepted_later(harness: Harness) -> None:
    event_id = await _one_seat(harness, "MM007")
    harness.clock.set(local("2027-05-09 18:00"))
    anna = await harness.sign_up("anna", "MM007", "en")
    bo = await harness.sign_up("bo", "MM007", "en")
    signups = harness.store.signups
    await signups.cancel(event_id, anna.id, harness.clock.now())
    [sent] = await harness.at(local("2027-05-09 18:00"))
    assert sent.user_id == "bo"
    # bo leaves the waiting list without answering; the seat is free again and eve takes it.
    await signups.cancel(event_id, bo.id, harness.clock.now())
    eve = await harness.sign_up("eve", "MM007", "en")
    assert await signups.status_of(event_id, eve.id) is SignupStatus.CONFIRMED
    # Then bo presses "Yes" under the old offer, well before it would expire.
    replies = await harness.say("bo", payload=_press(sent.message, "Yes"))
    assert "no longer open" in replies[0].text
    assert await signups.status_of(event_id, bo.id) is SignupStatus.CANCELLED
    assert [await signups.status_of(event_id, p.id) for p in (anna, bo, eve)].count(SignupStatus.CONFIRMED) == 1
