"""Organisations are records with ids: chosen, not typed; one organisation however its name is
spelt; a name with a comma stays one; co-organisers follow a rule."""

from __future__ import annotations

import csv
import io
import unicodedata

from admin.store import Role
from bot.store.organisations import organisation_key, split_names
from tests.admin.conftest import PASSWORD, AdminEnv, csrf_of, org_id
from tests.admin.support import event_payload

OWN_A = "MM009"  # led by Malmö Ideella (olle)


async def _organiser_of(env: AdminEnv, username: str, organisation: str) -> None:
    admin = env.app.state.admin
    made = await admin.admin.ensure_organisation(organisation, env.clock.now)
    await admin.auth.create_account(username, PASSWORD, Role.ORGANISER, made.id, env.clock.now)


def test_keys_and_names() -> None:
    nfd = unicodedata.normalize("NFD", "Malmö Ideella")
    assert organisation_key(nfd) == organisation_key(" malmö   IDEELLA ") == organisation_key("Malmö Ideella")
    known = {organisation_key("Malmö, Kultur & Fritid")}
    assert split_names("Malmö, Kultur & Fritid, Region Skåne", known) == ["Malmö, Kultur & Fritid", "Region Skåne"]
    assert split_names("Malmö, Kultur & Fritid", set()) == ["Malmö", "Kultur & Fritid"]


async def test_a_name_with_a_comma_is_one_organisation_its_organiser_manages(env: AdminEnv) -> None:
    await _organiser_of(env, "greta", "Malmö, Kultur & Fritid")
    ada = await env.api("ada")
    payload = event_payload(code="KOMMA1", organisation="Malmö, Kultur & Fritid, Region Skåne")
    assert (await ada.post("/api/events", json=payload)).status_code == 201
    greta = await env.api("greta")
    assert (await greta.get("/api/events/KOMMA1")).status_code == 200
    names = {o.name for o in await env.app.state.admin.admin.organisations()}
    assert "Malmö" not in names and "Kultur & Fritid" not in names


async def test_one_organisation_however_it_is_spelt_is_one_report_row(env: AdminEnv) -> None:
    ada = await env.api("ada")
    spellings = [unicodedata.normalize("NFD", "Malmö Ideella"), "malmö  ideella", "MALMÖ IDEELLA"]
    for i, spelling in enumerate(spellings):
        payload = event_payload(code=f"SPELL{i}", organisation=spelling)
        assert (await ada.post("/api/events", json=payload)).status_code == 201
    olle = await env.api("olle")
    for i in range(len(spellings)):
        assert (await olle.get(f"/api/events/SPELL{i}")).status_code == 200
    client, _ = await env.browser("vera")
    rows = list(csv.DictReader(io.StringIO((await client.get("/report.csv")).text, newline="")))
    ideella = [r for r in rows if r["level"] == "organiser" and organisation_key(r["organiser"]) == "malmö ideella"]
    assert len(ideella) == 1 and ideella[0]["events"] == "7"


async def test_a_misspelling_is_merged_and_stays_merged_at_the_next_import(env: AdminEnv) -> None:
    ada = await env.api("ada")
    assert (
        await ada.post("/api/events", json=event_payload(code="TYPO1", organisation="Malmö Idella"))
    ).status_code == 201
    olle = await env.api("olle")
    assert (await olle.get("/api/events/TYPO1")).status_code == 403
    client, csrf = await env.browser("ada")
    typo, right = await org_id(env, "Malmö Idella"), await org_id(env, "Malmö Ideella")
    merged = await client.post("/organisations/merge", data={"csrf_token": csrf, "source": typo, "target": right})
    assert merged.status_code == 303
    assert (await olle.get("/api/events/TYPO1")).status_code == 200
    # The same misspelling in a later import leads to the right organisation.
    assert (
        await ada.post("/api/events", json=event_payload(code="TYPO2", organisation="Malmö Idella"))
    ).status_code == 201
    assert (await olle.get("/api/events/TYPO2")).status_code == 200
    assert "Malmö Idella" not in {o.name for o in await env.app.state.admin.admin.organisations()}
    actions = [e.action for e in await env.app.state.admin.admin.audit_entries(limit=20)]
    assert "organisation.merge" in actions


async def test_only_an_admin_adds_a_co_organiser_and_a_co_organiser_removes_nobody(env: AdminEnv) -> None:
    ideella, kultur = await org_id(env, "Malmö Ideella"), await org_id(env, "Kulturförvaltningen")
    olle, kim, ada = await env.api("olle"), await env.api("kim"), await env.api("ada")
    event = (await olle.get(f"/api/events/{OWN_A}")).json()
    # The lead organisation's organiser may not add another organisation …
    refused = await olle.put(f"/api/events/{OWN_A}", json={**event, "organisation_ids": [ideella, kultur]})
    assert refused.status_code == 422
    assert (await kim.get(f"/api/events/{OWN_A}")).status_code == 403
    # … an admin may.
    added = await ada.put(f"/api/events/{OWN_A}", json={**event, "organisation_ids": [ideella, kultur]})
    assert added.status_code == 200
    assert (await kim.get(f"/api/events/{OWN_A}")).status_code == 200
    # The co-organiser can neither remove the lead nor make itself the lead.
    assert (await kim.put(f"/api/events/{OWN_A}", json={**event, "organisation_ids": [kultur]})).status_code == 422
    swapped = await kim.put(f"/api/events/{OWN_A}", json={**event, "organisation_ids": [kultur, ideella]})
    assert swapped.status_code == 200
    snapshot = await env.app.state.admin.service.snapshot()
    assert snapshot.organisation_ids(snapshot.event(OWN_A)) == (ideella, kultur)
    assert (await olle.get(f"/api/events/{OWN_A}")).status_code == 200
    # The lead removes the co-organiser, who then no longer sees the event.
    assert (await olle.put(f"/api/events/{OWN_A}", json={**event, "organisation_ids": [ideella]})).status_code == 200
    assert (await kim.get(f"/api/events/{OWN_A}")).status_code == 403


async def test_organisations_are_chosen_from_a_list_in_the_forms(env: AdminEnv) -> None:
    client, csrf = await env.browser("ada")
    accounts = (await client.get("/accounts")).text
    assert 'name="organisation_id"' in accounts and 'name="organisation"' not in accounts
    made = await client.post("/organisations", data={"csrf_token": csrf, "name": "Föreningen Ny"})
    assert made.status_code == 303
    new_id = await org_id(env, "Föreningen Ny")
    created = await client.post(
        "/accounts",
        data={
            "csrf_token": csrf,
            "username": "nyanställd",
            "password": "tre glada kaniner",
            "role": "organiser",
            "organisation_id": str(new_id),
        },
    )
    assert created.status_code == 303
    form = (await client.get("/events/new")).text
    assert 'name="lead"' in form and 'name="co"' in form and 'name="organisation"' not in form
    olle, _ = await env.browser("olle")
    own_form = (await olle.get(f"/events/{OWN_A}/edit")).text
    # The lead's organiser sees no list of other organisations to add.
    assert "Föreningen Ny" not in own_form
    csrf_of(own_form)
