"""A proxy between the bot and the real Synapse that answers 502 on demand, as nginx does while
the homeserver restarts: for every request or for paths matching a pattern, a given number of
times or until healed, and either instead of forwarding or after Synapse has answered (the
request took effect, the answer was lost on the way back)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "host", "upgrade"}
)
BAD_GATEWAY = b"<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>"


@dataclass
class Rule:
    pattern: re.Pattern[str]
    times: int | None
    """How many requests still fail; None: until healed."""
    after_forwarding: bool
    when: re.Pattern[bytes] | None = None
    """Only responses whose body matches (a sync carrying a given message)."""


@dataclass
class Seen:
    method: str
    path: str
    status: int


@dataclass
class FlakyProxy:
    upstream: str
    rules: list[Rule] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None
    _session: aiohttp.ClientSession | None = None

    async def start(self) -> str:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        return self.url

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def fail(
        self,
        pattern: str = "",
        *,
        times: int | None = None,
        after_forwarding: bool = False,
        when: str | None = None,
    ) -> None:
        """Answers 502 to requests whose path matches `pattern` (every request when empty)."""
        self.rules.append(
            Rule(re.compile(pattern), times, after_forwarding, re.compile(when.encode()) if when else None)
        )

    def heal(self) -> None:
        self.rules.clear()

    def failed(self, pattern: str) -> int:
        return sum(1 for seen in self.seen if seen.status == 502 and re.search(pattern, seen.path))

    def _rule(self, path: str, *, after: bool, body: bytes | None = None) -> Rule | None:
        for rule in self.rules:
            if rule.after_forwarding != after or not rule.pattern.search(path):
                continue
            if rule.when is not None and (body is None or not rule.when.search(body)):
                continue
            if rule.times is not None:
                rule.times -= 1
                if rule.times <= 0:
                    self.rules.remove(rule)
            return rule
        return None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path_qs
        if self._rule(request.path, after=False) is not None:
            self.seen.append(Seen(request.method, request.path, 502))
            return web.Response(status=502, body=BAD_GATEWAY, content_type="text/html")
        assert self._session is not None
        headers = {key: value for key, value in request.headers.items() if key.lower() not in HOP_BY_HOP}
        body = await request.read()
        async with self._session.request(
            request.method, self.upstream + path, data=body or None, headers=headers, allow_redirects=False
        ) as upstream:
            data = await upstream.read()
            if self._rule(request.path, after=True, body=data) is not None:
                self.seen.append(Seen(request.method, request.path, 502))
                return web.Response(status=502, body=BAD_GATEWAY, content_type="text/html")
            self.seen.append(Seen(request.method, request.path, upstream.status))
            out_headers = {key: value for key, value in upstream.headers.items() if key.lower() not in HOP_BY_HOP}
            return web.Response(status=upstream.status, body=data, headers=out_headers)
