"""Reminders: 24 h and 1 h before, quiet hours, moved and cancelled events, downtime catch-up."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.model import EventStatus
from scheduler.outbox import Kind, Status
from scheduler.plan import PlanReport
from tests.scheduler.conftest import Harness, local


async def test_reminders_go_24_h_and_1_h_before_in_the_persons_language(harness: Harness) -> None:
    await harness.sign_up("ana", "MM007", "en")  # Tue 11 May 13:00–15:00
    assert await harness.at(local("2027-05-10 12:59")) == []
    sent = await harness.at(local("2027-05-10 13:00"))
    assert [s.user_id for s in sent] == ["ana"]
    message = sent[0].message
    assert message.text.startswith("Reminder:") and message.events == ["MM007"] and message.personal
    assert [b.label for b in message.numbered_choices()] == ["Open the event", "Cancel my place"]
    assert await harness.at(local("2027-05-11 11:59")) == []
    sent = await harness.at(local("2027-05-11 12:00"))
    assert [s.user_id for s in sent] == ["ana"]
    assert await harness.at(local("2027-05-11 12:30")) == [], "each reminder is sent once"
    rows = await harness.scheduler.outbox.items()
    reminders = [r for r in rows if r.kind is Kind.REMINDER]
    assert [(r.status, r.attempts) for r in reminders] == [(Status.SENT, 1), (Status.SENT, 1)]
    assert all(r.platform_message_id for r in reminders)


async def test_no_reminder_that_was_already_due_when_the_person_signed_up(harness: Harness) -> None:
    harness.clock.set(local("2027-05-10 18:00"))  # 19 h before MM007
    await harness.sign_up("ben", "MM007")
    assert await harness.at(local("2027-05-10 18:01")) == []
    assert len(await harness.at(local("2027-05-11 12:00"))) == 1


async def test_quiet_hours_move_a_reminder_earlier_never_into_the_night(harness: Harness) -> None:
    await harness.sign_up("cia", "MM007")
    harness.clock.set(local("2027-05-09 15:00"))
    # Moved to start at 08:30: the 1-h reminder would fall at 07:30, inside 22–08.
    await harness.change_programme("MM007", starts_at=local("2027-05-12 08:30"), ends_at=local("2027-05-12 10:00"))
    await harness.at(local("2027-05-09 15:00"))
    rows = await harness.scheduler.outbox.items()
    pending = sorted(r.not_before for r in rows if r.kind is Kind.REMINDER and r.status is Status.PENDING)
    assert pending == [local("2027-05-11 08:30"), local("2027-05-11 21:59")]
    assert len(await harness.at(local("2027-05-11 08:30"))) == 1
    assert [s.user_id for s in await harness.at(local("2027-05-11 21:59"))] == ["cia"]
    assert await harness.at(local("2027-05-12 07:30")) == []


async def test_moved_event_moves_its_reminders_and_tells_the_attendee(harness: Harness) -> None:
    await harness.sign_up("dan", "MM007")
    await harness.at(local("2027-05-10 12:00"))
    harness.clock.set(local("2027-05-10 12:30"))
    await harness.change_programme("MM007", starts_at=local("2027-05-11 17:00"), ends_at=local("2027-05-11 19:00"))
    sent = await harness.at(local("2027-05-10 12:31"))
    assert len(sent) == 1 and "Ny tid" in sent[0].message.text and "17:00" in sent[0].message.text
    rows = await harness.scheduler.outbox.items()
    old = [r for r in rows if r.kind is Kind.REMINDER and r.status is Status.CANCELLED]
    assert len(old) == 2 and {r.reason for r in old} == {"event moved"}
    assert await harness.at(local("2027-05-10 13:00")) == [], "the old 24-h reminder is gone"
    assert len(await harness.at(local("2027-05-10 17:00"))) == 1
    assert len(await harness.at(local("2027-05-11 16:00"))) == 1


async def test_cancelled_event_cancels_reminders_and_tells_attendees_at_once(harness: Harness) -> None:
    await harness.sign_up("eva", "MM007", "en")
    await harness.sign_up("fia", "MM009", "en")
    await harness.at(local("2027-05-09 20:00"))
    harness.clock.set(local("2027-05-10 09:00"))
    await harness.change_programme("MM007", status=EventStatus.CANCELLED)
    sent = await harness.at(local("2027-05-10 09:00"))
    assert [s.user_id for s in sent] == ["eva"]
    assert "is cancelled" in sent[0].message.text
    assert await harness.at(local("2027-05-10 13:00")) == []
    assert [s.message.events for s in await harness.at(local("2027-05-11 12:00"))] == [["MM009"]]
    rows = [r for r in await harness.scheduler.outbox.items() if r.event_id == (await harness.event("MM007")).id]
    assert {(r.kind, r.status, r.reason) for r in rows} == {
        (Kind.REMINDER, Status.CANCELLED, "event cancelled"),
        (Kind.POLL, Status.CANCELLED, "event cancelled"),
        (Kind.POLL_NUDGE, Status.CANCELLED, "event cancelled"),
        (Kind.CANCELLED, Status.SENT, None),
    }


async def test_cancelled_signup_cancels_its_reminders(harness: Harness) -> None:
    person = await harness.sign_up("gus", "MM007")
    await harness.at(local("2027-05-09 20:00"))
    event = await harness.event("MM007")
    assert event.id is not None
    await harness.store.signups.cancel(event.id, person.id, harness.clock.now())
    assert await harness.at(local("2027-05-10 13:00")) == []
    reasons = {r.reason for r in await harness.scheduler.outbox.items() if r.kind is Kind.REMINDER}
    assert reasons == {"signup cancelled"}


async def test_downtime_catch_up_sends_only_what_is_still_useful(harness: Harness) -> None:
    harness.clock.set(local("2027-05-09 16:00"))
    await harness.sign_up("hal", "MM007")  # 11 May 13:00
    await harness.sign_up("hal", "MM004")  # 10 May 15:00: its 24-h reminder was due before the signup
    assert await harness.at(local("2027-05-09 20:00")) == []
    # Down from 10 May 11:00 to 11 May 12:30: both MM004 reminders and MM007's 24-h one fell due,
    # and MM004's poll. The poll is still open, so it goes; of MM007's reminders only the 1-h one.
    sent = await harness.at(local("2027-05-11 12:30"))
    assert sorted((s.message.events[0], s.message.poll is not None) for s in sent) == [
        ("MM004", True),
        ("MM007", False),
    ]
    rows = {r.key: r for r in await harness.scheduler.outbox.items() if r.kind is Kind.REMINDER}
    outcomes = sorted((r.status.value, r.reason or "") for r in rows.values())
    assert outcomes == [
        ("expired", "superseded by a later reminder"),
        ("expired", "too late: the event has started"),
        ("sent", ""),
    ]


async def test_planning_is_skipped_until_something_it_is_made_from_changes(harness: Harness) -> None:
    await harness.sign_up("gus", "MM007")
    planner = harness.scheduler.planner
    first = await planner.plan(local("2027-05-09 15:00"))
    assert first.added > 0  # reminders, the poll and its nudge
    calls: list[object] = []
    real = planner._plan

    async def counted(now: object, only: set[int] | None = None) -> object:
        calls.append(now)
        return await real(now, only)  # type: ignore[arg-type]

    planner._plan = counted  # type: ignore[method-assign]
    await planner.plan(local("2027-05-09 15:01"))
    assert calls == [], "nothing changed: no planning under the write lock"
    await harness.sign_up("hil", "MM007")
    report = await planner.plan(local("2027-05-09 15:02"))
    assert len(calls) == 1 and report.added == first.added
    await harness.change_programme("MM007", starts_at=local("2027-05-12 17:00"), ends_at=local("2027-05-12 19:00"))
    report = await planner.plan(local("2027-05-09 15:03"))
    assert len(calls) == 2 and report.moved > 0


async def test_a_change_in_one_events_signups_plans_that_event_again_and_agrees_with_a_whole_plan(
    harness: Harness,
) -> None:
    gus = await harness.sign_up("gus", "MM007")
    await harness.sign_up("ida", "MM008")
    planner = harness.scheduler.planner
    await planner.plan(local("2027-05-09 15:00"))
    planned: list[set[int] | None] = []
    real = planner._plan

    async def recorded(now: datetime, only: set[int] | None = None) -> PlanReport:
        planned.append(only)
        return await real(now, only)

    planner._plan = recorded  # type: ignore[method-assign]
    mm007 = await harness.event("MM007")
    assert mm007.id is not None
    await harness.sign_up("hil", "MM007")
    await harness.store.signups.cancel(mm007.id, gus.id, local("2027-05-09 15:01"))
    report = await planner.plan(local("2027-05-09 15:02"))
    assert planned == [{mm007.id}], "only the event whose signups changed is planned again"
    assert report.added > 0 and set(report.cancelled) == {"signup cancelled"}
    whole = await real(local("2027-05-09 15:03"))
    assert (whole.added, whole.moved, whole.cancelled) == (0, 0, {}), "a whole plan finds nothing left to do"
    await harness.change_programme("MM008", starts_at=local("2027-05-12 17:00"), ends_at=local("2027-05-12 19:00"))
    await planner.plan(local("2027-05-09 15:04"))
    assert planned[-1] is None, "a new programme revision plans every event"


async def test_signing_up_again_after_cancelling_brings_the_reminders_and_the_poll_back(harness: Harness) -> None:
    person = await harness.sign_up("gus", "MM007")  # Tue 11 May 13:00–15:00
    await harness.at(local("2027-05-09 20:00"))
    event = await harness.event("MM007")
    assert event.id is not None
    await harness.store.signups.cancel(event.id, person.id, harness.clock.now())
    await harness.at(local("2027-05-09 20:05"))
    rows = [r for r in await harness.scheduler.outbox.items() if r.event_id == event.id]
    assert {(r.status, r.reason) for r in rows} == {(Status.CANCELLED, "signup cancelled")}

    # The same signup comes back (its id, so its reminders' keys): so do its rows.
    await harness.store.signups.sign_up(event.id, person.id, harness.clock.now())
    await harness.at(local("2027-05-09 20:10"))
    rows = [r for r in await harness.scheduler.outbox.items() if r.event_id == event.id]
    assert sorted(r.kind.value for r in rows if r.status is Status.PENDING) == [
        "poll",
        "poll_nudge",
        "reminder",
        "reminder",
    ]
    assert [s.user_id for s in await harness.at(local("2027-05-10 13:00"))] == ["gus"]
    assert [s.user_id for s in await harness.at(local("2027-05-11 12:00"))] == ["gus"]
    assert [s.message.poll is not None for s in await harness.at(local("2027-05-11 15:30"))] == [True]


async def test_the_planner_reads_without_holding_up_writers_and_a_change_meanwhile_is_planned_next(
    harness: Harness,
) -> None:
    gus = await harness.sign_up("gus", "MM007")
    mm007 = await harness.event("MM007")
    assert mm007.id is not None
    planner = harness.scheduler.planner
    real = planner._changes

    async def changes_then_cancel(conn: Any, now: datetime, only: set[int] | None) -> Any:
        found = await real(conn, now, only)
        # Writes while the plan is worked out: refused if the planner held the write lock here.
        await harness.store.signups.cancel(mm007.id, gus.id, now)  # type: ignore[arg-type]
        return found

    planner._changes = changes_then_cancel  # type: ignore[method-assign]
    report = await planner.plan(local("2027-05-09 15:00"))
    assert report.added == 4, "the plan as read: two reminders, the poll and its nudge"
    planner._changes = real  # type: ignore[method-assign]
    report = await planner.plan(local("2027-05-09 15:01"))
    assert report.cancelled == {"signup cancelled": 4}, "the next run sees the cancellation"
    assert await harness.at(local("2027-05-10 13:00")) == []
