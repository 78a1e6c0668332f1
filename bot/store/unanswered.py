"""Questions the bot could not answer, counted per wording, without anyone's id.

Organisers read the list in the admin and turn frequent questions into FAQ entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from bot.sanitize import mask_contacts
from bot.store import schema as t
from bot.store.database import Database
from bot.understand.normalize import normalize, tokens

MAX_TEXT = 1000
MAX_KEY = 500


@dataclass(frozen=True)
class UnansweredQuestion:
    id: int
    text: str
    """The first wording seen, with contact details masked."""
    language: str
    """The asker's language in the bot when it was first asked."""
    count: int
    """How many times this question (same words after normalising) was asked."""
    first_asked: datetime
    last_asked: datetime
    """Both to the hour."""


def question_key(text: str) -> str:
    """Identical questions: the same words after folding case, accents and punctuation."""
    return " ".join(tokens(normalize(text)))[:MAX_KEY]


class UnansweredStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def record(self, text: str, language: str, now: datetime) -> None:
        """Counts one more asking of `text`; nothing about who asked is kept."""
        key = question_key(mask_contacts(text))
        if not key:
            return
        hour = now.replace(minute=0, second=0, microsecond=0)
        async with self.database.transaction() as conn:
            updated = await conn.execute(
                update(t.unanswered_question)
                .where(t.unanswered_question.c.key == key)
                .values(count=t.unanswered_question.c.count + 1, last_asked=hour)
            )
            if updated.rowcount:
                return
            await conn.execute(
                insert(t.unanswered_question).values(
                    key=key,
                    text=mask_contacts(text).strip()[:MAX_TEXT],
                    language=language,
                    first_asked=hour,
                    last_asked=hour,
                    count=1,
                )
            )

    async def list_unanswered(self, limit: int = 200) -> list[UnansweredQuestion]:
        """Most asked first, then most recent."""
        async with self.database.reading() as conn:
            rows = await conn.execute(
                select(t.unanswered_question)
                .order_by(
                    t.unanswered_question.c.count.desc(),
                    t.unanswered_question.c.last_asked.desc(),
                    t.unanswered_question.c.id,
                )
                .limit(limit)
            )
            return [
                UnansweredQuestion(
                    id=row.id,
                    text=row.text,
                    language=row.language,
                    count=int(row._mapping["count"]),
                    first_asked=row.first_asked,
                    last_asked=row.last_asked,
                )
                for row in rows
            ]

    async def dismiss(self, question_id: int) -> bool:
        """Removes a question from the list (answered by a new FAQ entry, or noise)."""
        async with self.database.transaction() as conn:
            result = await conn.execute(delete(t.unanswered_question).where(t.unanswered_question.c.id == question_id))
            return bool(result.rowcount)
