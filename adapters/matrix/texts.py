"""The few sentences the Matrix adapter says on its own; everything else comes from the engine.

They go through the project's gettext catalogs (`bot.i18n`), so `pybabel extract` finds them.
"""

from __future__ import annotations

from bot.i18n import Translator


def undecryptable(lang: str) -> str:
    _ = Translator(lang).gettext
    return _(
        "Sorry, I could not read your last message: it arrived encrypted with a key I did not "
        "get. Could you send it again?"
    )


def answered_in_direct_message(lang: str) -> str:
    _ = Translator(lang).gettext
    return _("I have sent you my answer in a direct message.")


def poll_closed(lang: str) -> str:
    _ = Translator(lang).gettext
    return _("The poll has closed. Thank you for voting!")
