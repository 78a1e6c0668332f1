"""Import by address fetches only from the public internet, follows no redirect inward, and does
not show what an address answered."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse, RedirectResponse

from admin import importing
from motsbot.web import WebServer
from tests.admin.conftest import AdminEnv

SECRET = "internal-secret-4711"


@pytest.fixture
async def inside() -> AsyncIterator[WebServer]:
    """A server on loopback standing for what the admin's own network holds."""
    app = FastAPI()

    @app.get("/secret")
    async def secret() -> PlainTextResponse:
        return PlainTextResponse(SECRET)

    server = WebServer(app, "127.0.0.1", 0)
    await server.start()
    yield server
    await server.stop()


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("::1", False),
        ("169.254.169.254", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),
        ("fd00::1", False),
        ("fe80::1%eth0", False),
        ("::ffff:127.0.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("93.184.216.34", True),
        ("2606:4700::6810:85e5", True),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert importing.is_public(address) is public


async def test_loopback_and_internal_addresses_are_not_fetched(env: AdminEnv, inside: WebServer) -> None:
    api = await env.api("ada")
    for url in (
        f"http://127.0.0.1:{inside.port}/secret",
        f"http://localhost:{inside.port}/secret",
        f"http://[::ffff:127.0.0.1]:{inside.port}/secret",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/schedule.json",
    ):
        response = await api.post("/api/import/preview-url", json={"url": url})
        assert response.status_code == 422, url
        assert "public internet" in response.json()["detail"], url
        assert SECRET not in response.text


async def test_a_redirect_to_an_inside_address_is_not_followed(inside: WebServer) -> None:
    outside = FastAPI()

    @outside.get("/schedule.json")
    async def schedule() -> RedirectResponse:
        return RedirectResponse(f"http://127.0.0.1:{inside.port}/secret")

    server = WebServer(outside, "127.0.0.1", 0)
    await server.start()
    try:
        # The first server stands for a public one: only it is let through.
        transport = importing.public_transport(allowed=frozenset({("127.0.0.1", server.port)}))
        with pytest.raises(importing.ImportFailed, match="public internet") as refused:
            await importing.fetch(f"http://127.0.0.1:{server.port}/schedule.json", transport)
        assert SECRET not in str(refused.value)
    finally:
        await server.stop()


async def test_what_an_address_answered_is_not_repeated(env: AdminEnv) -> None:
    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=f'{{"not a schedule": "{SECRET}"'.encode())

    env.app.state.admin.fetch_transport = httpx.MockTransport(serve)
    api = await env.api("ada")
    response = await api.post("/api/import/preview-url", json={"url": "https://pretalx.example.org/x.json"})
    assert response.status_code == 422
    assert SECRET not in response.text and "not a programme file" in response.json()["detail"]
    client, csrf = await env.browser("ada")
    page = await client.post(
        "/import/preview",
        params={"csrf_token": csrf},
        data={"csrf_token": csrf, "url": "https://pretalx.example.org/x.json"},
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert page.status_code == 422 and SECRET not in page.text
