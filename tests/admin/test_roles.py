"""Every role against every resource, through the API and the pages; other organisations refused."""

from __future__ import annotations

import httpx
import pytest

from tests.admin.conftest import AdminEnv
from tests.admin.support import event_payload, sign_up

OWN_A = "MM009"  # Malmö Ideella
JOINT_A = "MM010"  # Malmö Ideella, Region Skåne
OWN_B = "MM021"  # Kulturförvaltningen
NOBODYS = "MM001"

ROLES = ["ada", "olle", "kim", "vera"]


async def _status(client: httpx.AsyncClient, method: str, path: str, **kwargs: object) -> int:
    response = await client.request(method, path, **kwargs)  # type: ignore[arg-type]
    return response.status_code


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        # code: ada (admin), olle (org A), kim (org B), vera (viewer)
        ("GET", "/api/events", None, {"ada": 200, "olle": 200, "kim": 200, "vera": 403}),
        ("GET", f"/api/events/{OWN_A}", None, {"ada": 200, "olle": 200, "kim": 403, "vera": 403}),
        ("GET", f"/api/events/{JOINT_A}", None, {"ada": 200, "olle": 200, "kim": 403, "vera": 403}),
        ("GET", f"/api/events/{OWN_B}", None, {"ada": 200, "olle": 403, "kim": 200, "vera": 403}),
        ("GET", f"/api/events/{NOBODYS}", None, {"ada": 200, "olle": 403, "kim": 403, "vera": 403}),
        ("GET", f"/api/events/{OWN_A}/signups", None, {"ada": 200, "olle": 200, "kim": 403, "vera": 403}),
        ("GET", f"/api/events/{OWN_B}/signups", None, {"ada": 200, "olle": 403, "kim": 200, "vera": 403}),
        ("POST", f"/api/events/{OWN_A}/cancel", None, {"ada": 200, "olle": 200, "kim": 403, "vera": 403}),
        ("POST", f"/api/events/{OWN_B}/cancel", None, {"ada": 200, "olle": 403, "kim": 200, "vera": 403}),
        (
            "POST",
            f"/api/events/{OWN_A}/move",
            {"starts_at": "2027-05-11T19:00:00+02:00", "ends_at": "2027-05-11T20:00:00+02:00"},
            {"ada": 200, "olle": 200, "kim": 403, "vera": 403},
        ),
        (
            "POST",
            f"/api/events/{OWN_A}/signups",
            {"name": "Walk In", "language": "sv"},
            {"ada": 201, "olle": 201, "kim": 403, "vera": 403},
        ),
        ("GET", "/api/venues", None, {"ada": 200, "olle": 200, "kim": 200, "vera": 403}),
        ("PUT", "/api/venues", {"name": "Ny sal"}, {"ada": 200, "olle": 403, "kim": 403, "vera": 403}),
        ("GET", "/api/faq", None, {"ada": 200, "olle": 403, "kim": 403, "vera": 403}),
        (
            "PUT",
            "/api/faq/test",
            {"key": "test", "answer": {"sv": "Svar"}},
            {"ada": 200, "olle": 403, "kim": 403, "vera": 403},
        ),
        ("GET", "/api/audit", None, {"ada": 200, "olle": 403, "kim": 403, "vera": 403}),
        ("GET", "/api/me", None, {"ada": 200, "olle": 200, "kim": 200, "vera": 200}),
        ("GET", "/api/results", None, {"ada": 200, "olle": 200, "kim": 200, "vera": 200}),
        ("GET", f"/api/results/{OWN_A}", None, {"ada": 200, "olle": 200, "kim": 403, "vera": 200}),
        (
            "POST",
            "/api/broadcasts/preview",
            {"texts": {"sv": "Hej"}, "audience": {"events": [OWN_A]}},
            {"ada": 200, "olle": 200, "kim": 403, "vera": 403},
        ),
        (
            "POST",
            "/api/broadcasts",
            {"texts": {"sv": "Hej"}, "audience": {"everyone": True}},
            {"ada": 201, "olle": 403, "kim": 403, "vera": 403},
        ),
    ],
)
async def test_api_role_matrix(
    env: AdminEnv, method: str, path: str, body: dict[str, object] | None, expected: dict[str, int]
) -> None:
    for username in ROLES:
        client = await env.api(username)
        kwargs = {"json": body} if body is not None else {}
        assert await _status(client, method, path, **kwargs) == expected[username], (username, method, path)


async def test_organiser_sees_only_own_events(env: AdminEnv) -> None:
    olle = await env.api("olle")
    codes = [e["code"] for e in (await olle.get("/api/events")).json()]
    assert codes == ["MM009", "MM010", "MM020", "MM024"]
    admin_codes = [e["code"] for e in (await (await env.api("ada")).get("/api/events")).json()]
    assert len(admin_codes) == 27


