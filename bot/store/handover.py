"""Residents' questions for a person: asked in the chat, answered by an organiser in the admin.

The row names the person (their answer must reach their chat) and goes with them on /forget and
the purge; phone numbers and e-mail addresses are masked before the text is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from bot.sanitize import mask_contacts
from bot.store import schema as t
from bot.store.database import Database
from bot.store.unanswered import MAX_TEXT

MAX_WAITING = 3
"""Open questions one person may have at a time, so that nobody fills the organisers' inbox."""


@dataclass(frozen=True)
class HumanQuestion:
    id: int
    person_id: int
    text: str
    """As written, with contact details masked."""
    language: str
    asked_at: datetime
    channel: str
    user_id: str


class HandoverStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def ask(self, person_id: int, text: str, language: str, now: datetime) -> bool:
        """Puts a question in the organisers' inbox; False when this person already has
        MAX_WAITING questions waiting there."""
        async with self.database.transaction() as conn:
            waiting = await conn.scalar(
                select(t.human_question.c.id)
                .where(t.human_question.c.person_id == person_id, t.human_question.c.answered_at.is_(None))
                .offset(MAX_WAITING - 1)
                .limit(1)
            )
            if waiting is not None:
                return False
            await conn.execute(
                insert(t.human_question).values(
                    person_id=person_id,
                    text=mask_contacts(text).strip()[:MAX_TEXT],
                    language=language,
                    asked_at=now,
                )
            )
            return True

    async def waiting(self, limit: int = 200) -> list[HumanQuestion]:
        """Questions no organiser has answered yet, oldest first."""
        async with self.database.reading() as conn:
            rows = await conn.execute(
                select(t.human_question, t.person.c.channel, t.person.c.channel_user_id)
                .join(t.person, t.person.c.id == t.human_question.c.person_id)
                .where(t.human_question.c.answered_at.is_(None))
                .order_by(t.human_question.c.asked_at, t.human_question.c.id)
                .limit(limit)
            )
            return [_question(row) for row in rows]

    async def get(self, question_id: int) -> HumanQuestion | None:
        async with self.database.reading() as conn:
            row = (
                await conn.execute(
                    select(t.human_question, t.person.c.channel, t.person.c.channel_user_id)
                    .join(t.person, t.person.c.id == t.human_question.c.person_id)
                    .where(t.human_question.c.id == question_id)
                )
            ).first()
            return _question(row) if row is not None else None

    async def mark_answered(self, question_id: int, now: datetime) -> bool:
        """True when the question was waiting (a second organiser's answer is not sent twice)."""
        async with self.database.transaction() as conn:
            changed = await conn.execute(
                update(t.human_question)
                .where(t.human_question.c.id == question_id, t.human_question.c.answered_at.is_(None))
                .values(answered_at=now)
            )
            return bool(changed.rowcount)

    async def dismiss(self, question_id: int) -> bool:
        async with self.database.transaction() as conn:
            result = await conn.execute(delete(t.human_question).where(t.human_question.c.id == question_id))
            return bool(result.rowcount)


def _question(row: object) -> HumanQuestion:
    values = row._mapping  # type: ignore[attr-defined]
    return HumanQuestion(
        id=values["id"],
        person_id=values["person_id"],
        text=values["text"],
        language=values["language"],
        asked_at=values["asked_at"],
        channel=values["channel"],
        user_id=values["channel_user_id"],
    )
