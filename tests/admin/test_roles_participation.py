"""Ask the panel and citizen surveys in the admin, role by role over HTTP: the moderator's pages
belong to the event's organisation (and admins), the screen only to its secret link, surveys are
built by admins and read by viewers; every form needs its CSRF token, and a resident's or an
admin's markup stays text on the moderation page, the screen and the survey results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from bot.store.qa import QaStore, QuestionStatus
from bot.store.surveys import Kind, Question, SurveyStore
from bot.surveys import poll_id_of
from scheduler import Scheduler
from scheduler.surveys import send_survey
from tests.admin.conftest import AdminEnv
from tests.admin.test_security import SCRIPT
from tests.scheduler.conftest import FakeClock, FakeConnector

OWN_A = "MM009"  # Malmö Ideella: olle's
OWN_B = "MM021"  # Kulturförvaltningen: kim's
ROLES = ["ada", "olle", "kim", "vera"]
REFUSED = 403
DONE = 303
"""A form that worked sends the browser on (post, redirect, get)."""


async def _qa_on(env: AdminEnv, code: str) -> tuple[int, str]:
    """Q&A switched on for `code`; returns the event's id and the screen's secret token."""
    event_id = await env.store.programme.event_id(code)
    assert event_id is not None
    found = await QaStore(env.store.database).switch(event_id, True)
    return event_id, found.screen_token


async def _question(env: AdminEnv, code: str, text: str = "Hur blir det med bostäderna?") -> int:
    event_id = await env.store.programme.event_id(code)
    assert event_id is not None
    asked = await QaStore(env.store.database).ask(event_id, "telegram", f"asker-{text[:8]}", text, env.clock.now)
    return asked.id


async def _survey(env: AdminEnv, title: str = "Ungas röst", option: str = "Cykel") -> int:
    return await SurveyStore(env.store.database).create(
        {"sv": title},
        {"sv": "Två frågor"},
        [
            Question(Kind.SINGLE, {"sv": "Hur kom du hit?"}, [{"sv": option}, {"sv": "Buss"}]),
            Question(Kind.TEXT, {"sv": "Vad ska staden göra först?"}),
        ],
        env.clock.now + timedelta(days=3),
        env.clock.now,
    )


async def _get(env: AdminEnv, username: str, path: str) -> int:
    client, _ = await env.browser(username)
    return (await client.get(path)).status_code


async def _post(env: AdminEnv, username: str, path: str, data: dict[str, str] | None = None) -> int:
    client, csrf = await env.browser(username)
    return (await client.post(path, data={"csrf_token": csrf, **(data or {})})).status_code


# -- ask the panel ------------------------------------------------------------------------------


async def test_qa_pages_by_role(env: AdminEnv) -> None:
    await _qa_on(env, OWN_A)
    await _qa_on(env, OWN_B)
    expected = {
        "/qa": {"ada": 200, "olle": 200, "kim": 200, "vera": REFUSED},
        f"/qa/{OWN_A}": {"ada": 200, "olle": 200, "kim": REFUSED, "vera": REFUSED},
        f"/qa/{OWN_A}/questions.json": {"ada": 200, "olle": 200, "kim": REFUSED, "vera": REFUSED},
        f"/qa/{OWN_B}": {"ada": 200, "olle": REFUSED, "kim": 200, "vera": REFUSED},
        f"/qa/{OWN_B}/questions.json": {"ada": 200, "olle": REFUSED, "kim": 200, "vera": REFUSED},
    }
    for path, by_role in expected.items():
        for username in ROLES:
            assert await _get(env, username, path) == by_role[username], (username, path)


async def test_organisers_list_only_their_own_events_for_qa(env: AdminEnv) -> None:
    olle, _ = await env.browser("olle")
    page = (await olle.get("/qa")).text
    assert f"/qa/{OWN_A}/switch" in page
    assert f"/qa/{OWN_B}/switch" not in page
    kim, _ = await env.browser("kim")
    page = (await kim.get("/qa")).text
    assert f"/qa/{OWN_B}/switch" in page
    assert f"/qa/{OWN_A}/switch" not in page


async def test_qa_switch_by_role(env: AdminEnv) -> None:
    qa = QaStore(env.store.database)
    event_id = await env.store.programme.event_id(OWN_A)
    assert event_id is not None
    for username in ("kim", "vera"):
        assert await _post(env, username, f"/qa/{OWN_A}/switch", {"enabled": "on"}) == REFUSED, username
        assert await qa.session(event_id) is None, username
    assert await _post(env, "olle", f"/qa/{OWN_A}/switch", {"enabled": "on"}) == DONE
    found = await qa.session(event_id)
    assert found is not None and found.enabled
    assert await _post(env, "kim", f"/qa/{OWN_A}/switch", {"enabled": "off"}) == REFUSED
    found = await qa.session(event_id)
    assert found is not None and found.enabled
    assert await _post(env, "ada", f"/qa/{OWN_A}/switch", {"enabled": "off"}) == DONE
    found = await qa.session(event_id)
    assert found is not None and not found.enabled


@pytest.mark.parametrize("action", ["approve", "hide", "answered", "pending"])
async def test_moderation_by_role(env: AdminEnv, action: str) -> None:
    await _qa_on(env, OWN_A)
    question_id = await _question(env, OWN_A)
    qa = QaStore(env.store.database)
    path = f"/qa/{OWN_A}/questions/{question_id}/{action}"
    for username in ("kim", "vera"):
        assert await _post(env, username, path) == REFUSED, username
        # The moderator's page polls with Accept: JSON; refused all the same.
        client, csrf = await env.browser(username)
        response = await client.post(path, headers={"X-CSRF-Token": csrf, "Accept": "application/json"})
        assert response.status_code == REFUSED, username
        found = await qa.question(question_id)
        assert found is not None and found.status is QuestionStatus.PENDING, username
    for username in ("olle", "ada"):
        assert await _post(env, username, path) == DONE, username
        found = await qa.question(question_id)
        assert found is not None and found.status is _status_of(action), username
        await qa.moderate(question_id, QuestionStatus.PENDING)
    client, csrf = await env.browser("olle")
    response = await client.post(path, headers={"X-CSRF-Token": csrf, "Accept": "application/json"})
    assert response.status_code == 200
    assert response.json() == {"id": question_id, "status": _status_of(action).value}


def _status_of(action: str) -> QuestionStatus:
    return {
        "approve": QuestionStatus.APPROVED,
        "hide": QuestionStatus.HIDDEN,
        "answered": QuestionStatus.ANSWERED,
        "pending": QuestionStatus.PENDING,
    }[action]


async def test_another_organisations_question_cannot_be_moderated_through_ones_own_event(env: AdminEnv) -> None:
    await _qa_on(env, OWN_A)
    await _qa_on(env, OWN_B)
    theirs = await _question(env, OWN_B)
    # olle manages OWN_A, but the question belongs to kim's event: as if it did not exist there.
    assert await _post(env, "olle", f"/qa/{OWN_A}/questions/{theirs}/approve") == 404
    assert await _post(env, "olle", f"/qa/{OWN_B}/questions/{theirs}/approve") == REFUSED
    found = await QaStore(env.store.database).question(theirs)
    assert found is not None and found.status is QuestionStatus.PENDING
    olle, _ = await env.browser("olle")
    listed = (await olle.get(f"/qa/{OWN_A}/questions.json")).json()
    assert all(q["id"] != theirs for items in listed.values() for q in items)


async def test_unknown_action_and_qa_not_switched_on(env: AdminEnv) -> None:
    await _qa_on(env, OWN_A)
    question_id = await _question(env, OWN_A)
    assert await _post(env, "ada", f"/qa/{OWN_A}/questions/{question_id}/delete") == 422
    assert await _get(env, "ada", f"/qa/{OWN_B}") == 404
    assert await _get(env, "ada", "/qa/NOSUCH") == 404


async def test_anonymous_is_sent_to_login_from_qa_and_refused_changes(env: AdminEnv) -> None:
    await _qa_on(env, OWN_A)
    question_id = await _question(env, OWN_A)
    client = env.client()
    for path in ("/qa", f"/qa/{OWN_A}", f"/qa/{OWN_A}/questions.json"):
        response = await client.get(path)
        assert response.status_code == DONE, path
        assert response.headers["location"].startswith("/login?next="), path
    for path in (f"/qa/{OWN_A}/switch", f"/qa/{OWN_A}/questions/{question_id}/approve"):
        # No session, so no CSRF token either: refused before anything else.
        assert (await client.post(path, data={"enabled": "on"})).status_code == REFUSED, path
    found = await QaStore(env.store.database).question(question_id)
    assert found is not None and found.status is QuestionStatus.PENDING


async def test_screen_needs_only_its_secret_link_and_shows_approved_questions(env: AdminEnv) -> None:
    _event_id, token = await _qa_on(env, OWN_A)
    _other, other_token = await _qa_on(env, OWN_B)
    approved = await _question(env, OWN_A, "Godkänd fråga om parkerna")
    hidden = await _question(env, OWN_A, "Dold fråga med ett skällsord")
    pending = await _question(env, OWN_A, "Väntande fråga om bussarna")
    theirs = await _question(env, OWN_B, "Fråga till ett annat evenemang")
    qa = QaStore(env.store.database)
    await qa.moderate(approved, QuestionStatus.APPROVED)
    await qa.moderate(hidden, QuestionStatus.HIDDEN)
    await qa.moderate(theirs, QuestionStatus.APPROVED)
    room = env.client()
    page = await room.get(f"/screen/{token}")
    assert page.status_code == 200
    assert "Godkänd fråga" in page.text
    for left_out in ("Dold fråga", "Väntande fråga", "Fråga till ett annat"):
        assert left_out not in page.text
    listed = (await room.get(f"/screen/{token}/questions.json")).json()["questions"]
    assert [q["id"] for q in listed] == [approved]
    # The room sees no reports, no status, nothing about who asked.
    assert set(listed[0]) == {"id", "text", "upvotes"}
    assert pending not in [q["id"] for q in listed]
    assert [q["id"] for q in (await room.get(f"/screen/{other_token}/questions.json")).json()["questions"]] == [theirs]
    for guess in ("x" * 20, token[:-1], token.upper() if token != token.upper() else token.lower()):
        assert (await room.get(f"/screen/{guess}")).status_code == 404
        assert (await room.get(f"/screen/{guess}/questions.json")).status_code == 404


async def test_csrf_missing_or_wrong_is_refused_on_every_qa_form(env: AdminEnv) -> None:
    await _qa_on(env, OWN_A)
    question_id = await _question(env, OWN_A)
    client, _ = await env.browser("ada")
    _, other_sessions = await env.browser("ada")
    forms = [f"/qa/{OWN_B}/switch", *(f"/qa/{OWN_A}/questions/{question_id}/{a}" for a in ("approve", "hide"))]
    for path in forms:
        for data in ({}, {"csrf_token": "wrong"}, {"csrf_token": ""}, {"csrf_token": other_sessions}):
            response = await client.post(path, data={"enabled": "on", **data})
            assert response.status_code == REFUSED, (path, data)
        response = await client.post(path, headers={"X-CSRF-Token": "wrong", "Accept": "application/json"})
        assert response.status_code == REFUSED, path
    event_b = await env.store.programme.event_id(OWN_B)
    assert event_b is not None
    assert await QaStore(env.store.database).session(event_b) is None
    found = await QaStore(env.store.database).question(question_id)
    assert found is not None and found.status is QuestionStatus.PENDING


async def test_markup_in_a_question_is_inert_for_moderator_and_screen(env: AdminEnv) -> None:
    _event_id, token = await _qa_on(env, OWN_A)
    question_id = await _question(env, OWN_A, SCRIPT)
    client, _ = await env.browser("olle")
    pages = [await client.get(f"/qa/{OWN_A}")]
    await QaStore(env.store.database).moderate(question_id, QuestionStatus.APPROVED)
    pages += [await client.get(f"/qa/{OWN_A}"), await env.client().get(f"/screen/{token}")]
    for page in pages:
        assert page.status_code == 200, page.url
        assert "<script>alert" not in page.text, page.url
        assert "<img src=x" not in page.text, page.url
        assert "&lt;script&gt;alert" in page.text, page.url
        assert "script-src 'self'" in page.headers["content-security-policy"], page.url
    # The JSON the pages poll carries the text as data; qa.js puts it in with textContent only.
    polled = await env.client().get(f"/screen/{token}/questions.json")
    assert polled.headers["content-type"].startswith("application/json")
    assert polled.json()["questions"][0]["text"] == SCRIPT


# -- citizen surveys ----------------------------------------------------------------------------


async def test_survey_pages_by_role(env: AdminEnv) -> None:
    survey_id = await _survey(env)
    expected = {
        "/surveys": {"ada": 200, "olle": REFUSED, "kim": REFUSED, "vera": 200},
        f"/surveys/{survey_id}": {"ada": 200, "olle": REFUSED, "kim": REFUSED, "vera": 200},
        f"/surveys/{survey_id}.csv": {"ada": 200, "olle": REFUSED, "kim": REFUSED, "vera": 200},
        "/surveys/new": {"ada": 200, "olle": REFUSED, "kim": REFUSED, "vera": REFUSED},
        f"/surveys/{survey_id}/edit": {"ada": 200, "olle": REFUSED, "kim": REFUSED, "vera": REFUSED},
    }
    for path, by_role in expected.items():
        for username in ROLES:
            assert await _get(env, username, path) == by_role[username], (username, path)


async def test_viewer_reads_results_without_the_builders_buttons(env: AdminEnv) -> None:
    survey_id = await _survey(env)
    vera, _ = await env.browser("vera")
    page = (await vera.get(f"/surveys/{survey_id}")).text
    assert f"/surveys/{survey_id}/send" not in page
    assert f"/surveys/{survey_id}/edit" not in page
    assert f'href="/surveys/{survey_id}.csv"' in page
    listing = (await vera.get("/surveys")).text
    assert "/surveys/new" not in listing and "/surveys/opt-in" not in listing


def _form(title: str = "Ny enkät") -> dict[str, str]:
    return {"title_sv": title, "q0_kind": "scale", "q0_text_sv": "Hur trygg känner du dig?"}


async def test_survey_changes_by_role(env: AdminEnv) -> None:
    surveys = SurveyStore(env.store.database)
    draft = await _survey(env)
    to_close = await _survey(env, "Att stänga")
    await send_survey(env.store, to_close, env.clock.now)
    changes = [
        ("/surveys/new", _form()),
        (f"/surveys/{draft}/edit", _form("Ändrad")),
        (f"/surveys/{to_close}/close", {}),
        (f"/surveys/{draft}/send", {}),
        ("/surveys/opt-in", {}),
    ]
    for username in ("olle", "kim", "vera"):
        for path, data in changes:
            assert await _post(env, username, path, data) == REFUSED, (username, path)
    assert len(await surveys.all()) == 2
    found = await surveys.get(draft)
    assert found is not None and found.title == {"sv": "Ungas röst"} and found.status.value == "draft"
    closing = await surveys.get(to_close)
    assert closing is not None and closing.status.value == "open"
    for path, data in changes:
        assert await _post(env, "ada", path, data) == DONE, path
    assert len(await surveys.all()) == 3
    found = await surveys.get(draft)
    assert found is not None and found.title == {"sv": "Ändrad"} and found.status.value == "open"
    closing = await surveys.get(to_close)
    assert closing is not None and closing.status.value == "closed"


async def test_anonymous_is_sent_to_login_from_surveys(env: AdminEnv) -> None:
    survey_id = await _survey(env)
    client = env.client()
    for path in ("/surveys", f"/surveys/{survey_id}", f"/surveys/{survey_id}.csv", "/surveys/new"):
        response = await client.get(path)
        assert response.status_code == DONE, path
        assert response.headers["location"].startswith("/login?next="), path
    for path in ("/surveys/new", f"/surveys/{survey_id}/send", "/surveys/opt-in"):
        assert (await client.post(path, data=_form())).status_code == REFUSED, path
    assert len(await SurveyStore(env.store.database).all()) == 1


async def test_csrf_missing_or_wrong_is_refused_on_every_survey_form(env: AdminEnv) -> None:
    surveys = SurveyStore(env.store.database)
    draft = await _survey(env)
    opened = await _survey(env, "Öppen")
    await send_survey(env.store, opened, env.clock.now)
    client, _ = await env.browser("ada")
    _, other_sessions = await env.browser("ada")
    forms = [
        ("/surveys/new", _form()),
        (f"/surveys/{draft}/edit", _form("Ändrad")),
        (f"/surveys/{draft}/send", {}),
        (f"/surveys/{opened}/close", {}),
        ("/surveys/opt-in", {}),
    ]
    for path, form in forms:
        for data in ({}, {"csrf_token": "wrong"}, {"csrf_token": ""}, {"csrf_token": other_sessions}):
            assert (await client.post(path, data={**form, **data})).status_code == REFUSED, (path, data)
    assert len(await surveys.all()) == 2
    found = await surveys.get(draft)
    assert found is not None and found.title == {"sv": "Ungas röst"} and found.status.value == "draft"
    still = await surveys.get(opened)
    assert still is not None and still.status.value == "open"


async def test_markup_in_survey_texts_is_inert_in_the_admin(env: AdminEnv) -> None:
    surveys = SurveyStore(env.store.database)
    survey_id = await _survey(env, title=SCRIPT, option=SCRIPT)
    await send_survey(env.store, survey_id, env.clock.now)
    for n in range(5):
        await surveys.choose(survey_id, 0, "telegram", f"resident-{n}", 0, env.clock.now)
        await surveys.write(survey_id, 1, "telegram", f"resident-{n}", f"{SCRIPT} nr {n}", env.clock.now)
    for username in ("ada", "vera"):
        client, _ = await env.browser(username)
        for path in ("/surveys", f"/surveys/{survey_id}", f"/surveys/{survey_id}/edit"):
            page = await client.get(path)
            if username == "vera" and path.endswith("/edit"):
                assert page.status_code == REFUSED
                continue
            assert page.status_code == 200, (username, path)
            assert "<script>alert" not in page.text, (username, path)
            assert "<img src=x" not in page.text, (username, path)
            assert "&lt;script&gt;alert" in page.text, (username, path)
        results = (await client.get(f"/surveys/{survey_id}")).text
        # Shown (five answers), so the option's label and the free texts are really on the page.
        assert results.count("&lt;script&gt;alert") >= 1 + 1 + 5, username
        csv = await client.get(f"/surveys/{survey_id}.csv")
        assert csv.headers["content-type"].startswith("text/csv")
        assert "attachment" in csv.headers["content-disposition"]


@dataclass
class PollClient(FakeConnector):
    """A channel with native polls: remembers which ones it was told to end."""

    ended: list[str] = field(default_factory=list)

    async def close_poll(self, poll_id: str) -> None:
        self.ended.append(poll_id)


async def test_close_now_ends_the_native_polls_as_the_closing_time_does(env: AdminEnv) -> None:
    clock = FakeClock(env.clock.now)
    client = PollClient(clock, channel="telegram")
    env.app.state.admin.broadcasts = Scheduler(env.store, {"telegram": client}, clock=env.clock)
    by_hand, by_time = await _survey(env), await _survey(env, "Stänger av sig själv")
    for survey_id in (by_hand, by_time):
        await send_survey(env.store, survey_id, env.clock.now)

    assert await _post(env, "ada", f"/surveys/{by_hand}/close") == DONE
    assert client.ended == [poll_id_of(by_hand, 0), poll_id_of(by_hand, 1)]
    found = await SurveyStore(env.store.database).get(by_hand)
    assert found is not None and found.status.value == "closed"
    # Closing again changes nothing and ends nothing twice.
    assert await _post(env, "ada", f"/surveys/{by_hand}/close") == DONE
    assert len(client.ended) == 2

    env.clock.advance(timedelta(days=4))
    assert (await env.app.state.admin.broadcasts.maintain()).closed_surveys == [by_time]
    assert client.ended[2:] == [poll_id_of(by_time, 0), poll_id_of(by_time, 1)]


async def test_screen_link_can_be_renewed_and_stops_with_the_qa(env: AdminEnv) -> None:
    event_id, token = await _qa_on(env, OWN_A)
    approved = await _question(env, OWN_A, "Fråga till skärmen")
    await QaStore(env.store.database).moderate(approved, QuestionStatus.APPROVED)
    room = env.client()
    assert (await room.get(f"/screen/{token}")).status_code == 200
    client, csrf = await env.browser("olle")
    assert (await client.post(f"/qa/{OWN_A}/screen/renew", data={"csrf_token": csrf})).status_code == DONE
    assert (await room.get(f"/screen/{token}")).status_code == 404
    renewed = await QaStore(env.store.database).session(event_id)
    assert renewed is not None and renewed.screen_token != token
    assert (await room.get(f"/screen/{renewed.screen_token}/questions.json")).status_code == 200
    # Kim's organisation does not run the event: no renewing its link.
    kim, kim_csrf = await env.browser("kim")
    assert (await kim.post(f"/qa/{OWN_A}/screen/renew", data={"csrf_token": kim_csrf})).status_code == REFUSED
    # Switched off: the screen shows nothing, under the old link or any.
    await client.post(f"/qa/{OWN_A}/switch", data={"csrf_token": csrf})
    assert (await room.get(f"/screen/{renewed.screen_token}")).status_code == 404
    assert (await room.get(f"/screen/{renewed.screen_token}/questions.json")).status_code == 404
    entries = await env.app.state.admin.admin.audit_entries(limit=5)
    assert "qa.screen_renew" in [e.action for e in entries]


async def test_contacts_in_questions_are_masked_and_the_moderator_sees_no_time(env: AdminEnv) -> None:
    _event_id, token = await _qa_on(env, OWN_A)
    asked = await _question(env, OWN_A, "Ring mig på 070-123 45 67 eller anna@example.org")
    await QaStore(env.store.database).moderate(asked, QuestionStatus.APPROVED)
    client, _ = await env.browser("olle")
    page = (await client.get(f"/qa/{OWN_A}")).text
    listed = (await client.get(f"/qa/{OWN_A}/questions.json")).json()
    screen = (await env.client().get(f"/screen/{token}")).text
    screen_json = (await env.client().get(f"/screen/{token}/questions.json")).text
    for shown in (page, str(listed), screen, screen_json):
        assert "123 45 67" not in shown and "anna@example.org" not in shown
    [question] = listed["approved"]
    assert "asked_at" not in question and set(question) == {"id", "text", "status", "upvotes", "reports"}
