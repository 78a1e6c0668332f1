"""The admin on a 390 px phone, in Swedish: no page scrolls sideways, and the door's check-in works
with one thumb. Screenshots go to tests/admin/screenshots/ (mobile-*.png)."""

from __future__ import annotations

import re

from playwright.async_api import Browser, BrowserContext, Page, expect

from bot.programme.loader import load_programme_file
from bot.store import Store
from scheduler import Scheduler
from tests.admin.conftest import PASSWORD, Clock
from tests.admin.test_browser import browser, served, shot
from tests.conftest import SCHEDULE

__all__ = ["browser", "served"]

PAGES = [
    "/events",
    "/events/MM009",
    "/events/MM009/edit",
    "/events/MM009/cancel",
    "/checkin",
    "/broadcasts",
    "/qa",
    "/results",
    "/report",
    "/surveys",
    "/try",
    "/venues",
    "/faq",
    "/import",
    "/export",
    "/accounts",
    "/audit",
    "/account",
]


async def _signed_in_phone(browser: Browser, served: tuple[str, Store, Scheduler]) -> tuple[BrowserContext, Page]:
    """The fixture festival, and a Swedish phone signed in as an admin."""
    base, store, _scheduler = served
    await store.programme.apply(load_programme_file(SCHEDULE), Clock().now)
    context = await browser.new_context(
        base_url=base, viewport={"width": 390, "height": 844}, locale="sv-SE", is_mobile=True, has_touch=True
    )
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_label("Användarnamn").fill("ada")
    await page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Logga in").click()
    return context, page


async def test_every_page_fits_a_390_px_phone(browser: Browser, served: tuple[str, Store, Scheduler]) -> None:
    context, page = await _signed_in_phone(browser, served)
    await expect(page).to_have_url(re.compile("/events"))
    wide = {}
    for path in PAGES:
        response = await page.goto(path)
        assert response is not None and response.ok, path
        overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            wide[path] = overflow
        await shot(page, "mobile-" + (path.strip("/").replace("/", "-") or "start"))
    assert wide == {}, f"pages wider than the phone (px too wide): {wide}"
    await context.close()


async def test_the_door_checks_in_with_one_thumb(browser: Browser, served: tuple[str, Store, Scheduler]) -> None:
    context, page = await _signed_in_phone(browser, served)
    await page.goto("/events/MM009")
    await page.get_by_label("Lägg till en person med namn").fill("Anna Ek")
    await page.get_by_role("button", name="Lägg till", exact=True).click()
    flash = await page.get_by_role("status").inner_text()
    code = re.search(r"koden är ([A-Z2-9]{6})", flash)
    assert code, flash
    await page.goto("/checkin")
    field = page.get_by_label(re.compile("Koden från"))
    button = page.get_by_role("button", name="Checka in")
    # Targets a thumb hits: the field and the button span the screen and are tall enough.
    for target in (field, button):
        box = await target.bounding_box()
        assert box is not None and box["width"] >= 300 and box["height"] >= 44, box
    await field.fill(code.group(1))
    await button.tap()
    await expect(page.get_by_role("status")).to_contain_text("1 av 1 incheckade")
    await shot(page, "mobile-checkin-done")
    await page.get_by_role("button", name="Ångra den här incheckningen").tap()
    await expect(page.get_by_role("status")).to_contain_text("0 av 1 incheckade")
    await context.close()


async def test_the_board_report_prints_without_the_menu(browser: Browser, served: tuple[str, Store, Scheduler]) -> None:
    base, store, _scheduler = served
    await store.programme.apply(load_programme_file(SCHEDULE), Clock().now)
    context = await browser.new_context(base_url=base, viewport={"width": 1280, "height": 900}, locale="sv-SE")
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_label("Användarnamn").fill("ada")
    await page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Logga in").click()
    await page.goto("/report")
    assert await page.locator("figure.org-chart").count() > 0
    await page.emulate_media(media="print")
    await expect(page.locator("header.top")).to_be_hidden()
    await expect(page.locator("figure.org-chart").first).to_be_visible()
    await shot(page, "report-print")
    pdf = await page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    await context.close()
