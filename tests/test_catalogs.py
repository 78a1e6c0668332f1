"""The gettext catalogs in `locales/`: complete where they must be, placeholders intact, compilable."""

from __future__ import annotations

import gettext
import io
import re
import string
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

import bot.i18n
from bot.cards import paging_labels
from bot.i18n import DOMAIN, LOCALES, Translator
from bot.model import LANGUAGES

COMPLETE = LANGUAGES
"""Languages whose every entry must be translated and not fuzzy: all six, since a fuzzy entry reaches
its reader in English."""

PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|%\([A-Za-z_][A-Za-z0-9_]*\)[sdif]|%[sdif]")
"""`{name}` (str.format, what the code uses), `%(name)s` and `%s`."""

COUNT = "{n}"
"""The count in an ngettext message: the code formats every plural entry with `n=`."""

CLDR_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
"""CLDR's plural categories in the order gettext numbers a language's forms (Babel's `to_gettext` order)."""

NUMBERS = [*range(0, 1000), 1001, 1002, 1011, 1100, 10_000, 100_000, 1_000_000, 1_000_002, 1_000_011]
"""Enough n to tell every CLDR integer rule of the six apart (Arabic cycles by n % 100)."""


def _read(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=lang)


def _template() -> Catalog:
    return _read(LOCALES / f"{DOMAIN}.pot")


