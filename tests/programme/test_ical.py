from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.model import EventStatus
from bot.programme import load_programme_file
from bot.programme.ics_export import event_calendar, festival_calendar
from bot.store import Store
from bot.store.programme import ProgrammeSnapshot

from .support import FAQ, NOW, SCHEDULE, fixture_json, talks, write_json

STOCKHOLM = ZoneInfo("Europe/Stockholm")


async def _imported(store: Store) -> ProgrammeSnapshot:
    await store.programme.apply(load_programme_file(SCHEDULE), NOW)
    await store.programme.apply(load_programme_file(FAQ), NOW)
    snapshot = await store.programme.snapshot()
    assert snapshot is not None
    return snapshot


async def test_festival_calendar_holds_every_event_at_its_time(store: Store) -> None:
    snapshot = await _imported(store)

    calendar = Calendar.from_ical(festival_calendar(snapshot, "en"))

    assert calendar.calendar_name == "Malmö Möts 2027"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Stockholm"
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Stockholm"]
    by_uid = {str(vevent.uid): vevent for vevent in calendar.events}
    assert len(by_uid) == 27
    for event in snapshot.events:
        vevent = by_uid[f"{event.code}@mm2027.motsbot"]
        assert vevent.start == event.starts_at
        assert vevent.end == event.ends_at
        assert vevent.start.tzinfo is not None
    opening = by_uid["MM001@mm2027.motsbot"]
    assert opening.start == datetime(2027, 5, 10, 9, 30, tzinfo=STOCKHOLM)
    assert str(opening["SUMMARY"]) == "Invigning av Malmö Möts 2027"
    assert opening["SUMMARY"].params["LANGUAGE"] == "sv"
    assert str(opening["LOCATION"]) == (
        "Malmö universitet – Niagara aula, Malmö universitet, Niagara, Nordenskiöldsgatan 1"
    )
    assert str(opening["URL"]) == "https://program.example.org/mm2027/talk/MM001/"
    assert str(opening["STATUS"]) == "CONFIRMED"


async def test_text_in_another_language_says_which(store: Store, tmp_path: Path) -> None:
    data = fixture_json()
    talks(data)["MM001"]["language"] = "ar"
    await store.programme.apply(load_programme_file(write_json(tmp_path / "s.json", data)), NOW)
    snapshot = await store.programme.snapshot()
    assert snapshot is not None
    opening = snapshot.event("MM001")
    assert opening is not None and list(opening.title) == ["ar"]

    # Finnish is asked for, neither it nor the fallbacks (en, sv) is written: the Arabic title.
    vevent = Calendar.from_ical(event_calendar(snapshot, opening, "fi")).events[0]

    assert str(vevent["SUMMARY"]) == opening.title["ar"]
    assert vevent["SUMMARY"].params["LANGUAGE"] == "ar"
    assert vevent["DESCRIPTION"].params["LANGUAGE"] == "ar"


async def test_event_calendar_is_one_stable_event(store: Store) -> None:
    snapshot = await _imported(store)
    lunch = snapshot.event("MM003")
    assert lunch is not None

    first = Calendar.from_ical(event_calendar(snapshot, lunch, "sv"))
    again = Calendar.from_ical(event_calendar(snapshot, lunch, "en"))

    assert len(first.events) == 1
    vevent = first.events[0]
    assert str(vevent.uid) == str(again.events[0].uid) == "MM003@mm2027.motsbot"
    assert vevent.start == lunch.starts_at and vevent.end == lunch.ends_at
    assert str(vevent["DESCRIPTION"]).startswith("Informell lunch om hur vi")
    assert str(vevent["LOCATION"]).startswith("Nobel 21 – Stora salen, Föreningscentret Nobel 21")
    assert str(vevent["X-MOTSBOT-CAPACITY"]) == "40"


