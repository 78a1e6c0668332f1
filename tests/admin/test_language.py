"""The admin in Swedish and English (and the bot's other languages) through the bot's gettext
catalogs: chosen per account, else from the browser; <html lang> and dates follow."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po

from admin.i18n import browser_languages
from admin.pages import LANGUAGE_NAMES
from bot.i18n import DOMAIN, LOCALES
from bot.store.surveys import Kind, Question, SurveyStore
from tests.admin.conftest import AdminEnv, csrf_of


def test_accept_language_order() -> None:
    assert browser_languages("en-GB;q=0.8, sv-SE, fi;q=0.9") == ["sv_SE", "fi", "en_GB"]
    assert browser_languages("") == []


async def test_swedish_by_default_english_when_the_browser_asks(env: AdminEnv) -> None:
    client = env.client()
    swedish = (await client.get("/login")).text
    assert '<html lang="sv" dir="ltr">' in swedish and "Logga in" in swedish and "Användarnamn" in swedish
    english = (await client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9,sv;q=0.5"})).text
    assert '<html lang="en" dir="ltr">' in english and "Sign in" in english and "Logga in" not in english
    arabic = (await client.get("/login", headers={"Accept-Language": "ar"})).text
    assert '<html lang="ar" dir="rtl">' in arabic and "تسجيل الدخول" in arabic
    # A language motsbot does not have: Swedish.
    assert '<html lang="sv"' in (await client.get("/login", headers={"Accept-Language": "de-DE"})).text


async def test_the_account_s_choice_wins_over_the_browser(env: AdminEnv) -> None:
    client, csrf = await env.browser("olle")
    client.headers["Accept-Language"] = "sv-SE"
    assert "Programmet" in (await client.get("/events")).text
    assert (await client.post("/account/language", data={"csrf_token": csrf, "language": "en"})).status_code == 303
    page = (await client.get("/events")).text
    assert '<html lang="en"' in page and ">Programme<" in page and "Skip to content" in page
    await client.post("/account/language", data={"csrf_token": csrf_of(page), "language": ""})
    assert '<html lang="sv"' in (await client.get("/events")).text


async def test_wrong_password_message_in_the_page_s_language(env: AdminEnv) -> None:
    client = env.client()
    page = await client.get("/login")
    form = {"username": "ada", "password": "fel lösenord", "csrf_token": csrf_of(page.text)}
    refused = await client.post("/login", data=form)
    assert refused.status_code == 401 and "Fel användarnamn, lösenord eller kod." in refused.text


async def test_dates_in_the_page_s_language(env: AdminEnv) -> None:
    api = await env.api("ada")
    event = (await api.get("/api/events/MM009")).json()
    day = datetime.fromisoformat(event["starts_at"])
    assert day.month == 5
    client, _ = await env.browser("ada")
    swedish = (await client.get("/events/MM009")).text
    assert " maj " in swedish
    english = (await client.get("/events/MM009", headers={"Accept-Language": "en"})).text
    assert " May " in english and " maj " not in english


TRANSLATED_PAGES = [
    "/events",
    "/events/new",
    "/events/MM009",
    "/events/MM009/edit",
    "/events/MM009/cancel",
    "/checkin",
    "/broadcasts",
    "/results",
    "/results/MM009",
    "/report",
    "/surveys",
    "/surveys/new",
    "/qa",
    "/account",
    "/venues",
    "/faq",
    "/import",
    "/export",
    "/audit",
    "/dead-letters",
    "/try",
    "/accounts",
]
"""The pages whose every label is translated: the test below keeps them so."""

NOT_WORDS = re.compile(
    r"[\W\d_]*|[A-Z]{2}\d{3}|[a-z]{2}|CSV|Malmö Möts(?: admin)?|/[a-z]+|[\w-]*\.[a-z]+|https?://\S*", re.UNICODE
)
"""Text that is the same in every language: numbers, dates' digits, punctuation, event codes (MM009),
language codes, file formats and names (schedule.json, .ics), bot commands, the admin's name."""

