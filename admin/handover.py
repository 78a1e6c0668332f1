"""An organiser answers a resident's question for a person: the answer goes to the resident's chat
through the outbox, in the same transaction that marks the question answered."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from bot.store import Store
from bot.store import schema as t
from scheduler.outbox import Kind, NewItem, Priority, add_in

MAX_ANSWER = 2000
ANSWER_EXPIRES = timedelta(days=7)
"""An answer a platform could not deliver for a week is no longer worth sending."""


async def answer_question(store: Store, question_id: int, answer: str, now: datetime) -> bool:
    """Sends `answer` to whoever asked; False when the question is gone or was answered already."""
    question = await store.handover.get(question_id)
    text = answer.strip()[:MAX_ANSWER]
    if question is None or not text:
        return False
    async with store.database.transaction() as conn:
        changed = await conn.execute(
            update(t.human_question)
            .where(t.human_question.c.id == question_id, t.human_question.c.answered_at.is_(None))
            .values(answered_at=now)
        )
        if not changed.rowcount:
            return False
        await add_in(
            conn,
            [
                NewItem(
                    key=f"answer:{question_id}",
                    kind=Kind.ANSWER,
                    channel=question.channel,
                    user_id=question.user_id,
                    person_id=question.person_id,
                    not_before=now,
                    expires_at=now + ANSWER_EXPIRES,
                    payload={"question": question.text, "answer": text},
                    priority=Priority.PERSONAL,
                )
            ],
            now,
        )
    return True
