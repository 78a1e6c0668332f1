"""iCalendar (.ics) files: one VEVENT per event, read with the `icalendar` package.

Standard properties carry most of an event. motsbot's own export adds X-MOTSBOT-* properties
(code, language, capacity, venue key, ...) so that a calendar it wrote comes back unchanged;
calendars from elsewhere work without them.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent

from bot.model import Event, EventStatus, Festival, Programme, Venue
from bot.programme.common import check_times, check_unique, known_zone, language_code
from bot.programme.errors import ProgrammeFileError

X_CODE = "X-MOTSBOT-CODE"
X_FESTIVAL = "X-MOTSBOT-FESTIVAL"
X_LANGUAGE = "X-MOTSBOT-LANGUAGE"
X_TYPE = "X-MOTSBOT-TYPE"
X_TRACK = "X-MOTSBOT-TRACK"
X_CAPACITY = "X-MOTSBOT-CAPACITY"
X_SIGNUP = "X-MOTSBOT-SIGNUP-REQUIRED"
X_VENUE = "X-MOTSBOT-VENUE"
X_VENUE_NAME = "X-MOTSBOT-VENUE-NAME"
X_ADDRESS = "X-MOTSBOT-ADDRESS"
X_ORGANISATION = "X-MOTSBOT-ORGANISATION"

_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


def parse(file: str, data: bytes, default_zone: str) -> Programme:
    try:
        calendar = Calendar.from_ical(data)
    except ValueError as error:
        raise ProgrammeFileError(file, "", f"not a valid iCalendar file ({error})") from None
    except (AttributeError, TypeError, KeyError, IndexError):
        # icalendar meets some malformed files (a VTIMEZONE with its TZID twice) with errors
        # from its own internals; their text would mean nothing to an organiser.
        raise ProgrammeFileError(file, "", "not a valid iCalendar file (a line is malformed or repeated)") from None
    if not isinstance(calendar, Calendar):
        raise ProgrammeFileError(file, "line 1", "not a valid iCalendar file (expected BEGIN:VCALENDAR)")
    zone_name = _text(calendar, "X-WR-TIMEZONE") or default_zone
    try:
        zone = ZoneInfo(known_zone(zone_name))
    except ValueError as error:
        raise ProgrammeFileError(file, "X-WR-TIMEZONE", str(error)) from None
    venues: dict[str, Venue] = {}
    events: list[Event] = []
    codes: list[tuple[str, str]] = []
    for number, component in enumerate(calendar.events, start=1):
        uid = _text(component, "UID")
        place = f"VEVENT {number}" + (f" (UID {uid})" if uid else "")
        event, venue = _event(file, place, component, zone)
        if venue is not None:
            venues.setdefault(venue.key, venue)
        check_times(file, f"{place}, DTEND", event)
        codes.append((event.code, place))
        events.append(event)
    if not events:
        raise ProgrammeFileError(file, "", "no events (VEVENT) in the calendar")
    check_unique(file, codes)
    return Programme(
        festival=_festival(file, calendar, zone_name, zone, events),
        venues=list(venues.values()),
        events=events,
        complete=True,
    )


def _festival(file: str, calendar: Calendar, zone_name: str, zone: ZoneInfo, events: list[Event]) -> Festival | None:
    name = _text(calendar, "X-WR-CALNAME") or _text(calendar, "NAME")
    if not name:
        # No festival in the file: the store attaches the events to the current festival.
        return None
    slug = _text(calendar, X_FESTIVAL) or re.sub(r"[^\w]+", "-", name.lower()).strip("-")
    last_moment = max(max(e.starts_at, e.ends_at - timedelta(microseconds=1)) for e in events)
    return Festival(
        slug=slug,
        name={"sv": name, "en": name},
        time_zone=zone_name,
        start_date=min(e.starts_at for e in events).astimezone(zone).date(),
        end_date=last_moment.astimezone(zone).date(),
    )


def _event(file: str, place: str, component: VEvent, zone: ZoneInfo) -> tuple[Event, Venue | None]:
    code = _text(component, X_CODE) or _text(component, "UID")
    if not code:
        raise ProgrammeFileError(file, f"{place}, UID", "missing (the event's stable id)")
    title = _text(component, "SUMMARY")
    if not title:
        raise ProgrammeFileError(file, f"{place}, SUMMARY", "missing (the event's title)")
    if component.get("RRULE") is not None or component.get("RDATE") is not None:
        raise ProgrammeFileError(
            file, f"{place}, RRULE", "repeating events are not supported: list each time as its own event"
        )
    title_language = _language_param(component, "SUMMARY")
    language = language_code(_text(component, X_LANGUAGE) or title_language)
    abstract = _text(component, "DESCRIPTION")
    categories = _categories(file, place, component)
    kind = _text(component, X_TYPE) or (categories[0] if categories else "")
    topics = [category for category in categories if category != kind]
    track = _text(component, X_TRACK) or (topics[0] if topics else "")
    capacity = _capacity(file, place, component)
    location = _text(component, "LOCATION")
    venue_key = _text(component, X_VENUE) or location
    venue = None
    if venue_key:
        venue = Venue(
            key=venue_key,
            name=_text(component, X_VENUE_NAME) or location or venue_key,
            address=_text(component, X_ADDRESS),
        )
    starts_at, ends_at = _times(file, place, component, zone)
    status = _text(component, "STATUS").upper()
    event = Event(
        code=code,
        title={title_language or language: title},
        abstract={(_language_param(component, "DESCRIPTION") or language): abstract} if abstract else {},
        type=kind,
        track=track,
        topics=topics,
        language=language,
        starts_at=starts_at,
        ends_at=ends_at,
        venue_key=venue_key or None,
        capacity=capacity,
        signup_required=_signup(file, place, component, capacity),
        organisation=_text(component, X_ORGANISATION) or _organizer_name(component),
        status=EventStatus.CANCELLED if status == "CANCELLED" else EventStatus.SCHEDULED,
        url=_text(component, "URL") or None,
    )
    return event, venue


def _times(file: str, place: str, component: VEvent, zone: ZoneInfo) -> tuple[datetime, datetime]:
    try:
        start = component.start
    except ValueError:
        raise ProgrammeFileError(file, f"{place}, DTSTART", "missing or not a date") from None
    try:
        # icalendar derives the end from DURATION, or from the start when neither is given.
        end = component.end
    except ValueError:
        raise ProgrammeFileError(file, f"{place}, DTEND", "not a date") from None
    return _aware(start, zone), _aware(end, zone)


def _aware(value: date | datetime, zone: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        # An all-day event: from midnight in the festival's zone.
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        # A floating time means "local time wherever you are": here, the festival's zone.
        return value.replace(tzinfo=zone)
    return value.astimezone(UTC).astimezone(zone)


def _categories(file: str, place: str, component: VEvent) -> list[str]:
    try:
        found = [str(category).strip() for category in component.categories]
    except ValueError:
        raise ProgrammeFileError(file, f"{place}, CATEGORIES", "not a list of categories") from None
    return list(dict.fromkeys(category for category in found if category))


def _capacity(file: str, place: str, component: VEvent) -> int | None:
    raw = _text(component, X_CAPACITY)
    if not raw:
        return None
    if not (raw.isascii() and raw.lstrip("-").isdigit()):
        raise ProgrammeFileError(file, f"{place}, {X_CAPACITY}", f"not a whole number (found {raw!r})")
    if int(raw) < 0:
        raise ProgrammeFileError(file, f"{place}, {X_CAPACITY}", f"must not be negative (found {raw!r})")
    return int(raw)


def _signup(file: str, place: str, component: VEvent, capacity: int | None) -> bool:
    raw = _text(component, X_SIGNUP).lower()
    if not raw:
        return capacity is not None
    if raw not in _TRUE | _FALSE:
        raise ProgrammeFileError(file, f"{place}, {X_SIGNUP}", f"not TRUE or FALSE (found {raw!r})")
    return raw in _TRUE


def _organizer_name(component: VEvent) -> str:
    organizer = component.get("ORGANIZER")
    return str(organizer.params.get("CN", "")) if organizer is not None else ""


def _language_param(component: VEvent, name: str) -> str:
    prop = component.get(name)
    params = getattr(prop, "params", {})
    return language_code(params.get("LANGUAGE"), default="")


def _text(component: Any, name: str) -> str:
    value = component.get(name)
    if isinstance(value, list):
        # A property given twice: the first one counts, as most calendar programs do.
        value = value[0] if value else None
    return str(value).strip() if value is not None else ""
