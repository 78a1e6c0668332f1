"""Telegram's poll ids and the engine's: a `poll_answer` names only Telegram's id, and an
answer can arrive days after the poll was sent, across restarts, so the mapping is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select

from bot.store import schema as t
from bot.store.database import Database


class TelegramPolls:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def remember(self, telegram_poll_id: str, poll_id: str, chat_id: int, message_id: int, now: datetime) -> None:
        async with self.database.transaction() as conn:
            await conn.execute(
                insert(t.telegram_poll).values(
                    telegram_poll_id=telegram_poll_id,
                    poll_id=poll_id,
                    chat_id=str(chat_id),
                    message_id=message_id,
                    created_at=now,
                )
            )

    async def poll_id(self, telegram_poll_id: str) -> str | None:
        """The engine's poll id, or None for a poll this bot did not send (or forgot)."""
        async with self.database.reading() as conn:
            result = await conn.scalar(
                select(t.telegram_poll.c.poll_id).where(t.telegram_poll.c.telegram_poll_id == telegram_poll_id)
            )
            return None if result is None else str(result)

    async def messages(self, poll_id: str) -> list[tuple[int, int]]:
        """Every chat and message that carries the engine's poll `poll_id`."""
        async with self.database.reading() as conn:
            rows = await conn.execute(
                select(t.telegram_poll.c.chat_id, t.telegram_poll.c.message_id).where(
                    t.telegram_poll.c.poll_id == poll_id
                )
            )
            return [(int(row.chat_id), int(row.message_id)) for row in rows]
