"""Dead letters: what a channel could not handle, set aside so that the channel goes on.

An update the platform's library cannot read, or one the bot failed on, is logged, kept here
with the reason, confirmed to the platform (so it does not come back and stop the channel
again) and shown to an operator in the admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select

from bot.sanitize import mask_contacts
from bot.store import schema as t
from bot.store.database import Database

KEPT = timedelta(days=7)
"""Long enough for an operator to look after a weekend; the README's data table says a week."""
MAX_REASON = 500


@dataclass(frozen=True)
class DeadLetter:
    id: int
    channel: str
    platform_id: str
    reason: str
    body: Any
    received_at: datetime


def masked(value: Any) -> Any:
    """The value with phone numbers and e-mail addresses masked in every string in it."""
    if isinstance(value, str):
        return mask_contacts(value)
    if isinstance(value, dict):
        return {key: masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def reason_of(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:MAX_REASON]


class DeadLetterStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add(
        self,
        channel: str,
        platform_id: str,
        reason: str,
        body: Any,
        now: datetime,
        *,
        user_id: str | None = None,
    ) -> None:
        """Keeps one; `body` must have people's names taken out already (as the inbox does)."""
        async with self.database.transaction() as conn:
            await conn.execute(delete(t.dead_letter).where(t.dead_letter.c.received_at < now - KEPT))
            await conn.execute(
                insert(t.dead_letter).values(
                    channel=channel,
                    platform_id=platform_id[:255],
                    user_id=user_id,
                    reason=reason[:MAX_REASON],
                    body=masked(body),
                    received_at=now,
                )
            )

    async def prune(self, now: datetime) -> int:
        """Drops those older than a week (also done at each `add`; the channels call this daily)."""
        result = await self.database.execute(delete(t.dead_letter).where(t.dead_letter.c.received_at < now - KEPT))
        return int(result.rowcount or 0)

    async def recent(self, limit: int = 200) -> list[DeadLetter]:
        letters = t.dead_letter
        async with self.database.reading() as conn:
            rows = await conn.execute(
                select(letters).order_by(letters.c.received_at.desc(), letters.c.id.desc()).limit(limit)
            )
            return [DeadLetter(r.id, r.channel, r.platform_id, r.reason, r.body, r.received_at) for r in rows]

    async def counts(self) -> dict[str, int]:
        letters = t.dead_letter
        async with self.database.reading() as conn:
            rows = await conn.execute(select(letters.c.channel, func.count()).group_by(letters.c.channel))
            return {str(channel): int(count) for channel, count in rows}
