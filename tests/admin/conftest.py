"""The admin app against a real store with the demo festival, and signed-in clients per role."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from adapters.base import Hub
from adapters.web import WebConnector
from admin.app import create_admin_app
from admin.auth import AuthConfig, make_hasher
from admin.store import AdminStore, Role
from bot.engine import Engine
from bot.store import Store
from motsbot.web import create_app
from tests.conftest import FESTIVAL_MORNING

PASSWORD = "correct horse battery"
ORG_A = "Malmö Ideella"
"""Runs MM-events of its own and one together with Region Skåne."""
ORG_B = "Kulturförvaltningen"


@dataclass
class Clock:
    now: datetime = FESTIVAL_MORNING

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class AdminEnv:
    store: Store
    app: FastAPI
    clock: Clock
    web_chat: WebConnector
    hub: Hub
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def client(self) -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://testserver")
        self.clients.append(client)
        return client

    async def api(self, username: str) -> httpx.AsyncClient:
        """A client signed in through the API, sending the CSRF header on every request."""
        client = self.client()
        response = await client.post("/api/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        return client

    async def browser(self, username: str) -> tuple[httpx.AsyncClient, str]:
        """A client signed in through the login form, as a browser would; returns it and its CSRF token."""
        client = self.client()
        page = await client.get("/login")
        token = csrf_of(page.text)
        response = await client.post(
            "/login", data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/events"}
        )
        assert response.status_code == 303, response.text
        page = await client.get("/try")
        return client, csrf_of(page.text)


async def org_id(env: AdminEnv, name: str) -> int:
    """The id of the organisation record of this name (the form chooses organisations by id)."""
    found = [o.id for o in await env.app.state.admin.admin.organisations() if o.name == name]
    assert found, name
    return found[0]


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


async def make_accounts(store: Store, env_app: FastAPI, now: datetime) -> None:
    admin = env_app.state.admin
    org_a = await admin.admin.ensure_organisation(ORG_A, now)
    org_b = await admin.admin.ensure_organisation(ORG_B, now)
    await admin.auth.create_account("ada", PASSWORD, Role.ADMIN, None, now)
    await admin.auth.create_account("olle", PASSWORD, Role.ORGANISER, org_a.id, now)
    await admin.auth.create_account("kim", PASSWORD, Role.ORGANISER, org_b.id, now)
    await admin.auth.create_account("vera", PASSWORD, Role.VIEWER, None, now)


@pytest.fixture
async def env(store: Store) -> AsyncIterator[AdminEnv]:
    clock = Clock()
    web_chat = WebConnector()
    hub = Hub(Engine(store).handle, clock)
    hub.add(web_chat)
    await web_chat.start(hub)
    admin_app = create_admin_app(
        store,
        clock=clock,
        hasher=make_hasher(fast=True),
        auth_config=AuthConfig(),
    )
    app = create_app(mounts=[("/", admin_app)])
    await make_accounts(store, admin_app, clock.now)
    environment = AdminEnv(store, admin_app, clock, web_chat, hub)
    environment.app = app
    environment.app.state.admin = admin_app.state.admin
    yield environment
    for client in environment.clients:
        await client.aclose()
    await admin_app.state.admin.sandbox.close()


__all__ = ["ORG_A", "ORG_B", "PASSWORD", "AdminEnv", "AdminStore", "Clock", "csrf_of"]
