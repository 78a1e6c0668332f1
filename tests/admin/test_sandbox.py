""" "Try the bot" runs in a sandbox: what staff do there takes no seat, counts in no result or
report, and leaves an audit entry."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select

from bot.store import schema as t
from tests.admin.conftest import AdminEnv, csrf_of


async def _press_first(client: httpx.AsyncClient, csrf: str, wanted: str) -> None:
    page = (await client.get("/try?lang=sv")).text
    buttons = re.findall(r'name="payload" value="([^"]+)">\s*<input type="hidden" name="label" value="([^"]*)"', page)
    payload = next((p for p, label in buttons if wanted.lower() in label.lower()), None)
    assert payload is not None, buttons
    await client.post("/try", data={"csrf_token": csrf, "lang": "sv", "payload": payload, "label": wanted})


async def test_signing_up_while_trying_takes_no_real_seat(env: AdminEnv) -> None:
    event_id = await env.store.programme.event_id("MM009")
    assert event_id is not None
    before = await env.store.signups.occupancy(event_id)
    for username in ("vera", "olle"):
        client, csrf = await env.browser(username)
        await client.post("/try", data={"csrf_token": csrf, "lang": "sv", "text": "/start ev_MM009"})
        await _press_first(client, csrf, "Anmäl")
        transcript = (await client.get("/try?lang=sv")).text
        assert "plats" in transcript.lower(), transcript  # the bot confirmed a seat, in the sandbox
    assert await env.store.signups.occupancy(event_id) == before
    async with env.store.database.reading() as conn:
        people = await conn.scalar(select(func.count()).select_from(t.person).where(t.person.c.channel == "web"))
        signups = await conn.scalar(select(func.count()).select_from(t.signup))
    assert people == 0 and signups == 0
    api = await env.api("ada")
    assert (await api.get("/api/events/MM009")).json()["status"] == "scheduled"
    entries = await env.app.state.admin.admin.audit_entries(limit=100)
    tried = [e for e in entries if e.action == "try.message"]
    assert {e.actor for e in tried} == {"vera", "olle"}
    # What was typed is not in the log.
    assert all("ev_MM009" not in str(e.details) for e in tried)


async def test_the_sandbox_follows_programme_changes(env: AdminEnv) -> None:
    client, csrf = await env.browser("ada")
    await client.post("/try", data={"csrf_token": csrf, "lang": "sv", "text": "/start ev_MM009"})
    api = await env.api("ada")
    event = (await api.get("/api/events/MM009")).json()
    event["title"] = {"sv": "Helt ny titel i sandlådan"}
    assert (await api.put("/api/events/MM009", json=event)).status_code == 200
    await client.post("/try", data={"csrf_token": csrf, "lang": "sv", "text": "/start ev_MM009"})
    assert "Helt ny titel i sandlådan" in (await client.get("/try?lang=sv")).text
    reset = await client.post("/try/reset", data={"csrf_token": csrf_of((await client.get("/try")).text), "lang": "sv"})
    assert reset.status_code == 303
    assert "Helt ny titel" not in (await client.get("/try?lang=sv")).text
