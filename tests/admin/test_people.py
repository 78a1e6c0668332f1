"""People at events: signups and waiting list, seats left, manual add/remove, check-in, CSV."""

from __future__ import annotations

import csv
import io
import re

import zxingcpp  # type: ignore[import-untyped]

from tests.admin.conftest import AdminEnv
from tests.admin.support import sign_up


async def _fill(env: AdminEnv, code: str, n: int) -> None:
    for i in range(n):
        await sign_up(env.store, code, f"resident-{code}-{i}")


async def test_signups_waiting_list_and_seats_left(env: AdminEnv) -> None:
    await _fill(env, "MM021", 17)  # 15 seats
    kim = await env.api("kim")
    people = (await kim.get("/api/events/MM021/signups")).json()
    assert (people["capacity"], people["confirmed"], people["waitlisted"], people["seats_left"]) == (15, 15, 2, 0)
    waiting = [a for a in people["attendees"] if a["status"] == "waitlisted"]
    assert [a["waiting_list_position"] for a in waiting] == [1, 2]
    codes = [a["code"] for a in people["attendees"]]
    assert len(set(codes)) == 17 and all(re.fullmatch(r"[A-Z2-9]{6}", c) for c in codes)
    client, _ = await env.browser("kim")
    page = await client.get("/events/MM021")
    assert "väntar 2" in page.text and "<b>0</b> platser kvar" in page.text  # Swedish by default
    listing = await client.get("/events")
    assert "15 / 15 (+2 väntar)" in listing.text


async def test_remove_gives_the_seat_to_the_first_waiting(env: AdminEnv) -> None:
    await _fill(env, "MM021", 16)
    kim = await env.api("kim")
    people = (await kim.get("/api/events/MM021/signups")).json()
    first = people["attendees"][0]
    waiting = next(a for a in people["attendees"] if a["status"] == "waitlisted")
    response = await kim.delete(f"/api/events/MM021/signups/{first['signup_id']}")
    assert response.status_code == 204
    people = (await kim.get("/api/events/MM021/signups")).json()
    promoted = next(a for a in people["attendees"] if a["signup_id"] == waiting["signup_id"])
    assert promoted["status"] == "confirmed"
    assert people["waitlisted"] == 0 and people["confirmed"] == 15
    assert all(a["signup_id"] != first["signup_id"] for a in people["attendees"])


async def test_manual_add_counts_seats_and_lands_on_the_waiting_list_when_full(env: AdminEnv) -> None:
    await _fill(env, "MM021", 14)
    client, csrf = await env.browser("kim")
    response = await client.post(
        "/events/MM021/people/add", data={"csrf_token": csrf, "name": "Anna Ek", "language": "sv"}
    )
    assert response.status_code == 303
    page = await client.get("/events/MM021")
    assert "Anna Ek är tillagd på listan" in page.text
    response = await client.post(
        "/events/MM021/people/add", data={"csrf_token": csrf, "name": "Bo Ek", "language": "en"}
    )
    page = await client.get("/events/MM021")
    assert "Bo Ek är tillagd på väntelistan" in page.text
    kim = await env.api("kim")
    people = (await kim.get("/api/events/MM021/signups")).json()
    assert people["confirmed"] == 15 and people["waitlisted"] == 1


async def test_check_in_by_code_once_and_not_for_the_waiting_list(env: AdminEnv) -> None:
    await _fill(env, "MM021", 16)
    kim = await env.api("kim")
    people = (await kim.get("/api/events/MM021/signups")).json()
    confirmed = people["attendees"][0]
    waiting = people["attendees"][-1]
    client, csrf = await env.browser("kim")
    typed = confirmed["code"].lower()[:3] + " " + confirmed["code"].lower()[3:]
    response = await client.post("/checkin", data={"csrf_token": csrf, "code": typed})
    assert response.status_code == 200 and "Välkommen!" in response.text  # Swedish by default
    response = await client.post("/checkin", data={"csrf_token": csrf, "code": confirmed["code"]})
    assert "Redan incheckad" in response.text
    response = await client.post("/checkin", data={"csrf_token": csrf, "code": waiting["code"]})
    assert response.status_code == 422 and "står på väntelistan" in response.text
    response = await client.post("/checkin", data={"csrf_token": csrf, "code": "ZZZZZZ"})
    assert response.status_code == 404
    people = (await kim.get("/api/events/MM021/signups")).json()
    assert people["checked_in"] == 1
    audit = [e for e in await env.app.state.admin.admin.audit_entries() if e.action == "checkin"]
    assert len(audit) == 1 and audit[0].actor == "kim"


async def test_check_in_by_qr(env: AdminEnv) -> None:
    await _fill(env, "MM021", 1)
    client, csrf = await env.browser("kim")
    kim = await env.api("kim")
    attendee = (await kim.get("/api/events/MM021/signups")).json()["attendees"][0]
    svg = await client.get(f"/events/MM021/people/{attendee['signup_id']}/qr.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    decoded = zxingcpp.read_barcodes(_svg_pixels(svg.content))
    assert decoded, "the QR code does not scan"
    url = decoded[0].text
    assert url == f"http://testserver/checkin/{attendee['code']}"
    # The phone opens the link: the form is filled in, nothing changed yet.
    page = await client.get(url)
    assert f'value="{attendee["code"]}"' in page.text
    assert (await kim.get("/api/events/MM021/signups")).json()["checked_in"] == 0
    response = await client.post("/checkin", data={"csrf_token": csrf, "code": url})
    assert "Välkommen!" in response.text


def _svg_pixels(svg: bytes, scale: int = 4) -> memoryview:
    """The QR in segno's SVG drawn as a grayscale pixel buffer, for zxing to read like a camera.

    segno draws each module row as one path in module units: `M x y` and `m dx dy` move, `h n`
    draws n dark modules on the row whose centre line is y.
    """
    text = svg.decode()
    path = re.search(r' d="([^"]+)"', text)
    assert path is not None
    dark: set[tuple[int, int]] = set()
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path.group(1)):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            for column in range(int(x), int(x + float(a))):
                dark.add((column, int(y)))
            x += float(a)
    size = max(max(c for c, _ in dark), max(r for _, r in dark)) + 5
    pixels = bytearray(b"\xff" * (size * scale) ** 2)
    for column, row in dark:
        for dy in range(scale):
            start = ((row * scale + dy) * size + column) * scale
            pixels[start : start + scale] = b"\x00" * scale
    return memoryview(bytes(pixels)).cast("B", shape=(size * scale, size * scale))


