"""The admin in Swedish and English (and the bot's other languages) through the bot's gettext
catalogs: chosen per account, else from the browser; <html lang> and dates follow."""

from __future__ import annotations

from datetime import datetime

from admin.i18n import browser_languages
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
