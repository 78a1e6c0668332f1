"""A body is refused before it is read when it is too large, or comes without a session or (for an
upload) without the CSRF token: through a real uvicorn, with a body streamed over a socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from admin.auth import SESSION_COOKIE
from admin.guard import FORM_LIMIT
from motsbot.web import WebServer
from tests.admin.conftest import AdminEnv

HUGE = 500 * 1024 * 1024


@pytest.fixture
async def server(env: AdminEnv) -> AsyncIterator[WebServer]:
    web = WebServer(env.app, "127.0.0.1", 0)
    await web.start()
    yield web
    await web.stop()


async def _post_streaming(
    server: WebServer, path: str, headers: dict[str, str], chunks: int, chunked: bool = True
) -> tuple[int, int]:
    """Sends the request line and headers, then 64 KB chunks until the server answers or
    `chunks` are sent; returns the status and how many body bytes went out before the answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    if chunked:
        head.append("Transfer-Encoding: chunked")
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
    await writer.drain()
    piece = b"a" * 65536
    sent = 0
    status_line: asyncio.Task[bytes] = asyncio.create_task(reader.readline())
    try:
        for _ in range(chunks):
            if status_line.done():
                break
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece)
            try:
                await writer.drain()
            except ConnectionError:
                break
            sent += len(piece)
            await asyncio.sleep(0)
        # A hang guard, not a measure: a server that waited for the whole body would never answer.
        line = await asyncio.wait_for(status_line, 60)
    finally:
        writer.close()
    return int(line.split()[1]), sent


async def test_a_huge_upload_without_a_session_is_refused_before_its_body(server: WebServer) -> None:
    # Declared up front: refused from the headers alone, with not one body byte sent.
    status, sent = await _post_streaming(
        server,
        "/import/preview",
        {"Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(HUGE)},
        chunks=0,
        chunked=False,
    )
    assert status == 413 and sent == 0
    # Streamed without a length: refused for want of a session long before 500 MB went out.
    status, sent = await _post_streaming(
        server, "/import/preview", {"Content-Type": "multipart/form-data; boundary=x"}, chunks=HUGE // 65536
    )
    assert status == 403
    assert sent < 64 * 1024 * 1024


async def test_an_upload_without_its_csrf_token_is_refused_before_its_body(env: AdminEnv, server: WebServer) -> None:
    client, _ = await env.browser("ada")
    cookie = f"{SESSION_COOKIE}={client.cookies[SESSION_COOKIE]}"
    headers = {"Content-Type": "multipart/form-data; boundary=x", "Cookie": cookie}
    status, sent = await _post_streaming(server, "/import/preview", headers, chunks=HUGE // 65536)
    assert status == 403 and sent < 64 * 1024 * 1024
    status, sent = await _post_streaming(server, "/import/preview?csrf_token=forged", headers, chunks=HUGE // 65536)
    assert status == 403 and sent < 64 * 1024 * 1024


async def test_a_signed_in_body_over_the_limit_stops_at_the_limit(env: AdminEnv, server: WebServer) -> None:
    client, csrf = await env.browser("ada")
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"{SESSION_COOKIE}={client.cookies[SESSION_COOKIE]}",
        "X-CSRF-Token": csrf,
    }
    status, sent = await _post_streaming(server, "/events/MM009/edit", headers, chunks=HUGE // 65536)
    assert status == 413
    assert FORM_LIMIT <= sent < 64 * 1024 * 1024
    # Nothing changed, and the API's JSON bodies have the same limit.
    api = await env.api("ada")
    assert (await api.get("/api/events/MM009")).json()["status"] == "scheduled"
    big = await api.post("/api/events", content=b"{" + b" " * (FORM_LIMIT + 10) + b"}")
    assert big.status_code == 413
