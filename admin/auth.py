"""Signing in: argon2 passwords, login throttling and lockout, sessions, CSRF."""

from __future__ import annotations

import asyncio
import hmac
import secrets
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import HTTPException, Request, Response
from zxcvbn import zxcvbn  # type: ignore[import-untyped]

from admin.i18n import N_
from admin.store import Account, AdminStore, Role

SESSION_COOKIE = "motsbot_session"
LOGIN_CSRF_COOKIE = "motsbot_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MIN_PASSWORD = 10
"""Said in words in the message below (a translated text cannot take a number from here)."""
_T = TypeVar("_T")


@dataclass(frozen=True)
class AuthConfig:
    session_ttl: timedelta = timedelta(hours=12)
    idle_timeout: timedelta = timedelta(minutes=30)
    """A session unused this long ends: a browser left open in a shared office signs itself out."""
    max_failed_logins: int = 5
    """Wrong passwords in a row for one user name from one address before that pair must wait."""
    lockout: timedelta = timedelta(minutes=5)
    """The first wait; each further lock of the same pair doubles it, up to `longest_lockout`."""
    longest_lockout: timedelta = timedelta(hours=2)
    attempts_per_address: int = 20
    """Failed logins one address may make in `attempt_window` before it is made to wait."""
    attempt_window: timedelta = timedelta(minutes=10)
    secure_cookies: bool = False
    """Always mark cookies Secure; they are also Secure whenever the request came over HTTPS."""
    hashing_threads: int = 2
    """Password hashes computed at once, in threads: argon2 takes ~50 ms of CPU and ~64 MB each,
    and must neither stall the event loop that answers the chats nor eat all memory under a spray."""


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


WRONG = N_("Wrong user name, password or code.")
TOO_MANY = N_("Too many failed attempts. Please wait a few minutes and try again.")


@dataclass
class _Pair:
    failures: int = 0
    locks: int = 0
    until: datetime | None = None
    last: datetime | None = None


class Lockout:
    """Wrong passwords per (user name, address), in memory.

    A lock keyed on the account alone lets anyone lock anyone out, admins included, by typing
    five wrong passwords; keyed on the pair, a guesser only locks themself out. Waits double with
    each further lock of the same pair, so guessing stays slow. Unknown user names are counted
    just like real ones, so a lock tells nothing about which names exist. A restart forgets,
    which costs a guesser nothing they could not get by waiting.
    """

    def __init__(self, limit: int, first: timedelta, longest: timedelta) -> None:
        self.limit = limit
        self.first = first
        self.longest = longest
        self._pairs: dict[tuple[str, str], _Pair] = {}

    @staticmethod
    def _name(username: str) -> str:
        return username.strip().casefold()[:200]

    def locked(self, username: str, address: str, now: datetime) -> bool:
        pair = self._pairs.get((self._name(username), address))
        return pair is not None and pair.until is not None and pair.until > now

    def failed(self, username: str, address: str, now: datetime) -> bool:
        """Counts a wrong password; True when the pair is locked now."""
        key = (self._name(username), address)
        pair = self._pairs.setdefault(key, _Pair())
        if pair.last is not None and now - pair.last > self.longest * 2:
            # A quiet day starts the pair afresh: the doubling is for guessing, not for forgetting.
            pair.failures, pair.locks = 0, 0
        pair.last = now
        pair.failures += 1
        if pair.failures >= self.limit:
            pair.locks += 1
            pair.failures = 0
            pair.until = now + min(self.first * 2 ** (pair.locks - 1), self.longest)
        if len(self._pairs) > 20_000:
            # Bounded memory under a spray from many addresses: forget the pairs not locked.
            for stale in [k for k, v in self._pairs.items() if v.until is None or v.until <= now][:10_000]:
                del self._pairs[stale]
        return pair.until is not None and pair.until > now

    def succeeded(self, username: str, address: str) -> None:
        self._pairs.pop((self._name(username), address), None)

    def unlock(self, username: str) -> None:
        """An admin's unlock: every pair of this name starts afresh, so the next wrong password
        does not lock it again at once."""
        name = self._name(username)
        for key in [k for k in self._pairs if k[0] == name]:
            del self._pairs[key]

    def locked_names(self, now: datetime) -> set[str]:
        return {name for (name, _), pair in self._pairs.items() if pair.until is not None and pair.until > now}


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


FESTIVAL_WORDS = ["malmö", "malmo", "möts", "mots", "motsbot", "festival", "admin", "malmömöts"]


class WeakPassword(ValueError):
    pass


def check_password_rules(password: str, username: str = "") -> None:
    """Refuses short passwords and those zxcvbn rates easy to guess (score under 3 of 4: common
    passwords, keyboard walks, dates, l33t spellings, the user name or the festival's name)."""
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(N_("the password must have at least 10 characters"))
    if len(password) > 1000:
        raise WeakPassword(N_("the password is too long"))
    # zxcvbn's time grows with the length; the first 100 characters decide anyway.
    result = zxcvbn(password[:100], user_inputs=[username, *FESTIVAL_WORDS] if username else FESTIVAL_WORDS)
    if int(result["score"]) < 3:
        raise WeakPassword(N_("the password is too easy to guess: use a few unrelated words, or a password manager"))


