"""CSRF, inert markup, lockout and throttling, session fixation, cookie flags, redirects."""

from __future__ import annotations

from datetime import timedelta

import httpx

from admin.auth import SESSION_COOKIE
from tests.admin.conftest import PASSWORD, AdminEnv, csrf_of
from tests.admin.support import sign_up

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


async def test_csrf_missing_or_wrong_is_refused_on_forms(env: AdminEnv) -> None:
    client, csrf = await env.browser("ada")
    for data in ({}, {"csrf_token": "wrong"}, {"csrf_token": ""}):
        response = await client.post("/events/MM009/cancel", data=data)
        assert response.status_code == 403, data
    api = await env.api("ada")
    assert (await api.get("/api/events/MM009")).json()["status"] == "scheduled"
    assert (await client.post("/events/MM009/cancel", data={"csrf_token": csrf})).status_code == 303
    assert (await api.get("/api/events/MM009")).json()["status"] == "cancelled"


async def test_csrf_of_another_session_is_refused(env: AdminEnv) -> None:
    client, _ = await env.browser("ada")
    _, other_csrf = await env.browser("ada")
    assert (await client.post("/events/MM009/cancel", data={"csrf_token": other_csrf})).status_code == 403


async def test_csrf_missing_or_wrong_is_refused_on_the_api(env: AdminEnv) -> None:
    api = await env.api("ada")
    good = api.headers.pop("X-CSRF-Token")
    assert (await api.post("/api/events/MM009/cancel")).status_code == 403
    assert (await api.post("/api/events/MM009/cancel", headers={"X-CSRF-Token": "nope"})).status_code == 403
    assert (await api.delete("/api/faq/wifi")).status_code == 403
    # Reading needs no token.
    assert (await api.get("/api/events/MM009")).status_code == 200
    assert (await api.post("/api/events/MM009/cancel", headers={"X-CSRF-Token": good})).status_code == 200


