"""Programme pages and API: create, edit, move, cancel; venues; FAQ; import with preview; export."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import httpx

from bot.messages import Incoming
from tests.admin.conftest import AdminEnv, org_id
from tests.admin.support import event_payload, sign_up
from tests.conftest import SCHEDULE


async def _audit_actions(env: AdminEnv) -> list[tuple[str, str, str]]:
    entries = await env.app.state.admin.admin.audit_entries(limit=1000)
    return [(e.actor, e.action, e.target) for e in entries]


async def test_edit_event_through_the_form_changes_what_the_bot_says(env: AdminEnv) -> None:
    client, csrf = await env.browser("olle")
    form = await client.get("/events/MM009/edit")
    assert "ديمقراطية بالعربية" in form.text
    response = await client.post(
        "/events/MM009/edit",
        data={
            "csrf_token": csrf,
            "title_ar": "ديمقراطية بالعربية: صوتك في مالمو",
            "title_sv": "Demokrati på arabiska",
            "title_en": "Democracy in Arabic",
            "starts_at": "2027-05-11T18:00",
            "ends_at": "2027-05-11T20:00",
            "venue_key": "283a082d-e009-5639-bf33-66bea5dc6437",
            "language": "ar",
            "capacity": "35",
            "signup_required": "on",
            "organisations_chosen": "1",
            "lead": str(await org_id(env, "Malmö Ideella")),
        },
    )
    assert response.status_code == 303, response.text
    page = await client.get(response.headers["location"])
    assert "Demokrati på arabiska" in page.text and "Sparat. Boten visar ändringen" in page.text
    replies = await env.hub.receive(Incoming(channel="console", user_id="r1", text="/start ev_MM009", lang_hint="sv"))
    text = "\n".join(r.text for r in replies)
    assert "Demokrati på arabiska" in text
    assert "35 platser kvar av 35" in text
    assert ("olle", "event.update", "MM009") in await _audit_actions(env)


async def test_bad_form_input_is_shown_back_with_the_reason(env: AdminEnv) -> None:
    client, csrf = await env.browser("olle")
    response = await client.post(
        "/events/MM009/edit",
        data={"csrf_token": csrf, "title_sv": "X", "starts_at": "2027-05-11T18:00", "ends_at": "2027-05-11T17:00"},
    )
    assert response.status_code == 422
    assert "must end after it starts" in response.text
    assert 'value="X"' in response.text
    response = await client.post(
        "/events/MM009/edit",
        data={"csrf_token": csrf, "title_sv": "X", "starts_at": "soon", "ends_at": "2027-05-11T17:00"},
    )
    assert response.status_code == 422 and "not a date" in response.text
    response = await client.post(
        "/events/MM009/edit",
        data={
            "csrf_token": csrf,
            "title_sv": "X",
            "starts_at": "2027-05-11T18:00",
            "ends_at": "2027-05-11T19:00",
            "url": "javascript:alert(1)",
        },
    )
    assert response.status_code == 422 and "https://" in response.text


async def test_create_move_cancel_reinstate(env: AdminEnv) -> None:
    client, csrf = await env.browser("ada")
    response = await client.post(
        "/events/new",
        data={
            "csrf_token": csrf,
            "code": "EXTRA1",
            "title_sv": "Extra samtal",
            "starts_at": "2027-05-12T10:00",
            "ends_at": "2027-05-12T11:00",
            "organisations_chosen": "1",
            "lead": str(await org_id(env, "Malmö Ideella")),
            "language": "sv",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/events/EXTRA1"
    api = await env.api("olle")
    event = (await api.get("/api/events/EXTRA1")).json()
    assert event["starts_at"].startswith("2027-05-12T08:00:00")  # stored in UTC
    person = await sign_up(env.store, "EXTRA1", "resident-x")
    response = await client.post(
        "/events/EXTRA1/move",
        data={"csrf_token": csrf, "starts_at": "2027-05-12T14:00", "ends_at": "2027-05-12T15:00", "venue_key": ""},
    )
    assert response.status_code == 303
    moved = (await api.get("/api/events/EXTRA1")).json()
    assert moved["status"] == "moved" and moved["starts_at"].startswith("2027-05-12T12:00:00")
    assert (await client.post("/events/EXTRA1/cancel", data={"csrf_token": csrf})).status_code == 303
    assert (await api.get("/api/events/EXTRA1")).json()["status"] == "cancelled"
    # The signup stays: a cancelled event keeps its people, so they can be told.
    event_id = await env.store.programme.event_id("EXTRA1")
    assert event_id is not None
    assert await env.store.signups.status_of(event_id, person) is not None
    assert (await client.post("/events/EXTRA1/reinstate", data={"csrf_token": csrf})).status_code == 303
    assert (await api.get("/api/events/EXTRA1")).json()["status"] == "scheduled"
    actions = [a for _, a, target in await _audit_actions(env) if target == "EXTRA1"]
    assert actions == ["event.reinstate", "event.cancel", "event.move", "event.create"]


async def test_api_create_with_duplicate_code_or_unknown_venue(env: AdminEnv) -> None:
    api = await env.api("ada")
    assert (await api.post("/api/events", json=event_payload(code="MM001"))).status_code == 422
    assert (await api.post("/api/events", json=event_payload(venue_key="nowhere"))).status_code == 422
    assert (await api.post("/api/events", json=event_payload(title={}))).status_code == 422
    assert (await api.post("/api/events", json=event_payload(title={"xx": "?"}))).status_code == 422
    naive = event_payload(starts_at="2027-05-12T10:00:00", ends_at="2027-05-12T11:00:00")
    assert (await api.post("/api/events", json=naive)).status_code == 422


async def test_venues_and_faq(env: AdminEnv) -> None:
    client, csrf = await env.browser("ada")
    response = await client.post(
        "/venues",
        data={
            "csrf_token": csrf,
            "name": "Nya salen",
            "address": "Storgatan 1",
            "capacity": "50",
            "accessibility_sv": "Hiss",
        },
    )
    assert response.status_code == 303
    page = await client.get("/venues")
    assert "Nya salen" in page.text and "Storgatan 1" in page.text
    response = await client.post(
        "/faq",
        data={
            "csrf_token": csrf,
            "key": "parking",
            "questions_sv": "Var kan jag parkera?\nFinns parkering?",
            "answer_sv": "Parkera vid Triangeln.",
            "answer_en": "Park at Triangeln.",
        },
    )
    assert response.status_code == 303
    replies = await env.hub.receive(
        Incoming(channel="console", user_id="r2", text="var kan jag parkera?", lang_hint="sv")
    )
    assert any("Triangeln" in r.text for r in replies)
    assert '<td class="code">parking</td>' in (await client.get("/faq")).text
    assert (await client.post("/faq/parking/delete", data={"csrf_token": csrf})).status_code == 303
    assert '<td class="code">parking</td>' not in (await client.get("/faq")).text
    actions = await _audit_actions(env)
    assert ("ada", "faq.delete", "parking") in actions and ("ada", "venue.create", "Nya salen") in actions


async def test_import_shows_a_preview_and_changes_nothing_until_applied(env: AdminEnv) -> None:
    data = json.loads(SCHEDULE.read_text())
    talks = [t for day in data["schedule"]["conference"]["days"] for room in day["rooms"].values() for t in room]
    moved = next(t for t in talks if t["code"] == "MM009")
    moved["date"] = "2027-05-11T19:00:00+02:00"
    moved["start"] = "19:00"
    renamed = next(t for t in talks if t["code"] == "MM015")
    renamed["title"] = "Nytt namn"
    for day in data["schedule"]["conference"]["days"]:
        for room, room_talks in day["rooms"].items():
            day["rooms"][room] = [t for t in room_talks if t["code"] != "MM022"]
    upload = json.dumps(data).encode()
    await sign_up(env.store, "MM009", "resident-a")
    await sign_up(env.store, "MM022", "resident-b")
    before = await env.store.programme.snapshot()
    client, csrf = await env.browser("ada")
    response = await client.post(
        "/import/preview",
        params={"csrf_token": csrf},
        data={"csrf_token": csrf},
        files={"file": ("schedule.json", upload, "application/json")},
    )
    assert response.status_code == 200, response.text
    assert "MM009" in response.text and "MM015" in response.text and "MM022" in response.text
    # Each change as title, field, old → new, and how many people will be told.
    rows = re.findall(
        r"<td>([^<]*)</td>\s*<td dir=\"auto\">([^<]*)</td>\s*<td dir=\"auto\">([^<]*)</td>", response.text
    )
    assert ("titel", before.event("MM015").title["sv"], "Nytt namn") in rows  # type: ignore[union-attr]
    assert any(field == "börjar" and "19:00" in new for field, _old, new in rows), rows
    assert "2 personer får ett meddelande om det." in response.text
    after_preview = await env.store.programme.snapshot()
    assert before is not None and after_preview is not None
    assert after_preview.events == before.events and after_preview.revision == before.revision
    token = response.text.split('name="token" value="')[1].split('"')[0]
    response = await client.post("/import/apply", data={"csrf_token": csrf, "token": token})
    assert response.status_code == 303
    snapshot = await env.store.programme.snapshot()
    assert snapshot is not None
    assert snapshot.event("MM009").status.value == "moved"  # type: ignore[union-attr]
    assert snapshot.event("MM022").status.value == "cancelled"  # type: ignore[union-attr]
    assert snapshot.event("MM015").title["sv"] == "Nytt namn"  # type: ignore[union-attr]
    # A preview token is used once.
    again = await client.post("/import/apply", data={"csrf_token": csrf, "token": token})
    assert again.status_code == 422 and "förhandsvisningen har gått ut" in again.text
    entry = (await env.app.state.admin.admin.audit_entries(limit=1))[0]
    assert entry.action == "programme.import" and entry.details["moved"] == ["MM009"]


async def test_import_preview_of_a_bad_file_says_why(env: AdminEnv) -> None:
    client, csrf = await env.browser("ada")
    response = await client.post(
        "/import/preview",
        params={"csrf_token": csrf},
        data={"csrf_token": csrf},
        files={"file": ("x.json", b"{nope", "application/json")},
    )
    assert response.status_code == 422
    assert "not valid JSON" in response.text


async def test_import_from_an_address(env: AdminEnv) -> None:
    def serve(request: httpx.Request) -> httpx.Response:
        assert str(request.url) == "https://pretalx.example.org/mm2027/schedule.json"
        return httpx.Response(200, content=SCHEDULE.read_bytes())

    env.app.state.admin.fetch_transport = httpx.MockTransport(serve)
    api = await env.api("ada")
    response = await api.post(
        "/api/import/preview-url", json={"url": "https://pretalx.example.org/mm2027/schedule.json"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["report"]["unchanged"]) == 27
    applied = await api.post("/api/import/apply", json={"token": body["token"]})
    assert applied.status_code == 200
    other = await env.api("ada")
    assert (await other.post("/api/import/apply", json={"token": body["token"]})).status_code == 422


async def test_import_through_the_api_file_upload(env: AdminEnv) -> None:
    api = await env.api("ada")
    csv_text = "code,title_sv,start,end\nCSV1,Från CSV,2027-05-13T10:00,2027-05-13T11:00\n"
    response = await api.post("/api/import/preview", files={"file": ("extra.csv", csv_text.encode(), "text/csv")})
    assert response.status_code == 200, response.text
    assert response.json()["report"]["created"] == ["CSV1"]
    assert (await api.get("/api/events/CSV1")).status_code == 404


async def test_export(env: AdminEnv) -> None:
    client, _ = await env.browser("olle")
    ics = await client.get("/export/programme.ics?lang=en")
    assert ics.status_code == 200 and ics.text.startswith("BEGIN:VCALENDAR")
    csv_export = await client.get("/export/programme.csv")
    assert csv_export.status_code == 200 and csv_export.text.startswith("code,")
    assert "MM001" in csv_export.text


async def test_moving_and_cancelling_in_the_admin_tells_attendees(env: AdminEnv) -> None:
    from scheduler import Scheduler

    event_id = await env.store.programme.event_id("MM009")
    person = await env.store.people.create("web", "attendee-1", "sv", env.clock.now)
    assert event_id is not None
    await env.store.signups.sign_up(event_id, person.id, env.clock.now)
    scheduler = Scheduler(env.store, env.hub.connectors, clock=env.clock)
    await scheduler.tick()
    env.clock.advance(timedelta(hours=1))
    client, csrf = await env.browser("olle")
    moved = await client.post(
        "/events/MM009/move",
        data={"csrf_token": csrf, "starts_at": "2027-05-11T19:00", "ends_at": "2027-05-11T21:00", "venue_key": ""},
    )
    assert moved.status_code == 303
    await scheduler.tick()
    told = [m for m in env.web_chat.transcript("attendee-1") if "19:00" in m.html]
    assert told, [m.html for m in env.web_chat.transcript("attendee-1")]
    assert (await client.post("/events/MM009/cancel", data={"csrf_token": csrf})).status_code == 303
    before = len(env.web_chat.transcript("attendee-1"))
    await scheduler.tick()
    assert len(env.web_chat.transcript("attendee-1")) == before + 1


async def test_unanswered_questions_become_faq_entries_or_are_dismissed(env: AdminEnv) -> None:
    for user in ("r3", "r4"):
        replies = await env.hub.receive(
            Incoming(channel="console", user_id=user, text="kan man ta med sin hund?", lang_hint="sv")
        )
        assert any(r.fallback for r in replies)
    await env.hub.receive(Incoming(channel="console", user_id="r5", text="<script>x</script> blorf", lang_hint="en"))
    client, csrf = await env.browser("ada")
    page = (await client.get("/faq")).text
    assert "kan man ta med sin hund?" in page and "<script>x</script>" not in page
    questions = await env.app.state.admin.service.store.unanswered.list_unanswered()
    charger = next(q for q in questions if "hund" in q.text)
    assert charger.count == 2
    prefilled = (await client.get(f"/faq?ask={charger.id}")).text
    assert f'name="unanswered_id" value="{charger.id}"' in prefilled
    response = await client.post(
        "/faq",
        data={
            "csrf_token": csrf,
            "key": "dogs",
            "questions_sv": "kan man ta med sin hund?",
            "answer_sv": "Ja, i koppel.",
            "unanswered_id": str(charger.id),
        },
    )
    assert response.status_code == 303
    left = await env.app.state.admin.service.store.unanswered.list_unanswered()
    assert [q.id for q in left if q.id == charger.id] == []
    other = left[0]
    assert (await client.post(f"/faq/unanswered/{other.id}/dismiss", data={})).status_code == 403
    assert (await client.post(f"/faq/unanswered/{other.id}/dismiss", data={"csrf_token": csrf})).status_code == 303
    assert await env.app.state.admin.service.store.unanswered.list_unanswered() == []
    viewer, _ = await env.browser("vera")
    assert (await viewer.get("/faq")).status_code == 403


async def test_an_import_keeps_what_was_changed_in_the_admin_unless_the_file_is_chosen(env: AdminEnv) -> None:
    api = await env.api("ada")
    moved = await api.post(
        "/api/events/MM009/move",
        json={"starts_at": "2027-05-12T19:00:00+02:00", "ends_at": "2027-05-12T21:00:00+02:00"},
    )
    assert moved.status_code == 200, moved.text
    upload = SCHEDULE.read_bytes()

    client, csrf = await env.browser("ada")
    preview = await client.post(
        "/import/preview",
        params={"csrf_token": csrf},
        data={"csrf_token": csrf},
        files={"file": ("schedule.json", upload, "application/json")},
    )
    assert preview.status_code == 200
    assert "Ändrade i admin sedan filens senaste import (1)" in preview.text and "<li>MM009</li>" in preview.text
    token = preview.text.split('name="token" value="')[1].split('"')[0]
    assert (await client.post("/import/apply", data={"csrf_token": csrf, "token": token})).status_code == 303
    snapshot = await env.store.programme.snapshot()
    assert snapshot is not None and snapshot.event("MM009").starts_at.day == 12  # type: ignore[union-attr]
    entry = (await env.app.state.admin.admin.audit_entries(limit=1))[0]
    assert entry.details["kept_admin_changes"] == ["MM009"] and entry.details["took_file_version"] is False

    # The organiser chooses the file's version.
    body = (await api.post("/api/import/preview", files={"file": ("schedule.json", upload, "application/json")})).json()
    assert body["report"]["conflicts"] == ["MM009"]
    applied = await api.post("/api/import/apply", json={"token": body["token"], "take_file": True})
    assert applied.json()["moved"] == ["MM009"] and applied.json()["conflicts"] == []
    snapshot = await env.store.programme.snapshot()
    assert snapshot is not None and snapshot.event("MM009").starts_at.day != 12  # type: ignore[union-attr]


async def test_a_resident_who_asks_for_a_person_gets_an_organisers_answer_in_their_chat(env: AdminEnv) -> None:
    from scheduler import Scheduler

    async def say(text: str) -> str:
        replies = await env.hub.receive(Incoming(channel="web", user_id="res-1", text=text, lang_hint="sv"))
        assert not any(r.fallback for r in replies), text
        return "\n".join(r.text for r in replies)

    assert "arrangörer" in await say("kan jag prata med en människa?")
    assert "arrangörerna" in await say("Min kompis sitter i rullstol, ring mig på 070-123 45 67")
    client, csrf = await env.browser("ada")
    page = (await client.get("/faq")).text
    assert "Min kompis sitter i rullstol, ring mig på …" in page and "070-123" not in page
    [question] = await env.store.handover.waiting()
    assert question.text == "Min kompis sitter i rullstol, ring mig på …"
    answer = {"csrf_token": csrf, "answer": "Alla våra lokaler har hiss."}
    assert (await client.post(f"/faq/person/{question.id}/answer", data=answer)).status_code == 303
    # Twice is not sent twice.
    assert (await client.post(f"/faq/person/{question.id}/answer", data=answer)).status_code == 303
    assert await env.store.handover.waiting() == []
    scheduler = Scheduler(env.store, env.hub.connectors, clock=env.clock)
    await scheduler.tick()
    told = [m.html for m in env.web_chat.transcript("res-1") if "Alla våra lokaler har hiss." in m.html]
    assert len(told) == 1 and "En arrangör svarar på din fråga" in told[0]
    assert ("ada", "answer a question for a person", str(question.id)) in await _audit_actions(env)
    person = await env.store.people.find("web", "res-1")
    assert person is not None
    data = await env.store.people.data_of(person.id)
    assert [q["text"] for q in data["questions_to_organisers"]] == [question.text]
    await env.store.signups.forget(person.id, env.clock.now)
    assert await env.store.handover.get(question.id) is None
    viewer, _ = await env.browser("vera")
    assert (await viewer.post(f"/faq/person/{question.id}/dismiss", data={})).status_code == 403


async def test_the_faq_page_shows_which_languages_each_answer_lacks(env: AdminEnv) -> None:
    api = await env.api("ada")
    entry = {"key": "lockers", "questions": {"sv": ["finns det förvaring?"]}, "answer": {"sv": "Ja.", "en": "Yes."}}
    assert (await api.put("/api/faq/lockers", json=entry)).status_code == 200
    client, _ = await env.browser("ada")
    page = (await client.get("/faq")).text
    row = page[page.index('<td class="code">lockers</td>') :]
    row = row[: row.index("</tr>")]
    assert '<td class="missing">ar, fi, so, fa</td>' in row
