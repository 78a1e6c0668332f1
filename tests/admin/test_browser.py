"""The admin in a real browser: Debian's Chromium driven by Playwright, against uvicorn.

Log in → import the festival with a preview → edit an event → see it in "try the bot" →
broadcast to its attendees and watch the progress → check a person in → results and report.
Screenshots of the main pages are written to tests/admin/screenshots/ (not committed).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect
from sqlalchemy import insert

from adapters.base import Hub
from adapters.web import WebConnector
from admin.app import create_admin_app
from admin.auth import make_hasher
from admin.store import Role
from bot.engine import Engine
from bot.store import Store
from bot.store import schema as t
from motsbot.web import WebServer, create_app
from scheduler import Scheduler
from tests.admin.conftest import PASSWORD, Clock
from tests.conftest import SCHEDULE

SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[str, Store, Scheduler]]:
    """An empty festival database, the admin on a free port, and a running scheduler."""
    store = await Store.open(str(tmp_path / "browser.sqlite3"))
    clock = Clock()
    hub = Hub(Engine(store).handle, clock)
    web_chat = WebConnector()
    hub.add(web_chat)
    await web_chat.start(hub)
    admin_app = create_admin_app(store, clock=clock, hasher=make_hasher(fast=True))
    await admin_app.state.admin.auth.create_account("ada", PASSWORD, Role.ADMIN, None, clock.now)
    scheduler = Scheduler(store, hub.connectors, clock=clock)
    admin_app.state.admin.broadcasts = scheduler
    server = WebServer(create_app(mounts=[("/", admin_app)]), port=0)
    await server.start()
    await scheduler.start()
    try:
        yield f"http://127.0.0.1:{server.port}", store, scheduler
    finally:
        await scheduler.stop()
        await server.stop()
        await admin_app.state.admin.sandbox.close()
        await store.close()


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def test_organiser_day_in_the_browser(browser: Browser, served: tuple[str, Store, Scheduler]) -> None:
    base, store, _scheduler = served
    context = await browser.new_context(base_url=base, viewport={"width": 1280, "height": 900}, locale="sv-SE")
    page = await context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    # Log in
    await page.goto("/events")
    await expect(page).to_have_url(re.compile(r"/login\?next=/events"))
    await shot(page, "01-login")
    await page.get_by_label("Användarnamn").fill("ada")
    await page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Logga in").click()
    await expect(page.get_by_role("heading", name="Programme")).to_be_visible()

    # Import the festival, with a preview first
    await page.get_by_role("link", name="Import").click()
    await page.get_by_label("Fil", exact=True).set_input_files(str(SCHEDULE))
    await shot(page, "02-import")
    await page.get_by_role("button", name="Förhandsvisa").click()
    await expect(page.get_by_role("heading", name=re.compile("Det här ändrar importen"))).to_be_visible()
    await expect(page.locator(".numbers")).to_contain_text("27 nya")
    await shot(page, "03-import-preview")
    assert await store.programme.revision() is None  # nothing saved by the preview
    await page.get_by_role("button", name="Genomför importen").click()
    await expect(page.get_by_role("status")).to_contain_text("27 new")
    await expect(page.locator("table.list tbody tr")).to_have_count(27)
    await shot(page, "04-programme")

    # Edit an event
    await page.get_by_role("link", name="ديمقراطية بالعربية").click()
    await page.get_by_role("link", name="Redigera").click()
    await page.locator("input[name=title_en]").fill("Democracy in Arabic: your voice in Malmö")
    await page.get_by_label("Platser").fill("3")
    await shot(page, "05-event-edit")
    await page.get_by_role("button", name="Spara").click()
    await expect(page.get_by_role("status")).to_contain_text("Sparat")
    await shot(page, "06-event")

    # See it in "try the bot", in English, and sign up there as a resident would
    await page.get_by_role("link", name="Prova boten").click()
    await page.get_by_role("link", name="English").click()
    await page.get_by_label("Meddelande").fill("/start ev_MM009")
    await page.get_by_role("button", name="Skicka", exact=True).click()
    bot_says = page.locator(".bubble.bot").last
    await expect(bot_says).to_contain_text("Democracy in Arabic: your voice in Malmö")
    await expect(bot_says).to_contain_text("3")
    await bot_says.get_by_role("button", name=re.compile("Sign up")).click()
    await expect(page.locator(".bubble.bot").last).to_contain_text(re.compile("signed up", re.I))
    await shot(page, "07-try-the-bot")

    # A real resident signs up; the signup made while trying counts nowhere (admin/sandbox.py).
    event_id = await store.programme.event_id("MM009")
    assert event_id is not None
    resident = await store.people.create("web", "resident-en", "en", Clock().now)
    await store.signups.sign_up(event_id, resident.id, Clock().now)

    # Broadcast to the event's attendees and watch it go out
    await page.goto("/broadcasts?event=MM009")
    await page.locator("textarea[name=text_en]").fill("The workshop moves to the Rotunda, same time.")
    await page.locator("textarea[name=text_sv]").fill("Workshoppen flyttar till Rotundan, samma tid.")
    await shot(page, "08a-broadcast-compose")
    await page.get_by_role("button", name="Förhandsvisa").click()
    await expect(page.locator("p").filter(has_text="får det")).to_contain_text("1")
    await shot(page, "08-broadcast-preview")
    await page.get_by_role("button", name="Skicka nu").click()
    await expect(page.locator("#progress")).to_contain_text("1 skickade", timeout=15_000)
    await shot(page, "09-broadcast-progress")
    web = _scheduler.connectors["web"]
    assert isinstance(web, WebConnector)
    assert any("Rotunda" in m.html for m in web.transcript("resident-en"))

    # Check a person in at the door
    await page.goto("/events/MM009")
    await page.get_by_label("Lägg till en person med namn").fill("Anna Ek")
    await page.get_by_role("button", name="Lägg till", exact=True).click()
    flash = await page.get_by_role("status").inner_text()
    code = re.search(r"koden är ([A-Z2-9]{6})", flash)
    assert code, flash
    await shot(page, "10-people")
    await page.get_by_role("link", name="Incheckning").click()
    await page.get_by_label(re.compile("Koden från")).fill(code.group(1).lower())
    await page.get_by_role("button", name="Checka in").click()
    await expect(page.get_by_role("status")).to_contain_text("Välkommen! Anna Ek")
    await expect(page.get_by_role("status")).to_contain_text("1 av 2 incheckade")
    await shot(page, "11-checkin")
    await page.get_by_role("button", name="Ångra den här incheckningen").click()
    await expect(page.get_by_role("status")).to_contain_text("0 av 2 incheckade")
    await shot(page, "11b-checkin-undone")

    # Results and the follow-up report (answers seeded: the polls come after the event)
    event_id = await store.programme.event_id("MM009")
    async with store.database.transaction() as conn:
        for choice, votes in {5: 4, 4: 3, 3: 1, 0: 1}.items():
            await conn.execute(insert(t.rating_tally).values(event_id=event_id, choice=choice, votes=votes))
        await conn.execute(
            insert(t.rating_comment).values(id="c1", event_id=event_id, text="Mycket bra! Mejla mig: a@b.se")
        )
    await page.get_by_role("link", name="Resultat").click()
    await shot(page, "12-results")
    await page.get_by_role("link", name="Democracy in Arabic").click()
    await expect(page.locator(".numbers")).to_contain_text("4,4 av 5")
    await expect(page.locator("ul.comments")).to_contain_text("Mejla mig: [e-post]")
    await shot(page, "13-result-event")
    await page.get_by_role("link", name="Rapport").click()
    await expect(page.get_by_role("heading", name=re.compile("Uppföljningsrapport"))).to_be_visible()
    await shot(page, "14-report")
    for path, name in [
        ("/venues", "15-venues"),
        ("/faq", "16-faq"),
        ("/accounts", "17-accounts"),
        ("/audit", "18-audit"),
        ("/export", "19-export"),
        ("/broadcasts", "20-broadcasts"),
        ("/events/NOPE", "21-not-found"),
    ]:
        await page.goto(path)
        await shot(page, name)
    await expect(page.locator("body")).not_to_contain_text("Internal Server Error")
    # Only the one page asked for on purpose is missing; no CSP violations or script errors.
    missing = "Failed to load resource: the server responded with a status of 404 (Not Found)"
    assert sorted(errors) == sorted([f"404 {base}/events/NOPE", missing]), errors
    await context.close()
