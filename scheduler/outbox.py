"""The durable outbox: one row per recipient and message, with a unique dedupe key, a status
and, when a message was not sent, the reason why.

Life of a row: pending → sending → sent, or failed / expired / cancelled with a reason; a
transient failure puts it back to pending with a later `not_before`. A row left in `sending` by a
crash goes back to pending at the next start: on Telegram, which has no idempotency key, those
(at most `SchedulerConfig.in_flight`) messages may be sent twice; on Matrix the transaction id
makes the repeat a no-op.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

from sqlalchemy import Insert, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import schema as t
from bot.store.database import Database


class Status(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


OPEN = (Status.PENDING.value, Status.SENDING.value)


class Kind(StrEnum):
    REMINDER = "reminder"
    CANCELLED = "cancelled"
    """The event was cancelled: its attendees are told."""
    MOVED = "moved"
    POLL = "poll"
    POLL_NUDGE = "poll_nudge"
    OFFER = "offer"
    OFFER_EXPIRED = "offer_expired"
    """A seat offer was not answered in time: the person is told they left the waiting list."""
    BROADCAST = "broadcast"
    SURVEY = "survey"
    """A citizen survey's invitation to a person who opted in."""
    SURVEY_OPTIN = "survey_optin"
    """The once-asked question whether a person wants surveys at all."""
    ANSWER = "answer"
    """An organiser's answer to a resident's question for a person (bot/store/handover.py)."""
    REPLY = "reply"
    """An answer a connector could not deliver at once (a platform outage outlasted its own
    retries): the message itself is the payload, emptied once the row is done."""


class Priority(IntEnum):
    """Lower goes first when more is due than the platform takes at once."""

    URGENT = 0
    """Cancellations, moves and seat offers: time-critical and personal."""
    PERSONAL = 1
    BULK = 2


@dataclass(frozen=True)
class NewItem:
    key: str
    kind: Kind
    channel: str
    user_id: str
    not_before: datetime
    expires_at: datetime | None = None
    """Useful until: a row still pending then is expired with a reason, never sent late."""
    person_id: int | None = None
    event_id: int | None = None
    broadcast_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    priority: Priority = Priority.PERSONAL


@dataclass(frozen=True)
class Item:
    id: int
    key: str
    kind: Kind
    channel: str
    user_id: str
    person_id: int | None
    event_id: int | None
    broadcast_id: int | None
    payload: dict[str, Any]
    priority: int
    not_before: datetime
    expires_at: datetime | None
    status: Status
    reason: str | None
    attempts: int
    platform_message_id: str | None


def _item(row: Any) -> Item:
    return Item(
        id=row.id,
        key=row.dedupe_key,
        kind=Kind(row.kind),
        channel=row.channel,
        user_id=row.user_id,
        person_id=row.person_id,
        event_id=row.event_id,
        broadcast_id=row.broadcast_id,
        payload=dict(row.payload or {}),
        priority=row.priority,
        not_before=row.not_before,
        expires_at=row.expires_at,
        status=Status(row.status),
        reason=row.reason,
        attempts=row.attempts,
        platform_message_id=row.platform_message_id,
    )


@dataclass(frozen=True)
class Result:
    """What became of one claimed row; written back in batches."""

    item_id: int
    status: Status
    reason: str | None = None
    platform_message_id: str | None = None
    retry_at: datetime | None = None
    """With status PENDING: when to try again."""
    counted: bool = True
    """False when the try was not the message's fault (a 429): it does not use up an attempt."""


def values_of(item: NewItem, now: datetime) -> dict[str, Any]:
    return {
        "dedupe_key": item.key,
        "kind": item.kind.value,
        "channel": item.channel,
        "user_id": item.user_id,
        "person_id": item.person_id,
        "event_id": item.event_id,
        "broadcast_id": item.broadcast_id,
        "payload": item.payload,
        "priority": int(item.priority),
        "not_before": item.not_before,
        "expires_at": item.expires_at,
        "status": Status.PENDING.value,
        "reason": None,
        "attempts": 0,
        "platform_message_id": None,
        "created_at": now,
        "updated_at": now,
        "sent_at": None,
    }


CHUNK = 500


