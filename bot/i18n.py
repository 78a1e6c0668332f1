"""Translations (gettext catalogs in `locales/`) and locale-aware formatting (Babel).

Source strings are English. Catalogs are read from their `.po` files and compiled in memory
with Babel at first use, so a fresh checkout needs no separate compile step; fuzzy entries are
left out and fall back to English, so a catalog can be partly translated.
"""

from __future__ import annotations

import gettext
import io
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from bot.model import LANGUAGES, RTL_LANGUAGES

LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "motsbot"
DEFAULT_LANGUAGE = "sv"

NATIVE_NAMES = {code: Locale.parse(code).get_display_name(code) or code for code in LANGUAGES}
"""Language names in their own language, for the language picker."""

_LATIN = re.compile(r"[A-Za-zÀ-ɏ]")
FSI, PDI = "\u2068", "\u2069"
"""First-strong isolate and pop: keeps a Latin name from scrambling a right-to-left sentence."""


def supported(code: str | None) -> str | None:
    """The supported language for a client's code ('sv-SE', 'ar_EG', 'EN'), or None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].strip().lower()
    return base if base in LANGUAGES else None


@cache
def _catalog(lang: str) -> gettext.NullTranslations:
    path = LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translator:
    """Everything language-dependent for one reply: texts, dates, numbers, direction."""

    def __init__(self, lang: str, time_zone: str = "Europe/Stockholm") -> None:
        self.lang = supported(lang) or DEFAULT_LANGUAGE
        self.rtl = self.lang in RTL_LANGUAGES
        self.zone = ZoneInfo(time_zone)
        self._translations = _catalog(self.lang)

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def day(self, moment: datetime) -> str:
        """'tisdag 11 maj', 'Tuesday 11 May', 'الثلاثاء 11 مايو'."""
        # The pattern is a translatable string so each language can order day and month its way.
        return format_datetime(self.local(moment), self.gettext("EEEE d MMMM"), locale=self.lang)

    def short_day(self, moment: datetime) -> str:
        return format_datetime(self.local(moment), self.gettext("EEE d MMM"), locale=self.lang)

    def time(self, moment: datetime) -> str:
        return format_datetime(self.local(moment), "HH:mm", locale=self.lang)

    def when(self, start: datetime, end: datetime | None = None) -> str:
        """'tisdag 11 maj kl. 18:00–20:00'."""
        hours = self.time(start) if end is None else f"{self.time(start)}–{self.time(end)}"
        return self.gettext("{day} at {time}").format(day=self.day(start), time=hours)

    def decimal(self, value: float, digits: int = 1) -> str:
        return format_decimal(value, format="0." + "0" * digits, locale=self.lang)

    def language_name(self, code: str) -> str:
        try:
            return Locale.parse(code).get_display_name(self.lang) or code
        except (ValueError, LookupError, UnknownLocaleError):
            # An imported event's language is whatever the organiser typed ("sent", "sv/en").
            return code

    def isolate(self, text: str) -> str:
        """Wraps left-to-right names in a right-to-left reply so they render in one piece."""
        if self.rtl and _LATIN.search(text):
            return f"{FSI}{text}{PDI}"
        return text
