"""Import with a preview: what an upload would change, computed by the real import, rolled back."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from bot.model import Programme
from bot.programme.errors import ProgrammeFileError
from bot.programme.loader import parse_programme
from bot.store import Store
from bot.store.programme import ImportReport, ProgrammeError

MAX_IMPORT_BYTES = 10 * 1024 * 1024
PENDING_FOR = timedelta(hours=1)


class ImportFailed(Exception):
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
        raise ImportFailed(f"{name}: the file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
    try:
        return parse_programme(data, name, time_zone=time_zone)
    except ProgrammeFileError as error:
        raise ImportFailed(str(error)) from None


async def fetch(url: str, transport: httpx.AsyncBaseTransport | None = None) -> tuple[str, bytes]:
    """Downloads a programme from `url` (pretalx publishes schedule.json at a stable address)."""
    if not url.startswith(("https://", "http://")):
        raise ImportFailed("the address must start with https://")
    try:
        async with (
            httpx.AsyncClient(transport=transport, timeout=20, follow_redirects=True) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise ImportFailed(f"{url} answered HTTP {response.status_code}")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_IMPORT_BYTES:
                    raise ImportFailed(f"{url}: larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
                chunks.append(chunk)
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as error:
        # InvalidURL is not an HTTPError; a malformed host raises UnicodeError, a ValueError.
        raise ImportFailed(f"{url} could not be fetched ({error.__class__.__name__})") from None
    name = url.rstrip("/").rsplit("/", 1)[-1] or "download"
    return name, b"".join(chunks)


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
            raise ImportFailed("this preview has expired: please upload the file again")
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
        raise ImportFailed(f"{name}: {error}") from None


async def preview_bytes(store: Store, data: bytes, name: str, time_zone: str, now: datetime) -> ImportReport:
    programme = parse(data, name, time_zone)
    try:
        return await preview(store, programme, now)
    except ProgrammeError as error:
        raise ImportFailed(f"{name}: {error}") from None
