"""What a person asked for, as the engine and the programme search see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from bot.model import Event, FaqEntry

PARTS_OF_DAY = ("morning", "afternoon", "evening")


@dataclass(frozen=True)
class ProgrammeQuery:
    """Filters and ranking words; every field is optional and empty means "any"."""

    date_from: date | None = None
    date_to: date | None = None
    """Local festival dates, inclusive."""
    part_of_day: str | None = None
    """One of PARTS_OF_DAY."""
    running_now: bool = False
    upcoming: bool = False
    languages: frozenset[str] = frozenset()
    """Event language codes."""
    exclude_languages: frozenset[str] = frozenset()
    """Event languages not wanted ("I don't speak Swedish")."""
    types: frozenset[str] = frozenset()
    """Event types as written in the data ("Workshop", "Konsert")."""
    venue_keys: frozenset[str] = frozenset()
    terms: tuple[str, ...] = ()
    """Content words and glossary phrases ("online hate") that rank events; any language."""
    online: bool = False
    type_concepts: frozenset[str] = frozenset()
    """Kinds of event from the glossary ("concert"): also matches events whose title says so when
    the data has no such type."""
    after: time | None = None
    """Only events that start at or after this local clock time ("efter kl 18")."""
    before: time | None = None
    """Only events that start before this local clock time ("before 12")."""
    at: time | None = None
    """Only events running at this local clock time or starting within the hour after it ("kl 15")."""
    include_past: bool = False
    """Also events that have already ended (otherwise only for a date range wholly in the past)."""
    limit: int | None = None
    """At most this many events; `upcoming` alone defaults to a few."""


@dataclass(frozen=True)
class Understanding:
    intent: str
    """"events" | "faq" | "faq_unsure" | "venue" | "language" | "small_talk" | "fallback".

    "venue": how to get to (or into) the venues in `venue_keys`; "language": the person asks
    whether the bot speaks `languages` ("Can you speak Arabic?"). With "events" or "venue", a
    non-empty `faq` is an answer to give as well ("is the Arabic workshop free?")."""
    query: ProgrammeQuery | None = None
    events: list[Event] = field(default_factory=list)
    """Ranked, best first (chronological for browsing); empty means nothing matched the filters."""
    faq: list[tuple[FaqEntry, float]] = field(default_factory=list)
    """For "faq" the first is the answer; for "faq_unsure" the two closest."""
    note: str | None = None
    """Why the events differ from the literal question, for the reply to say so:
    "nothing_now" (nothing is running, these come next), "ended" (what was asked for has
    already ended today), "past_only" (only past events match; see `ended`), "other_kinds"
    (nothing of the kind asked for matches; these match the rest)."""
    ended: list[Event] = field(default_factory=list)
    """Events that match but have already ended, when nothing upcoming matched."""
    venue_keys: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    """Words that matched nothing in the programme and so did not narrow the search."""
    small_talk: str | None = None
    """For "small_talk": which kind (bot.understand.smalltalk.KINDS)."""
