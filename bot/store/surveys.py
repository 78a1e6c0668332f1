"""Citizen surveys: the once-asked opt-in, and anonymous answers, as with evaluation polls.

While a survey is open the only link between a person and their answers is a ballot keyed by
HMAC(salt, person), so that an answer can be changed but not doubled and the next question
follows the last one answered. When the survey closes the ballots and the salt are deleted in
one transaction; what remains are counts per question and option (`survey_tally`), the number
of respondents, and free-text answers stored from the start without any link to anyone or to
each other (so no respondent's set of answers can be put back together).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Insert, String, cast, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.sanitize import mask_contacts
from bot.store import schema as t
from bot.store.database import Database

MAX_QUESTIONS = 10
MAX_OPTIONS = 10
"""Telegram polls take 12 options; one more is "skip"."""
MAX_TEXT_ANSWER = 2000
SKIPPED = -1
TEXT_STATE_KEY = "survey_text"
"""The dialogue-state key holding the free-text question a person's next message answers."""
SCALE = 5
PEOPLE = -1
"""The tally's option for "people who ticked anything" in a multiple-choice question."""


class Kind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"
    TEXT = "text"


class SurveyStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Question:
    kind: Kind
    text: dict[str, str]
    options: list[dict[str, str]] = field(default_factory=list)

    @property
    def option_count(self) -> int:
        if self.kind is Kind.SCALE:
            return SCALE
        if self.kind is Kind.TEXT:
            return 0
        return len(self.options)

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "text": self.text, "options": self.options}


@dataclass(frozen=True)
class Survey:
    id: int
    title: dict[str, str]
    intro: dict[str, str]
    questions: list[Question]
    status: SurveyStatus
    closes_at: datetime | None
    sent_at: datetime | None
    closed_at: datetime | None
    respondents: int
    created_at: datetime

    def is_open(self, now: datetime) -> bool:
        return self.status is SurveyStatus.OPEN and (self.closes_at is None or now < self.closes_at)


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    """False: the survey is closed (or the answer does not fit the question)."""
    first: bool = False
    """The first answer to this question by this person (so the next question is due)."""


@dataclass(frozen=True)
class Results:
    survey: Survey
    counts: dict[int, dict[int, int]]
    """Per question, votes per option (a scale's 1–5 are options 0–4)."""
    texts: dict[int, list[str]]

    def answers(self, question: int) -> int:
        if self.survey.questions[question].kind is Kind.TEXT:
            return len(self.texts.get(question, []))
        if self.survey.questions[question].kind is Kind.MULTIPLE:
            # Each respondent may tick several: the people who ticked any are counted apart.
            return self.counts.get(question, {}).get(PEOPLE, 0)
        return sum(self.counts.get(question, {}).values())


class SurveyClosed(Exception):
    pass


def parse_questions(raw: Any) -> list[Question]:
    questions: list[Question] = []
    for item in raw or []:
        questions.append(
            Question(
                Kind(item["kind"]),
                {str(k): str(v) for k, v in dict(item.get("text", {})).items()},
                [{str(k): str(v) for k, v in dict(o).items()} for o in item.get("options", [])],
            )
        )
    return questions


def _survey(row: Any) -> Survey:
    return Survey(
        id=int(row.id),
        title=dict(row.title or {}),
        intro=dict(row.intro or {}),
        questions=parse_questions(row.questions),
        status=SurveyStatus(row.status),
        closes_at=row.closes_at,
        sent_at=row.sent_at,
        closed_at=row.closed_at,
        respondents=int(row.respondents or 0),
        created_at=row.created_at,
    )


def _voter(salt: str, channel: str, user_id: str) -> str:
    return hmac.new(salt.encode(), f"{channel}\0{user_id}".encode(), hashlib.sha256).hexdigest()


class SurveyStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    # -- consent ------------------------------------------------------------------------------

    async def consent(self, person_id: int) -> bool | None:
        """True enrolled, False declined (or under 13), None never asked or never answered."""
        async with self.database.reading() as conn:
            value = await conn.scalar(
                select(t.survey_consent.c.enrolled).where(t.survey_consent.c.person_id == person_id)
            )
            return None if value is None else bool(value)

    async def set_consent(self, person_id: int, enrolled: bool, now: datetime) -> None:
        await self.database.execute(
            self.database.upsert(t.survey_consent, {"person_id": person_id, "enrolled": enrolled, "answered_at": now})
        )

    # -- building -----------------------------------------------------------------------------

    async def create(
        self,
        title: dict[str, str],
        intro: dict[str, str],
        questions: list[Question],
        closes_at: datetime | None,
        now: datetime,
    ) -> int:
        async with self.database.transaction() as conn:
            result = await conn.execute(
                insert(t.survey).values(
                    title=title,
                    intro=intro,
                    questions=[q.as_json() for q in questions],
                    status=SurveyStatus.DRAFT.value,
                    closes_at=closes_at,
                    respondents=0,
                    created_at=now,
                    updated_at=now,
                )
            )
            assert result.inserted_primary_key is not None
            return int(result.inserted_primary_key[0])

    async def update(
        self,
        survey_id: int,
        title: dict[str, str],
        intro: dict[str, str],
        questions: list[Question],
        closes_at: datetime | None,
        now: datetime,
    ) -> bool:
        """Changes a draft; False when the survey has been sent (its questions are fixed then)."""
        async with self.database.transaction() as conn:
            changed = await conn.execute(
                update(t.survey)
                .where(t.survey.c.id == survey_id, t.survey.c.status == SurveyStatus.DRAFT.value)
                .values(
                    title=title,
                    intro=intro,
                    questions=[q.as_json() for q in questions],
                    closes_at=closes_at,
                    updated_at=now,
                )
            )
            return bool(changed.rowcount)

    async def get(self, survey_id: int) -> Survey | None:
        async with self.database.reading() as conn:
            row = (await conn.execute(select(t.survey).where(t.survey.c.id == survey_id))).first()
            return None if row is None else _survey(row)

    async def all(self) -> list[Survey]:
        async with self.database.reading() as conn:
            return [_survey(r) for r in await conn.execute(select(t.survey).order_by(t.survey.c.id.desc()))]

    async def open(self, conn: AsyncConnection, survey_id: int, now: datetime) -> bool:
        """Opens a draft for answers, inside the caller's transaction (which also queues the
        messages). False when it was not a draft."""
        changed = await conn.execute(
            update(t.survey)
            .where(t.survey.c.id == survey_id, t.survey.c.status == SurveyStatus.DRAFT.value)
            .values(status=SurveyStatus.OPEN.value, salt=secrets.token_hex(32), sent_at=now, updated_at=now)
        )
        return bool(changed.rowcount)

    # -- answering ----------------------------------------------------------------------------

    async def _open_salt(self, conn: AsyncConnection, survey_id: int, now: datetime) -> tuple[Survey, str]:
        row = (await conn.execute(select(t.survey).where(t.survey.c.id == survey_id))).first()
        if row is None or row.salt is None or not _survey(row).is_open(now):
            raise SurveyClosed()
        return _survey(row), str(row.salt)

    async def _ballot(self, conn: AsyncConnection, survey_id: int, voter: str) -> dict[str, Any] | None:
        answers = await conn.scalar(
            select(t.survey_ballot.c.answers).where(
                t.survey_ballot.c.survey_id == survey_id, t.survey_ballot.c.voter == voter
            )
        )
        return None if answers is None else dict(answers)

    async def _save_ballot(
        self, conn: AsyncConnection, survey_id: int, voter: str, answers: dict[str, Any], new: bool
    ) -> None:
        if new:
            await conn.execute(insert(t.survey_ballot).values(survey_id=survey_id, voter=voter, answers=answers))
            await conn.execute(
                update(t.survey).where(t.survey.c.id == survey_id).values(respondents=t.survey.c.respondents + 1)
            )
        else:
            await conn.execute(
                update(t.survey_ballot)
                .where(t.survey_ballot.c.survey_id == survey_id, t.survey_ballot.c.voter == voter)
                .values(answers=answers)
            )

    async def answers(self, survey_id: int, channel: str, user_id: str, now: datetime) -> dict[str, Any] | None:
        """The person's answers so far ("<question>" → answer, "<question>.done" for a finished
        multiple choice), or None when the survey is closed."""
        async with self.database.reading() as conn:
            try:
                _survey_row, salt = await self._open_salt(conn, survey_id, now)
            except SurveyClosed:
                return None
            return await self._ballot(conn, survey_id, _voter(salt, channel, user_id)) or {}

    async def choose(
        self, survey_id: int, question: int, channel: str, user_id: str, option: int | None, now: datetime
    ) -> Outcome:
        """A single-choice or scale answer (option None: skipped or withdrawn)."""
        async with self.database.transaction() as conn:
            try:
                found, salt = await self._open_salt(conn, survey_id, now)
            except SurveyClosed:
                return Outcome(False)
            if not 0 <= question < len(found.questions):
                return Outcome(False)
            kind = found.questions[question].kind
            if kind not in (Kind.SINGLE, Kind.SCALE):
                return Outcome(False)
            if option is not None and not 0 <= option < found.questions[question].option_count:
                return Outcome(False)
            voter = _voter(salt, channel, user_id)
            ballot = await self._ballot(conn, survey_id, voter)
            answers = ballot or {}
            previous = answers.get(str(question))
            value = SKIPPED if option is None else option
            if previous is not None and previous != SKIPPED and previous != value:
                await conn.execute(_count(self.database, survey_id, question, int(previous), -1))
            if value != SKIPPED and previous != value:
                await conn.execute(_count(self.database, survey_id, question, value, +1))
            answers[str(question)] = value
            await self._save_ballot(conn, survey_id, voter, answers, ballot is None)
            return Outcome(True, first=previous is None)

    async def toggle(
        self, survey_id: int, question: int, channel: str, user_id: str, option: int, now: datetime
    ) -> list[int] | None:
        """Ticks or unticks one option of a multiple-choice question; the ticked options, or None
        when the survey is closed."""
        async with self.database.transaction() as conn:
            try:
                found, salt = await self._open_salt(conn, survey_id, now)
            except SurveyClosed:
                return None
            if not 0 <= question < len(found.questions) or found.questions[question].kind is not Kind.MULTIPLE:
                return None
            if not 0 <= option < found.questions[question].option_count:
                return None
            voter = _voter(salt, channel, user_id)
            ballot = await self._ballot(conn, survey_id, voter)
            answers = ballot or {}
            previous = answers.get(str(question))
            ticked = list(previous) if isinstance(previous, list) else []
            if not ticked:
                await conn.execute(_count(self.database, survey_id, question, PEOPLE, +1))
            elif ticked == [option]:
                await conn.execute(_count(self.database, survey_id, question, PEOPLE, -1))
            if option in ticked:
                ticked.remove(option)
                await conn.execute(_count(self.database, survey_id, question, option, -1))
            else:
                ticked.append(option)
                await conn.execute(_count(self.database, survey_id, question, option, +1))
            answers[str(question)] = sorted(ticked)
            await self._save_ballot(conn, survey_id, voter, answers, ballot is None)
            return sorted(ticked)

    async def finish(self, survey_id: int, question: int, channel: str, user_id: str, now: datetime) -> Outcome:
        """ "Done" under a multiple-choice question, or "Skip" under a free-text one: marks it
        answered (as it stands) so that the next question follows."""
        async with self.database.transaction() as conn:
            try:
                found, salt = await self._open_salt(conn, survey_id, now)
            except SurveyClosed:
                return Outcome(False)
            if not 0 <= question < len(found.questions):
                return Outcome(False)
            voter = _voter(salt, channel, user_id)
            ballot = await self._ballot(conn, survey_id, voter)
            answers = ballot or {}
            key = str(question)
            first = key not in answers or (
                found.questions[question].kind is Kind.MULTIPLE and f"{key}.done" not in answers
            )
            if found.questions[question].kind is Kind.MULTIPLE:
                answers.setdefault(key, [])
                answers[f"{key}.done"] = 1
            else:
                answers.setdefault(key, SKIPPED)
            await self._save_ballot(conn, survey_id, voter, answers, ballot is None)
            return Outcome(True, first=first)

    async def write(
        self, survey_id: int, question: int, channel: str, user_id: str, text: str, now: datetime
    ) -> Outcome:
        """A free-text answer, stored unlinked; one per person and question."""
        async with self.database.transaction() as conn:
            try:
                found, salt = await self._open_salt(conn, survey_id, now)
            except SurveyClosed:
                return Outcome(False)
            if not 0 <= question < len(found.questions) or found.questions[question].kind is not Kind.TEXT:
                return Outcome(False)
            voter = _voter(salt, channel, user_id)
            ballot = await self._ballot(conn, survey_id, voter)
            answers = ballot or {}
            if answers.get(str(question)) == 1:
                return Outcome(True, first=False)
            answers[str(question)] = 1
            await conn.execute(
                insert(t.survey_text).values(
                    id=secrets.token_hex(16),
                    survey_id=survey_id,
                    question=question,
                    text=mask_contacts(text)[:MAX_TEXT_ANSWER],
                )
            )
            await self._save_ballot(conn, survey_id, voter, answers, ballot is None)
            return Outcome(True, first=True)

    # -- closing and results ------------------------------------------------------------------

    async def close(self, survey_id: int, now: datetime) -> bool:
        async with self.database.transaction() as conn:
            return bool(await _close_in(conn, [survey_id], now))

    async def close_due(self, now: datetime) -> list[int]:
        async with self.database.transaction() as conn:
            rows = await conn.execute(
                select(t.survey.c.id).where(
                    t.survey.c.status == SurveyStatus.OPEN.value,
                    t.survey.c.closes_at.is_not(None),
                    t.survey.c.closes_at <= now,
                )
            )
            due = [int(r.id) for r in rows]
            return await _close_in(conn, due, now) if due else []

    async def results(self, survey_id: int) -> Results | None:
        found = await self.get(survey_id)
        if found is None:
            return None
        async with self.database.reading() as conn:
            counts: dict[int, dict[int, int]] = {}
            for r in await conn.execute(select(t.survey_tally).where(t.survey_tally.c.survey_id == survey_id)):
                if r.votes:
                    counts.setdefault(int(r.question), {})[int(r.option)] = int(r.votes)
            texts: dict[int, list[str]] = {}
            for r in await conn.execute(
                select(t.survey_text.c.question, t.survey_text.c.text).where(t.survey_text.c.survey_id == survey_id)
            ):
                texts.setdefault(int(r.question), []).append(str(r.text))
        # Sorted by text, so the order says nothing about who wrote first.
        return Results(found, counts, {q: sorted(v) for q, v in texts.items()})


