"""The command menu Telegram shows next to the text box, in the person's app language.

Command names are English everywhere (Telegram allows only a–z, 0–9 and `_`); the engine
also understands them. The descriptions are gettext strings, so they follow the catalogs.
"""

from __future__ import annotations

from telegram import Bot, BotCommand

from bot.i18n import Translator
from bot.model import LANGUAGES


def _(message: str) -> str:
    """Marks a msgid for extraction; the translation happens per language in `bot_commands`."""
    return message


COMMANDS: dict[str, str] = {
    "start": _("Start again, choose language"),
    "today": _("What's on today"),
    "tomorrow": _("What's on tomorrow"),
    "weekend": _("This weekend"),
    "now": _("Happening right now"),
    "next": _("Starting soon"),
    "programme": _("The festival day by day"),
    "my": _("Your signups"),
    "language": _("Change language"),
    "mydata": _("What I store about you"),
    "forget": _("Delete your data"),
    "help": _("Help"),
}
DEFAULT_MENU_LANGUAGE = "en"
"""Shown to people whose app language has no menu of its own."""


def bot_commands(lang: str) -> list[BotCommand]:
    t = Translator(lang)
    return [BotCommand(name, t.gettext(description)) for name, description in COMMANDS.items()]


async def register_commands(bot: Bot) -> None:
    """One `setMyCommands` per language, and the default menu without a language code."""
    await bot.set_my_commands(bot_commands(DEFAULT_MENU_LANGUAGE))
    for lang in LANGUAGES:
        await bot.set_my_commands(bot_commands(lang), language_code=lang)
