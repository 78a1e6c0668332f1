"""pretalx / frab `schedule.json` (the c3voc schema): conference -> days -> rooms -> talks."""

from __future__ import annotations

import re
from datetime import UTC, date, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field, NonNegativeInt, ValidationError

from bot.model import Event, Festival, Programme, Venue
from bot.programme.common import TimeZoneName, check_times, check_unique, language_code
from bot.programme.errors import ProgrammeFileError, format_place, from_validation

_DURATION = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")


def _duration(value: Any) -> timedelta:
    # frab writes "HH:MM"; some exporters add days in front ("1:02:30") for very long items.
    match = _DURATION.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"not a duration HH:MM (found {value!r})")
    days, hours, minutes = (int(part) if part else 0 for part in match.groups())
    if minutes >= 60:
        raise ValueError(f"not a duration HH:MM (found {value!r})")
    return timedelta(days=days, hours=hours, minutes=minutes)


Duration = Annotated[timedelta, BeforeValidator(_duration)]


class RawPerson(BaseModel):
    name: str | None = None
    public_name: str | None = None


class RawTalk(BaseModel):
    code: str = Field(min_length=1)
    title: str = Field(min_length=1)
    abstract: str | None = None
    description: str | None = None
    date: AwareDatetime
    duration: Duration
    room: str | None = None
    type: str | None = None
    track: str | None = None
    language: str | None = None
    capacity: NonNegativeInt | None = None
    persons: list[RawPerson] = Field(default_factory=list)
    url: str | None = None


class RawDay(BaseModel):
    date: date
    rooms: dict[str, list[RawTalk]]


class RawRoom(BaseModel):
    name: str = Field(min_length=1)
    guid: str | None = None
    description: str | None = None
    capacity: NonNegativeInt | None = None


class RawConference(BaseModel):
    acronym: str = Field(min_length=1)
    title: str = Field(min_length=1)
    start: date
    end: date
    time_zone_name: TimeZoneName = "Europe/Stockholm"
    rooms: list[RawRoom] = Field(default_factory=list)
    days: list[RawDay]


class RawSchedule(BaseModel):
    conference: RawConference


class RawFile(BaseModel):
    schedule: RawSchedule


def looks_like(data: Any) -> bool:
    return isinstance(data, dict) and "schedule" in data


def parse(file: str, data: Any) -> Programme:
    try:
        conference = RawFile.model_validate(data).schedule.conference
    except ValidationError as error:
        raise from_validation(file, error) from None
    here = ("schedule", "conference")
    if conference.end < conference.start:
        raise ProgrammeFileError(file, format_place((*here, "end")), "before the festival's start")
    festival = Festival(
        slug=conference.acronym,
        # pretalx has one title for all languages; the organiser can translate it later.
        name={"sv": conference.title, "en": conference.title},
        time_zone=conference.time_zone_name,
        start_date=conference.start,
        end_date=conference.end,
    )
    venues: dict[str, Venue] = {}
    key_of_room: dict[str, str] = {}
    for room in conference.rooms:
        venue = _venue(room)
        venues[venue.key] = venue
        key_of_room[room.name] = venue.key
    events: list[Event] = []
    codes: list[tuple[str, str]] = []
    for day_index, day in enumerate(conference.days):
        for room_name, talks in day.rooms.items():
            for talk_index, talk in enumerate(talks):
                place = format_place((*here, "days", day_index, "rooms", room_name, talk_index))
                name = talk.room or room_name
                if name not in key_of_room:
                    # Older frab exports have no room list: the name is all we know.
                    key_of_room[name] = name
                    venues[name] = Venue(key=name, name=name)
                event = _event(talk, key_of_room[name], ZoneInfo(conference.time_zone_name))
                check_times(file, place, event)
                codes.append((talk.code, f"{place}.code"))
                events.append(event)
    check_unique(file, codes)
    return Programme(festival=festival, venues=list(venues.values()), events=events, complete=True)


def _venue(room: RawRoom) -> Venue:
    description = (room.description or "").strip()
    # pretalx has no address field; organisers here write "Place, Street 1. Access notes." so
    # the part before the first full stop is the address. A street like "St. Gertrud" would
    # be cut short, but the full text stays in `accessibility`, so nothing is lost.
    address = description.split(".", 1)[0].strip()
    return Venue(
        key=room.guid or room.name,
        name=room.name,
        address=address,
        accessibility={"sv": description} if description else {},
        capacity=room.capacity,
    )


def _event(talk: RawTalk, venue_key: str, zone: ZoneInfo) -> Event:
    language = language_code(talk.language)
    abstract = talk.abstract or talk.description or ""
    people = [person.public_name or person.name for person in talk.persons]
    return Event(
        code=talk.code,
        title={language: talk.title},
        abstract={language: abstract},
        type=talk.type or "",
        track=talk.track or "",
        topics=[talk.track] if talk.track else [],
        language=language,
        starts_at=talk.date.astimezone(zone),
        # Added in UTC: an event across the DST change still lasts its duration.
        ends_at=(talk.date.astimezone(UTC) + talk.duration).astimezone(zone),
        venue_key=venue_key,
        capacity=talk.capacity,
        signup_required=talk.capacity is not None,
        organisation=", ".join(name for name in people if name),
        url=talk.url or None,
    )
