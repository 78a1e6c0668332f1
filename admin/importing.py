"""Import with a preview: what an upload would change, computed by the real import, rolled back."""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpcore
import httpx

from admin.i18n import N_, Explained
from bot.model import Programme
from bot.programme.errors import ProgrammeFileError
from bot.programme.loader import parse_programme
from bot.store import Store
from bot.store.programme import ImportReport, ProgrammeError

MAX_IMPORT_BYTES = 10 * 1024 * 1024
PENDING_FOR = timedelta(hours=1)


class ImportFailed(Explained):
    """The file or URL cannot be imported; the message says why, for an organiser."""


@dataclass(frozen=True)
class PendingImport:
    token: str
    account_id: int
    name: str
    data: bytes
    report: ImportReport
    created_at: datetime


async def preview(store: Store, programme: Programme, now: datetime) -> ImportReport:
    """The report `ProgrammeStore.apply` would give, without keeping anything.

    It runs the store's own import steps inside a transaction that is rolled back, so the preview
    can never disagree with what applying does.
    """
    report = ImportReport()
    async with store.database.trial() as conn:
        await store.programme.apply_in(conn, programme, now, report)
    return report


def parse(data: bytes, name: str, time_zone: str) -> Programme:
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFailed(N_("{name}: the file is larger than {n} MB"), name=name, n=MAX_IMPORT_BYTES // (1024 * 1024))
    try:
        return parse_programme(data, name, time_zone=time_zone)
    except ProgrammeFileError as error:
        raise ImportFailed(str(error)) from None


NOT_PUBLIC = "not a public internet address"


def is_public(address: str) -> bool:
    """Whether an IP address is on the public internet: not loopback, link-local (the cloud's
    metadata service), private, shared, reserved or multicast, nor one of those inside IPv6."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class PublicOnly(httpcore.AsyncNetworkBackend):
    """Connects only to public addresses, and to the very address it checked.

    The name is resolved here, each address checked, then the connection made to that address
    (TLS still checks the certificate against the name), so neither a redirect nor a DNS answer
    that changes between check and connect can lead the admin's server to its own network.
    """

    def __init__(self, allowed: frozenset[tuple[str, int]] = frozenset()) -> None:
        self._inner = httpcore.AnyIOBackend()
        self.allowed = allowed
        """(address, port) pairs let through anyway: for tests, which have only loopback."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            raise httpcore.ConnectError("the name does not resolve") from None
        addresses = sorted({str(info[4][0]) for info in infos})
        if not addresses or not all(is_public(a) or (a, port) in self.allowed for a in addresses):
            raise httpcore.ConnectError(NOT_PUBLIC)
        return await self._inner.connect_tcp(addresses[0], port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError(NOT_PUBLIC)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def public_transport(allowed: frozenset[tuple[str, int]] = frozenset()) -> httpx.AsyncBaseTransport:
    # trust_env=False: a proxy from the environment would make the connection check moot.
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    # httpx has no parameter for httpcore's network backend; its pool is the documented place.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(), network_backend=PublicOnly(allowed)
    )
    return transport


async def fetch(url: str, transport: httpx.AsyncBaseTransport | None = None) -> tuple[str, bytes]:
    """Downloads a programme from `url` (pretalx publishes schedule.json at a stable address),
    only from the public internet (see PublicOnly)."""
    if not url.startswith(("https://", "http://")):
        raise ImportFailed(N_("the address must start with https://"))
    try:
        async with (
            httpx.AsyncClient(
                transport=transport or public_transport(), timeout=20, follow_redirects=True, max_redirects=5
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise ImportFailed(N_("{url} answered HTTP {status}"), url=url, status=response.status_code)
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_IMPORT_BYTES:
                    raise ImportFailed(N_("{url}: larger than {n} MB"), url=url, n=MAX_IMPORT_BYTES // (1024 * 1024))
                chunks.append(chunk)
    except httpx.ConnectError as error:
        if NOT_PUBLIC in str(error):
            raise ImportFailed(N_("{url}: motsbot fetches only from public internet addresses"), url=url) from None
        raise ImportFailed(N_("{url} could not be fetched ({reason})"), url=url, reason="ConnectError") from None
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as error:
        # InvalidURL is not an HTTPError; a malformed host raises UnicodeError, a ValueError.
        reason = error.__class__.__name__
        raise ImportFailed(N_("{url} could not be fetched ({reason})"), url=url, reason=reason) from None
    name = url.rstrip("/").rsplit("/", 1)[-1] or "download"
    return name, b"".join(chunks)


def parse_fetched(data: bytes, url: str, name: str, time_zone: str) -> Programme:
    """A downloaded programme; a failure does not repeat what the address answered, so the
    import cannot be used to read other servers' pages."""
    try:
        return parse(data, name, time_zone)
    except ImportFailed:
        raise ImportFailed(N_("{url}: the answer is not a programme file motsbot can read"), url=url) from None


class PendingImports:
    """Uploads waiting for their preview to be confirmed, held in memory for an hour.

    A restart loses them; the organiser then uploads again, which is cheaper than keeping
    unconfirmed files in the database.
    """

    def __init__(self) -> None:
        self._pending: dict[str, PendingImport] = {}

    def add(self, account_id: int, name: str, data: bytes, report: ImportReport, now: datetime) -> PendingImport:
        self._expire(now)
        pending = PendingImport(secrets.token_urlsafe(16), account_id, name, data, report, now)
        self._pending[pending.token] = pending
        return pending

    def take(self, token: str, account_id: int, now: datetime) -> PendingImport:
        self._expire(now)
        pending = self._pending.get(token)
        if pending is None or pending.account_id != account_id:
            raise ImportFailed(N_("this preview has expired: please upload the file again"))
        del self._pending[token]
        return pending

    def _expire(self, now: datetime) -> None:
        for token, pending in list(self._pending.items()):
            if now - pending.created_at > PENDING_FOR:
                del self._pending[token]


async def apply(
    store: Store, data: bytes, name: str, time_zone: str, now: datetime, *, take_file: bool = False
) -> ImportReport:
    """`take_file`: the file's version wins over changes made in the admin since (the preview
    lists them as conflicts); without it those are kept."""
    programme = parse(data, name, time_zone)
    try:
        return await store.programme.apply(programme, now, take_file=take_file)
    except ProgrammeError as error:
        raise ImportFailed(N_("{name}: {error}"), name=name, error=error) from None


async def preview_bytes(
    store: Store, data: bytes, name: str, time_zone: str, now: datetime, url: str | None = None
) -> ImportReport:
    programme = parse(data, name, time_zone) if url is None else parse_fetched(data, url, name, time_zone)
    try:
        return await preview(store, programme, now)
    except ProgrammeError as error:
        raise ImportFailed(N_("{name}: {error}"), name=name, error=error) from None
