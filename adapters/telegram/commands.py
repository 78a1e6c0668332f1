"""The command menu Telegram shows next to the text box, in the person's app language.

Command names are English everywhere (Telegram allows only a–z, 0–9 and `_`); the engine
also understands them. The descriptions belong in the gettext catalogs once those exist
for every language; until then they live here, reviewed for sv, en, ar and fi.
"""

from __future__ import annotations

from telegram import Bot, BotCommand

COMMANDS: dict[str, dict[str, str]] = {
    "en": {
        "start": "Start again, choose language",
        "today": "What's on today",
        "tomorrow": "What's on tomorrow",
        "weekend": "This weekend",
        "now": "Happening right now",
        "next": "Starting soon",
        "programme": "The festival day by day",
        "my": "Your signups",
        "language": "Change language",
        "mydata": "What I store about you",
        "forget": "Delete your data",
        "help": "Help",
    },
    "sv": {
        "start": "Börja om, välj språk",
        "today": "Vad händer idag",
        "tomorrow": "Vad händer imorgon",
        "weekend": "I helgen",
        "now": "Pågår just nu",
        "next": "Börjar snart",
        "programme": "Festivalen dag för dag",
        "my": "Dina anmälningar",
        "language": "Byt språk",
        "mydata": "Vad jag sparar om dig",
        "forget": "Radera dina uppgifter",
        "help": "Hjälp",
    },
    "ar": {
        "start": "ابدأ من جديد، اختر اللغة",
        "today": "ماذا يحدث اليوم",
        "tomorrow": "ماذا يحدث غدًا",
        "weekend": "نهاية هذا الأسبوع",
        "now": "يجري الآن",
        "next": "يبدأ قريبًا",
        "programme": "المهرجان يومًا بيوم",
        "my": "تسجيلاتك",
        "language": "تغيير اللغة",
        "mydata": "ما أحفظه عنك",
        "forget": "احذف بياناتك",
        "help": "مساعدة",
    },
    "fi": {
        "start": "Aloita alusta, valitse kieli",
        "today": "Mitä tänään tapahtuu",
        "tomorrow": "Mitä huomenna tapahtuu",
        "weekend": "Tänä viikonloppuna",
        "now": "Käynnissä nyt",
        "next": "Alkaa pian",
        "programme": "Festivaali päivä päivältä",
        "my": "Ilmoittautumisesi",
        "language": "Vaihda kieli",
        "mydata": "Mitä tallennan sinusta",
        "forget": "Poista tietosi",
        "help": "Ohje",
    },
}
DEFAULT_MENU_LANGUAGE = "en"
"""Shown to people whose app language has no menu of its own."""


def bot_commands(lang: str) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in COMMANDS[lang].items()]


async def register_commands(bot: Bot) -> None:
    """One `setMyCommands` per language, and the default menu without a language code."""
    await bot.set_my_commands(bot_commands(DEFAULT_MENU_LANGUAGE))
    for lang in COMMANDS:
        await bot.set_my_commands(bot_commands(lang), language_code=lang)
