"""Ask the panel and citizen surveys in a real browser (Debian's Chromium through Playwright).

A question asked in the chat reaches the moderator's page by itself; approved there, it appears
on the projector's screen page without a reload, while a hidden one never does. A survey is
built in the admin, answered by residents through the engine, closed, and its results read.
Screenshots go to tests/admin/screenshots/ (not committed).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.async_api import Browser, Page, expect

from bot import buttons
from bot.engine import Engine
from bot.messages import Incoming
from bot.programme.loader import load_programme_file
from bot.store import Store
from bot.store.qa import QaStore, QuestionStatus
from bot.surveys import poll_id_of
from scheduler import Scheduler
from tests.admin.conftest import PASSWORD
from tests.admin.test_browser import browser, served, shot
from tests.conftest import FAQ, SCHEDULE

__all__ = ["browser", "served"]
DURING = datetime.fromisoformat("2027-05-10T11:15:00+02:00")
"""MM002, a panel discussion, runs 11:00–12:30."""


async def _sign_in(page: Page) -> None:
    await page.goto("/login")
    await page.get_by_label("User name").fill("ada")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Programme")).to_be_visible()


async def _say(engine: Engine, user: str, when: datetime, text: str | None = None, **fields: object) -> None:
    incoming = Incoming.model_validate(
        {"channel": "telegram", "user_id": user, "text": text, "lang_hint": "sv", **fields}
    )
    await engine.handle(incoming, when)


async def test_a_question_approved_by_the_moderator_appears_on_the_screen(
    browser: Browser, served: tuple[str, Store, Scheduler]
) -> None:
    base, store, scheduler = served
    for path in (SCHEDULE, FAQ):
        await store.programme.apply(load_programme_file(path), DURING)
    scheduler.clock.now = DURING  # type: ignore[attr-defined]
    engine = Engine(store)
    context = await browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await _sign_in(page)

    await page.get_by_role("link", name="Ask the panel").click()
    row = page.locator("tr").filter(has_text="MM002")
    await row.get_by_role("button", name="Switch on").click()
    await expect(page.get_by_role("status")).to_contain_text("Q&A on")
    screen_url = await page.locator("#screen-link").get_attribute("href")
    assert screen_url

    # The projector's computer is not signed in: the secret link is all it has.
    room = await browser.new_context(viewport={"width": 1280, "height": 720})
    screen = await room.new_page()
    screen.set_default_timeout(10_000)
    screen.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await screen.goto(screen_url)
    await expect(screen.locator("#screen-empty")).to_be_visible()
    await screen.evaluate("window.loadedOnce = true")

    await _say(engine, "5001", DURING, "/ask Hur kan unga få mer att säga till om i stadsplaneringen?")
    await _say(engine, "5002", DURING, "/ask Varför är det så dyrt att bo i Malmö?")
    await _say(engine, "5003", DURING, "/ask Detta är en elak fråga som ska döljas")
    pending = page.locator(".qa-column[data-status=pending] .qa-item")
    await expect(pending).to_have_count(3)  # arrived without a reload

    for text in ("stadsplaneringen", "dyrt att bo"):
        await pending.filter(has_text=text).get_by_role("button", name="Approve").click()
    await pending.filter(has_text="elak fråga").get_by_role("button", name="Hide").click()
    await expect(page.locator(".qa-column[data-status=approved] .qa-item")).to_have_count(2)
    qa = QaStore(store.database)
    event_id = await store.programme.event_id("MM002")
    assert event_id is not None
    approved = await qa.questions(event_id, QuestionStatus.APPROVED)
    await _say(engine, "5004", DURING, payload=buttons.encode("qa", "up", approved[-1].id))
    await _say(engine, "5005", DURING, payload=buttons.encode("qa", "up", approved[-1].id))

    shown = screen.locator("#screen-questions li")
    await expect(shown).to_have_count(2)
    await expect(shown.first).to_contain_text("▲ 2")
    await expect(screen.locator("#screen-questions")).not_to_contain_text("elak fråga")
    assert await screen.evaluate("window.loadedOnce === true"), "the screen updated without a reload"
    await expect(page.locator(".qa-column[data-status=approved] .qa-item").first).to_contain_text("▲ 2")
    await shot(page, "30-qa-moderation")
    await shot(screen, "31-qa-screen")

    # Answered questions leave the screen.
    await (
        page.locator(".qa-column[data-status=approved] .qa-item")
        .first.get_by_role("button", name="Mark answered")
        .click()
    )
    await expect(shown).to_have_count(1)
    assert errors == [], errors
    await room.close()
    await context.close()


async def test_a_survey_is_built_sent_answered_and_its_results_shown(
    browser: Browser, served: tuple[str, Store, Scheduler]
) -> None:
    base, store, scheduler = served
    for path in (SCHEDULE, FAQ):
        await store.programme.apply(load_programme_file(path), DURING)
    scheduler.clock.now = DURING  # type: ignore[attr-defined]
    engine = Engine(store)
    residents = [str(6000 + n) for n in range(6)]
    for user in residents:
        await _say(engine, user, DURING, "/start")
        await _say(engine, user, DURING, payload=buttons.encode("so", "yes"))

    context = await browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(10_000)
    await _sign_in(page)
    await page.get_by_role("link", name="Surveys").click()
    await expect(page.locator(".numbers")).to_contain_text("6 opted in")
    await page.get_by_role("link", name="New survey").click()
    await page.locator("input[name=title_sv]").fill("Ungas röst i Malmö")
    await page.locator("input[name=title_en]").fill("Young voices in Malmö")
    await page.locator("textarea[name=intro_sv]").fill("Tre korta frågor från staden.")
    await page.locator("select[name=q0_kind]").select_option("single")
    await page.locator("input[name=q0_text_sv]").fill("Hur tog du dig till festivalen?")
    await page.locator("textarea[name=q0_options_sv]").fill("Cykel\nBuss\nTill fots")
    await page.locator("details.survey-question").nth(1).locator("summary").click()
    await page.locator("select[name=q1_kind]").select_option("scale")
    await page.locator("input[name=q1_text_sv]").fill("Hur trygg känner du dig i Malmö?")
    await page.locator("details.survey-question").nth(2).locator("summary").click()
    await page.locator("select[name=q2_kind]").select_option("text")
    await page.locator("input[name=q2_text_sv]").fill("Vad ska staden göra först?")
    await page.get_by_role("button", name="Save draft").click()
    await expect(page.get_by_role("status")).to_contain_text("draft")
    await page.get_by_role("button", name=re.compile("Send to the 6")).click()
    await expect(page.get_by_role("status")).to_contain_text("goes to 6 people")

    survey_id = int(page.url.rstrip("/").split("/")[-1])
    later = DURING + timedelta(minutes=5)
    for n, user in enumerate(residents):
        await _say(engine, user, later, payload=buttons.encode("sb", survey_id))
        await _say(engine, user, later, poll_id=poll_id_of(survey_id, 0), poll_options=(n % 3,))
        await _say(engine, user, later, poll_id=poll_id_of(survey_id, 1), poll_options=(3 + n % 2,))
        await _say(engine, user, later, f"Fler fritidsgårdar, svar nummer {n}")
    await page.get_by_role("button", name="Close now").click()
    await expect(page.get_by_role("status")).to_contain_text("closed")
    await expect(page.locator(".numbers")).to_contain_text("6 respondents")
    await expect(page.locator("ul.answers li")).to_have_count(6)
    await expect(page.locator("svg.bars").first).to_contain_text("Cykel")
    await shot(page, "32-survey-results")
    csv = await page.request.get(f"{base}/surveys/{survey_id}.csv")
    assert "Cykel,2" in await csv.text()
    await context.close()