class Outbox:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add(self, items: Iterable[NewItem], now: datetime) -> int:
        """Adds the items whose dedupe key is new; returns how many were added."""
        async with self.database.transaction() as conn:
            return await add_in(conn, items, now)

    async def get(self, key: str) -> Item | None:
        async with self.database.reading() as conn:
            row = (await conn.execute(select(t.outbox).where(t.outbox.c.dedupe_key == key))).first()
            return None if row is None else _item(row)

    async def items(self, *conditions: Any) -> list[Item]:
        async with self.database.reading() as conn:
            rows = await conn.execute(select(t.outbox).where(*conditions).order_by(t.outbox.c.id))
            return [_item(r) for r in rows]

    async def next_due(self) -> datetime | None:
        async with self.database.reading() as conn:
            value = await conn.scalar(
                select(func.min(t.outbox.c.not_before)).where(t.outbox.c.status == Status.PENDING.value)
            )
            return value if isinstance(value, datetime) else None

    async def claim_due(self, now: datetime, limit: int, busy: Sequence[tuple[str, str]] = ()) -> list[Item]:
        """Marks up to `limit` due rows as sending and returns them, most urgent first.

        Rows for a recipient in `busy` (already in flight) wait for the next round, so one
        person's messages arrive in order.
        """
        if limit <= 0:
            return []
        busy_set = set(busy)
        async with self.database.transaction() as conn:
            rows = await conn.execute(
                select(t.outbox)
                .where(t.outbox.c.status == Status.PENDING.value, t.outbox.c.not_before <= now)
                .order_by(t.outbox.c.priority, t.outbox.c.not_before, t.outbox.c.id)
                .limit(limit + len(busy_set))
            )
            candidates = [_item(row) for row in rows]
            first = await _first_replies(conn, {(i.channel, i.user_id) for i in candidates if i.kind is Kind.REPLY})
            chosen: list[Item] = []
            following: list[tuple[int, int]] = []
            for item in candidates:
                recipient = (item.channel, item.user_id)
                if recipient in busy_set:
                    continue
                if item.kind is Kind.REPLY and first.get(recipient, item.id) != item.id:
                    # An earlier held-up answer to this recipient waits for its next try (its
                    # retry moved it back): this one follows it, never overtakes it, and is
                    # due when it is (else it would be due, unclaimable, and wake us at once).
                    busy_set.add(recipient)
                    following.append((item.id, first[recipient]))
                    continue
                busy_set.add(recipient)
                chosen.append(replace(item, status=Status.SENDING, attempts=item.attempts + 1))
                if len(chosen) >= limit:
                    break
            if chosen:
                await conn.execute(
                    update(t.outbox)
                    .where(t.outbox.c.id.in_([i.id for i in chosen]))
                    .values(status=Status.SENDING.value, attempts=t.outbox.c.attempts + 1, updated_at=now)
                )
            leader = t.outbox.alias("leader")
            for row_id, leader_id in following:
                await conn.execute(
                    update(t.outbox)
                    .where(t.outbox.c.id == row_id)
                    .values(not_before=select(leader.c.not_before).where(leader.c.id == leader_id).scalar_subquery())
                )
            return chosen

    async def record(self, results: Sequence[Result], now: datetime) -> None:
        if not results:
            return
        async with self.database.transaction() as conn:
            for result in results:
                values: dict[str, Any] = {"status": result.status.value, "reason": result.reason, "updated_at": now}
                if result.status is Status.SENT:
                    values["sent_at"] = now
                    values["platform_message_id"] = result.platform_message_id
                if result.status is Status.PENDING and result.retry_at is not None:
                    values["not_before"] = result.retry_at
                if not result.counted:
                    values["attempts"] = t.outbox.c.attempts - 1
                await conn.execute(update(t.outbox).where(t.outbox.c.id == result.item_id).values(**values))
            done = [r.item_id for r in results if r.status is not Status.PENDING]
            if done:
                # A reply's text is kept only until it is sent (or given up on).
                await conn.execute(
                    update(t.outbox)
                    .where(t.outbox.c.id.in_(done), t.outbox.c.kind == Kind.REPLY.value)
                    .values(payload={})
                )

    async def recover(self, now: datetime) -> int:
        """Rows a crash left in `sending` go back to pending (they may have been sent)."""
        async with self.database.transaction() as conn:
            changed = await conn.execute(
                update(t.outbox)
                .where(t.outbox.c.status == Status.SENDING.value)
                .values(status=Status.PENDING.value, reason="resumed after a restart", updated_at=now)
            )
            return int(changed.rowcount or 0)

    async def cancel(self, condition: Any, reason: str, now: datetime) -> int:
        """Cancels the pending rows matching `condition`."""
        async with self.database.transaction() as conn:
            return await cancel_in(conn, condition, reason, now)

    async def counts(self, *conditions: Any) -> dict[tuple[str, str | None], int]:
        """Rows by (status, reason)."""
        async with self.database.reading() as conn:
            rows = await conn.execute(
                select(t.outbox.c.status, t.outbox.c.reason, func.count())
                .where(*conditions)
                .group_by(t.outbox.c.status, t.outbox.c.reason)
            )
            return {(r[0], r[1]): int(r[2]) for r in rows}


