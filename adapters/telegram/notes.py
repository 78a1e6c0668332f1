"""The few words the adapter itself says, where Telegram differs from other channels.

They belong in the gettext catalogs; the adapter keeps them until its msgids are added there.
"""

from __future__ import annotations

NOTES: dict[str, dict[str, str]] = {
    "answered_privately": {
        "en": "I've answered you in a private message.",
        "sv": "Jag har svarat dig i ett privat meddelande.",
        "ar": "لقد أجبتك في رسالة خاصة.",
        "fi": "Vastasin sinulle yksityisviestillä.",
    },
    "open_private": {
        "en": "That is personal, so I answer it only in a private chat: {link}",
        "sv": "Det är personligt, så jag svarar bara i en privat chatt: {link}",
        "ar": "هذا أمر شخصي، لذا أجيب عنه في محادثة خاصة فقط: {link}",
        "fi": "Asia on henkilökohtainen, joten vastaan vain yksityisessä keskustelussa: {link}",
    },
    "sorry": {
        "en": "Sorry, something went wrong on our side. Please try again in a moment.",
        "sv": "Förlåt, något gick fel hos oss. Försök igen om en stund.",
        "ar": "عذرًا، حدث خطأ من جهتنا. يرجى المحاولة مرة أخرى بعد قليل.",
        "fi": "Anteeksi, jokin meni vikaan meidän päässämme. Yritä hetken päästä uudelleen.",
    },
}


def note(key: str, lang: str | None, **values: str) -> str:
    texts = NOTES[key]
    base = (lang or "en").replace("_", "-").split("-")[0].lower()
    return texts.get(base, texts["en"]).format(**values)