async def test_people_csv_has_only_the_needed_fields(env: AdminEnv) -> None:
    await _fill(env, "MM009", 2)
    client, csrf = await env.browser("olle")
    await client.post("/events/MM009/people/add", data={"csrf_token": csrf, "name": "Walk In", "language": "ar"})
    response = await client.get("/events/MM009/people.csv")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="MM009-people.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == ["event", "status", "waiting_list_position", "name", "language", "code", "checked_in_at"]
    assert [r["name"] for r in rows] == ["", "", "Walk In"]
    assert all(r["event"] == "MM009" for r in rows)
    assert "resident-MM009" not in response.text


async def test_try_the_bot_in_several_languages(env: AdminEnv) -> None:
    client, csrf = await env.browser("vera")
    await client.post("/try", data={"csrf_token": csrf, "lang": "en", "text": "/start ev_MM009"})
    page = await client.get("/try?lang=en")
    assert "places left" in page.text or "seats left" in page.text
    signup = re.search(r'name="payload" value="([^"]*su:MM009)"', page.text)
    assert signup is not None
    await client.post("/try", data={"csrf_token": csrf, "lang": "en", "payload": signup.group(1), "label": "Sign up"})
    page = await client.get("/try?lang=en")
    assert "Sign up" in page.text  # what was pressed is shown as the person's message
    # The tester is a person of the sandbox (admin/sandbox.py), never of the festival.
    sandbox = await env.app.state.admin.sandbox.store()
    assert await env.store.people.find("web", "admin-4-en") is None
    person = await sandbox.people.find("web", "admin-4-en")
    assert person is not None and person.language == "en"
    assert [s.event_code for s in await sandbox.signups.of_person(person.id)] == ["MM009"]
    await client.post("/try", data={"csrf_token": csrf, "lang": "sv", "text": "hej"})
    swedish = await client.get("/try?lang=sv")
    assert "Välkommen" in swedish.text
    assert await sandbox.people.find("web", "admin-4-sv") is not None
    await client.post("/try/reset", data={"csrf_token": csrf, "lang": "en"})
    assert await sandbox.people.find("web", "admin-4-en") is None
    assert "Sign up" not in (await client.get("/try?lang=en")).text


async def test_people_added_by_hand_get_no_broadcasts(env: AdminEnv) -> None:
    olle = await env.api("olle")
    await olle.post("/api/events/MM009/signups", json={"name": "Anna Ek"})
    await sign_up(env.store, "MM009", "resident-1")
    preview = await olle.post(
        "/api/broadcasts/preview", json={"texts": {"sv": "Hej"}, "audience": {"events": ["MM009"]}}
    )
    assert preview.json()["recipients"] == {"sv": 1}


async def test_people_csv_defuses_text_a_spreadsheet_would_run_as_a_formula(env: AdminEnv) -> None:
    client, csrf = await env.browser("olle")
    formula = '=HYPERLINK("http://evil.example","klicka")'
    await client.post("/events/MM009/people/add", data={"csrf_token": csrf, "name": formula, "language": "sv"})
    response = await client.get("/events/MM009/people.csv")
    [row] = [r for r in csv.DictReader(io.StringIO(response.text)) if r["name"]]
    assert row["name"] == "'" + formula


async def test_the_door_sees_checked_in_against_expected_and_can_undo(env: AdminEnv) -> None:
    olle = await env.api("olle")
    codes = []
    for name in ("Anna Ek", "Bo Lind", "Cia Berg"):
        added = await olle.post("/api/events/MM009/signups", json={"name": name})
        codes.append(added.json()["code"])
    client, csrf = await env.browser("olle")
    client.headers["Accept-Language"] = "sv"
    first = await client.post("/checkin", data={"csrf_token": csrf, "code": codes[0]})
    assert "Välkommen!" in first.text and "1 av 3 incheckade" in first.text
    second = await client.post("/checkin", data={"csrf_token": csrf, "code": codes[1]})
    assert "2 av 3 incheckade" in second.text
    signup = re.search(r'name="signup_id" value="(\d+)"', second.text)
    assert signup is not None
    undone = await client.post(
        "/checkin/undo", data={"csrf_token": csrf, "event": "MM009", "signup_id": signup.group(1)}
    )
    assert undone.status_code == 303
    assert "Incheckningen är ångrad. 1 av 3 incheckade." in (await client.get("/checkin")).text
    again = await client.post("/checkin", data={"csrf_token": csrf, "code": codes[1]})
    assert "Välkommen!" in again.text and "2 av 3 incheckade" in again.text
    # Another organisation's door cannot undo this event's check-ins.
    kim, kim_csrf = await env.browser("kim")
    refused = await kim.post(
        "/checkin/undo", data={"csrf_token": kim_csrf, "event": "MM009", "signup_id": signup.group(1)}
    )
    assert refused.status_code == 403
    assert "checkin.undo" in [e.action for e in await env.app.state.admin.admin.audit_entries(limit=20)]
