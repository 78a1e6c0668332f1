"""Broadcasts through the scheduler with live progress; results and the follow-up report."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta

from sqlalchemy import insert

from admin.results import mask
from bot.store import schema as t
from bot.store.ratings import RatingStore
from scheduler import Scheduler
from tests.admin.conftest import AdminEnv
from tests.admin.support import sign_up


async def _web_attendee(env: AdminEnv, code: str, user: str, lang: str = "sv") -> None:
    event_id = await env.store.programme.event_id(code)
    assert event_id is not None
    person = await env.store.people.create("web", user, lang, env.clock.now)
    await env.store.signups.sign_up(event_id, person.id, env.clock.now)


async def test_broadcast_preview_send_progress_and_reasons(env: AdminEnv) -> None:
    scheduler = Scheduler(env.store, env.hub.connectors, clock=env.clock)
    env.app.state.admin.broadcasts = scheduler
    for i, lang in enumerate(["sv", "en", "ar"]):
        await _web_attendee(env, "MM009", f"web-{i}", lang)
    await _web_attendee(env, "MM009", "web-blocked")
    await sign_up(env.store, "MM009", "telegram-9")  # no Telegram channel runs in this test
    client, csrf = await env.browser("olle")
    form = {
        "csrf_token": csrf,
        "text_sv": "Rummet är ändrat till <b>Rotundan</b>.",
        "text_en": "The room changed to Rotundan.",
        "text_ar": "تغيرت القاعة",
        "audience": "events",
        "events": ["MM009"],
    }
    preview = await client.post("/broadcasts/preview", data=form)
    assert preview.status_code == 200, preview.text
    assert "5 personer får det." in preview.text
    assert "&lt;b&gt;Rotundan&lt;/b&gt;" in preview.text  # shown as the bot sends it: text, not markup
    assert 'dir="rtl"' in preview.text and "تغيرت القاعة" in preview.text
    sent = await client.post("/broadcasts", data=form)
    assert sent.status_code == 303
    page_url = sent.headers["location"]
    page = await client.get(page_url)
    assert '<meta http-equiv="refresh"' in page.text and "<b>5</b> väntar" in page.text
    await env.store.people.set_unreachable("web", "web-blocked", env.clock.now)
    await scheduler.tick()
    page = await client.get(page_url)
    assert "<b>3</b> skickade" in page.text and "<b>1</b> inte skickade" in page.text
    # Telegram is not connected here: that one waits and is retried, still counted as pending.
    assert "<b>1</b> väntar" in page.text and '<meta http-equiv="refresh"' in page.text
    assert re.search(r"1 × failed: unreachable[^<]+", page.text)
    assert any("Rotundan" in m.html for m in env.web_chat.transcript("web-0"))
    assert any("تغيرت القاعة" in m.html for m in env.web_chat.transcript("web-2"))
    progress = (await client.get(page_url + "/progress")).json()
    assert (progress["sent"], progress["pending"], progress["total"]) == (3, 1, 5)
    metrics = (await client.get("/metrics")).text
    assert 'motsbot_outbox_sent{channel="web"} 3.0' in metrics
    assert 'motsbot_send_failures{reason="unreachable: the person has blocked the bot"} 1.0' in metrics
    assert re.search(r'motsbot_outbox_depth\{status="pending"\} [1-9]', metrics), metrics
    audit = [e for e in await env.app.state.admin.admin.audit_entries() if e.action == "broadcast.create"]
    assert audit[0].actor == "olle" and audit[0].details["audience"]["events"] == ["MM009"]


async def test_scheduled_broadcast_can_be_cancelled(env: AdminEnv) -> None:
    await _web_attendee(env, "MM009", "web-1")
    client, csrf = await env.browser("ada")
    form = {"csrf_token": csrf, "text_sv": "Imorgon!", "audience": "everyone", "at": "2027-05-11T09:00"}
    sent = await client.post("/broadcasts", data=form)
    assert sent.status_code == 303
    broadcast_id = int(sent.headers["location"].rsplit("/", 1)[1])
    page = await client.get(f"/broadcasts/{broadcast_id}")
    assert ">Planerat<" in page.text
    cancelled = await client.post(f"/broadcasts/{broadcast_id}/cancel", data={"csrf_token": csrf})
    assert cancelled.status_code == 303
    page = await client.get(f"/broadcasts/{broadcast_id}")
    assert ">Stoppat<" in page.text and "<b>0</b> väntar" in page.text


async def test_broadcast_audiences_by_role(env: AdminEnv) -> None:
    olle, csrf = await env.browser("olle")
    base = {"csrf_token": csrf, "text_sv": "Hej"}
    everyone = await olle.post("/broadcasts/preview", data={**base, "audience": "everyone"})
    assert everyone.status_code == 403
    other = await olle.post("/broadcasts", data={**base, "audience": "events", "events": ["MM021"]})
    assert other.status_code == 403
    empty = await olle.post("/broadcasts", data={"csrf_token": csrf, "audience": "events", "events": ["MM009"]})
    assert empty.status_code == 422 and "på minst ett språk" in empty.text
    vera, _ = await env.browser("vera")
    assert (await vera.get("/broadcasts")).status_code == 403
    ada, ada_csrf = await env.browser("ada")
    sent = await ada.post("/broadcasts", data={"csrf_token": ada_csrf, "text_sv": "Alla", "audience": "everyone"})
    assert sent.status_code == 303
    # The admin's broadcast to everyone is not the organiser's to see.
    assert (await olle.get(sent.headers["location"])).status_code == 403
    assert (await olle.post(sent.headers["location"] + "/cancel", data={"csrf_token": csrf})).status_code == 403


async def _votes(env: AdminEnv, code: str, votes: dict[int, int], comments: tuple[str, ...] = ()) -> int:
    event_id = await env.store.programme.event_id(code)
    assert event_id is not None
    async with env.store.database.transaction() as conn:
        for choice, n in votes.items():
            await conn.execute(insert(t.rating_tally).values(event_id=event_id, choice=choice, votes=n))
        for i, text in enumerate(comments):
            await conn.execute(insert(t.rating_comment).values(id=f"{event_id}-{i}", event_id=event_id, text=text))
    return event_id


async def test_results_of_an_event(env: AdminEnv) -> None:
    for i in range(8):
        await sign_up(env.store, "MM009", f"r{i}")
    ratings = RatingStore(env.store.database)
    event_id = await env.store.programme.event_id("MM009")
    assert event_id is not None
    after = env.clock.now + timedelta(days=1, hours=13)  # the evening after MM009
    await ratings.ensure_poll(event_id, env.clock.now, after + timedelta(days=7))
    for i, choice in enumerate([5, 4, 4, 5, 3, 0]):
        await ratings.vote(event_id, "telegram", f"r{i}", choice, after)
    await ratings.comment(event_id, "telegram", "r0", "Bra! Ring mig på 070-123 45 67 eller anna@example.se", after)
    await ratings.comment(event_id, "telegram", "r1", "<script>alert(1)</script> för kort", after)
    client, _ = await env.browser("olle")
    page = await client.get("/results/MM009")
    assert page.status_code == 200
    assert "4,2 av 5" in page.text  # (5+4+4+5+3)/5
    assert "<b>6</b> svar" in page.text and "<b>1</b> kom inte" in page.text
    assert "<b>75 %</b> svarsfrekvens" in page.text.replace("\xa0", " ")
    assert "070-123" not in page.text and "anna@example.se" not in page.text
    assert "Bra! Ring mig på … eller …" in page.text, "masked before it was stored"
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text
    assert page.text.count("<rect") == 5
    assert (await (await env.browser("kim"))[0].get("/results/MM009")).status_code == 403
    assert (await (await env.browser("vera"))[0].get("/results/MM009")).status_code == 200


async def test_fewer_than_five_answers_show_nothing(env: AdminEnv) -> None:
    await _votes(env, "MM021", {5: 2, 1: 2}, ("Hemligt",))
    client, _ = await env.browser("kim")
    page = await client.get("/results/MM021")
    assert "Färre än 5 svar: inget visas" in page.text
    assert "Hemligt" not in page.text and "av 5" not in page.text
    listing = await client.get("/results")
    assert "färre än 5 svar" in listing.text


async def test_results_list_and_festival_totals(env: AdminEnv) -> None:
    await _votes(env, "MM009", {5: 3, 4: 2})
    await _votes(env, "MM021", {3: 5, 0: 1})
    vera, _ = await env.browser("vera")
    page = await vera.get("/results")
    assert "festivalens medelvärde" in page.text
    # No signups to divide by (open entry, rated through the venue's QR code): no rate.
    assert "<b>–</b> svarsfrekvens" in page.text
    assert "4,6 av 5" in page.text and "3,0 av 5" in page.text
    assert "3,8 av 5" in page.text  # (15+8+15)/10
    kim, _ = await env.browser("kim")
    own = await kim.get("/results")
    assert "festivalens medelvärde" not in own.text and "MM009" not in own.text and "MM021" in own.text


async def test_follow_up_report(env: AdminEnv) -> None:
    for i in range(8):
        await sign_up(env.store, "MM009", f"r{i}")
    await _votes(env, "MM009", {5: 3, 4: 2})
    await _votes(env, "MM021", {4: 1})
    env.clock.now = env.clock.now + timedelta(days=10)  # after the festival
    client, _ = await env.browser("vera")
    page = await client.get("/report")
    assert page.status_code == 200 and "Malmö Ideella" in page.text
    response = await client.get("/report.csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    mm009 = next(r for r in rows if r["code"] == "MM009")
    assert (mm009["signups"], mm009["answers"], mm009["average"], mm009["response_rate"]) == ("8", "5", "4.60", "0.625")
    mm021 = next(r for r in rows if r["code"] == "MM021")
    assert (mm021["answers"], mm021["average"]) == ("<5", "")
    festival = next(r for r in rows if r["level"] == "festival")
    assert (festival["events"], festival["held"], festival["answers"]) == ("27", "27", "6")
    ideella = next(r for r in rows if r["level"] == "organiser" and r["organiser"] == "Malmö Ideella")
    assert ideella["events"] == "4" and ideella["signups"] == "8"


def test_masking() -> None:
    assert mask("ring 0701234567!") == "ring [telefon]!"
    assert mask("+46 (0)40-34 10 00 eller x.y+z@malmo.se") == "[telefon] eller [e-post]"
    assert mask("4 av 5, år 2027, 10-12 maj") == "4 av 5, år 2027, 10-12 maj"


async def test_broadcasts_and_results_through_the_api(env: AdminEnv) -> None:
    await _web_attendee(env, "MM009", "web-1", "en")
    olle = await env.api("olle")
    body = {"texts": {"sv": "Hej", "en": "Hello"}, "audience": {"events": ["MM009"]}}
    preview = (await olle.post("/api/broadcasts/preview", json=body)).json()
    assert preview["recipients"] == {"en": 1}
    assert {m["lang"]: m["html"] for m in preview["messages"]}["en"] == "Hello"
    created = await olle.post("/api/broadcasts", json=body)
    assert created.status_code == 201
    broadcast = created.json()
    assert (broadcast["total"], broadcast["pending"]) == (1, 1)
    kim = await env.api("kim")
    assert (await kim.get(f"/api/broadcasts/{broadcast['id']}")).status_code == 403
    cancelled = (await olle.post(f"/api/broadcasts/{broadcast['id']}/cancel")).json()
    assert cancelled["status"] == "cancelled" and cancelled["not_sent"] == {"cancelled: broadcast cancelled": 1}
    naive = {**body, "at": "2027-05-11T09:00:00"}
    assert (await olle.post("/api/broadcasts", json=naive)).status_code == 422

    await _votes(env, "MM009", {5: 4, 2: 1}, ("Ring 040-34 10 00",))
    await _votes(env, "MM021", {5: 1})
    vera = await env.api("vera")
    result = (await vera.get("/api/results/MM009")).json()
    assert (result["average_text"], result["answers"], result["distribution"]) == (
        "4,4 av 5",
        5,
        {"1": 0, "2": 1, "3": 0, "4": 0, "5": 4},
    )
    assert result["comments"] == ["Ring [telefon]"]
    hidden = (await vera.get("/api/results/MM021")).json()
    assert hidden["shown"] is False and hidden["average"] is None and hidden["comments"] is None
    assert [r["code"] for r in (await olle.get("/api/results")).json()] == ["MM009", "MM010", "MM020", "MM024"]
    assert (await olle.get("/api/results/MM021")).status_code == 403


async def test_back_from_the_broadcast_preview_keeps_the_message(env: AdminEnv) -> None:
    client, csrf = await env.browser("olle")
    form = {
        "csrf_token": csrf,
        "text_sv": "Workshoppen flyttar till Rotundan.",
        "text_en": "The workshop moves to the Rotunda.",
        "audience": "events",
        "events": ["MM009"],
        "at": "",
    }
    preview = await client.post("/broadcasts/preview", data=form)
    assert preview.status_code == 200 and 'formaction="/broadcasts/edit"' in preview.text
    hidden = re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', preview.text)
    data: dict[str, list[str]] = {}
    for name, value in hidden:
        data.setdefault(name, []).append(html.unescape(value))
    back = await client.post("/broadcasts/edit", data=data)
    assert back.status_code == 200
    assert "Workshoppen flyttar till Rotundan." in back.text and "The workshop moves to the Rotunda." in back.text
    assert re.search(r'value="MM009" checked', back.text)


async def test_charts_have_their_numbers_for_screen_readers_and_the_report_one_per_organiser(env: AdminEnv) -> None:
    for i in range(6):
        await sign_up(env.store, "MM009", f"r{i}")
    await _votes(env, "MM009", {5: 3, 4: 2, 2: 1})
    client, _ = await env.browser("vera")
    result = (await client.get("/results/MM009")).text
    # The drawing is hidden from screen readers; a table with the same numbers is not.
    assert 'class="bars"' in result and 'aria-hidden="true"' in result and 'role="img"' not in result
    rows = dict(re.findall(r'<tr><th scope="row">(\d)</th><td>(\d+)</td></tr>', result))
    assert (rows["5"], rows["4"], rows["2"]) == ("3", "2", "1")
    report = (await client.get("/report")).text
    organisers = re.findall(
        r"<tr><td>([^<]+)</td>\s*<td>\d+</td>", report.split("Per arrangör")[1].split("</table>")[0]
    )
    charts = re.findall(r'<figure class="org-chart">\s*<figcaption>([^<]+)</figcaption>', report)
    assert organisers and charts == organisers
