"""Programme import and export: pretalx schedule.json, iCalendar, CSV and FAQ files."""

from bot.programme.errors import ProgrammeFileError
from bot.programme.loader import load_programme_file, parse_programme

__all__ = ["ProgrammeFileError", "load_programme_file", "parse_programme"]