def totp_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step a TOTP code belongs to (this one or the one before or after, for clocks
    that drift), or None when the code is wrong."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    for drift in (-1, 0, 1):
        moment = now + timedelta(seconds=drift * totp.interval)
        if hmac.compare_digest(totp.at(moment), code):
            return int(totp.timecode(moment))
    return None


class Authenticator:
    def __init__(self, admin: AdminStore, hasher: PasswordHasher, config: AuthConfig) -> None:
        self.admin = admin
        self.hasher = hasher
        self.config = config
        self.throttle = Throttle(config.attempts_per_address, config.attempt_window)
        self.lockout = Lockout(config.max_failed_logins, config.lockout, config.longest_lockout)
        self._hashing = asyncio.Semaphore(config.hashing_threads)
        self._pool = ThreadPoolExecutor(config.hashing_threads, thread_name_prefix="argon2")
        # Checked for unknown names too, so the time taken does not tell who has an account.
        self._dummy_hash = hasher.hash(secrets.token_urlsafe(16))

    async def _in_pool(self, work: Callable[[], _T]) -> _T:
        # argon2-cffi releases the GIL while hashing, so the loop keeps answering the chats.
        async with self._hashing:
            return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    async def hash(self, password: str) -> str:
        return await self._in_pool(lambda: self.hasher.hash(password))

    async def create_account(
        self, username: str, password: str, role: Role, organisation_id: int | None, now: datetime
    ) -> Account:
        check_password_rules(password, username)
        username = username.strip()
        if not username or len(username) > 100:
            raise ValueError(N_("the user name must have 1–100 characters"))
        if role is Role.ORGANISER and organisation_id is None:
            raise ValueError(N_("an organiser account needs an organisation"))
        return await self.admin.create_account(username, await self.hash(password), role, organisation_id, now)

    async def set_password(self, account_id: int, password: str, username: str = "") -> None:
        check_password_rules(password, username)
        await self.admin.set_password_hash(account_id, await self.hash(password))
        await self.admin.end_sessions_of(account_id)

    async def check_password(self, account: Account, password: str) -> bool:
        stored = await self.admin.password_hash(account.id)
        return stored is not None and await self._in_pool(lambda: self._verify(stored, password))

    async def login(self, username: str, password: str, address: str, now: datetime, code: str = "") -> Session:
        name = username.strip()
        if self.throttle.blocked(address, now) or self.lockout.locked(name, address, now):
            # Not even checked: a locked pair gets no answer about the password.
            await self._failed(None, name, "waiting", now)
            raise LoginRefused(TOO_MANY)
        account = await self.admin.account_by_name(name)
        stored = await self.admin.password_hash(account.id) if account else None
        ok = await self._in_pool(lambda: self._verify(stored or self._dummy_hash, password)) and stored is not None
        second = ok and account is not None and await self._second_factor(account, code, now)
        if account is None or account.disabled or not ok or not second:
            self.throttle.failed(address, now)
            locked = self.lockout.failed(name, address, now)
            if account is not None:
                await self.admin.login_failed(account.id)
            reason = (
                "unknown" if account is None else "disabled" if account.disabled else "password" if not ok else "code"
            )
            await self._failed(account, name, reason, now, locked=locked)
            raise LoginRefused(TOO_MANY if locked else WRONG)
        self.lockout.succeeded(name, address)
        await self.admin.login_succeeded(account.id)
        assert stored is not None
        if self.hasher.check_needs_rehash(stored):
            await self.admin.set_password_hash(account.id, await self.hash(password))
        token, csrf = await self.admin.create_session(account.id, now, self.config.session_ttl)
        await self.admin.audit(account, "login", account.username, {}, now)
        fresh = await self.admin.account(account.id)
        assert fresh is not None
        return Session(token, fresh, csrf)

    async def _failed(
        self, account: Account | None, name: str, reason: str, now: datetime, locked: bool = False
    ) -> None:
        # Every failed attempt leaves an entry, the refused-while-waiting ones too: an admin
        # sees a spray as it happens. The name is as typed (cut), since unknown ones matter too.
        details: dict[str, object] = {"reason": reason, "locked": locked}
        await self.admin.audit(account, "login.failed", name[:100], details, now)

    async def _second_factor(self, account: Account, code: str, now: datetime) -> bool:
        secret = await self.admin.totp_secret(account.id)
        if secret is None:
            return True
        step = totp_step(secret, code, now)
        return step is not None and await self.admin.use_totp_step(account.id, step)

    def unlock(self, username: str) -> None:
        self.lockout.unlock(username)

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
            found = await self.admin.session(token, now, self.config.idle_timeout)
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
