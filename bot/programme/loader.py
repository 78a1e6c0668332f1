"""Reading an import file: the format is recognised by content, then one parser takes over."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.model import Programme
from bot.programme import csv_import, faq, glossary, ical_import, pretalx
from bot.programme.errors import ProgrammeFileError

DEFAULT_TIME_ZONE = "Europe/Stockholm"


def load_programme_file(path: Path, *, name: str | None = None, time_zone: str = DEFAULT_TIME_ZONE) -> Programme:
    """The programme in the file at `path`; raises ProgrammeFileError naming `name` (or the file's).

    `time_zone` is the festival's zone, used for local times in CSV and floating iCal times
    when the file does not say its own.
    """
    file = name or Path(path).name
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ProgrammeFileError(file, "", f"cannot be read ({error.strerror})") from None
    return parse_programme(data, file, time_zone=time_zone)


def parse_programme(data: bytes, file: str, *, time_zone: str = DEFAULT_TIME_ZONE) -> Programme:
    """The programme in `data`, for uploads that never touch the disk; `file` names it in errors."""
    text = _decode(data, file)
    if not text.strip():
        raise ProgrammeFileError(file, "", "the file is empty")
    start = text.lstrip()
    if start.startswith(("{", "[")):
        return _parse_json(text, file)
    if start[:15].upper() == "BEGIN:VCALENDAR":
        return ical_import.parse(file, data, time_zone)
    if csv_import.looks_like(text):
        return csv_import.parse(file, text, time_zone)
    if file.lower().endswith(".json"):
        return _parse_json(text, file)
    raise ProgrammeFileError(
        file,
        "",
        "unknown format: expected a pretalx schedule.json, an FAQ JSON file, "
        "an iCalendar (.ics) file or a CSV file with a header row that has a 'code' column",
    )


def _decode(data: bytes, file: str) -> str:
    try:
        # utf-8-sig: spreadsheet programs put a byte order mark in front of CSV exports.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ProgrammeFileError(
            file, f"line {line}, byte {error.start}", "not UTF-8 text (save the file as UTF-8)"
        ) from None


def _parse_json(text: str, file: str) -> Programme:
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProgrammeFileError(
            file, f"line {error.lineno}, column {error.colno}", f"not valid JSON ({error.msg})"
        ) from None
    if pretalx.looks_like(data):
        return pretalx.parse(file, data)
    if faq.looks_like(data):
        return faq.parse(file, data)
    if glossary.looks_like(data):
        return glossary.parse(file, data)
    raise ProgrammeFileError(
        file,
        "",
        'unknown JSON format: expected a pretalx schedule.json (with "schedule"), an FAQ file (with "entries") '
        'or a glossary (with "glossary")',
    )
