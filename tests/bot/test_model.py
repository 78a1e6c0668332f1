"""The festival data model keeps organiser text clean of bidi controls."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.model import Event, FaqEntry, Venue

OVERRIDE = "\u202e"


def test_bidi_overrides_are_removed_from_every_kind_of_organiser_text() -> None:
    starts = datetime(2027, 5, 10, 10, tzinfo=UTC)
    event = Event(
        code="X1",
        title={"sv": f"Gratis {OVERRIDE}fika\u202c", "ar": "\u2067مالمو\u2069"},
        abstract={"en": f"{OVERRIDE}txet"},
        type=f"Work{OVERRIDE}shop",
        organisation="\u202aMalmö stad\u202c",
        topics=[f"{OVERRIDE}demokrati"],
        keywords=["\u202bنقاش"],
        starts_at=starts,
        ends_at=starts,
    )
    assert event.title == {"sv": "Gratis fika", "ar": "مالمو"}
    assert event.abstract == {"en": "txet"}
    assert (event.type, event.organisation, event.topics, event.keywords) == (
        "Workshop",
        "Malmö stad",
        ["demokrati"],
        ["نقاش"],
    )
    venue = Venue(key="v", name=f"{OVERRIDE}Nobel 21", address=f"Nobelvägen{OVERRIDE} 21")
    assert (venue.name, venue.address) == ("Nobel 21", "Nobelvägen 21")
    faq = FaqEntry(key="k", questions={"sv": [f"Kostar{OVERRIDE} det?"]}, answer={"sv": f"Nej{OVERRIDE}."})
    assert faq.questions == {"sv": ["Kostar det?"]} and faq.answer == {"sv": "Nej."}