async def _first_replies(conn: AsyncConnection, recipients: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The oldest open held-up answer of each recipient (its row id)."""
    if not recipients:
        return {}
    rows = await conn.execute(
        select(t.outbox.c.channel, t.outbox.c.user_id, func.min(t.outbox.c.id))
        .where(
            t.outbox.c.kind == Kind.REPLY.value,
            t.outbox.c.status.in_(OPEN),
            t.outbox.c.user_id.in_([user_id for _, user_id in recipients]),
        )
        .group_by(t.outbox.c.channel, t.outbox.c.user_id)
    )
    return {(row[0], row[1]): int(row[2]) for row in rows}


@dataclass
class NewRows:
    """What adding some items comes to (`sort_new`), for writing later (`write_new`)."""

    fresh: list[NewItem] = field(default_factory=list)
    """Items whose key has no row."""
    revived: list[tuple[int, NewItem]] = field(default_factory=list)
    """Rows cancelled for a reason that lets them come back, with the item wanting them."""


async def sort_new(conn: AsyncConnection, items: Iterable[NewItem], *, revive: Collection[str] = ()) -> NewRows:
    """Reads which items have no row yet, and which rows cancelled for one of the `revive`
    reasons they bring back: the same key wanted again (someone who cancelled signs up again,
    and keeps their signup and so its reminders' keys)."""
    batch = list(items)
    rows = NewRows()
    seen: set[str] = set()
    for start in range(0, len(batch), CHUNK):
        chunk = batch[start : start + CHUNK]
        existing = {
            row.dedupe_key: row
            for row in await conn.execute(
                select(t.outbox.c.id, t.outbox.c.dedupe_key, t.outbox.c.status, t.outbox.c.reason).where(
                    t.outbox.c.dedupe_key.in_([i.key for i in chunk])
                )
            )
        }
        for item in chunk:
            if item.key in seen:
                continue
            seen.add(item.key)
            row = existing.get(item.key)
            if row is None:
                rows.fresh.append(item)
            elif row.status == Status.CANCELLED.value and row.reason in revive:
                rows.revived.append((int(row.id), item))
    return rows


async def write_new(conn: AsyncConnection, rows: NewRows, now: datetime, *, statement: Insert | None = None) -> int:
    """Writes what `sort_new` found; returns how many rows were added or made pending again.
    A row brought back only if it is still cancelled; `statement` may leave out keys added
    meanwhile (`Database.insert_new`)."""
    for row_id, item in rows.revived:
        await conn.execute(
            update(t.outbox)
            .where(t.outbox.c.id == row_id, t.outbox.c.status == Status.CANCELLED.value)
            .values(
                status=Status.PENDING.value,
                reason=None,
                attempts=0,
                not_before=item.not_before,
                expires_at=item.expires_at,
                updated_at=now,
            )
        )
    for start in range(0, len(rows.fresh), CHUNK):
        chunk = rows.fresh[start : start + CHUNK]
        await conn.execute(statement if statement is not None else insert(t.outbox), [values_of(i, now) for i in chunk])
    return len(rows.revived) + len(rows.fresh)


async def add_in(
    conn: AsyncConnection, items: Iterable[NewItem], now: datetime, *, revive: Collection[str] = ()
) -> int:
    """Adds the items whose key has no row yet (and brings back rows cancelled for a `revive`
    reason), in one transaction; returns how many."""
    return await write_new(conn, await sort_new(conn, items, revive=revive), now)


async def cancel_in(conn: AsyncConnection, condition: Any, reason: str, now: datetime) -> int:
    changed = await conn.execute(
        update(t.outbox)
        .where(t.outbox.c.status == Status.PENDING.value, condition)
        .values(status=Status.CANCELLED.value, reason=reason, updated_at=now)
    )
    return int(changed.rowcount or 0)


def key_prefix(prefix: str) -> Any:
    return t.outbox.c.dedupe_key.like(prefix.replace("%", r"\%").replace("_", r"\_") + "%", escape="\\")
