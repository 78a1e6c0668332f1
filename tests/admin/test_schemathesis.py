"""schemathesis against the admin's OpenAPI schema: generated requests, positive and negative,
to every operation of a running server, signed in as an admin; none may answer 5xx."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from admin.app import create_admin_app
from admin.auth import make_hasher
from admin.store import Role
from bot.store import Store
from motsbot.web import WebServer, create_app
from tests.admin.conftest import ORG_A, PASSWORD, Clock
from tests.conftest import import_demo


class ThreadedServer:
    """The admin with its own store and event loop in a thread: schemathesis calls it through
    `requests`, which blocks, so the server cannot share the test's loop."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self.schema: dict[str, object] = {}

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        store = await Store.open(str(self.db))
        await import_demo(store)
        clock = Clock()
        # Generated addresses for the URL import must not reach the network: every one is a 404.
        offline = httpx.MockTransport(lambda request: httpx.Response(404))
        app = create_admin_app(store, clock=clock, hasher=make_hasher(fast=True), fetch_transport=offline)
        admin = app.state.admin
        org = await admin.admin.ensure_organisation(ORG_A, clock.now)
        await admin.auth.create_account("ada", PASSWORD, Role.ADMIN, None, clock.now)
        await admin.auth.create_account("olle", PASSWORD, Role.ORGANISER, org.id, clock.now)
        self.schema = app.openapi()
        server = WebServer(create_app(mounts=[("/", app)]), port=0)
        await server.start()
        self.port = server.port
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await server.stop()
            await store.close()

    def __enter__(self) -> ThreadedServer:
        self._thread.start()
        assert self._ready.wait(30), "the server did not start"
        return self

    def __exit__(self, *_: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedServer]:
    with ThreadedServer(tmp_path_factory.mktemp("schemathesis") / "api.sqlite3") as running:
        yield running


def signed_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    response = session.post(f"{base}/api/login", json={"username": username, "password": PASSWORD}, timeout=10)
    assert response.status_code == 200, response.text
    session.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return session


@pytest.mark.parametrize("username", ["ada", "olle"])
def test_no_server_errors_anywhere_in_the_api(server: ThreadedServer, username: str) -> None:
    base = f"http://127.0.0.1:{server.port}"
    schema = schemathesis.openapi.from_dict(server.schema)
    session = signed_in(base, username)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    strategy = st.one_of(
        [op.as_strategy(mode) for op in operations for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    )
    failures: list[str] = []

    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=strategy)
    def call(case: schemathesis.Case) -> None:
        if case.operation.path in ("/api/logout", "/api/login"):
            # Signing out would end the session the other cases run in; login is tried below.
            return
        response = case.call(base_url=base, session=session)
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:200]}")

    call()
    for body in ({}, {"username": "ada"}, {"username": 1, "password": None}, {"username": "x" * 500, "password": "y"}):
        assert requests.post(f"{base}/api/login", json=body, timeout=10).status_code < 500
    assert failures == []
    assert session.get(f"{base}/api/me", timeout=10).status_code == 200
