"""What a request must show before its body is read: a size within the limit, a session, and for
uploads the CSRF token.

FastAPI reads and spools a whole form (to disk past 1 MB) before any dependency runs, so the
checks in admin/deps.py alone came too late: a 500 MB upload without a session was stored and only
then refused. This is plain ASGI in front of the app, so nothing of the body is read before it
has decided.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from admin.auth import CSRF_FIELD, CSRF_HEADER, UNSAFE_METHODS, Authenticator
from admin.importing import MAX_IMPORT_BYTES

FORM_LIMIT = 1024 * 1024
"""Every form and JSON body but an upload: the longest is an FAQ answer in six languages."""
UPLOAD_LIMIT = MAX_IMPORT_BYTES + 64 * 1024
"""An import file and the multipart envelope around it."""
LOGIN_LIMIT = 16 * 1024
UPLOADS = frozenset({"/import/preview", "/api/import/preview"})
SIGN_IN = frozenset({"/login", "/api/login"})
"""The only changes made without a session (their CSRF check is the login form's own)."""


class TooLarge(Exception):
    pass


def limit_for(path: str) -> int:
    if path in SIGN_IN:
        return LOGIN_LIMIT
    return UPLOAD_LIMIT if path in UPLOADS else FORM_LIMIT


class RequestGuard:
    def __init__(self, app: ASGIApp, auth: Callable[[], Authenticator], clock: Callable[[], datetime]) -> None:
        self.app = app
        self.auth = auth
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        path = scope["path"][len(scope.get("root_path", "")) :] or "/"
        limit = limit_for(path)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            declared = int(headers.get("content-length", "0"))
        except ValueError:
            declared = -1
        if declared < 0:
            await _answer(send, path, 400, "bad Content-Length")
            return
        if declared > limit:
            await _answer(send, path, 413, f"the request is larger than {limit // 1024} KB")
            return
        if path not in SIGN_IN:
            refusal = await self._refusal(scope, headers)
            if refusal is not None:
                await _answer(send, path, *refusal)
                return
        started = False
        received = 0

        async def counted() -> Message:
            # A chunked body has no Content-Length: count it as it comes.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge()
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except TooLarge:
            if not started:
                await _answer(send, path, 413, f"the request is larger than {limit // 1024} KB")

    async def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        request = Request(scope)
        session = await self.auth().session(request, self.clock())
        if session is None:
            return 401, "sign in first"
        sent = headers.get(CSRF_HEADER.lower())
        if sent is None and headers.get("content-type", "").startswith("multipart/form-data"):
            # An upload names its token in the address, so it is checked before the file arrives.
            sent = (parse_qs(scope.get("query_string", b"").decode("latin-1")).get(CSRF_FIELD) or [None])[0]
            if sent is None:
                return 403, "missing or wrong CSRF token"
        if sent is not None and not hmac.compare_digest(sent.encode(), session.csrf.encode()):
            return 403, "missing or wrong CSRF token"
        # A urlencoded form carries its token in the body: that body is at most FORM_LIMIT, comes
        # from a signed-in browser, and admin.deps.csrf_guard checks the token before any change.
        return None


async def _answer(send: Send, path: str, status: int, detail: str) -> None:
    if not path.startswith("/api") and status == 401:
        # A form posted without a session is what an expired or forged form looks like.
        status = 403
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
