"""The fixture festival as an in-memory snapshot, the way the store hands it to the engine."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.model import Festival
from bot.programme.loader import load_programme_file
from bot.store.programme import ProgrammeSnapshot

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SCHEDULE = FIXTURES / "malmo-mots-2027.schedule.json"
FAQ = FIXTURES / "malmo-mots-2027.faq.json"


@cache
def fixture_snapshot() -> ProgrammeSnapshot:
    programme = load_programme_file(SCHEDULE)
    faq = load_programme_file(FAQ).faq
    festival = programme.festival
    assert isinstance(festival, Festival)
    events = sorted(programme.events, key=lambda e: (e.starts_at, e.code))
    venues = {venue.key: venue for venue in programme.venues}
    return ProgrammeSnapshot(festival, 1, venues, events, faq)
