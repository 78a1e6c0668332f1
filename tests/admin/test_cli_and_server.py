"""`motsbot admin create-user`, and the admin served by uvicorn as `motsbot run` serves it."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest

from adapters.base import Hub
from admin.metrics import Metrics
from admin.serve import start_web
from admin.store import AdminStore, Role
from bot.engine import Engine
from bot.messages import Incoming
from bot.store import Store
from motsbot.cli import main
from tests.admin.conftest import Clock


def test_create_user_makes_the_first_admin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "cli.sqlite3")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["admin", "create-user", "first", "--db", db, "--password-stdin"]) == 0
    monkeypatch.setenv("MOTSBOT_ADMIN_PASSWORD", "another long password")
    assert main(["admin", "create-user", "olle", "--db", db, "--role", "organiser", "--organisation", "Ideella"]) == 0
    assert main(["admin", "create-user", "olle", "--db", db]) == 2  # taken
    assert main(["admin", "create-user", "x", "--db", db, "--role", "organiser"]) == 2  # no organisation
    monkeypatch.setenv("MOTSBOT_ADMIN_PASSWORD", "short")
    assert main(["admin", "create-user", "y", "--db", db]) == 2

    async def check() -> None:
        store = await Store.open(db)
        try:
            accounts = {a.username: a for a in await AdminStore(store.database).accounts()}
        finally:
            await store.close()
        assert accounts["first"].role is Role.ADMIN
        assert accounts["olle"].role is Role.ORGANISER and accounts["olle"].organisation == "Ideella"
        assert set(accounts) == {"first", "olle"}

    import asyncio

    asyncio.run(check())


async def test_served_by_uvicorn_with_health_metrics_and_openapi(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTSBOT_ADMIN_PORT", "0")
    metrics = Metrics()
    hub = Hub(metrics.metered(Engine(store).handle), Clock())
    server = await start_web(store, hub, [], metrics)
    assert server is not None
    try:
        assert server.server.host == "127.0.0.1"
        await hub.receive(Incoming(channel="console", user_id="m1", text="hej"))
        base = f"http://127.0.0.1:{server.server.port}"
        async with httpx.AsyncClient(base_url=base) as client:
            assert (await client.get("/healthz")).json() == {"status": "ok"}
            health = (await client.get("/health")).json()
            assert health["status"] == "ok" and health["programme_revision"] >= 1
            assert (await client.get("/api/health")).status_code == 200
            text = (await client.get("/metrics")).text
            assert 'motsbot_messages_in_total{channel="console"} 1.0' in text
            assert 'motsbot_messages_out_total{channel="console"}' in text
            assert "motsbot_outbox_depth" in text
            schema = (await client.get("/api/openapi.json")).json()
            assert "/api/events/{code}" in schema["paths"]
            login = await client.get("/login")
            assert login.status_code == 200 and "Logga in" in login.text
    finally:
        await server.stop()
