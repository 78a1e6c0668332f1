"""axe-core (from the npm registry, pinned in tests/admin/axe/package-lock.json, installed by
scripts/test) on every admin page, at 1280 px and at 390 px, in Swedish, and again after the main
interactions: no serious or critical violations."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, expect

from bot.programme.loader import load_programme_file
from bot.store import Store
from scheduler import Scheduler
from tests.admin.conftest import PASSWORD, Clock
from tests.admin.support import sign_up
from tests.admin.test_browser import browser, served, shot
from tests.admin.test_browser_mobile import PAGES
from tests.conftest import SCHEDULE

__all__ = ["browser", "served"]

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"


async def serious(page: Page) -> list[dict[str, Any]]:
    """The serious and critical violations axe finds on the page as it is now."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def _signed_in(browser: Browser, base: str, width: int) -> Page:
    # axe is injected as a script of its own: the page's CSP (rightly) forbids that to anyone else.
    context = await browser.new_context(
        base_url=base, viewport={"width": width, "height": 900}, locale="sv-SE", bypass_csp=True
    )
    page = await context.new_page()
    await page.goto("/login")
    assert await serious(page) == [], "/login"
    await page.get_by_label("Användarnamn").fill("ada")
    await page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Logga in").click()
    await expect(page).to_have_url(re.compile("/events"))
    return page


async def test_no_serious_violations_on_any_page(browser: Browser, served: tuple[str, Store, Scheduler]) -> None:
    base, store, _scheduler = served
    await store.programme.apply(load_programme_file(SCHEDULE), Clock().now)
    found: dict[str, list[dict[str, Any]]] = {}
    for width in (1280, 390):
        page = await _signed_in(browser, base, width)
        for path in PAGES:
            await page.goto(path)
            violations = await serious(page)
            if violations:
                found[f"{width} {path}"] = violations
        # The check can fail: an image without a text alternative is found at once.
        await page.evaluate("document.querySelector('main').append(Object.assign(new Image(), {src: 'data:,'}))")
        assert "image-alt" in [v["id"] for v in await serious(page)]
        await page.context.close()
    assert found == {}, found


async def test_no_serious_violations_after_the_main_interactions(
    browser: Browser, served: tuple[str, Store, Scheduler]
) -> None:
    base, store, _scheduler = served
    await store.programme.apply(load_programme_file(SCHEDULE), Clock().now)
    await sign_up(store, "MM009", "resident-1", Clock().now)
    page = await _signed_in(browser, base, 1280)
    found: dict[str, list[dict[str, Any]]] = {}

    async def check(step: str) -> None:
        violations = await serious(page)
        if violations:
            found[step] = violations
        await shot(page, f"axe-{step}")

    await page.goto("/events/MM009")
    await page.get_by_label("Lägg till en person med namn").fill("Anna Ek")
    await page.get_by_role("button", name="Lägg till", exact=True).click()
    await check("person-added")
    code = re.search(r"koden är ([A-Z2-9]{6})", await page.get_by_role("status").inner_text())
    assert code
    await page.goto("/checkin")
    await page.get_by_label(re.compile("Koden från")).fill(code.group(1))
    await page.get_by_role("button", name="Checka in").click()
    await check("checked-in")
    await page.goto("/broadcasts?event=MM009")
    await page.locator("textarea[name=text_sv]").fill("Workshoppen flyttar till Rotundan.")
    await page.get_by_role("button", name="Förhandsvisa").click()
    await check("broadcast-preview")
    await page.goto("/events/MM009/cancel")
    await check("cancel-question")
    await page.goto("/import")
    await page.get_by_label("Fil", exact=True).set_input_files(str(SCHEDULE))
    await page.get_by_role("button", name="Förhandsvisa").click()
    await check("import-preview")
    await page.goto("/login?next=/events")
    await page.goto("/try")
    await page.get_by_label("Meddelande").fill("hej")
    await page.get_by_role("button", name="Skicka", exact=True).click()
    await check("try-the-bot")
    await page.context.close()
    assert found == {}, found
