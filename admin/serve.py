"""The web server of `motsbot run`: the admin at "/", channel webhooks beside it, one uvicorn in
the bot's own event loop."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.base import Connector, Hub
from admin.app import create_admin_app
from admin.auth import AuthConfig
from admin.metrics import READY_WITHIN, Metrics
from bot.store import Store
from motsbot.web import DEFAULT_HOST, DEFAULT_PORT, WebServer, create_app

log = logging.getLogger(__name__)


class AdminSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_prefix="", extra="ignore")

    motsbot_admin_enabled: bool = True
    motsbot_admin_host: str = DEFAULT_HOST
    """127.0.0.1: put a TLS proxy in front to reach it from elsewhere."""
    motsbot_admin_port: int = DEFAULT_PORT
    motsbot_ready_within: float = READY_WITHIN
    """Seconds since a channel's last successful poll or sync after which /readiness says 503."""
    motsbot_admin_secure_cookies: bool = False
    """Mark cookies Secure even when the proxy does not say the request came over HTTPS."""
    motsbot_admin_trusted_proxies: str = ""
    """Addresses or networks (comma-separated) whose X-Forwarded-For/-Proto are believed: the TLS
    proxy in front. None by default, so nobody can pose as another client address."""


def channel_routers(connectors: Iterable[Connector]) -> list[APIRouter]:
    """Webhook routes of the channels that have them (`adapters.<channel>.routers`)."""
    found: list[APIRouter] = []
    for connector in connectors:
        try:
            module = importlib.import_module(f"adapters.{connector.channel}")
        except ImportError:
            continue
        routers = getattr(module, "routers", None)
        if routers is not None:
            found.extend(routers(connector))
    return found


class AdminServer:
    def __init__(self, server: WebServer, app: Any) -> None:
        self.server = server
        self.app = app

    def attach_scheduler(self, scheduler: Any) -> None:
        """Broadcasts and their progress go through the scheduler once it runs."""
        self.app.state.admin.broadcasts = scheduler

    async def stop(self) -> None:
        await self.server.stop()
        if self.app.state.admin.sandbox is not None:
            await self.app.state.admin.sandbox.close()


async def start_web(
    store: Store, hub: Hub, connectors: Iterable[Connector], metrics: Metrics | None = None
) -> AdminServer | None:
    settings = AdminSettings()
    if not settings.motsbot_admin_enabled:
        return None
    metrics = metrics or Metrics()
    metrics.ready_within = settings.motsbot_ready_within
    for connector in connectors:
        metrics.connectors.append(connector)
        if connector.health is not None:
            metrics.channels[connector.channel] = connector.health
    admin_app = create_admin_app(
        store,
        clock=hub.clock,
        metrics=metrics,
        auth_config=AuthConfig(secure_cookies=settings.motsbot_admin_secure_cookies),
    )
    app = create_app(channel_routers(connectors), mounts=[("/", admin_app)])
    server = WebServer(
        app, settings.motsbot_admin_host, settings.motsbot_admin_port, settings.motsbot_admin_trusted_proxies
    )
    await server.start()
    log.info("admin on http://%s:%d/", server.host, server.port)
    return AdminServer(server, admin_app)