async def test_login_form_needs_its_csrf_cookie(env: AdminEnv) -> None:
    client = env.client()
    response = await client.post("/login", data={"username": "ada", "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 403
    assert SESSION_COOKIE not in client.cookies


async def test_html_in_organiser_text_is_inert_in_pages(env: AdminEnv) -> None:
    api = await env.api("ada")
    event = (await api.get("/api/events/MM009")).json()
    event["title"] = {"sv": SCRIPT, "en": "Safe"}
    event["organisation"] = "Malmö Ideella" + SCRIPT
    event["abstract"] = {"sv": SCRIPT}
    assert (await api.put("/api/events/MM009", json=event)).status_code == 200
    assert (await api.put("/api/faq/xss", json={"key": "xss", "answer": {"sv": SCRIPT}})).status_code == 200
    assert (await api.put("/api/venues", json={"name": SCRIPT, "address": SCRIPT})).status_code == 200
    await env.store.people.create("manual", "x:" + SCRIPT, "sv", env.clock.now)
    assert (await api.post("/api/events/MM009/signups", json={"name": SCRIPT})).status_code == 201
    client, _ = await env.browser("ada")
    for path in ("/events", "/events/MM009", "/events/MM009/edit", "/faq", "/faq?key=xss", "/venues", "/audit"):
        page = await client.get(path)
        assert page.status_code == 200, path
        assert "<script>alert" not in page.text, path
        assert "<img src=x" not in page.text, path
        assert "&lt;script&gt;" in page.text or "\\u003cscript\\u003e" in page.text, path
        assert "script-src 'self'" in page.headers["content-security-policy"]


async def test_html_in_event_titles_is_inert_in_bot_output(env: AdminEnv) -> None:
    api = await env.api("ada")
    event = (await api.get("/api/events/MM009")).json()
    event["title"] = {"sv": SCRIPT}
    assert (await api.put("/api/events/MM009", json=event)).status_code == 200
    client, csrf = await env.browser("ada")
    await client.post("/try", data={"csrf_token": csrf, "lang": "sv", "text": "/start ev_MM009"})
    page = await client.get("/try?lang=sv")
    assert "&lt;script&gt;" in page.text
    assert "<script>alert" not in page.text
    # What the person typed is escaped too.
    await client.post("/try", data={"csrf_token": csrf, "lang": "sv", "text": "<b>hej</b>"})
    page = await client.get("/try?lang=sv")
    assert "<b>hej</b>" not in page.text
    assert "&lt;b&gt;hej&lt;/b&gt;" in page.text


async def test_lockout_after_wrong_passwords_even_with_the_right_one(env: AdminEnv) -> None:
    api = env.client()
    for _ in range(5):
        response = await api.post("/api/login", json={"username": "olle", "password": "wrong password"})
        assert response.status_code == 401
    assert "locked" in response.json()["detail"]
    right = await api.post("/api/login", json={"username": "olle", "password": PASSWORD})
    assert right.status_code == 401
    assert "locked" in right.json()["detail"]
    env.clock.advance(timedelta(minutes=16))
    assert (await api.post("/api/login", json={"username": "olle", "password": PASSWORD})).status_code == 200
    audit = (await (await env.api("ada")).get("/api/audit?limit=1000")).json()
    failed = [e for e in audit if e["action"] == "login.failed" and e["target"] == "olle"]
    assert len(failed) == 5 and failed[0]["details"]["locked"] is True


async def test_admin_can_unlock(env: AdminEnv) -> None:
    api = env.client()
    for _ in range(5):
        await api.post("/api/login", json={"username": "kim", "password": "wrong password"})
    client, csrf = await env.browser("ada")
    kim = next(a for a in await env.app.state.admin.admin.accounts() if a.username == "kim")
    assert "locked" in (await client.get("/accounts")).text
    assert (await client.post(f"/accounts/{kim.id}/unlock", data={"csrf_token": csrf})).status_code == 303
    assert (await api.post("/api/login", json={"username": "kim", "password": PASSWORD})).status_code == 200


async def test_one_address_is_throttled_across_accounts(env: AdminEnv) -> None:
    api = env.client()
    for i in range(20):
        await api.post("/api/login", json={"username": f"nobody{i}", "password": "wrong password"})
    response = await api.post("/api/login", json={"username": "ada", "password": PASSWORD})
    assert response.status_code == 401
    assert "Too many" in response.json()["detail"]
    env.clock.advance(timedelta(minutes=11))
    assert (await api.post("/api/login", json={"username": "ada", "password": PASSWORD})).status_code == 200


async def test_unknown_user_and_wrong_password_look_the_same(env: AdminEnv) -> None:
    api = env.client()
    unknown = await api.post("/api/login", json={"username": "nobody", "password": "wrong password"})
    wrong = await api.post("/api/login", json={"username": "ada", "password": "wrong password"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


async def test_session_fixation_a_planted_session_id_is_replaced(env: AdminEnv) -> None:
    attacker = await env.api("kim")
    planted = attacker.cookies[SESSION_COOKIE]
    victim = env.client()
    victim.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
    page = await victim.get("/login")
    assert page.status_code == 303  # already "signed in" as the attacker …
    victim.cookies.set(SESSION_COOKIE, "made-up-by-the-attacker", domain="testserver.local")
    page = await victim.get("/login")
    token = csrf_of(page.text)
    response = await victim.post("/login", data={"username": "olle", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    fresh = victim.cookies[SESSION_COOKIE]
    assert fresh not in (planted, "made-up-by-the-attacker")
    # The attacker's planted id gives the attacker nothing of the victim's session.
    me = await attacker.get("/api/me")
    assert me.json()["username"] == "kim"
    stranger = env.client()
    stranger.cookies.set(SESSION_COOKIE, "made-up-by-the-attacker", domain="testserver.local")
    assert (await stranger.get("/api/me")).status_code == 401


async def test_login_replaces_the_session_the_browser_had(env: AdminEnv) -> None:
    client = await env.api("kim")
    before = client.cookies[SESSION_COOKIE]
    response = await client.post("/api/login", json={"username": "olle", "password": PASSWORD})
    assert response.status_code == 200
    assert client.cookies[SESSION_COOKIE] != before
    stale = env.client()
    stale.cookies.set(SESSION_COOKIE, before, domain="testserver.local")
    assert (await stale.get("/api/me")).status_code == 401


async def test_cookie_flags_and_secure_behind_tls(env: AdminEnv) -> None:
    plain = env.client()
    response = await plain.post("/api/login", json={"username": "ada", "password": PASSWORD})
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    tls = httpx.AsyncClient(transport=httpx.ASGITransport(app=env.app), base_url="https://admin.example.org")
    env.clients.append(tls)
    response = await tls.post("/api/login", json={"username": "ada", "password": PASSWORD})
    assert "Secure" in response.headers["set-cookie"]


async def test_logout_ends_the_session(env: AdminEnv) -> None:
    client, csrf = await env.browser("ada")
    token = client.cookies[SESSION_COOKIE]
    assert (await client.post("/logout", data={"csrf_token": csrf})).status_code == 303
    stale = env.client()
    stale.cookies.set(SESSION_COOKIE, token, domain="testserver.local")
    assert (await stale.get("/api/me")).status_code == 401


async def test_expired_session_is_refused(env: AdminEnv) -> None:
    client = await env.api("ada")
    env.clock.advance(timedelta(hours=13))
    assert (await client.get("/api/me")).status_code == 401


async def test_login_next_is_not_an_open_redirect(env: AdminEnv) -> None:
    for target in ("https://evil.example", "//evil.example", "/\\evil.example"):
        client = env.client()
        page = await client.get("/login", params={"next": target})
        response = await client.post(
            "/login",
            data={"username": "ada", "password": PASSWORD, "csrf_token": csrf_of(page.text), "next": target},
        )
        assert response.headers["location"] == "/", target


async def test_disabled_account_loses_its_sessions(env: AdminEnv) -> None:
    kim = await env.api("kim")
    client, csrf = await env.browser("ada")
    account = next(a for a in await env.app.state.admin.admin.accounts() if a.username == "kim")
    await client.post(f"/accounts/{account.id}/disable", data={"csrf_token": csrf, "disabled": "true"})
    assert (await kim.get("/api/me")).status_code == 401
    again = await env.client().post("/api/login", json={"username": "kim", "password": PASSWORD})
    assert again.status_code == 401


async def test_chat_ids_are_not_shown_to_organisers(env: AdminEnv) -> None:
    await sign_up(env.store, "MM009", "telegram-user-4242")
    client, _ = await env.browser("olle")
    assert "telegram-user-4242" not in (await client.get("/events/MM009")).text
    assert "telegram-user-4242" not in (await client.get("/events/MM009/people.csv")).text


async def test_ids_too_big_for_sql_are_refused_not_failed_on(env: AdminEnv) -> None:
    client, csrf = await env.browser("ada")
    huge = 2**70
    assert (await client.get(f"/broadcasts/{huge}")).status_code == 422
    assert (await client.post(f"/accounts/{huge}/unlock", data={"csrf_token": csrf})).status_code == 422
    assert (await client.get(f"/audit?page={huge}")).status_code == 422
    api = await env.api("ada")
    assert (await api.get(f"/api/audit?offset={huge}")).status_code == 422
    assert (await api.delete(f"/api/events/MM009/signups/{huge}")).status_code == 422


async def test_admin_sets_a_new_password_and_old_sessions_end(env: AdminEnv) -> None:
    kim = await env.api("kim")
    client, csrf = await env.browser("ada")
    account = next(a for a in await env.app.state.admin.admin.accounts() if a.username == "kim")
    short = await client.post(f"/accounts/{account.id}/password", data={"csrf_token": csrf, "password": "short"})
    assert short.status_code == 422
    response = await client.post(
        f"/accounts/{account.id}/password", data={"csrf_token": csrf, "password": "a brand new password"}
    )
    assert response.status_code == 303
    assert (await kim.get("/api/me")).status_code == 401
    login = await env.client().post("/api/login", json={"username": "kim", "password": "a brand new password"})
    assert login.status_code == 200
    entry = (await env.app.state.admin.admin.audit_entries(limit=5))[1]
    assert (entry.actor, entry.action, entry.target) == ("ada", "account.password", "kim")


async def test_times_far_off_and_bad_addresses_are_refused_not_failed_on(env: AdminEnv) -> None:
    api = await env.api("ada")
    far = {"starts_at": "9999-12-31T23:00:00-05:00", "ends_at": "9999-12-31T23:30:00-05:00"}
    event = {"code": "FAR1", "title": {"sv": "Långt bort"}, **far}
    assert (await api.post("/api/events", json=event)).status_code == 422
    assert (await api.post("/api/events/MM009/move", json=far)).status_code == 422
    early = {"starts_at": "0001-01-01T00:00:00+05:00", "ends_at": "0001-01-01T01:00:00+05:00"}
    assert (await api.post("/api/events/MM009/move", json=early)).status_code == 422
    broadcast = {"texts": {"sv": "Hej"}, "audience": {"everyone": True}, "at": "9999-12-31T23:59:59-12:00"}
    assert (await api.post("/api/broadcasts", json=broadcast)).status_code == 422
    for url in ("http://[::1", "https://xn--a.example/\u0000", "https://exa mple.org/x.json"):
        assert (await api.post("/api/import/preview-url", json={"url": url})).status_code == 422, url
