"""The admin pages' language: the account's choice, else the browser's (Accept-Language), else
Swedish; texts from the bot's own gettext catalogs, dates and numbers by Babel."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.core import negotiate_locale
from babel.dates import format_datetime
from fastapi import Request

from admin.store import Account
from bot.i18n import DEFAULT_LANGUAGE, Translator, supported
from bot.model import LANGUAGES

STRFTIME_TO_BABEL = {
    "%a %d %b %H:%M": "EEE d MMM HH:mm",
    "%H:%M": "HH:mm",
    "%A %d %B %H:%M": "EEEE d MMMM HH:mm",
    "%A %d %B %Y, %H:%M": "EEEE d MMMM y, HH:mm",
    "%Y-%m-%d %H:%M": "yyyy-MM-dd HH:mm",
    "%Y-%m-%d %H:%M:%S": "yyyy-MM-dd HH:mm:ss",
}
"""The formats the templates ask for, as Babel patterns: names of days and months in the page's
language."""


def N_(message: str) -> str:
    """Marks a message for the catalogs; it is translated where it is shown."""
    return message


ROLE_NAMES = (N_("admin"), N_("organiser"), N_("viewer"))
STATUS_NAMES = (N_("scheduled"), N_("moved"), N_("cancelled"))
"""An event's status as the pages show it (the template translates the status's value)."""
"""The roles as the header shows them (the template translates the role's value)."""
SURVEY_STATUS_NAMES = (N_("draft"), N_("open"), N_("closed"))
"""A survey's status as its pages show it (the template translates the status's value)."""
BROADCAST_STATUS_NAMES = {
    "scheduled": N_("Scheduled"),
    "sending": N_("Sending"),
    "done": N_("Done"),
    "cancelled": N_("Stopped"),
}
"""A broadcast's state as its pages show it: its own words, since a stopped broadcast is not an event's
"cancelled"."""


class Explained(Exception):
    """An error whose message a person reads: a msgid (marked with N_) whose placeholders `values` fill
    after it is translated. str() is the English, for the API and the logs; `translated()` the page's."""

    def __init__(self, message: str = "", **values: object) -> None:
        super().__init__(message.format(**values) if values else message)
        self.message = message
        self.values = values

    def translated(self, translator: Translator) -> str:
        if not self.message:  # gettext("") would be the catalog's header
            return ""
        text = translator.gettext(self.message)
        return text.format(**self.values) if self.values else text


def browser_languages(header: str) -> list[str]:
    """The languages of an Accept-Language header, most wanted first."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        code, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if code:
            weighted.append((-quality, position, code.strip().replace("-", "_")))
    return [code for _, _, code in sorted(weighted)]


def page_language(request: Request, account: Account | None) -> str:
    if account is not None and account.language in LANGUAGES:
        return account.language
    wanted = browser_languages(request.headers.get("accept-language", ""))
    chosen = negotiate_locale(wanted, list(LANGUAGES), sep="_") if wanted else None
    return supported(chosen) or DEFAULT_LANGUAGE


def local_time(value: datetime | None, zone: ZoneInfo, fmt: str, lang: str) -> str:
    if value is None:
        return ""
    return format_datetime(value.astimezone(zone), STRFTIME_TO_BABEL.get(fmt, "EEE d MMM HH:mm"), locale=lang)


__all__ = [
    "BROADCAST_STATUS_NAMES",
    "N_",
    "Explained",
    "Translator",
    "browser_languages",
    "local_time",
    "page_language",
]
