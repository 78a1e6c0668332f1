"""placeholder"""

from __future__ import annotations

from bot.model import Programme
from bot.programme.errors import ProgrammeFileError


def parse(file: str, data: bytes, time_zone: str) -> Programme:
    raise ProgrammeFileError(file, "", "iCal import is not ready yet")