TITLE = re.compile(r"<title>(.*?)</title>", re.S)

PARTS = re.compile(r" · |, | – ")
"""Where a text joins several (a venue's name and address, a title and the site's name)."""


class _Texts(HTMLParser):
    """The text a person reads or hears on a page: text nodes and the attributes shown or spoken."""

    SHOWN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "textarea", "option"):
            self._skip += 1
        self.texts += [value.strip() for name, value in attrs if name in self.SHOWN_ATTRIBUTES and value]
        if tag == "input" and dict(attrs).get("type") in ("submit", "button"):
            self.texts.append((dict(attrs).get("value") or "").strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "textarea", "option"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def _texts(page: str) -> set[str]:
    parser = _Texts()
    parser.feed(page)
    return {text for text in parser.texts if text and not NOT_WORDS.fullmatch(text)}


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield " ".join(value.split())
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _is_data(text: str, data: set[str]) -> bool:
    return bool(NOT_WORDS.fullmatch(text)) or text in data or any(text in d for d in data)


@pytest.mark.parametrize("path", TRANSLATED_PAGES)
async def test_every_label_of_a_page_is_in_swedish_and_in_english(env: AdminEnv, path: str) -> None:
    """Each text on the Swedish page differs from the English page's, or is data: the festival's own
    words (titles, names, places, as the API gives them) and the languages' own names."""
    await _same_in_swedish_and_english(env, path, set())


async def test_a_survey_and_a_q_and_a_in_swedish_and_in_english(env: AdminEnv) -> None:
    survey = {"sv": "Ungas röst"}, {"sv": "Två frågor"}, {"sv": "Hur kom du hit?"}, [{"sv": "Cykel"}, {"sv": "Buss"}]
    survey_id = await SurveyStore(env.store.database).create(
        survey[0], survey[1], [Question(Kind.SINGLE, survey[2], survey[3])], env.clock.now, env.clock.now
    )
    client, csrf = await env.browser("ada")
    switched = await client.post("/qa/MM009/switch", data={"csrf_token": csrf, "enabled": "on"})
    assert switched.status_code == 303
    texts = {"Ungas röst", "Två frågor", "Hur kom du hit?", "Cykel", "Buss", "1. Hur kom du hit?"}
    for path in (f"/surveys/{survey_id}", f"/surveys/{survey_id}/edit", "/qa/MM009"):
        await _same_in_swedish_and_english(env, path, texts)


async def _same_in_swedish_and_english(env: AdminEnv, path: str, data: set[str]) -> None:
    api = await env.api("ada")
    data |= set(LANGUAGE_NAMES.values())
    for source in ("/api/events", "/api/venues", "/api/faq", "/api/me", "/api/audit"):
        data.update(_strings((await api.get(source)).json()))
    data.update(account.username for account in await env.app.state.admin.admin.accounts())
    client, _ = await env.browser("ada")
    swedish = await client.get(path, headers={"Accept-Language": "sv"})
    english = await client.get(path, headers={"Accept-Language": "en"})
    assert swedish.status_code == english.status_code == 200
    assert '<html lang="sv"' in swedish.text and '<html lang="en"' in english.text
    for page in (swedish.text, english.text):
        # The tab's name: plain words (a form pasted into the title block once showed as markup there).
        title = TITLE.search(page)
        assert title is not None and title.group(1).strip() and "<" not in title.group(1), f"{path}: {title}"
    with (LOCALES / "sv" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        # Words Swedish shares with English ("Import", "Status"), as the catalog says.
        data.update(m.id for m in read_po(po) if isinstance(m.id, str) and m.id and m.string == m.id)
    same = _texts(swedish.text) & _texts(english.text)
    untranslated = sorted(
        text
        for text in same
        if not _is_data(text, data) and not all(_is_data(part, data) for part in PARTS.split(text.strip("· ")))
    )
    assert not untranslated, f"{path}: the same in Swedish and English: {untranslated}"
