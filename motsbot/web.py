"""motsbot's one web server: FastAPI app factory and a uvicorn runner inside our event loop.

Channel webhooks (Telegram) mount their routers here; the admin pages will join the same app.
uvicorn runs as a task in the running loop, not through `uvicorn.run()`, which would take over
the loop and its signal handlers: `motsbot run` owns both.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Generator, Iterable

import uvicorn
from fastapi import APIRouter, FastAPI
from starlette.types import ASGIApp

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def create_app(routers: Iterable[APIRouter] = (), mounts: Iterable[tuple[str, ASGIApp]] = ()) -> FastAPI:
    """`mounts` are whole applications under a path (the admin at "/"), tried after the routers."""
    app = FastAPI(title="motsbot", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    for router in routers:
        app.include_router(router)
    for path, mounted in mounts:
        app.mount(path, mounted)
    return app


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # uvicorn would put its own SIGINT/SIGTERM handlers in place of `motsbot run`'s, which
        # stops every part in order, this server included.
        yield


class WebServer:
    """uvicorn serving `app` until `stop`; `port=0` picks a free port (see `port` after start)."""

    def __init__(
        self, app: FastAPI, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, trusted_proxies: str = ""
    ) -> None:
        # X-Forwarded-For and -Proto are believed only from `trusted_proxies` (addresses or
        # networks, comma-separated). uvicorn's own default trusts 127.0.0.1, which on a machine
        # where anything else runs lets any local process claim any client address.
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            lifespan="on",
            proxy_headers=bool(trusted_proxies.strip()),
            forwarded_allow_ips=trusted_proxies.strip() or None,
        )
        self.server = _Server(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self.server.serve(), name="motsbot-web")
        while not self.server.started:
            if self._task.done():
                # Startup failed (e.g. the port is taken): surface uvicorn's error.
                await self._task
                raise RuntimeError("the web server stopped during startup")
            await asyncio.sleep(0.01)
        log.info("web server on http://%s:%d", self.host, self.port)

    @property
    def host(self) -> str:
        return self.server.config.host

    @property
    def port(self) -> int:
        for server in self.server.servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return self.server.config.port

    async def stop(self) -> None:
        if self._task is None:
            return
        self.server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
