"""Signing in: argon2 passwords, login throttling and lockout, sessions, CSRF."""

from __future__ import annotations

import hmac
import secrets
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import HTTPException, Request, Response

from admin.store import Account, AdminStore, Role

SESSION_COOKIE = "motsbot_session"
LOGIN_CSRF_COOKIE = "motsbot_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MIN_PASSWORD = 10


@dataclass(frozen=True)
class AuthConfig:
    session_ttl: timedelta = timedelta(hours=12)
    max_failed_logins: int = 5
    """Wrong passwords in a row that lock an account."""
    lockout: timedelta = timedelta(minutes=15)
    attempts_per_address: int = 20
    """Failed logins one address may make in `attempt_window` before it is made to wait."""
    attempt_window: timedelta = timedelta(minutes=10)
    secure_cookies: bool = False
    """Always mark cookies Secure; they are also Secure whenever the request came over HTTPS."""


class LoginRequired(Exception):
    """No valid session; pages answer with the login form, the API with 401."""


class CsrfFailed(Exception):
    pass


@dataclass(frozen=True)
class Session:
    token: str
    account: Account
    csrf: str


class LoginRefused(Exception):
    """Login failed; the message is safe to show (it never tells whether the user exists)."""


class Throttle:
    """Failed logins per client address in a sliding window, in memory.

    Complements the per-account lockout: that one stops guessing one password, this one stops
    one address from trying many accounts. In memory is enough: a restart only forgets.
    """

    def __init__(self, limit: int, window: timedelta) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[datetime]] = {}

    def _recent(self, address: str, now: datetime) -> deque[datetime]:
        failures = self._failures.setdefault(address, deque())
        while failures and now - failures[0] > self.window:
            failures.popleft()
        return failures

    def blocked(self, address: str, now: datetime) -> bool:
        return len(self._recent(address, now)) >= self.limit

    def failed(self, address: str, now: datetime) -> None:
        self._recent(address, now).append(now)
        if len(self._failures) > 10_000:
            # Bounded memory under a spray from many addresses: forget the quietest.
            for key in [k for k, v in self._failures.items() if not v][:5000]:
                del self._failures[key]


def make_hasher(fast: bool = False) -> PasswordHasher:
    # The fast parameters are for tests only: argon2's defaults cost ~50 ms per check by design.
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else PasswordHasher()


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > 1000:
        raise ValueError("the password is too long")


class Authenticator:
    def __init__(self, admin: AdminStore, hasher: PasswordHasher, config: AuthConfig) -> None:
        self.admin = admin
        self.hasher = hasher
        self.config = config
        self.throttle = Throttle(config.attempts_per_address, config.attempt_window)
        # Checked for unknown names too, so the time taken does not tell who has an account.
        self._dummy_hash = hasher.hash(secrets.token_urlsafe(16))

    async def create_account(
        self, username: str, password: str, role: Role, organisation_id: int | None, now: datetime
    ) -> Account:
        check_password_rules(password)
        username = username.strip()
        if not username or len(username) > 100:
            raise ValueError("the user name must have 1–100 characters")
        if role is Role.ORGANISER and organisation_id is None:
            raise ValueError("an organiser account needs an organisation")
        return await self.admin.create_account(username, self.hasher.hash(password), role, organisation_id, now)

    async def set_password(self, account_id: int, password: str) -> None:
        check_password_rules(password)
        await self.admin.set_password_hash(account_id, self.hasher.hash(password))
        await self.admin.end_sessions_of(account_id)

    async def login(self, username: str, password: str, address: str, now: datetime) -> Session:
        if self.throttle.blocked(address, now):
            raise LoginRefused("Too many failed attempts from your network. Please wait a few minutes.")
        account = await self.admin.account_by_name(username.strip())
        stored = await self.admin.password_hash(account.id) if account else None
        ok = self._verify(stored or self._dummy_hash, password) and stored is not None
        if account is None or account.disabled:
            self.throttle.failed(address, now)
            raise LoginRefused("Wrong user name or password.")
        if account.locked_until is not None and account.locked_until > now:
            # Even the right password does not open a locked account before its time is up.
            self.throttle.failed(address, now)
            raise LoginRefused("This account is locked after too many wrong passwords. Try again later.")
        if not ok:
            self.throttle.failed(address, now)
            locked = await self.admin.login_failed(account.id, now, self.config.max_failed_logins, self.config.lockout)
            await self.admin.audit(account, "login.failed", account.username, {"locked": locked}, now)
            if locked:
                raise LoginRefused("This account is locked after too many wrong passwords. Try again later.")
            raise LoginRefused("Wrong user name or password.")
        await self.admin.login_succeeded(account.id)
        assert stored is not None
        if self.hasher.check_needs_rehash(stored):
            await self.admin.set_password_hash(account.id, self.hasher.hash(password))
        token, csrf = await self.admin.create_session(account.id, now, self.config.session_ttl)
        await self.admin.audit(account, "login", account.username, {}, now)
        fresh = await self.admin.account(account.id)
        assert fresh is not None
        return Session(token, fresh, csrf)

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    async def session(self, request: Request, now: datetime) -> Session | None:
        cached: Session | bool | None = getattr(request.state, "session", False)
        if cached is not False:
            assert cached is None or isinstance(cached, Session)
            return cached
        token = request.cookies.get(SESSION_COOKIE)
        session = None
        if token:
            found = await self.admin.session(token, now)
            if found is not None:
                session = Session(token, found[0], found[1])
        request.state.session = session
        return session

    def set_session_cookie(self, request: Request, response: Response, token: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(self.config.session_ttl.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=self.secure(request),
            path="/",
        )

    def secure(self, request: Request) -> bool:
        # uvicorn rewrites the scheme from X-Forwarded-Proto for a trusted proxy (127.0.0.1),
        # so behind a TLS-terminating proxy the scheme is https here.
        return self.config.secure_cookies or request.url.scheme == "https"


async def check_csrf(request: Request, auth: Authenticator, now: datetime) -> None:
    """Refuses an unsafe request unless it carries the session's CSRF token (form field or header).

    Before login the token is a random cookie the login form repeats (double submit), so a
    foreign site cannot log a browser into an attacker's account either.
    """
    if request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    session = await auth.session(request, now)
    expected = session.csrf if session else request.cookies.get(LOGIN_CSRF_COOKIE)
    if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfFailed()


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def forbid(status: int = 403, detail: str = "not allowed") -> HTTPException:
    return HTTPException(status_code=status, detail=detail)