async def test_cancelled_events_are_exported_as_cancelled(store: Store, tmp_path: Path) -> None:
    await store.programme.apply(load_programme_file(SCHEDULE), NOW)
    data = fixture_json()
    for day in data["schedule"]["conference"]["days"]:
        for room_talks in day["rooms"].values():
            room_talks[:] = [talk for talk in room_talks if talk["code"] != "MM005"]
    await store.programme.apply(load_programme_file(write_json(tmp_path / "s.json", data)), NOW)
    snapshot = await store.programme.snapshot()
    assert snapshot is not None

    calendar = Calendar.from_ical(festival_calendar(snapshot, "sv"))

    status = {str(vevent.uid): str(vevent["STATUS"]) for vevent in calendar.events}
    assert status.pop("MM005@mm2027.motsbot") == "CANCELLED"
    assert set(status.values()) == {"CONFIRMED"}


async def test_exported_calendar_imports_back_unchanged(store: Store, tmp_path: Path) -> None:
    snapshot = await _imported(store)
    exported = tmp_path / "mm2027.ics"
    exported.write_bytes(festival_calendar(snapshot, "sv"))

    programme = load_programme_file(exported)

    assert programme.festival is not None
    assert programme.festival.slug == "mm2027"
    assert (programme.festival.start_date, programme.festival.end_date) == (
        snapshot.festival.start_date,
        snapshot.festival.end_date,
    )
    theirs = {event.code: event for event in snapshot.events}
    for event in programme.events:
        original = theirs.pop(event.code)
        assert event.model_dump(exclude={"id"}) == original.model_dump(exclude={"id"})
    assert theirs == {}
    assert {venue.key for venue in programme.venues} == set(snapshot.venues)
    report = await store.programme.apply(programme, NOW + timedelta(days=1))
    assert len(report.unchanged) == 27


ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Föreningen//Kalender//SV
X-WR-TIMEZONE:Europe/Stockholm
BEGIN:VEVENT
UID:dans-1@forening.example
DTSTAMP:20270101T000000Z
SUMMARY;LANGUAGE=en:Dance evening
DESCRIPTION:Bring your friends.
DTSTART:20270511T190000
DTEND:20270511T220000
LOCATION:Folkets park
CATEGORIES:Konsert,Kultur
END:VEVENT
BEGIN:VEVENT
UID:loppis@forening.example
DTSTAMP:20270101T000000Z
SUMMARY:Loppis
DTSTART;VALUE=DATE:20270512
DTEND;VALUE=DATE:20270513
LOCATION:Folkets park
X-MOTSBOT-CAPACITY:0
END:VEVENT
END:VCALENDAR
"""


async def test_foreign_calendar_without_name_joins_the_current_festival(store: Store, tmp_path: Path) -> None:
    await store.programme.apply(load_programme_file(SCHEDULE), NOW)
    path = tmp_path / "forening.ics"
    path.write_text(ICS.replace("\n", "\r\n"), encoding="utf-8")

    programme = load_programme_file(path)

    assert programme.festival is None
    dance, market = programme.events
    assert dance.code == "dans-1@forening.example"
    assert dance.title == {"en": "Dance evening"} and dance.language == "en"
    assert dance.abstract == {"en": "Bring your friends."}
    # Floating times are the calendar's own zone.
    assert dance.starts_at == datetime(2027, 5, 11, 17, 0, tzinfo=UTC)
    assert dance.ends_at == datetime(2027, 5, 11, 20, 0, tzinfo=UTC)
    assert (dance.type, dance.topics, dance.track) == ("Konsert", ["Kultur"], "Kultur")
    assert dance.venue_key == "Folkets park" and dance.capacity is None and not dance.signup_required
    assert market.starts_at == datetime(2027, 5, 12, tzinfo=STOCKHOLM)
    assert market.ends_at == datetime(2027, 5, 13, tzinfo=STOCKHOLM)
    assert market.capacity == 0 and market.signup_required
    assert [venue.name for venue in programme.venues] == ["Folkets park"]

    report = await store.programme.apply(programme, NOW)

    assert sorted(report.created) == ["dans-1@forening.example", "loppis@forening.example"]
    # The iCal file is the whole programme now: the pretalx events were cancelled, not deleted.
    assert len(report.cancelled) == 27
    snapshot = await store.programme.snapshot()
    assert snapshot is not None and snapshot.festival.slug == "mm2027"
    assert sum(event.status is EventStatus.CANCELLED for event in snapshot.events) == 27
