"""The few words the adapter itself says, where Telegram differs from other channels."""

from __future__ import annotations

from bot.i18n import Translator


def _(message: str) -> str:
    """Marks a msgid for extraction; `note` translates it."""
    return message


NOTES: dict[str, str] = {
    "answered_privately": _("I've answered you in a private message."),
    "open_private": _("That is personal, so I answer it only in a private chat: {link}"),
    "sorry": _("Sorry, something went wrong on our side. Please try again."),
}


def note(key: str, lang: str | None, **values: str) -> str:
    return Translator(lang or "en").gettext(NOTES[key]).format(**values)
