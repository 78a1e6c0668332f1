"""Actions that message residents or remove data ask first, and say how many people will be told."""

from __future__ import annotations

import re

from tests.admin.conftest import AdminEnv
from tests.admin.support import sign_up


async def test_cancelling_asks_first_and_says_how_many_are_told(env: AdminEnv) -> None:
    for i in range(3):
        await sign_up(env.store, "MM009", f"resident-{i}")
    client, csrf = await env.browser("olle")
    client.headers["Accept-Language"] = "sv"
    event_page = (await client.get("/events/MM009")).text
    # No button on the event page cancels at once: it leads to the question.
    assert 'action="/events/MM009/cancel"' not in event_page and 'href="/events/MM009/cancel"' in event_page
    question = await client.get("/events/MM009/cancel")
    assert question.status_code == 200
    assert "Ställa in evenemanget?" in question.text and "3 personer får ett meddelande om det." in question.text
    api = await env.api("olle")
    assert (await api.get("/api/events/MM009")).json()["status"] == "scheduled"  # asking changed nothing
    assert 'action="/events/MM009/cancel"' in question.text
    assert (await client.post("/events/MM009/cancel", data={"csrf_token": csrf})).status_code == 303
    assert (await api.get("/api/events/MM009")).json()["status"] == "cancelled"


async def test_moving_shows_the_new_time_and_the_count_before_it_moves(env: AdminEnv) -> None:
    await sign_up(env.store, "MM009", "resident-1")
    client, csrf = await env.browser("olle")
    client.headers["Accept-Language"] = "en"
    event_page = (await client.get("/events/MM009")).text
    assert 'action="/events/MM009/move/confirm"' in event_page
    new_time = {"csrf_token": csrf, "starts_at": "2027-05-12T14:00", "ends_at": "2027-05-12T15:00", "venue_key": ""}
    question = await client.post("/events/MM009/move/confirm", data=new_time)
    assert question.status_code == 200 and "Move the event?" in question.text
    assert "1 person will get a message about it." in question.text and "14:00" in question.text
    api = await env.api("olle")
    assert not (await api.get("/api/events/MM009")).json()["starts_at"].startswith("2027-05-12T12:00")
    hidden = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', question.text))
    assert hidden["starts_at"] == "2027-05-12T14:00"
    assert (await client.post("/events/MM009/move", data=hidden)).status_code == 303
    assert (await api.get("/api/events/MM009")).json()["starts_at"].startswith("2027-05-12T12:00")


async def test_removing_a_person_and_disabling_an_account_ask_first(env: AdminEnv) -> None:
    await sign_up(env.store, "MM009", "resident-1")
    client, _ = await env.browser("olle")
    client.headers["Accept-Language"] = "en"
    page = (await client.get("/events/MM009")).text
    remove = re.search(r'href="(/events/MM009/people/\d+/remove)"', page)
    assert remove is not None and '/remove" class="inline"' not in page
    question = await client.get(remove.group(1))
    assert "Remove this person?" in question.text and "1 person will get a message about it." in question.text
    admin, _ = await env.browser("ada")
    admin.headers["Accept-Language"] = "en"
    kim = next(a for a in await env.app.state.admin.admin.accounts() if a.username == "kim")
    accounts = (await admin.get("/accounts")).text
    assert f'href="/accounts/{kim.id}/disable"' in accounts
    asked = await admin.get(f"/accounts/{kim.id}/disable")
    assert "Disable this account?" in asked.text and "kim" in asked.text
    assert not next(a for a in await env.app.state.admin.admin.accounts() if a.username == "kim").disabled
