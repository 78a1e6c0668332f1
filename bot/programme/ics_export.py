"""iCalendar export: the whole festival, or one event for "add to my calendar"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import STATUS, Calendar
from icalendar import Event as VEvent

from bot.model import FALLBACK_ORDER, Event, EventStatus
from bot.programme import ical_import as x
from bot.store.programme import ProgrammeSnapshot

PRODID = "-//motsbot//motsbot festival programme//EN"


def festival_calendar(snapshot: ProgrammeSnapshot, lang: str) -> bytes:
    """Every event, texts in `lang` where written; cancelled ones stay in with STATUS:CANCELLED
    so that subscribed calendars drop them instead of keeping a stale copy."""
    return _calendar(snapshot, snapshot.events, lang)


def event_calendar(snapshot: ProgrammeSnapshot, event: Event, lang: str) -> bytes:
    return _calendar(snapshot, [event], lang)


def event_uid(snapshot: ProgrammeSnapshot, event: Event) -> str:
    """Stable across exports and imports, so a calendar updates the event instead of doubling it."""
    return f"{event.code}@{snapshot.festival.slug}.motsbot"


def _calendar(snapshot: ProgrammeSnapshot, events: Iterable[Event], lang: str) -> bytes:
    festival = snapshot.festival
    name, name_lang = _pick(festival.name, lang)
    calendar = Calendar.new(
        prodid=PRODID,
        name=name,
        method="PUBLISH",
        language=name_lang or None,
        uid=f"{festival.slug}.motsbot",
    )
    calendar.add("X-WR-TIMEZONE", festival.time_zone)
    calendar.add(x.X_FESTIVAL, festival.slug)
    zone = ZoneInfo(festival.time_zone)
    stamp = datetime.now(UTC)
    for event in events:
        calendar.add_component(_vevent(snapshot, event, lang, zone, stamp))
    # The VTIMEZONE block lets clients without a tz database place the TZID times; a year
    # either side of the festival keeps it short instead of listing every change since 1970.
    calendar.add_missing_timezones(
        first_date=festival.start_date - timedelta(days=366),
        last_date=festival.end_date + timedelta(days=366),
    )
    data: bytes = calendar.to_ical()
    return data


def _vevent(snapshot: ProgrammeSnapshot, event: Event, lang: str, zone: ZoneInfo, stamp: datetime) -> VEvent:
    title, title_lang = _pick(event.title, lang)
    abstract, abstract_lang = _pick(event.abstract, lang)
    venue = snapshot.venue_of(event)
    vevent = VEvent.new(
        uid=event_uid(snapshot, event),
        stamp=stamp,
        start=event.starts_at.astimezone(zone),
        end=event.ends_at.astimezone(zone),
        summary=title,
        description=abstract or None,
        location=", ".join(part for part in (venue.name, venue.address) if part) if venue else None,
        url=event.url,
        categories=list(dict.fromkeys(c for c in (event.type, *event.topics) if c)),
        status=STATUS.CANCELLED if event.status is EventStatus.CANCELLED else STATUS.CONFIRMED,
        # The revision only grows, so a re-sent invitation always wins over the copy a person has.
        sequence=snapshot.revision,
    )
    if title_lang:
        vevent["SUMMARY"].params["LANGUAGE"] = title_lang
    if abstract and abstract_lang:
        vevent["DESCRIPTION"].params["LANGUAGE"] = abstract_lang
    extras: dict[str, str | None] = {
        x.X_CODE: event.code,
        x.X_LANGUAGE: event.language,
        x.X_TYPE: event.type,
        x.X_TRACK: event.track,
        x.X_CAPACITY: None if event.capacity is None else str(event.capacity),
        x.X_SIGNUP: "TRUE" if event.signup_required else "FALSE",
        x.X_ORGANISATION: event.organisation,
        x.X_VENUE: venue.key if venue else None,
        x.X_VENUE_NAME: venue.name if venue else None,
        x.X_ADDRESS: venue.address if venue else None,
    }
    for key, value in extras.items():
        if value:
            vevent.add(key, value)
    return vevent


def _pick(text: dict[str, str], lang: str) -> tuple[str, str]:
    """Like bot.model.pick, but also says which language the text is in."""
    for candidate in (lang, *FALLBACK_ORDER):
        if text.get(candidate):
            return text[candidate], candidate
    for candidate, value in text.items():
        return value, candidate
    return "", ""