def _catalog(lang: str) -> Catalog:
    return _read(LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po", lang)


def _entries(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def _forms(message: Message) -> list[str]:
    if isinstance(message.string, (list, tuple)):
        return [form or "" for form in message.string]
    return [message.string or ""]


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _cldr_form(lang: str) -> tuple[int, Callable[[int], int]]:
    """The number of plural forms CLDR gives the language, and the form n takes, as Babel has them."""
    rule = Locale.parse(lang).plural_form
    categories = [category for category in CLDR_CATEGORIES if category in rule.tags or category == "other"]
    return len(categories), lambda n: categories.index(rule(n))


def _single_number_forms(lang: str) -> set[int]:
    """Forms that only one n takes (Arabic's 0, 1 and 2): these may say the number in words."""
    _count, form = _cldr_form(lang)
    takers: dict[int, int] = {}
    for n in NUMBERS:
        takers[form(n)] = takers.get(form(n), 0) + 1
    return {index for index, count in takers.items() if count == 1}


def _source_placeholders(message: Message) -> set[str]:
    ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
    return set().union(*(_placeholders(text) for text in ids))


TEMPLATE_IDS = [message.id for message in _entries(_template())]


def test_every_language_has_a_catalog() -> None:
    for lang in LANGUAGES:
        assert (LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po").exists(), lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_every_template_entry(lang: str) -> None:
    catalog = _catalog(lang)
    missing = [msgid for msgid in TEMPLATE_IDS if catalog.get(msgid) is None]
    assert not missing, f"{lang}: not in the catalog: {missing}"


@pytest.mark.parametrize("lang", COMPLETE)
def test_complete_languages_translate_everything(lang: str) -> None:
    catalog = _catalog(lang)
    problems = []
    for msgid in TEMPLATE_IDS:
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif len(_forms(message)) != (catalog.num_plurals if message.pluralizable else 1):
            problems.append(f"wrong number of plural forms: {msgid!r}")
        elif not all(form.strip() for form in _forms(message)):
            problems.append(f"empty: {msgid!r}")
    assert not problems, f"{lang}: " + "; ".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang: str) -> None:
    """Each form has the msgid's placeholders, no more and none renamed, and formats without error.

    A form that only one n takes may leave the count out, as Arabic does: "فعاليتان" (two events).
    """
    catalog = _catalog(lang)
    single = _single_number_forms(lang)
    problems = []
    for message in _entries(catalog):
        expected = _source_placeholders(message)
        for index, form in enumerate(_forms(message)):
            if not form:
                continue
            found = _placeholders(form)
            if message.pluralizable and index in single:
                found |= {COUNT} & expected
            if found != expected:
                problems.append(f"{message.id!r} -> {form!r}: {sorted(found)} instead of {sorted(expected)}")
            elif any(placeholder.startswith("{") for placeholder in expected):
                try:
                    list(string.Formatter().parse(form))
                except ValueError as error:
                    problems.append(f"{message.id!r} -> {form!r}: {error}")
    assert not problems, f"{lang}: " + "; ".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_forms_header_follows_cldr(lang: str) -> None:
    """The Plural-Forms header picks, for every n, the form CLDR's rule for the language gives it (Babel's
    data), so "11 سؤالًا" and "100 سؤال" each get their own form."""
    catalog = _catalog(lang)
    count, cldr = _cldr_form(lang)
    header = gettext.c2py(catalog.plural_expr)
    assert catalog.num_plurals == count, f"{lang}: {catalog.plural_forms!r} has not CLDR's {count} forms"
    wrong = [(n, header(n), cldr(n)) for n in NUMBERS if header(n) != cldr(n)]
    assert not wrong, f"{lang}: {catalog.plural_forms!r} disagrees with CLDR (n, header, CLDR): {wrong[:8]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_length_class(lang: str) -> None:
    """A button label stays a label and a line stays a line: at most about twice the English."""
    problems = []
    for message in _entries(_catalog(lang)):
        source = message.id if isinstance(message.id, str) else message.id[1]
        problems += [f"{source!r} -> {form!r}" for form in _forms(message) if len(form) > 2 * len(source) + 15]
    assert not problems, f"{lang}: " + "; ".join(problems)


MISTRANSLATIONS: dict[str, list[tuple[str, str, str]]] = {
    "ar": [("check-in", "الدخول", "check-in at the door is تسجيل الحضور; تسجيل الدخول is logging in")],
    "fi": [("check-in", "kirjaut", "check-in at the door is sisäänpääsy; sisäänkirjautuminen is logging in")],
    "so": [
        ("cancel", "joojiy", "a cancelled event or place is la baajiyay; la joojiyay is stopped"),
        ("festival", "bandhig", "the festival is damaashaad throughout; bandhig is a show"),
    ],
    "fa": [
        (
            "",
            r"(?<![\w\u200c])شما(?![\w\u200c])|(?:می\u200c|نمی\u200c)?(?:توان|بپرس|بنویس|بفرست|بزن|کن|دار|هست)ید(?!\w)",
            "young readers are addressed informally (تو، می\u200cتونی), never with شما or -ید",
        )
    ],
}
"""Mistakes the catalogs once made, per language: (English word in the msgid, pattern the translation must
not have, why). New entries are written in parallel; this keeps the choices made."""


@pytest.mark.parametrize("lang", sorted(MISTRANSLATIONS))
def test_translations_keep_the_chosen_words(lang: str) -> None:
    problems = []
    for message in _entries(_catalog(lang)):
        source = " ".join(message.id if isinstance(message.id, (list, tuple)) else [message.id]).lower()
        for word, pattern, why in MISTRANSLATIONS[lang]:
            if word in source:
                problems += [f"{form!r}: {why}" for form in _forms(message) if re.search(pattern, form)]
    assert not problems, f"{lang}: " + "; ".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_slash_commands_and_symbols(lang: str) -> None:
    catalog = _catalog(lang)
    problems = []
    for message in _entries(catalog):
        source = message.id if isinstance(message.id, str) else message.id[0]
        commands = set(re.findall(r"/[a-z]+", source))
        symbols = {symbol for symbol in "✅⏳◀▶" if symbol in source}
        for form in _forms(message):
            if form and not (commands <= set(re.findall(r"/[a-z{]+", form)) and all(s in form for s in symbols)):
                problems.append(f"{message.id!r} -> {form!r}")
    assert not problems, f"{lang}: " + "; ".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_compiles(lang: str) -> None:
    catalog = _catalog(lang)
    assert catalog.num_plurals >= 1
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    assert buffer.getvalue()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translator_returns_the_translation(lang: str) -> None:
    """What the bot loads (the .po compiled in memory by bot/i18n.py) gives each entry's translation, and for
    a plural entry the form CLDR's rule picks for n."""
    catalog = _catalog(lang)
    translator = Translator(lang)
    assert translator.lang == lang
    _count, cldr = _cldr_form(lang)
    checked = 0
    for message in _entries(catalog):
        forms = _forms(message)
        if message.fuzzy or not all(forms):
            continue
        if message.pluralizable:
            singular, plural = message.id[0], message.id[1]
            for n in NUMBERS:
                assert translator.ngettext(singular, plural, n) == forms[cldr(n)], (lang, singular, n)
        else:
            assert translator.gettext(message.id) == forms[0], (lang, message.id)
        checked += 1
    if lang in COMPLETE:
        assert checked == len(TEMPLATE_IDS)


@pytest.fixture
def own_locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """bot.i18n reading its catalogs from tmp_path; its cache emptied before and after."""
    monkeypatch.setattr(bot.i18n, "LOCALES", tmp_path)
    bot.i18n._catalog.cache_clear()
    yield tmp_path
    bot.i18n._catalog.cache_clear()


def test_fuzzy_entries_fall_back_to_english(own_locales: Path) -> None:
    """The six catalogs have no fuzzy entry (see above), so the fallback is shown on a catalog of its own."""
    catalog = Catalog(locale="sv")
    catalog.add("Help", "Hjälp")
    catalog.add("Next", "Nästa?", flags=["fuzzy"])
    catalog.add(("{n} event", "{n} events"), ("{n} evenemang?", "{n} evenemang?"), flags=["fuzzy"])
    folder = own_locales / "sv" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / f"{DOMAIN}.po").open("wb") as po:
        write_po(po, catalog)
    translator = Translator("sv")
    assert translator.gettext("Help") == "Hjälp"
    assert translator.gettext("Next") == "Next"
    assert translator.ngettext("{n} event", "{n} events", 3) == "{n} events"


def test_swedish_strings_the_conversations_rely_on() -> None:
    sv = Translator("sv")
    _ = sv.gettext
    assert _("Privacy: I store only your chat id, your language and your signups.").startswith("Integritet")
    assert _("Sign up") == "Anmäl dig"
    assert _("Cancel my place") == "Avboka min plats"
    assert "Du är anmäld." in _("✅ You are signed up.")
    assert _("Yes, delete my data").startswith("Ja") and _("No, keep it").startswith("Nej")
    assert "raderat" in _("Done: everything about you is deleted. If you write again, you start afresh.")
    assert "ingen anmälan" in _("Open entry: no signup needed, just come.")
    assert "för långt" in _("That message is too long for me. Please ask in a sentence or two.")
    assert _("Sorry, I didn't understand that.") == "Förlåt, jag förstod inte det."
    assert (_("Today"), _("Tomorrow"), _("Programme"), _("My events")) == (
        "Idag",
        "Imorgon",
        "Programmet",
        "Mina evenemang",
    )
    assert (
        sv.ngettext("{n} seat left of {capacity}.", "{n} seats left of {capacity}.", 19).format(n=19, capacity=20)
        == "19 platser kvar av 20."
    )
    assert "الخصوصية" in Translator("ar").gettext("Privacy: I store only your chat id, your language and your signups.")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_dates_format_in_every_language(lang: str) -> None:
    t = Translator(lang)
    start = datetime(2027, 5, 10, 15, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
    end = datetime(2027, 5, 10, 17, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
    when = t.when(start, end)
    assert "15:00–17:00" in when and "10" in when
    assert t.short_day(start) and "10" in t.short_day(start)
    if lang == "sv":
        assert when == "måndag 10 maj kl. 15:00–17:00"


def test_the_template_has_every_string_in_the_code(tmp_path: Path) -> None:
    """A string added to the code without `pybabel extract` would never be translated."""
    root = Path(__file__).resolve().parent.parent
    catalog = Catalog()
    method_map, options_map = parse_mapping_cfg(io.StringIO((root / "babel.cfg").read_text(encoding="utf-8")))
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        root, method_map, options_map, directory_filter=lambda path: ".venv" not in path and "node_modules" not in path
    ):
        catalog.add(message, None, auto_comments=[], locations=[(filename, 0)])
    in_code = {message.id if isinstance(message.id, str) else message.id[0] for message in _entries(catalog)}
    in_template = {message.id if isinstance(message.id, str) else message.id[0] for message in _entries(_template())}
    assert not in_code - in_template, (
        f"not in locales/{DOMAIN}.pot (run pybabel extract and update): {sorted(in_code - in_template)}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_paging_arrows_point_along_the_reading_direction(lang: str) -> None:
    t = Translator(lang)
    previous, following = paging_labels(t)
    if t.rtl:
        assert previous.startswith("▶ ") and following.endswith(" ◀")
    else:
        assert previous.startswith("◀ ") and following.endswith(" ▶")
    assert t.gettext("Previous") in previous and t.gettext("Next") in following


def test_admin_strings_are_translated_in_every_language() -> None:
    """The admin's own strings (its pages and messages) are complete in all six catalogs, none
    fuzzy: an organiser reads them in whichever language they chose."""
    root = Path(__file__).resolve().parent.parent
    method_map, options_map = parse_mapping_cfg(io.StringIO((root / "babel.cfg").read_text(encoding="utf-8")))
    admin_ids = {
        message if isinstance(message, str) else message[0]
        for filename, _lineno, message, _comments, _context in extract_from_dir(
            root / "admin", [(pattern.removeprefix("admin/"), method) for pattern, method in method_map], options_map
        )
    }
    assert "Sign in" in admin_ids and "Skip to content" in admin_ids
    for lang in LANGUAGES:
        catalog = _catalog(lang)
        for msgid in admin_ids:
            message = catalog.get(msgid)
            assert message is not None and not message.fuzzy and all(_forms(message)), (lang, msgid)
