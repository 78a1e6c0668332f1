"""The festival data model (pydantic v2): what importers produce and the store returns."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

LANGUAGES = ("sv", "en", "ar", "fi", "so", "fa")
"""Languages the bot speaks; the first four are complete, the rest fall back to English."""
RTL_LANGUAGES = frozenset({"ar", "fa"})
FALLBACK_ORDER = ("en", "sv")
"""Organiser text falls back to these after the person's own language."""


_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def strip_bidi_controls(text: str) -> str:
    """Removes bidi embeddings, overrides and isolates from organiser text.

    An override in a title could make it read as something else; the bot adds its own isolates
    where it mixes directions (`Translator.isolate`), so none from the data are needed.
    """
    return text.translate(_BIDI_CONTROLS)


def _clean_languages(value: dict[str, str]) -> dict[str, str]:
    return {lang.strip().lower(): strip_bidi_controls(text) for lang, text in value.items() if text and text.strip()}


LocalizedText = Annotated[dict[str, str], AfterValidator(_clean_languages)]
"""Organiser-entered text per language code, e.g. {"sv": "Invigning", "en": "Opening"}."""

OrganiserText = Annotated[str, AfterValidator(strip_bidi_controls)]
"""One organiser-entered string (a name, an address, a type)."""


def pick(text: dict[str, str], lang: str) -> str:
    """The text in `lang`, else in the fallback order, else in any language, else ''."""
    for candidate in (lang, *FALLBACK_ORDER):
        if text.get(candidate):
            return text[candidate]
    return next(iter(text.values()), "")


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    MOVED = "moved"
    CANCELLED = "cancelled"


class SignupStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Festival(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int | None = None
    slug: str
    name: LocalizedText
    time_zone: str = "Europe/Stockholm"
    start_date: date
    end_date: date


class Venue(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int | None = None
    key: str
    """Stable id from the source (pretalx room guid, or the name)."""
    name: OrganiserText
    address: OrganiserText = ""
    accessibility: LocalizedText = Field(default_factory=dict)
    capacity: int | None = None


class Event(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int | None = None
    code: str
    title: LocalizedText
    abstract: LocalizedText = Field(default_factory=dict)
    type: OrganiserText = ""
    track: OrganiserText = ""
    topics: list[OrganiserText] = Field(default_factory=list)
    keywords: list[OrganiserText] = Field(default_factory=list)
    """Extra search words and translations organisers add (any language)."""
    language: str = "sv"
    starts_at: datetime
    ends_at: datetime
    venue_key: str | None = None
    capacity: int | None = None
    """None means unlimited."""
    signup_required: bool = False
    audience: LocalizedText = Field(default_factory=dict)
    organisation: OrganiserText = ""
    status: EventStatus = EventStatus.SCHEDULED
    url: str | None = None


class FaqEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    questions: dict[str, list[OrganiserText]]
    """Question variants per language."""
    answer: LocalizedText


class GlossaryTerm(BaseModel):
    """One phrase of a glossary concept: every phrase of a concept finds what any other says."""

    model_config = ConfigDict(frozen=True)

    concept: str
    language: str
    phrase: str


class Programme(BaseModel):
    """Everything one import file brings: what the importer hands to the store in one go."""

    festival: Festival | None = None
    venues: list[Venue] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    faq: list[FaqEntry] = Field(default_factory=list)
    glossary: list[GlossaryTerm] = Field(default_factory=list)
    """When not empty, the festival's whole glossary: it replaces the stored one."""
    complete: bool = True
    """True when the file is the whole programme, so events missing from it were removed."""


class Person(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    channel: str
    channel_user_id: str
    language: str
    created_at: datetime
    reachable: bool = True
    """False once the platform said the person blocked the bot (until they write again)."""


class Signup(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    event_code: str
    person_id: int
    status: SignupStatus
    created_at: datetime
    updated_at: datetime
