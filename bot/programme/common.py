"""Small pieces the import formats share."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator

from bot.model import Event
from bot.programme.errors import ProgrammeFileError


def known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
    return name


TimeZoneName = Annotated[str, AfterValidator(known_zone)]


def language_code(tag: str | None, default: str = "sv") -> str:
    """`sv-SE` -> `sv`: the bot keys organiser text by the primary language subtag."""
    if not tag or not tag.strip():
        return default
    return tag.strip().replace("_", "-").split("-", 1)[0].lower()


def check_times(file: str, place: str, event: Event) -> None:
    if event.ends_at < event.starts_at:
        raise ProgrammeFileError(file, place, "ends before it starts")


USABLE_CODE = re.compile(r"[^\s/\\?#%\x00-\x1f\x7f]{1,100}")
"""What an event code or FAQ key may be: an iCalendar UID like "42@pretalx.example" is fine."""


def check_unique(file: str, codes: list[tuple[str, str]], what: str = "code") -> None:
    """`codes` is (code, place) in file order; codes compare case-insensitively like the store's."""
    first: dict[str, str] = {}
    for code, place in codes:
        if not USABLE_CODE.fullmatch(code):
            # A code is part of the admin's addresses (/events/CODE): with "/" or "?" in it the
            # event could never be opened, edited or cancelled there.
            raise ProgrammeFileError(
                file, place, f"{what} {code!r} may not contain / \\ ? # % or spaces, nor be longer than 100"
            )
        key = code.upper()
        if key in first:
            raise ProgrammeFileError(file, place, f"{what} {code!r} appears twice (first at {first[key]})")
        first[key] = place
