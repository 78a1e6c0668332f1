"""Errors in import files, worded for the organiser who has to fix the file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError


class ProgrammeFileError(ValueError):
    """A file that cannot be imported: `file` names it, `place` says where, `problem` what."""

    def __init__(self, file: str, place: str, problem: str) -> None:
        self.file = file
        self.place = place
        self.problem = problem
        super().__init__(f"{file}: {place}: {problem}" if place else f"{file}: {problem}")


def format_place(loc: Sequence[str | int]) -> str:
    """`('days', 2, 'rooms', 'Aula', 0, 'date')` -> `days[2].rooms["Aula"][0].date`."""
    place = ""
    for part in loc:
        if isinstance(part, int):
            place += f"[{part}]"
        elif part.isidentifier():
            place += f".{part}" if place else part
        else:
            # Room names and language keys may hold spaces or dashes: quote them like JSON.
            place += f"[{json.dumps(part, ensure_ascii=False)}]"
    return place


# pydantic's messages are written for programmers; organisers get these instead.
_PROBLEMS = {
    "missing": "missing",
    "timezone_aware": "not a date with a time zone",
    "datetime_parsing": "not a date with a time zone",
    "datetime_from_date_parsing": "not a date with a time zone",
    "datetime_type": "not a date with a time zone",
    "date_parsing": "not a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "not a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "not a date (YYYY-MM-DD)",
    "date_type": "not a date (YYYY-MM-DD)",
    "greater_than_equal": "must not be negative",
    "int_parsing": "not a whole number",
    "int_from_float": "not a whole number",
    "int_type": "not a whole number",
    "string_type": "not text",
    "string_too_short": "empty",
    "list_type": "not a list",
    "dict_type": "not an object",
    "model_type": "not an object",
    "model_attributes_type": "not an object",
}


def _shown(value: Any) -> str:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    return ""


def from_validation(file: str, error: ValidationError, prefix: Sequence[str | int] = ()) -> ProgrammeFileError:
    """The first problem pydantic found, placed in the file."""
    loc, problem = describe(error)
    return ProgrammeFileError(file, format_place([*prefix, *loc]), problem)


def describe(error: ValidationError) -> tuple[tuple[str | int, ...], str]:
    """Where the first problem is (pydantic's location) and what it is, in an organiser's words."""
    first = error.errors(include_url=False)[0]
    kind = first["type"]
    if kind == "value_error" and "error" in first.get("ctx", {}):
        problem = str(first["ctx"]["error"])
    else:
        problem = _PROBLEMS.get(kind, first["msg"][:1].lower() + first["msg"][1:])
    # Our own validators already quote the value they refused.
    shown = _shown(first.get("input")) if kind not in ("missing", "value_error") else ""
    if shown:
        problem = f"{problem} (found {shown})"
    return tuple(first["loc"]), problem