async def test_organiser_cannot_touch_other_organisations_attendees(env: AdminEnv) -> None:
    await sign_up(env.store, OWN_B, "resident-b")
    kim = await env.api("kim")
    people = (await kim.get(f"/api/events/{OWN_B}/signups")).json()
    signup_id = people["attendees"][0]["signup_id"]
    code = people["attendees"][0]["code"]
    olle = await env.api("olle")
    assert (await olle.get(f"/api/events/{OWN_B}/signups")).status_code == 403
    assert (await olle.delete(f"/api/events/{OWN_B}/signups/{signup_id}")).status_code == 403
    # A signup id of B's event through A's own event is not found there either.
    assert (await olle.delete(f"/api/events/{OWN_A}/signups/{signup_id}")).status_code == 404
    # Checking in someone of B's event with their code: as if the code did not exist.
    response = await olle.post("/api/checkin", json={"code": code})
    assert response.status_code == 404
    assert (await kim.get(f"/api/events/{OWN_B}/signups")).json()["checked_in"] == 0
    client, _ = await env.browser("olle")
    assert (await client.get(f"/events/{OWN_B}/people.csv")).status_code == 403
    assert (await client.get(f"/events/{OWN_B}")).status_code == 403
    assert (await client.get(f"/events/{OWN_B}/people/{signup_id}/qr.svg")).status_code == 403


async def test_organiser_cannot_give_event_away_or_create_for_others(env: AdminEnv) -> None:
    olle = await env.api("olle")
    event = (await olle.get(f"/api/events/{OWN_A}")).json()
    event["organisation"] = "Kulturförvaltningen"
    response = await olle.put(f"/api/events/{OWN_A}", json=event)
    assert response.status_code == 422
    created = await olle.post("/api/events", json=event_payload(organisation=""))
    assert created.status_code == 201
    assert created.json()["organisation"] == "Malmö Ideella"
    refused = await olle.post("/api/events", json=event_payload(code="NEW2", organisation="Kulturförvaltningen"))
    assert refused.status_code == 422
    kim = await env.api("kim")
    assert (await kim.get("/api/events/NEW1")).status_code == 403


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/events", {"ada": 200, "olle": 200, "kim": 200, "vera": 403}),
        (f"/events/{OWN_A}", {"ada": 200, "olle": 200, "kim": 403, "vera": 403}),
        (f"/events/{OWN_A}/edit", {"ada": 200, "olle": 200, "kim": 403, "vera": 403}),
        (f"/events/{OWN_A}/people.csv", {"ada": 200, "olle": 200, "kim": 403, "vera": 403}),
        ("/events/new", {"ada": 200, "olle": 200, "kim": 200, "vera": 403}),
        ("/checkin", {"ada": 200, "olle": 200, "kim": 200, "vera": 403}),
        ("/venues", {"ada": 200, "olle": 403, "kim": 403, "vera": 403}),
        ("/faq", {"ada": 200, "olle": 403, "kim": 403, "vera": 403}),
        ("/import", {"ada": 200, "olle": 403, "kim": 403, "vera": 403}),
        ("/export", {"ada": 200, "olle": 200, "kim": 200, "vera": 403}),
        ("/export/programme.csv", {"ada": 200, "olle": 200, "kim": 200, "vera": 403}),
        ("/accounts", {"ada": 200, "olle": 403, "kim": 403, "vera": 403}),
        ("/audit", {"ada": 200, "olle": 403, "kim": 403, "vera": 403}),
        ("/dead-letters", {"ada": 200, "olle": 403, "kim": 403, "vera": 403}),
        ("/try", {"ada": 200, "olle": 200, "kim": 200, "vera": 200}),
        ("/results", {"ada": 200, "olle": 200, "kim": 200, "vera": 200}),
        (f"/results/{OWN_A}", {"ada": 200, "olle": 200, "kim": 403, "vera": 200}),
        ("/report", {"ada": 200, "olle": 200, "kim": 200, "vera": 200}),
        ("/report.csv", {"ada": 200, "olle": 200, "kim": 200, "vera": 200}),
        ("/broadcasts", {"ada": 200, "olle": 200, "kim": 200, "vera": 403}),
    ],
)
async def test_page_role_matrix(env: AdminEnv, path: str, expected: dict[str, int]) -> None:
    for username in ROLES:
        client, _ = await env.browser(username)
        assert (await client.get(path)).status_code == expected[username], (username, path)


async def test_page_changes_refused_for_other_organisation(env: AdminEnv) -> None:
    client, csrf = await env.browser("olle")
    response = await client.post(f"/events/{OWN_B}/cancel", data={"csrf_token": csrf})
    assert response.status_code == 403
    response = await client.post(f"/events/{OWN_B}/people/add", data={"csrf_token": csrf, "name": "X"})
    assert response.status_code == 403
    kim = await env.api("kim")
    assert (await kim.get(f"/api/events/{OWN_B}")).json()["status"] == "scheduled"


async def test_anonymous_is_sent_to_login(env: AdminEnv) -> None:
    client = env.client()
    response = await client.get("/events/MM009?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/events/MM009?x=1"
    assert (await client.get("/api/events")).status_code == 401
    assert (await client.get("/health")).status_code == 200
