"""Passwords that are hard to guess, changed by their owner; sessions that end when idle; a
second factor (TOTP) checked at sign-in."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest

from admin.auth import SESSION_COOKIE, WRONG
from tests.admin.conftest import PASSWORD, AdminEnv, csrf_of


@pytest.mark.parametrize(
    "weak", ["Password123!", "qwertyuiop12", "Malmömöts2027", "olle12345678", "sommarsommar", "1234567890"]
)
async def test_common_and_guessable_passwords_are_refused(env: AdminEnv, weak: str) -> None:
    client, csrf = await env.browser("ada")
    olle = next(a for a in await env.app.state.admin.admin.accounts() if a.username == "olle")
    response = await client.post(f"/accounts/{olle.id}/password", data={"csrf_token": csrf, "password": weak})
    assert response.status_code == 422 and "för lätt att gissa" in response.text  # Swedish by default
    created = await client.post(
        "/accounts", data={"csrf_token": csrf, "username": "nybörjare", "password": weak, "role": "viewer"}
    )
    assert created.status_code == 422


async def test_an_organiser_changes_their_own_password(env: AdminEnv) -> None:
    other_browser = await env.api("olle")
    client, csrf = await env.browser("olle")
    form = {
        "csrf_token": csrf,
        "current": "not my password",
        "password": "tre glada kaniner",
        "again": "tre glada kaniner",
    }
    assert (await client.post("/account/password", data=form)).status_code == 422
    form["current"] = PASSWORD
    assert (await client.post("/account/password", data={**form, "again": "något annat helt"})).status_code == 422
    assert (
        await client.post("/account/password", data={**form, "password": "olle12345678", "again": "olle12345678"})
    ).status_code == 422
    changed = await client.post("/account/password", data=form)
    assert changed.status_code == 303
    # This browser stays signed in with a new session; every other one is signed out.
    assert (await client.get("/account")).status_code == 200
    assert (await other_browser.get("/api/me")).status_code == 401
    login = await env.client().post("/api/login", json={"username": "olle", "password": "tre glada kaniner"})
    assert login.status_code == 200
    actions = [e.action for e in await env.app.state.admin.admin.audit_entries(limit=20)]
    assert "account.password.own" in actions and "account.password.failed" in actions


async def test_a_session_ends_after_thirty_idle_minutes(env: AdminEnv) -> None:
    client = await env.api("ada")
    for _ in range(4):
        env.clock.advance(timedelta(minutes=25))
        assert (await client.get("/api/me")).status_code == 200  # in use: kept alive
    env.clock.advance(timedelta(minutes=31))
    assert (await client.get("/api/me")).status_code == 401
    # Used again before the idle time, the browser is still the same session (nothing stored twice).
    fresh = await env.api("ada")
    token = fresh.cookies[SESSION_COOKIE]
    env.clock.advance(timedelta(minutes=29))
    assert (await fresh.get("/api/me")).status_code == 200
    assert fresh.cookies[SESSION_COOKIE] == token


async def test_two_step_sign_in(env: AdminEnv) -> None:
    client, csrf = await env.browser("ada")
    page = (await client.get("/account")).text
    assert 'src="data:image/svg+xml' in page
    secret = re.search(r'name="secret" value="([A-Z2-7]+)"', page)
    assert secret is not None
    totp = pyotp.TOTP(secret.group(1))
    wrong = await client.post("/account/totp", data={"csrf_token": csrf, "secret": secret.group(1), "code": "000000"})
    assert wrong.status_code == 422
    code = totp.at(env.clock.now)
    assert (
        await client.post("/account/totp", data={"csrf_token": csrf, "secret": secret.group(1), "code": code})
    ).status_code == 303
    # Password alone no longer signs in; nor does a code used already; a fresh one does.
    api = env.client()
    no_code = await api.post("/api/login", json={"username": "ada", "password": PASSWORD})
    assert (no_code.status_code, no_code.json()["detail"]) == (401, WRONG)
    replay = await api.post("/api/login", json={"username": "ada", "password": PASSWORD, "code": code})
    assert replay.status_code == 401
    env.clock.advance(timedelta(seconds=30))
    fresh = totp.at(env.clock.now)
    assert (
        await api.post("/api/login", json={"username": "ada", "password": PASSWORD, "code": fresh})
    ).status_code == 200
    # A wrong code with the right password looks like any other failure, and is audited.
    env.clock.advance(timedelta(seconds=30))
    bad = await env.client().post("/api/login", json={"username": "ada", "password": PASSWORD, "code": "123456"})
    assert (bad.status_code, bad.json()["detail"]) == (401, WRONG)
    failed = [e for e in await env.app.state.admin.admin.audit_entries(limit=20) if e.action == "login.failed"]
    assert failed[0].details["reason"] == "code"
    # Through the login form too.
    browser = env.client()
    form_page = await browser.get("/login")
    env.clock.advance(timedelta(seconds=30))
    signed_in = await browser.post(
        "/login",
        data={
            "username": "ada",
            "password": PASSWORD,
            "code": totp.at(env.clock.now),
            "csrf_token": csrf_of(form_page.text),
        },
    )
    assert signed_in.status_code == 303


async def test_admins_without_a_second_factor_are_reminded(env: AdminEnv) -> None:
    client, _ = await env.browser("ada")
    assert "Slå på tvåstegsinloggning" in (await client.get("/events")).text
    olle, _ = await env.browser("olle")
    assert "Slå på tvåstegsinloggning" not in (await olle.get("/events")).text
