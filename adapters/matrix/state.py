"""What the Matrix adapter must remember across restarts, in the bot's own database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from bot.store import Store
from bot.store import schema as t

HANDLED_KEPT = timedelta(days=7)
"""Ids only matter until the sync position passes them; a week covers any outage we would resume."""


@dataclass(frozen=True)
class Room:
    room_id: str
    user_id: str | None
    direct: bool
    open_poll_event_id: str | None


@dataclass(frozen=True)
class SentPoll:
    event_id: str
    room_id: str
    poll_id: str
    options: list[str]
    closed: bool


class MatrixState:
    def __init__(self, store: Store, account: str) -> None:
        self.database = store.database
        self.account = account

    async def sync_token(self) -> str | None:
        async with self.database.reading() as conn:
            token: str | None = await conn.scalar(
                select(t.matrix_sync.c.next_batch).where(t.matrix_sync.c.account == self.account)
            )
            return token

    async def save_sync_token(self, token: str, now: datetime) -> None:
        await self.database.execute(
            self.database.upsert(t.matrix_sync, {"account": self.account, "next_batch": token, "updated_at": now})
        )

    async def is_handled(self, event_id: str) -> bool:
        async with self.database.reading() as conn:
            found = await conn.scalar(
                select(t.matrix_handled_event.c.event_id).where(t.matrix_handled_event.c.event_id == event_id)
            )
            return found is not None

    async def mark_handled(self, event_id: str, now: datetime) -> None:
        await self.database.execute(
            self.database.insert_new(t.matrix_handled_event).values(event_id=event_id, handled_at=now)
        )

    async def prune_handled(self, now: datetime) -> int:
        async with self.database.transaction() as conn:
            result = await conn.execute(
                delete(t.matrix_handled_event).where(t.matrix_handled_event.c.handled_at < now - HANDLED_KEPT)
            )
            return result.rowcount

    async def room(self, room_id: str) -> Room | None:
        async with self.database.reading() as conn:
            row = (await conn.execute(select(t.matrix_room).where(t.matrix_room.c.room_id == room_id))).first()
            if row is None:
                return None
            return Room(row.room_id, row.user_id, row.direct, row.open_poll_event_id)

    async def direct_rooms(self, user_id: str) -> list[str]:
        """The person's DM rooms, newest first."""
        async with self.database.reading() as conn:
            rows = await conn.execute(
                select(t.matrix_room.c.room_id)
                .where(t.matrix_room.c.user_id == user_id, t.matrix_room.c.direct.is_(True))
                .order_by(t.matrix_room.c.updated_at.desc())
            )
            return [row.room_id for row in rows]

    async def save_room(self, room_id: str, user_id: str | None, direct: bool, now: datetime) -> None:
        await self.database.execute(
            self.database.upsert(
                t.matrix_room, {"room_id": room_id, "user_id": user_id, "direct": direct, "updated_at": now}
            )
        )

    async def forget_room(self, room_id: str) -> None:
        async with self.database.transaction() as conn:
            await conn.execute(delete(t.matrix_room).where(t.matrix_room.c.room_id == room_id))

    async def set_open_poll(self, room_id: str, event_id: str | None) -> None:
        """The poll a bare number typed in this room answers; None once choices moved on."""
        async with self.database.transaction() as conn:
            await conn.execute(
                update(t.matrix_room).where(t.matrix_room.c.room_id == room_id).values(open_poll_event_id=event_id)
            )

    async def save_poll(self, event_id: str, room_id: str, poll_id: str, options: list[str], now: datetime) -> None:
        # Left as it is when there already: the same send retried, Synapse answered with the same event id.
        await self.database.execute(
            self.database.insert_new(t.matrix_poll).values(
                event_id=event_id, room_id=room_id, poll_id=poll_id, options=options, created_at=now
            )
        )

    async def poll(self, event_id: str) -> SentPoll | None:
        async with self.database.reading() as conn:
            row = (await conn.execute(select(t.matrix_poll).where(t.matrix_poll.c.event_id == event_id))).first()
            if row is None:
                return None
            return SentPoll(row.event_id, row.room_id, row.poll_id, list(row.options), row.closed_at is not None)

    async def open_polls(self, poll_id: str) -> list[SentPoll]:
        async with self.database.reading() as conn:
            rows = await conn.execute(
                select(t.matrix_poll).where(t.matrix_poll.c.poll_id == poll_id, t.matrix_poll.c.closed_at.is_(None))
            )
            return [SentPoll(r.event_id, r.room_id, r.poll_id, list(r.options), False) for r in rows]

    async def close_poll(self, event_id: str, now: datetime) -> None:
        async with self.database.transaction() as conn:
            await conn.execute(update(t.matrix_poll).where(t.matrix_poll.c.event_id == event_id).values(closed_at=now))
            await conn.execute(
                update(t.matrix_room)
                .where(t.matrix_room.c.open_poll_event_id == event_id)
                .values(open_poll_event_id=None)
            )
