"""CSV programmes, one event per row; the columns are described in docs/import-formats.md."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeInt,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from bot.model import LANGUAGES, Event, Programme, Venue
from bot.programme.common import check_times, check_unique, language_code
from bot.programme.errors import ProgrammeFileError, describe
from bot.programme.spreadsheet import FORMULA_START

TEXT_COLUMNS = tuple(f"{kind}_{lang}" for kind in ("title", "abstract") for lang in LANGUAGES)
COLUMNS = (
    "code",
    *TEXT_COLUMNS,
    "type",
    "track",
    "topics",
    "keywords",
    "language",
    "start",
    "end",
    "venue",
    "venue_key",
    "address",
    "capacity",
    "signup_required",
    "organisation",
    "url",
)
REQUIRED = ("code", "start", "end")


def _empty_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _yes_no(value: Any) -> Any:
    # Spreadsheets here are often Swedish: ja/nej next to yes/no, true/false and 1/0.
    value = _empty_is_none(value)
    if isinstance(value, str):
        return {"ja": "yes", "nej": "no", "j": "yes", "n": "no"}.get(value.strip().lower(), value)
    return value


class RawRow(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    code: str = Field(min_length=1)
    type: str = ""
    track: str = ""
    topics: str = ""
    keywords: str = ""
    language: str = ""
    start: datetime
    end: datetime
    venue: str = ""
    venue_key: str = ""
    address: str = ""
    capacity: Annotated[NonNegativeInt | None, BeforeValidator(_empty_is_none)] = None
    signup_required: Annotated[bool | None, BeforeValidator(_yes_no)] = None
    organisation: str = ""
    url: str = ""

    @field_validator("start", "end", mode="before")
    @classmethod
    def _local_time(cls, value: Any, info: ValidationInfo) -> Any:
        """ISO 8601; a time without an offset is local time in the festival's zone."""
        if not isinstance(value, str) or not value.strip():
            raise ValueError("missing: a date and time like 2027-05-10T09:30 or 2027-05-10 09:30")
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"not a date and time like 2027-05-10T09:30 (found {value.strip()!r})") from None
        if parsed.tzinfo is None:
            zone: ZoneInfo = (info.context or {})["zone"]
            parsed = parsed.replace(tzinfo=zone)
        return parsed


def looks_like(text: str) -> bool:
    header = text.lstrip().split("\n", 1)[0]
    try:
        fields = next(csv.reader([header], delimiter=_delimiter(header)), [])
    except csv.Error:
        # A lone carriage return in the first line: not a CSV header of ours.
        return False
    return "code" in {field.strip().lower() for field in fields}


def _delimiter(header: str) -> str:
    # Excel saves CSV with ';' where the decimal mark is a comma, as in Sweden.
    return ";" if header.count(";") > header.count(",") else ","


def _defused_back(value: str | None) -> str | None:
    """A cell as it was before our export defused it (bot.programme.spreadsheet: a title like
    "=HYPERLINK(…)" is written "'=HYPERLINK(…)" so that a spreadsheet shows it as text and runs
    nothing)."""
    if value and len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        return value[1:].replace("\\|", "|")
    return value


def parse(file: str, text: str, time_zone: str) -> Programme:
    zone = ZoneInfo(time_zone)
    delimiter = _delimiter(text.lstrip().split("\n", 1)[0])
    reader = csv.DictReader(io.StringIO(text.lstrip(), newline=""), delimiter=delimiter)
    try:
        columns = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error as error:
        raise ProgrammeFileError(file, "line 1", f"not valid CSV ({error})") from None
    _check_columns(file, columns)
    reader.fieldnames = columns
    events: list[Event] = []
    venues: dict[str, Venue] = {}
    codes: list[tuple[str, str]] = []
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                raise ProgrammeFileError(file, f"line {line}", "more cells than the header has columns")
            if not any((value or "").strip() for value in row.values()):
                continue
            row = {name: _defused_back(value) for name, value in row.items()}
            event = _event(file, line, row, zone)
            check_times(file, f"line {line}, column end", event)
            venue = venues.get(event.venue_key or "")
            if event.venue_key and (venue is None or not venue.address):
                # The first row that gives the venue an address describes it.
                venues[event.venue_key] = Venue(
                    key=event.venue_key,
                    name=(row.get("venue") or "").strip() or event.venue_key,
                    address=(row.get("address") or "").strip(),
                )
            codes.append((event.code, f"line {line}, column code"))
            events.append(event)
    except csv.Error as error:
        raise ProgrammeFileError(file, f"line {reader.line_num}", f"not valid CSV ({error})") from None
    if not events:
        raise ProgrammeFileError(file, "", "no events below the header row")
    check_unique(file, codes)
    # No festival columns: a CSV belongs to the festival that is already in the store.
    return Programme(festival=None, venues=list(venues.values()), events=events, complete=True)


def _check_columns(file: str, columns: list[str]) -> None:
    unknown = [name for name in columns if name not in COLUMNS]
    if unknown:
        raise ProgrammeFileError(file, "line 1", f"unknown column {unknown[0]!r} (known columns: {', '.join(COLUMNS)})")
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ProgrammeFileError(file, "line 1", f"missing column {missing[0]!r}")
    if not any(name.startswith("title_") for name in columns):
        raise ProgrammeFileError(file, "line 1", "no title column (title_sv, title_en, ...)")
    repeated = [name for name in columns if columns.count(name) > 1]
    if repeated:
        raise ProgrammeFileError(file, "line 1", f"column {repeated[0]!r} appears twice")


def _event(file: str, line: int, row: dict[str, str | None], zone: ZoneInfo) -> Event:
    cells = {name: value or "" for name, value in row.items() if name is not None}
    try:
        raw = RawRow.model_validate(cells, context={"zone": zone})
    except ValidationError as error:
        loc, problem = describe(error)
        raise ProgrammeFileError(file, f"line {line}, column {loc[0]}", problem) from None
    title = {name[6:]: cells[name].strip() for name in cells if name.startswith("title_")}
    abstract = {name[9:]: cells[name].strip() for name in cells if name.startswith("abstract_")}
    title = {lang: text for lang, text in title.items() if text}
    if not title:
        raise ProgrammeFileError(file, f"line {line}, column title_sv", "no title in any language")
    language = language_code(raw.language, default=next(iter(title)))
    topics = [topic.strip() for topic in raw.topics.split(";") if topic.strip()]
    return Event(
        code=raw.code,
        title=title,
        abstract=abstract,
        type=raw.type,
        track=raw.track,
        topics=topics or ([raw.track] if raw.track else []),
        # Search words and translations, any language: "näthat; online hate; الكراهية الرقمية".
        keywords=[word.strip() for word in raw.keywords.split(";") if word.strip()],
        language=language,
        starts_at=raw.start.astimezone(zone),
        ends_at=raw.end.astimezone(zone),
        # venue_key is for venues that came from pretalx (a room guid); by hand, the name will do.
        venue_key=raw.venue_key or raw.venue or None,
        capacity=raw.capacity,
        signup_required=raw.capacity is not None if raw.signup_required is None else raw.signup_required,
        organisation=raw.organisation,
        url=raw.url or None,
    )
