"""The admin web application: server-rendered pages and the JSON API under /api."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from argon2 import PasswordHasher
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from adapters.base import Clock
from admin.auth import AuthConfig, Authenticator, CsrfFailed, LoginRequired, make_hasher
from admin.guard import RequestGuard
from admin.i18n import BROADCAST_STATUS_NAMES, N_, Translator, local_time, page_language
from admin.importing import ImportFailed, PendingImports
from admin.metrics import Metrics
from admin.sandbox import Sandbox
from admin.service import AdminService, Invalid, NotFound, Refused
from admin.store import AdminStore, Role
from bot.model import pick
from bot.store import Store

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
"""No inline script or style anywhere: even if escaping failed somewhere, injected markup could
not run script."""


@dataclass
class Admin:
    """Everything the routes need, on `app.state.admin`."""

    store: Store
    admin: AdminStore
    service: AdminService
    auth: Authenticator
    clock: Clock
    templates: Jinja2Templates
    metrics: Metrics
    pending: PendingImports = field(default_factory=PendingImports)
    sandbox: Sandbox | None = None
    """"Try the bot": the real engine on a copy of the programme, apart from the residents."""
    fetch_transport: httpx.AsyncBaseTransport | None = None
    broadcasts: Any = None
    """The scheduler's broadcast API when it runs in this process (see admin/broadcasts.py)."""
    flashes: dict[str, list[tuple[str, str, dict[str, object]]]] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock()

    async def zone(self) -> ZoneInfo:
        snapshot = await self.service.current()
        return ZoneInfo(snapshot.festival.time_zone if snapshot else "Europe/Stockholm")

    def flash(self, token: str, message: str, kind: str = "ok", **values: object) -> None:
        """`message` is a msgid, translated on the page that shows it; `values` fill its placeholders."""
        self.flashes.setdefault(token, []).append((kind, message, values))
        if len(self.flashes) > 5000:
            self.flashes.pop(next(iter(self.flashes)))

    def take_flashes(self, token: str) -> list[tuple[str, str, dict[str, object]]]:
        return self.flashes.pop(token, [])


def admin_of(request: Request) -> Admin:
    admin: Admin = request.app.state.admin
    return admin


@pass_context
def _local(context: Any, value: datetime | None, zone: ZoneInfo, fmt: str = "%a %d %b %H:%M") -> str:
    # In the page's language: "tis 11 maj 18:00", "Tue 11 May 18:00".
    return local_time(value, zone, fmt, context.get("page_lang") or "sv")


def _templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        # Every organiser and resident text is escaped; only Markup built by our code is not.
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["pick"] = pick
    env.globals["broadcast_status_names"] = BROADCAST_STATUS_NAMES
    env.filters["local"] = _local
    # Readable in the audit log: "Malmö", not "Malm\u00f6". Still escaped as HTML by autoescape.
    env.filters["readable_json"] = lambda value: json.dumps(value, ensure_ascii=False, sort_keys=True)
    return Jinja2Templates(env=env)


def create_admin_app(
    store: Store,
    *,
    clock: Clock,
    auth_config: AuthConfig | None = None,
    hasher: PasswordHasher | None = None,
    metrics: Metrics | None = None,
    fetch_transport: httpx.AsyncBaseTransport | None = None,
    broadcasts: Any = None,
) -> FastAPI:
    from admin import api, pages, pages_qa, pages_reports, pages_surveys

    admin_store = AdminStore(store.database)
    admin = Admin(
        store=store,
        admin=admin_store,
        service=AdminService(store, admin_store),
        auth=Authenticator(admin_store, hasher or make_hasher(), auth_config or AuthConfig()),
        clock=clock,
        templates=_templates(),
        metrics=metrics or Metrics(),
        sandbox=Sandbox(store, clock),
        fetch_transport=fetch_transport,
        broadcasts=broadcasts,
    )
    app = FastAPI(
        title="motsbot admin",
        version="1",
        description="The Malmö Möts festival's admin API. Sign in with POST /api/login; send the "
        "session's CSRF token in the X-CSRF-Token header with every change.",
        openapi_url="/api/openapi.json",
        # Swagger UI would load its script from a CDN, which the CSP below forbids.
        docs_url=None,
        redoc_url=None,
    )
    app.state.admin = admin
    app.include_router(api.public)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(pages_reports.router)
    app.include_router(pages_qa.router)
    app.include_router(pages_surveys.router)
    app.add_middleware(RequestGuard, auth=lambda: admin.auth, clock=admin.now)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.url.path != "/metrics" and not request.url.path.startswith("/static"):
            response.headers.setdefault("Cache-Control", "no-store")
        admin.metrics.admin_requests.labels(f"{response.status_code // 100}xx").inc()
        return response

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api")

    def page(request: Request, status: int, title: str, message: str) -> Response:
        sess = getattr(request.state, "session", None)
        account = getattr(sess, "account", None)
        translator = Translator(page_language(request, account))
        return admin.templates.TemplateResponse(
            request,
            "error.html",
            {
                "title": translator.gettext(title),
                # gettext("") would be the catalog's header.
                "message": translator.gettext(message) if message else message,
                "account": account,
                "csrf": getattr(sess, "csrf", ""),
                "Role": Role,
                **page_context(translator),
            },
            status_code=status,
        )

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _: LoginRequired) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(f"/login?next={httpx.URL(target)}", status_code=303)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, _: CsrfFailed) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": "missing or wrong CSRF token"}, status_code=403)
        return page(request, 403, N_("The form has expired"), N_("Please go back, reload the page and try again."))

    @app.exception_handler(Refused)
    async def refused(request: Request, _: Refused) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": "your account may not do this"}, status_code=403)
        return page(request, 403, N_("Not allowed"), N_("Your account may not see or change this."))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": str(error) or "not found"}, status_code=404)
        sess = getattr(request.state, "session", None)
        translator = Translator(page_language(request, getattr(sess, "account", None)))
        return page(request, 404, N_("Not found"), error.translated(translator) or N_("There is nothing here."))

    @app.exception_handler(Invalid)
    async def invalid(request: Request, error: Invalid) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": str(error)}, status_code=422)
        sess = getattr(request.state, "session", None)
        translator = Translator(page_language(request, getattr(sess, "account", None)))
        return page(request, 422, N_("That did not work"), error.translated(translator))

    @app.exception_handler(ImportFailed)
    async def import_failed(request: Request, error: ImportFailed) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": str(error)}, status_code=422)
        sess = getattr(request.state, "session", None)
        translator = Translator(page_language(request, getattr(sess, "account", None)))
        return page(request, 422, N_("The import did not work"), error.translated(translator))

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, error: RequestValidationError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": _plain_errors(error)}, status_code=422)
        messages = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in error.errors())
        return page(request, 422, N_("Please check the form"), messages)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if wants_json(request) or error.status_code < 400:
            return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=error.headers)
        return page(request, error.status_code, N_("Sorry"), str(error.detail))

    return app


def page_context(translator: Translator) -> dict[str, Any]:
    """What every page's template needs for its language: _() and ngettext, lang and dir."""
    return {
        "_": translator.gettext,
        "gettext": translator.gettext,
        "ngettext": translator.ngettext,
        "page_lang": translator.lang,
        "page_dir": "rtl" if translator.rtl else "ltr",
    }


def _plain_errors(error: RequestValidationError) -> list[dict[str, Any]]:
    # The raw errors may hold the rejected input (bytes, exceptions) that JSON cannot carry.
    return [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in error.errors()]


def html(content: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(content, status_code=status)
