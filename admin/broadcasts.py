"""Broadcasts from the admin through the scheduler: who may send to whom, preview, progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from adapters.web import WebMessage, render
from admin.i18n import N_
from admin.service import Invalid, Refused, may_manage, require
from admin.store import Account, Role
from bot.model import LANGUAGES
from bot.store import Store
from bot.store import schema as t
from bot.store.programme import ProgrammeSnapshot
from scheduler.broadcasts import Audience, Broadcasts, Progress, audience_conditions
from scheduler.config import SchedulerConfig
from scheduler.outbox import Item, Kind, Status
from scheduler.render import Renderer, Skip

MAX_TEXT = 3500
"""Below Telegram's 4096 characters, with room for the adapter's own framing."""


@dataclass(frozen=True)
class BroadcastRow:
    id: int
    status: str
    texts: dict[str, str]
    audience: dict[str, Any]
    not_before: datetime
    created_at: datetime


def check_audience(account: Account, audience: Audience, snapshot: ProgrammeSnapshot) -> None:
    """Admins may reach anyone; organisers only the attendees of their own events."""
    require(account, Role.ADMIN, Role.ORGANISER)
    for code in audience.events:
        event = snapshot.event(code)
        if event is None:
            raise Invalid(N_("no event {code}"), code=code)
        if not may_manage(account, event, snapshot):
            raise Refused()
    if account.role is Role.ORGANISER and (audience.everyone or not audience.events):
        # Organisers write to the people signed up for their own events, nobody else.
        raise Refused()
    if any(lang not in LANGUAGES for lang in audience.languages):
        raise Invalid(N_("unknown language"))
    if not audience.everyone and not audience.events and not audience.languages:
        raise Invalid(N_("choose who gets the message"))


def clean_texts(texts: dict[str, str]) -> dict[str, str]:
    cleaned = {lang: text.strip() for lang, text in texts.items() if lang in LANGUAGES and text.strip()}
    if not cleaned:
        raise Invalid(N_("write the message in at least one language"))
    if any(len(text) > MAX_TEXT for text in cleaned.values()):
        raise Invalid(N_("a message may have at most {n} characters"), n=MAX_TEXT)
    return cleaned


async def preview(store: Store, texts: dict[str, str], now: datetime) -> dict[str, WebMessage]:
    """Each language's message exactly as the scheduler will render it when sending."""
    renderer = Renderer(store, SchedulerConfig())
    await renderer.refresh()
    shown: dict[str, WebMessage] = {}
    for lang in LANGUAGES:
        item = Item(
            id=0,
            key="preview",
            kind=Kind.BROADCAST,
            channel="web",
            user_id="preview",
            person_id=None,
            event_id=None,
            broadcast_id=None,
            payload={"texts": texts},
            priority=2,
            not_before=now,
            expires_at=None,
            status=Status.PENDING,
            reason=None,
            attempts=0,
            platform_message_id=None,
        )
        message = await renderer.render(item, lang, now)
        if not isinstance(message, Skip):
            shown[lang] = render(message)
    return shown


async def audience_size(store: Store, audience: Audience) -> dict[str, int]:
    """Reachable recipients by language, selected as `Broadcasts.create` selects them."""
    query = (
        select(t.person.c.language, func.count()).where(*audience_conditions(audience)).group_by(t.person.c.language)
    )
    async with store.database.reading() as conn:
        return {str(lang): int(n) for lang, n in await conn.execute(query)}


async def broadcast_rows(store: Store, limit: int = 100) -> list[BroadcastRow]:
    async with store.database.reading() as conn:
        rows = await conn.execute(select(t.broadcast).order_by(t.broadcast.c.id.desc()).limit(limit))
        return [BroadcastRow(r.id, r.status, dict(r.texts), dict(r.audience), r.not_before, r.created_at) for r in rows]


async def broadcast_row(store: Store, broadcast_id: int) -> BroadcastRow | None:
    async with store.database.reading() as conn:
        r = (await conn.execute(select(t.broadcast).where(t.broadcast.c.id == broadcast_id))).first()
        if r is None:
            return None
        return BroadcastRow(r.id, r.status, dict(r.texts), dict(r.audience), r.not_before, r.created_at)


def may_see(account: Account, row: BroadcastRow, snapshot: ProgrammeSnapshot) -> bool:
    if account.role is Role.ADMIN:
        return True
    if account.role is not Role.ORGANISER:
        return False
    events = [snapshot.event(code) for code in row.audience.get("events", [])]
    return (
        not row.audience.get("everyone")
        and bool(events)
        and all(e is not None and may_manage(account, e, snapshot) for e in events)
    )


class BroadcastSender:
    """The scheduler's API when it runs in this process; else the rows go straight into the outbox,
    and the scheduler sends them when it starts."""

    def __init__(self, store: Store, scheduler: Any = None) -> None:
        self.store = store
        self.scheduler = scheduler
        self.broadcasts: Broadcasts = scheduler.broadcasts if scheduler is not None else Broadcasts(store)

    async def send(
        self, texts: dict[str, str], audience: Audience, now: datetime, at: datetime | None, expires_at: datetime | None
    ) -> int:
        if self.scheduler is not None:
            return int(await self.scheduler.broadcast(texts, audience, at=at, expires_at=expires_at))
        return await self.broadcasts.create(texts, audience, now, at=at, expires_at=expires_at)

    async def progress(self, broadcast_id: int) -> Progress:
        return await self.broadcasts.progress(broadcast_id)

    async def cancel(self, broadcast_id: int, now: datetime) -> int:
        return await self.broadcasts.cancel(broadcast_id, now)
