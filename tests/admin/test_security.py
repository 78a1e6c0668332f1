"""CSRF, inert markup, lockout and throttling, session fixation, cookie flags, redirects."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from typing import Literal

import httpx
from argon2 import PasswordHasher

from admin.auth import SESSION_COOKIE, TOO_MANY, WRONG
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


def _from(env: AdminEnv, address: str) -> httpx.AsyncClient:
    """A client whose requests come from `address` (the ASGI scope's client)."""
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=env.app, client=(address, 40000)), base_url="http://testserver"
    )
    env.clients.append(client)
    return client


async def test_wrong_passwords_lock_the_guesser_not_the_account(env: AdminEnv) -> None:
    attacker = _from(env, "203.0.113.9")
    for _ in range(5):
        response = await attacker.post("/api/login", json={"username": "ada", "password": "wrong password"})
        assert response.status_code == 401
    assert response.json()["detail"] == TOO_MANY
    # Even the right password does not open the door to the guesser while it waits …
    right = await attacker.post("/api/login", json={"username": "ada", "password": PASSWORD})
    assert (right.status_code, right.json()["detail"]) == (401, TOO_MANY)
    # … but the admin, from her own address, signs in as always.
    assert (
        await _from(env, "198.51.100.7").post("/api/login", json={"username": "ada", "password": PASSWORD})
    ).status_code == 200
    env.clock.advance(timedelta(minutes=6))
    assert (await attacker.post("/api/login", json={"username": "ada", "password": PASSWORD})).status_code == 200


async def test_waits_grow_with_each_lock(env: AdminEnv) -> None:
    attacker = _from(env, "203.0.113.9")

    async def five_wrong() -> None:
        for _ in range(5):
            await attacker.post("/api/login", json={"username": "olle", "password": "wrong password"})

    waits = []
    for _ in range(3):
        await five_wrong()
        minutes = 0
        while (await attacker.post("/api/login", json={"username": "olle", "password": "x" * 12})).json()[
            "detail"
        ] == TOO_MANY:
            env.clock.advance(timedelta(minutes=1))
            minutes += 1
        waits.append(minutes)
        # The probe above was one more wrong password; the next round starts from four.
    assert waits[0] >= 5 and waits[1] > waits[0] and waits[2] > waits[1], waits


async def test_a_lock_tells_nothing_about_which_names_exist(env: AdminEnv) -> None:
    answers = {}
    for name in ("olle", "nobody-here"):
        client = _from(env, f"203.0.113.{len(name)}")
        for _ in range(6):
            response = await client.post("/api/login", json={"username": name, "password": "wrong password"})
        answers[name] = (response.status_code, response.json())
    assert answers["olle"] == answers["nobody-here"] == (401, {"detail": TOO_MANY})


async def test_unlock_starts_afresh_and_the_lock_does_not_come_back_at_once(env: AdminEnv) -> None:
    api = env.client()
    for _ in range(5):
        await api.post("/api/login", json={"username": "kim", "password": "wrong password"})
    client, csrf = await _browser_from(env, "198.51.100.7", "ada")
    kim = next(a for a in await env.app.state.admin.admin.accounts() if a.username == "kim")
    assert "väntar efter fel lösenord" in (await client.get("/accounts")).text
    assert (await client.post(f"/accounts/{kim.id}/unlock", data={"csrf_token": csrf})).status_code == 303
    # One more slip after the unlock is just a wrong password, not a new lock.
    again = await api.post("/api/login", json={"username": "kim", "password": "wrong password"})
    assert again.json()["detail"] == WRONG
    assert (await api.post("/api/login", json={"username": "kim", "password": PASSWORD})).status_code == 200


async def test_every_failed_login_is_audited(env: AdminEnv) -> None:
    api = env.client()
    for i in range(30):
        await api.post("/api/login", json={"username": "ada" if i % 2 else f"ghost{i}", "password": "wrong password"})
    entries = await env.app.state.admin.admin.audit_entries(limit=1000)
    failed = [e for e in entries if e.action == "login.failed"]
    assert len(failed) == 30
    assert {e.details["reason"] for e in failed} == {"unknown", "password", "waiting"}
    assert any(e.target == "ghost0" and e.actor == "-" for e in failed)


async def _browser_from(env: AdminEnv, address: str, username: str) -> tuple[httpx.AsyncClient, str]:
    client = _from(env, address)
    page = await client.get("/login")
    response = await client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 303, response.text
    return client, csrf_of((await client.get("/try")).text)


async def test_one_address_is_throttled_across_accounts(env: AdminEnv) -> None:
    api = env.client()
    for i in range(20):
        await api.post("/api/login", json={"username": f"nobody{i}", "password": "wrong password"})
    response = await api.post("/api/login", json={"username": "ada", "password": PASSWORD})
    assert response.status_code == 401
    assert response.json()["detail"] == TOO_MANY
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


class _RecordingHasher(PasswordHasher):
    """A fast argon2 hasher that notes which thread checks and how many check at once."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.threads: set[int] = set()
        self.running = 0
        self.most = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self._lock:
            self.threads.add(threading.get_ident())
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            # Long enough that concurrent checks overlap if nothing bounds them.
            threading.Event().wait(0.02)
            return super().verify(hash, password)
        finally:
            with self._lock:
                self.running -= 1


async def test_password_checks_run_off_the_event_loop_a_few_at_a_time(env: AdminEnv) -> None:
    auth = env.app.state.admin.auth
    hasher = _RecordingHasher()
    auth.hasher = hasher
    await auth.set_password(next(a for a in await auth.admin.accounts() if a.username == "ada").id, PASSWORD)
    loop_thread = threading.get_ident()
    clients = [_from(env, f"192.0.2.{i}") for i in range(16)]
    answers = await asyncio.gather(
        *(c.post("/api/login", json={"username": "ada", "password": "wrong password"}) for c in clients)
    )
    assert {a.status_code for a in answers} == {401}
    assert hasher.threads and loop_thread not in hasher.threads
    assert 1 <= hasher.most <= auth.config.hashing_threads


async def test_the_audit_log_reads_as_written(env: AdminEnv) -> None:
    api = await env.api("ada")
    event = (await api.get("/api/events/MM009")).json()
    event["title"] = {"sv": "Möte i Malmö", "ar": "لقاء في مالمو"}
    assert (await api.put("/api/events/MM009", json=event)).status_code == 200
    client, _ = await env.browser("ada")
    page = (await client.get("/audit")).text
    assert "Möte i Malmö" in page and "لقاء في مالمو" in page
    assert "\\u00f6" not in page and "\\u0644" not in page
