"""Broadcasts from organisers: to everyone reachable, to events' attendees or to one language
group, with a text per language, now or at a set time. Every recipient is a row in the outbox,
so a broadcast survives restarts, can be cancelled, and shows its progress by reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, insert, select, update

from bot.model import SignupStatus
from bot.store import Store
from bot.store import schema as t
from scheduler.outbox import Kind, NewItem, Outbox, Priority, Status, add_in, cancel_in


@dataclass(frozen=True)
class Audience:
    everyone: bool = False
    events: Sequence[str] = ()
    """Event codes: their confirmed attendees."""
    languages: Sequence[str] = ()
    """Only people using one of these languages (combines with the above)."""

    def as_json(self) -> dict[str, Any]:
        return {"everyone": self.everyone, "events": list(self.events), "languages": list(self.languages)}


@dataclass(frozen=True)
class Progress:
    broadcast_id: int
    status: str
    total: int
    sent: int
    pending: int
    not_sent: dict[str, int] = field(default_factory=dict)
    """'failed: <reason>', 'expired: <reason>', 'cancelled: <reason>' → count."""

    @property
    def done(self) -> bool:
        return self.pending == 0


def audience_conditions(audience: Audience) -> list[ColumnElement[bool]]:
    """The people a broadcast reaches: reachable ones, narrowed by language and by events.

    The admin's recipient count uses the same conditions, so the count and the sending agree.
    """
    conditions: list[ColumnElement[bool]] = [t.person.c.unreachable_since.is_(None)]
    if audience.languages:
        conditions.append(t.person.c.language.in_(list(audience.languages)))
    if audience.events and not audience.everyone:
        attendees = (
            select(t.signup.c.person_id)
            .join(t.event, t.event.c.id == t.signup.c.event_id)
            .where(
                t.event.c.code.in_(list(audience.events)),
                t.signup.c.status == SignupStatus.CONFIRMED.value,
            )
        )
        conditions.append(t.person.c.id.in_(attendees))
    return conditions


class Broadcasts:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.outbox = Outbox(store.database)

    async def create(
        self,
        texts: dict[str, str],
        audience: Audience,
        now: datetime,
        *,
        at: datetime | None = None,
        expires_at: datetime | None = None,
    ) -> int:
        if not any(text.strip() for text in texts.values()):
            raise ValueError("a broadcast needs a text in at least one language")
        if not audience.everyone and not audience.events and not audience.languages:
            raise ValueError("choose an audience: everyone, events or languages")
        when = at or now
        async with self.store.database.transaction() as conn:
            result = await conn.execute(
                insert(t.broadcast).values(
                    audience=audience.as_json(),
                    texts=texts,
                    not_before=when,
                    expires_at=expires_at,
                    status="scheduled" if when > now else "sending",
                    created_at=now,
                    updated_at=now,
                )
            )
            assert result.inserted_primary_key is not None
            broadcast_id = int(result.inserted_primary_key[0])
            query = select(t.person.c.id, t.person.c.channel, t.person.c.channel_user_id).where(
                *audience_conditions(audience)
            )
            people = (await conn.execute(query.order_by(t.person.c.id))).all()
            await add_in(
                conn,
                (
                    NewItem(
                        key=f"broadcast:{broadcast_id}:{p.id}",
                        kind=Kind.BROADCAST,
                        channel=p.channel,
                        user_id=p.channel_user_id,
                        person_id=p.id,
                        broadcast_id=broadcast_id,
                        not_before=when,
                        expires_at=expires_at,
                        payload={"texts": texts},
                        priority=Priority.BULK,
                    )
                    for p in people
                ),
                now,
            )
        return broadcast_id

    async def progress(self, broadcast_id: int) -> Progress:
        async with self.store.database.reading() as conn:
            status = await conn.scalar(select(t.broadcast.c.status).where(t.broadcast.c.id == broadcast_id))
        if status is None:
            raise KeyError(broadcast_id)
        counts = await self.outbox.counts(t.outbox.c.broadcast_id == broadcast_id)
        sent = sum(n for (s, _), n in counts.items() if s == Status.SENT.value)
        pending = sum(n for (s, _), n in counts.items() if s in (Status.PENDING.value, Status.SENDING.value))
        not_sent = {
            f"{s}: {reason}": n
            for (s, reason), n in counts.items()
            if s not in (Status.SENT.value, Status.PENDING.value, Status.SENDING.value)
        }
        if pending == 0 and status in ("scheduled", "sending"):
            status = "done"
        return Progress(broadcast_id, str(status), sum(counts.values()), sent, pending, not_sent)

    async def cancel(self, broadcast_id: int, now: datetime) -> int:
        """Stops a broadcast: its unsent rows are cancelled (those in flight still go)."""
        async with self.store.database.transaction() as conn:
            await conn.execute(
                update(t.broadcast).where(t.broadcast.c.id == broadcast_id).values(status="cancelled", updated_at=now)
            )
            return await cancel_in(conn, t.outbox.c.broadcast_id == broadcast_id, "broadcast cancelled", now)

    async def resume(self, broadcast_id: int, now: datetime) -> int:
        """Takes up a cancelled broadcast again: the rows it cancelled become pending."""
        async with self.store.database.transaction() as conn:
            await conn.execute(
                update(t.broadcast).where(t.broadcast.c.id == broadcast_id).values(status="sending", updated_at=now)
            )
            changed = await conn.execute(
                update(t.outbox)
                .where(
                    t.outbox.c.broadcast_id == broadcast_id,
                    t.outbox.c.status == Status.CANCELLED.value,
                    t.outbox.c.reason == "broadcast cancelled",
                )
                .values(status=Status.PENDING.value, reason=None, updated_at=now)
            )
            return int(changed.rowcount or 0)
