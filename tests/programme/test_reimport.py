from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.model import EventStatus, SignupStatus
from bot.programme import load_programme_file
from bot.store import Store

from .support import NOW, SCHEDULE, fixture_json, talks, write_json

LATER = NOW + timedelta(days=1)


async def test_reimport_of_the_same_file_changes_nothing(store: Store) -> None:
    await store.programme.apply(load_programme_file(SCHEDULE), NOW)
    first = await store.programme.snapshot()

    report = await store.programme.apply(load_programme_file(SCHEDULE), LATER)

    assert len(report.unchanged) == 27
    assert report.created == report.updated == report.moved == report.cancelled == []
    second = await store.programme.snapshot()
    assert first is not None and second is not None
    assert second.events == first.events
    assert second.venues == first.venues


async def test_reimport_marks_moved_and_cancelled_and_keeps_signups(store: Store, tmp_path: Path) -> None:
    await store.programme.apply(load_programme_file(SCHEDULE), NOW)
    lunch_id = await store.programme.event_id("MM003")
    assert lunch_id is not None
    person = await store.people.create("telegram", "4711", "sv", NOW)
    outcome = await store.signups.sign_up(lunch_id, person.id, NOW)
    assert outcome.status is SignupStatus.CONFIRMED

    data = fixture_json()
    by_code = talks(data)
    by_code["MM001"]["date"] = "2027-05-10T10:30:00+02:00"
    # MM002 changes room: out of its room's list, into Stadshuset's.
    day = data["schedule"]["conference"]["days"][0]
    mm002 = by_code["MM002"]
    day["rooms"][mm002["room"]].remove(mm002)
    mm002["room"] = "Stadshuset – Sessionssalen"
    day["rooms"].setdefault(mm002["room"], []).append(mm002)
    # MM003 is gone from the new file.
    for room_talks in day["rooms"].values():
        room_talks[:] = [talk for talk in room_talks if talk["code"] != "MM003"]
    changed = write_json(tmp_path / "schedule.json", data)

    report = await store.programme.apply(load_programme_file(changed), LATER)

    assert sorted(report.moved) == ["MM001", "MM002"]
    assert report.cancelled == ["MM003"]
    assert len(report.unchanged) == 24
    snapshot = await store.programme.snapshot()
    assert snapshot is not None
    opening, panel, lunch = (snapshot.event(code) for code in ("MM001", "MM002", "MM003"))
    assert opening is not None and panel is not None and lunch is not None
    assert opening.status is EventStatus.MOVED
    assert opening.starts_at == datetime(2027, 5, 10, 8, 30, tzinfo=UTC)
    assert opening.ends_at == datetime(2027, 5, 10, 9, 30, tzinfo=UTC)
    assert panel.status is EventStatus.MOVED
    venue = snapshot.venue_of(panel)
    assert venue is not None and venue.name == "Stadshuset – Sessionssalen"
    assert lunch.status is EventStatus.CANCELLED
    # Cancelled, never deleted: the signup is still there for the cancellation notice.
    assert await store.signups.status_of(lunch_id, person.id) is SignupStatus.CONFIRMED
    assert [mine.event_code for mine in await store.signups.of_person(person.id)] == ["MM003"]


async def test_event_back_in_the_file_is_scheduled_again(store: Store, tmp_path: Path) -> None:
    await store.programme.apply(load_programme_file(SCHEDULE), NOW)
    data = fixture_json()
    for day in data["schedule"]["conference"]["days"]:
        for room_talks in day["rooms"].values():
            room_talks[:] = [talk for talk in room_talks if talk["code"] != "MM010"]
    await store.programme.apply(load_programme_file(write_json(tmp_path / "s.json", data)), LATER)

    report = await store.programme.apply(load_programme_file(SCHEDULE), LATER + timedelta(hours=1))

    assert report.updated == ["MM010"]
    snapshot = await store.programme.snapshot()
    assert snapshot is not None
    event = snapshot.event("MM010")
    assert event is not None and event.status is EventStatus.SCHEDULED