async def _close_in(conn: AsyncConnection, survey_ids: list[int], now: datetime) -> list[int]:
    rows = await conn.execute(
        select(t.survey.c.id).where(t.survey.c.id.in_(survey_ids), t.survey.c.status == SurveyStatus.OPEN.value)
    )
    closing = [int(r.id) for r in rows]
    if not closing:
        return []
    await close_ballots(conn, closing, now)
    return closing


async def close_ballots(conn: AsyncConnection, survey_ids: list[int], now: datetime) -> None:
    """Deletes every per-person trace of these surveys' answers (also used by the retention
    purge): ballots, salts and the pending free-text marks in dialogue states."""
    await conn.execute(delete(t.survey_ballot).where(t.survey_ballot.c.survey_id.in_(survey_ids)))
    await conn.execute(
        update(t.survey)
        .where(t.survey.c.id.in_(survey_ids))
        .values(status=SurveyStatus.CLOSED.value, closed_at=now, salt=None, updated_at=now)
    )
    states = await conn.execute(
        select(t.dialogue.c.person_id, t.dialogue.c.state).where(
            cast(t.dialogue.c.state, String).like(f"%{TEXT_STATE_KEY}%")
        )
    )
    for person_id, state in states.all():
        pending = state.get(TEXT_STATE_KEY) if isinstance(state, dict) else None
        if isinstance(pending, list) and pending and pending[0] in survey_ids:
            cleaned = {k: v for k, v in state.items() if k != TEXT_STATE_KEY}
            await conn.execute(update(t.dialogue).where(t.dialogue.c.person_id == person_id).values(state=cleaned))


def _count(database: Database, survey_id: int, question: int, option: int, delta: int) -> Insert:
    key = {"survey_id": survey_id, "question": question, "option": option}
    return database.add_up(t.survey_tally, key, votes=delta)
