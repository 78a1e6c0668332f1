from __future__ import annotations

from datetime import UTC, datetime

from bot.model import EventStatus
from bot.programme import load_programme_file
from bot.programme.demo import demo_files
from bot.store import Store

from .support import FAQ, NOW, SCHEDULE


async def test_fixture_imports_27_events_7_rooms_and_9_faq_entries(store: Store) -> None:
    report = await store.programme.apply(load_programme_file(SCHEDULE), NOW)
    faq_report = await store.programme.apply(load_programme_file(FAQ), NOW)

    assert len(report.created) == 27
    assert report.venues == 7
    assert faq_report.faq == 9
    snapshot = await store.programme.snapshot()
    assert snapshot is not None
    assert snapshot.festival.slug == "mm2027"
    assert snapshot.festival.time_zone == "Europe/Stockholm"
    assert len(snapshot.events) == 27
    assert len(snapshot.venues) == 7
    assert len(snapshot.faq) == 9


async def test_talk_fields_are_mapped(store: Store) -> None:
    await store.programme.apply(load_programme_file(SCHEDULE), NOW)
    snapshot = await store.programme.snapshot()
    assert snapshot is not None

    opening = snapshot.event("MM001")
    assert opening is not None
    assert opening.title == {"sv": "Invigning av Malmö Möts 2027"}
    assert opening.starts_at == datetime(2027, 5, 10, 7, 30, tzinfo=UTC)
    assert opening.ends_at == datetime(2027, 5, 10, 8, 30, tzinfo=UTC)
    assert opening.type == "Seminarium"
    assert opening.topics == ["Demokrati"]
    assert opening.capacity is None and not opening.signup_required
    assert opening.organisation == "Stadsdirektören, Kommunalråd för demokrati"
    venue = snapshot.venue_of(opening)
    assert venue is not None
    assert venue.name == "Malmö universitet – Niagara aula"
    assert venue.address == "Malmö universitet, Niagara, Nordenskiöldsgatan 1"
    assert venue.accessibility["sv"].endswith("Hörslinga, rullstolsplatser.")
    assert venue.capacity == 300

    lunch = snapshot.event("MM003")
    assert lunch is not None
    assert lunch.capacity == 40 and lunch.signup_required


async def test_talk_languages_key_the_texts() -> None:
    programme = load_programme_file(SCHEDULE)
    languages = {event.language for event in programme.events}
    assert {"sv", "en", "ar"} <= languages
    for event in programme.events:
        assert list(event.title) == [event.language]
        assert event.starts_at.tzinfo is not None and event.ends_at.tzinfo is not None


async def test_faq_questions_become_variant_lists() -> None:
    programme = load_programme_file(FAQ)
    assert programme.festival is None and programme.complete
    cost = next(entry for entry in programme.faq if entry.key == "cost")
    assert cost.questions["en"] == ["Does it cost anything to attend?"]
    assert set(cost.answer) == {"sv", "en", "ar", "fi", "so", "fa"}


async def test_demo_festival_is_the_fixture_and_loads(store: Store) -> None:
    schedule, faq, _glossary = demo_files()
    assert schedule.read_bytes() == SCHEDULE.read_bytes()
    assert faq.read_bytes() == FAQ.read_bytes()
    for path in demo_files():
        await store.programme.apply(load_programme_file(path), NOW)
    snapshot = await store.programme.snapshot()
    assert snapshot is not None
    assert len(snapshot.events) == 27 and len(snapshot.faq) == 9
    assert all(event.status is EventStatus.SCHEDULED for event in snapshot.events)
