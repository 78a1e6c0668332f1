"""Questions to a panel: asked in the chat while the event runs, upvoted, reported, moderated.

Nobody — not the moderator, not other attendees — learns who asked. While the event's Q&A is
open the only link between a person and their questions and votes is HMAC(salt, person): it
lets the bot limit how often one person asks and stop double votes. When the Q&A closes the
votes, the salt and the askers' hashes and times are deleted in one transaction; what remains
is the question texts with their counts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import String, and_, cast, delete, func, insert, select, update

from bot.sanitize import mask_contacts
from bot.store import schema as t
from bot.store.database import Database

MAX_QUESTION = 300
"""Short enough to read out and to show on the projector."""
RATE_WINDOW = timedelta(minutes=10)
RATE_LIMIT = 3
"""Questions one person may send within `RATE_WINDOW`."""
EVENT_LIMIT = 10
"""Questions one person may send to one event in all."""
REPORTS_TO_RECHECK = 3
"""Reports from different people that take an approved question off the screen until a
moderator looks at it again."""
OPEN_EARLY = timedelta(minutes=15)
"""Q&A opens this long before the start (people take their seats) and closes this long after
the end (the last answers)."""
CLOSE_LATE = timedelta(minutes=30)
UP, REPORT = "up", "report"
STATE_KEY = "qa_ask"
"""The dialogue-state key that holds the event whose next message from the person is a question."""


class QuestionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    ANSWERED = "answered"
    HIDDEN = "hidden"


@dataclass(frozen=True)
class Question:
    id: int
    event_id: int
    text: str
    status: QuestionStatus
    upvotes: int
    reports: int
    asked_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "status": self.status.value,
            "upvotes": self.upvotes,
            "reports": self.reports,
            # No time asked: to the second, it would point at the one who was seen typing.
        }


@dataclass(frozen=True)
class QaSession:
    event_id: int
    enabled: bool
    screen_token: str
    closed_at: datetime | None


class AskRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        """'closed', 'too_many' (per window) or 'event_limit'."""


def is_running(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    return starts_at - OPEN_EARLY <= now < ends_at + CLOSE_LATE


def _hash(salt: str, channel: str, user_id: str) -> str:
    return hmac.new(salt.encode(), f"{channel}\0{user_id}".encode(), hashlib.sha256).hexdigest()


def _question(row: Any) -> Question:
    return Question(
        int(row.id),
        int(row.event_id),
        str(row.text),
        QuestionStatus(row.status),
        int(row.upvotes),
        int(row.reports),
        row.asked_at,
    )


def _session(row: Any) -> QaSession:
    return QaSession(int(row.event_id), bool(row.enabled), str(row.screen_token), row.closed_at)


class QaStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    # -- the switch ---------------------------------------------------------------------------

    async def session(self, event_id: int) -> QaSession | None:
        async with self.database.reading() as conn:
            row = (await conn.execute(select(t.qa_session).where(t.qa_session.c.event_id == event_id))).first()
            return None if row is None else _session(row)

    async def sessions(self) -> dict[int, QaSession]:
        async with self.database.reading() as conn:
            return {int(r.event_id): _session(r) for r in await conn.execute(select(t.qa_session))}

    async def by_token(self, token: str) -> QaSession | None:
        if not token or len(token) > 64:
            return None
        async with self.database.reading() as conn:
            row = (await conn.execute(select(t.qa_session).where(t.qa_session.c.screen_token == token))).first()
            return None if row is None else _session(row)

    async def switch(self, event_id: int, enabled: bool) -> QaSession:
        """Turns an event's Q&A on or off; switching on again after a close opens it afresh."""
        async with self.database.transaction() as conn:
            row = (await conn.execute(select(t.qa_session).where(t.qa_session.c.event_id == event_id))).first()
            if row is None:
                token = secrets.token_urlsafe(24)
                await conn.execute(
                    insert(t.qa_session).values(
                        event_id=event_id,
                        enabled=enabled,
                        screen_token=token,
                        salt=secrets.token_hex(32) if enabled else None,
                        closed_at=None,
                    )
                )
                return QaSession(event_id, enabled, token, None)
            values: dict[str, Any] = {"enabled": enabled}
            token = str(row.screen_token)
            if enabled:
                values.update(closed_at=None, salt=row.salt or secrets.token_hex(32))
            else:
                # The projector's link dies with the Q&A; switching on again gives a new one.
                token = values["screen_token"] = secrets.token_urlsafe(24)
            await conn.execute(update(t.qa_session).where(t.qa_session.c.event_id == event_id).values(**values))
            return QaSession(event_id, enabled, token, None if enabled else row.closed_at)

    async def renew_screen(self, event_id: int) -> str:
        """A new secret link for the projector; the old one stops at once (it leaked, say)."""
        token = secrets.token_urlsafe(24)
        async with self.database.transaction() as conn:
            await conn.execute(
                update(t.qa_session).where(t.qa_session.c.event_id == event_id).values(screen_token=token)
            )
        return token

    async def open_events(self, event_ids: list[int]) -> set[int]:
        """Of these events, those whose Q&A is on and not closed."""
        if not event_ids:
            return set()
        async with self.database.reading() as conn:
            rows = await conn.execute(
                select(t.qa_session.c.event_id).where(
                    t.qa_session.c.event_id.in_(event_ids),
                    t.qa_session.c.enabled.is_(True),
                    t.qa_session.c.closed_at.is_(None),
                    t.qa_session.c.salt.is_not(None),
                )
            )
            return {int(r.event_id) for r in rows}

    # -- attendees ----------------------------------------------------------------------------

    async def _salt(self, conn: Any, event_id: int) -> str:
        salt = await conn.scalar(
            select(t.qa_session.c.salt).where(
                t.qa_session.c.event_id == event_id,
                t.qa_session.c.enabled.is_(True),
                t.qa_session.c.closed_at.is_(None),
            )
        )
        if salt is None:
            raise AskRefused("closed")
        return str(salt)

    async def ask(self, event_id: int, channel: str, user_id: str, text: str, now: datetime) -> Question:
        """Files a question for moderation. Raises AskRefused."""
        async with self.database.transaction() as conn:
            asker = _hash(await self._salt(conn, event_id), channel, user_id)
            mine = t.qa_question.c.asker == asker
            recent = await conn.scalar(
                select(func.count()).where(
                    mine, t.qa_question.c.event_id == event_id, t.qa_question.c.asked_at > now - RATE_WINDOW
                )
            )
            if int(recent or 0) >= RATE_LIMIT:
                raise AskRefused("too_many")
            total = await conn.scalar(select(func.count()).where(mine, t.qa_question.c.event_id == event_id))
            if int(total or 0) >= EVENT_LIMIT:
                raise AskRefused("event_limit")
            result = await conn.execute(
                insert(t.qa_question).values(
                    event_id=event_id,
                    text=mask_contacts(text)[:MAX_QUESTION],
                    status=QuestionStatus.PENDING.value,
                    upvotes=0,
                    reports=0,
                    asker=asker,
                    asked_at=now,
                )
            )
            assert result.inserted_primary_key is not None
            question_id = int(result.inserted_primary_key[0])
            return Question(question_id, event_id, text[:MAX_QUESTION], QuestionStatus.PENDING, 0, 0, now)

    async def vote(self, question_id: int, channel: str, user_id: str, kind: str) -> str:
        """An upvote or a report. Returns 'done', 'again' (counted before), 'own' (an upvote of
        one's own question) or 'closed' (no such open question)."""
        async with self.database.transaction() as conn:
            row = (await conn.execute(select(t.qa_question).where(t.qa_question.c.id == question_id))).first()
            if row is None or row.status not in (QuestionStatus.APPROVED.value, QuestionStatus.PENDING.value):
                return "closed"
            if row.status == QuestionStatus.PENDING.value and kind == UP:
                return "closed"
            try:
                voter = _hash(await self._salt(conn, int(row.event_id)), channel, user_id)
            except AskRefused:
                return "closed"
            if kind == UP and row.asker == voter:
                return "own"
            seen = await conn.scalar(
                select(t.qa_vote.c.voter).where(
                    t.qa_vote.c.question_id == question_id, t.qa_vote.c.voter == voter, t.qa_vote.c.kind == kind
                )
            )
            if seen is not None:
                return "again"
            await conn.execute(insert(t.qa_vote).values(question_id=question_id, voter=voter, kind=kind))
            if kind == UP:
                await conn.execute(
                    update(t.qa_question)
                    .where(t.qa_question.c.id == question_id)
                    .values(upvotes=t.qa_question.c.upvotes + 1)
                )
            else:
                reports = int(row.reports) + 1
                values: dict[str, Any] = {"reports": reports}
                if reports >= REPORTS_TO_RECHECK and row.status == QuestionStatus.APPROVED.value:
                    values["status"] = QuestionStatus.PENDING.value
                await conn.execute(update(t.qa_question).where(t.qa_question.c.id == question_id).values(**values))
            return "done"

    # -- reading ------------------------------------------------------------------------------

    async def questions(self, event_id: int, *statuses: QuestionStatus) -> list[Question]:
        """Most upvoted first, then oldest first (by id: times are erased at close)."""
        query = select(t.qa_question).where(t.qa_question.c.event_id == event_id)
        if statuses:
            query = query.where(t.qa_question.c.status.in_([s.value for s in statuses]))
        async with self.database.reading() as conn:
            rows = await conn.execute(query.order_by(t.qa_question.c.upvotes.desc(), t.qa_question.c.id))
            return [_question(r) for r in rows]

    async def question(self, question_id: int) -> Question | None:
        async with self.database.reading() as conn:
            row = (await conn.execute(select(t.qa_question).where(t.qa_question.c.id == question_id))).first()
            return None if row is None else _question(row)

    async def screen(self, event_id: int, limit: int = 8) -> list[Question]:
        """What the projector shows: approved questions only, never pending or hidden ones."""
        return (await self.questions(event_id, QuestionStatus.APPROVED))[:limit]

    # -- moderation ---------------------------------------------------------------------------

    async def moderate(self, question_id: int, status: QuestionStatus) -> Question | None:
        values: dict[str, Any] = {"status": status.value}
        if status is QuestionStatus.APPROVED:
            # A moderator who approves a reported question has looked at it: its reports start over.
            values["reports"] = 0
        async with self.database.transaction() as conn:
            await conn.execute(update(t.qa_question).where(t.qa_question.c.id == question_id).values(**values))
            row = (await conn.execute(select(t.qa_question).where(t.qa_question.c.id == question_id))).first()
            return None if row is None else _question(row)

    async def close_due(self, now: datetime) -> list[int]:
        """Closes the Q&A of every event that has ended (plus `CLOSE_LATE`): votes, salt and the
        askers' hashes and times go; the questions and their counts stay. Returns the events."""
        async with self.database.transaction() as conn:
            rows = await conn.execute(
                select(t.qa_session.c.event_id)
                .join(t.event, t.event.c.id == t.qa_session.c.event_id)
                .where(t.qa_session.c.closed_at.is_(None), t.event.c.ends_at <= now - CLOSE_LATE)
            )
            closed = [int(r.event_id) for r in rows]
            if closed:
                await close_in(conn, closed, now)
            return closed


async def close_in(conn: Any, event_ids: list[int], now: datetime) -> None:
    """Erases every per-person trace of these events' Q&A (also used by the retention purge)."""
    questions = select(t.qa_question.c.id).where(t.qa_question.c.event_id.in_(event_ids)).scalar_subquery()
    await conn.execute(delete(t.qa_vote).where(t.qa_vote.c.question_id.in_(questions)))
    await conn.execute(
        update(t.qa_question).where(t.qa_question.c.event_id.in_(event_ids)).values(asker=None, asked_at=None)
    )
    await conn.execute(
        update(t.qa_session)
        .where(and_(t.qa_session.c.event_id.in_(event_ids), t.qa_session.c.closed_at.is_(None)))
        .values(closed_at=now, salt=None)
    )
    states = await conn.execute(
        select(t.dialogue.c.person_id, t.dialogue.c.state).where(
            cast(t.dialogue.c.state, String).like(f"%{STATE_KEY}%")
        )
    )
    for person_id, state in states.all():
        if isinstance(state, dict) and state.get(STATE_KEY) in event_ids:
            cleaned = {k: v for k, v in state.items() if k != STATE_KEY}
            await conn.execute(update(t.dialogue).where(t.dialogue.c.person_id == person_id).values(state=cleaned))
