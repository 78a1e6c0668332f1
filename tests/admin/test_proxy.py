"""Client addresses behind a proxy: X-Forwarded-For counts only from a configured proxy."""

from __future__ import annotations

import httpx

from admin.auth import TOO_MANY, WRONG
from motsbot.web import WebServer
from tests.admin.conftest import AdminEnv


async def _wrong(client: httpx.AsyncClient, forwarded_for: str) -> str:
    response = await client.post(
        "/api/login",
        json={"username": "olle", "password": "wrong password"},
        headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"},
    )
    assert response.status_code == 401
    detail: str = response.json()["detail"]
    return detail


async def test_forwarded_addresses_are_ignored_unless_the_proxy_is_trusted(env: AdminEnv) -> None:
    untrusting = WebServer(env.app, "127.0.0.1", 0)
    await untrusting.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{untrusting.port}") as client:
            for _ in range(5):
                await _wrong(client, "203.0.113.1")
            # A made-up address does not get a fresh count: it is the same client.
            assert await _wrong(client, "203.0.113.2") == TOO_MANY
    finally:
        await untrusting.stop()


async def test_behind_a_trusted_proxy_each_client_counts_apart(env: AdminEnv) -> None:
    proxied = WebServer(env.app, "127.0.0.1", 0, trusted_proxies="127.0.0.1")
    await proxied.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{proxied.port}") as client:
            for _ in range(5):
                await _wrong(client, "203.0.113.1")
            assert await _wrong(client, "203.0.113.1") == TOO_MANY
            # Another client behind the same proxy is not held up by the first one's failures.
            assert await _wrong(client, "203.0.113.2") == WRONG
            login = await client.post(
                "/api/login",
                json={"username": "ada", "password": "correct horse battery"},
                headers={"X-Forwarded-For": "198.51.100.3", "X-Forwarded-Proto": "https"},
            )
            assert login.status_code == 200 and "Secure" in login.headers["set-cookie"]
    finally:
        await proxied.stop()
