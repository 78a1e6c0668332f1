"""Evaluation polls: anonymous ratings with one answer per person and event.

While a poll is open the only link between a person and their answer is a ballot keyed by
HMAC(salt, person) — needed so that a person can change their vote without voting twice. When
the poll closes the ballots and the salt are deleted in one transaction; what remains are counts
per answer (`rating_tally`) and comments stored from the start without any link to anyone.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, String, cast, delete, insert, select, update

from bot.sanitize import mask_contacts
from bot.store import schema as t
from bot.store.database import Database

DID_NOT_ATTEND = 0
"""The tally's choice for "I didn't attend"; 1–5 are the scores."""
MAX_COMMENT = 2000
COMMENT_STATE_KEY = "rating_comment"
"""The dialogue-state key that holds the poll a person may comment on next."""


@dataclass(frozen=True)
class RatingPoll:
    event_id: int
    opens_at: datetime
    closes_at: datetime
    closed_at: datetime | None

    def is_open(self, now: datetime) -> bool:
        return self.closed_at is None and self.opens_at <= now < self.closes_at


@dataclass(frozen=True)
class VoteOutcome:
    previous: int | None
    """The voter's earlier answer (None: first vote, or the earlier vote was withdrawn)."""
    commented: bool


@dataclass(frozen=True)
class RatingResults:
    event_id: int
    votes: dict[int, int]
    """Votes per choice: 1–5, and 0 for "I didn't attend"."""
    comments: list[str]

    @property
    def scored(self) -> int:
        return sum(n for choice, n in self.votes.items() if choice != DID_NOT_ATTEND)

    @property
    def average(self) -> float | None:
        if not self.scored:
            return None
        return sum(choice * n for choice, n in self.votes.items() if choice != DID_NOT_ATTEND) / self.scored


class PollClosed(Exception):
    """The poll is closed or not open yet."""


def _voter(salt: str, channel: str, user_id: str) -> str:
    return hmac.new(salt.encode(), f"{channel}\0{user_id}".encode(), hashlib.sha256).hexdigest()


def _poll(row: Any) -> RatingPoll:
    return RatingPoll(row.event_id, row.opens_at, row.closes_at, row.closed_at)


class RatingStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def ensure_poll(self, event_id: int, opens_at: datetime, closes_at: datetime) -> RatingPoll:
        """The event's poll, created open from `opens_at` until `closes_at` if there is none."""
        async with self.database.transaction() as conn:
            row = (await conn.execute(select(t.rating_poll).where(t.rating_poll.c.event_id == event_id))).first()
            if row is None:
                await conn.execute(
                    insert(t.rating_poll).values(
                        event_id=event_id,
                        opens_at=opens_at,
                        closes_at=closes_at,
                        closed_at=None,
                        salt=secrets.token_hex(32),
                    )
                )
                return RatingPoll(event_id, opens_at, closes_at, None)
            return _poll(row)

    async def poll(self, event_id: int) -> RatingPoll | None:
        async with self.database.reading() as conn:
            row = (await conn.execute(select(t.rating_poll).where(t.rating_poll.c.event_id == event_id))).first()
            return None if row is None else _poll(row)

    async def vote(self, event_id: int, channel: str, user_id: str, choice: int | None, now: datetime) -> VoteOutcome:
        """Records, changes or (choice None) withdraws a person's answer. Raises PollClosed."""
        async with self.database.transaction() as conn:
            poll = (await conn.execute(select(t.rating_poll).where(t.rating_poll.c.event_id == event_id))).first()
            if poll is None or poll.salt is None or not _poll(poll).is_open(now):
                raise PollClosed()
            voter = _voter(poll.salt, channel, user_id)
            ballot = (
                await conn.execute(
                    select(t.rating_ballot).where(
                        t.rating_ballot.c.event_id == event_id, t.rating_ballot.c.voter == voter
                    )
                )
            ).first()
            previous = None if ballot is None else ballot.choice
            commented = bool(ballot.commented) if ballot is not None else False
            if previous == choice:
                return VoteOutcome(previous, commented)
            if previous is not None:
                await conn.execute(_count(self.database, event_id, previous, -1))
            if choice is not None:
                await conn.execute(_count(self.database, event_id, choice, +1))
            if ballot is None:
                await conn.execute(
                    insert(t.rating_ballot).values(event_id=event_id, voter=voter, choice=choice, commented=False)
                )
            else:
                await conn.execute(
                    update(t.rating_ballot)
                    .where(t.rating_ballot.c.event_id == event_id, t.rating_ballot.c.voter == voter)
                    .values(choice=choice)
                )
            return VoteOutcome(previous, commented)

    async def has_voted(self, event_id: int, channel: str, user_id: str) -> bool:
        async with self.database.reading() as conn:
            salt = await conn.scalar(select(t.rating_poll.c.salt).where(t.rating_poll.c.event_id == event_id))
            if salt is None:
                return False
            choice = await conn.execute(
                select(t.rating_ballot.c.choice).where(
                    t.rating_ballot.c.event_id == event_id,
                    t.rating_ballot.c.voter == _voter(salt, channel, user_id),
                )
            )
            row = choice.first()
            return row is not None and row.choice is not None

    async def comment(self, event_id: int, channel: str, user_id: str, text: str, now: datetime) -> bool:
        """Stores a comment unlinked from its writer; False when the poll is closed or the person
        has no vote or already commented."""
        async with self.database.transaction() as conn:
            poll = (await conn.execute(select(t.rating_poll).where(t.rating_poll.c.event_id == event_id))).first()
            if poll is None or poll.salt is None or not _poll(poll).is_open(now):
                return False
            voter = _voter(poll.salt, channel, user_id)
            marked = await conn.execute(
                update(t.rating_ballot)
                .where(
                    t.rating_ballot.c.event_id == event_id,
                    t.rating_ballot.c.voter == voter,
                    t.rating_ballot.c.commented.is_(False),
                )
                .values(commented=True)
            )
            if marked.rowcount != 1:
                return False
            await conn.execute(
                insert(t.rating_comment).values(
                    id=secrets.token_hex(16), event_id=event_id, text=mask_contacts(text)[:MAX_COMMENT]
                )
            )
            return True

    async def close_due(self, now: datetime) -> list[int]:
        """Closes every poll whose time is up: ballots and salt deleted, counts kept.

        Also drops the pending-comment marks from dialogue states, which would otherwise show
        who voted. Returns the closed events' ids.
        """
        async with self.database.transaction() as conn:
            rows = await conn.execute(
                select(t.rating_poll.c.event_id).where(
                    t.rating_poll.c.closed_at.is_(None), t.rating_poll.c.closes_at <= now
                )
            )
            closed = [int(r.event_id) for r in rows]
            if not closed:
                return []
            await conn.execute(delete(t.rating_ballot).where(t.rating_ballot.c.event_id.in_(closed)))
            await conn.execute(
                update(t.rating_poll).where(t.rating_poll.c.event_id.in_(closed)).values(closed_at=now, salt=None)
            )
            states = await conn.execute(
                select(t.dialogue.c.person_id, t.dialogue.c.state).where(
                    cast(t.dialogue.c.state, String).like(f"%{COMMENT_STATE_KEY}%")
                )
            )
            for person_id, state in states.all():
                if isinstance(state, dict) and state.get(COMMENT_STATE_KEY) in closed:
                    cleaned = {k: v for k, v in state.items() if k != COMMENT_STATE_KEY}
                    await conn.execute(
                        update(t.dialogue).where(t.dialogue.c.person_id == person_id).values(state=cleaned)
                    )
            return closed

    async def results(self, event_id: int) -> RatingResults:
        async with self.database.reading() as conn:
            votes = {
                int(r.choice): int(r.votes)
                for r in await conn.execute(select(t.rating_tally).where(t.rating_tally.c.event_id == event_id))
                if r.votes
            }
            # Sorted by text, so the order says nothing about who wrote first.
            comments = sorted(
                str(r.text)
                for r in await conn.execute(
                    select(t.rating_comment.c.text).where(t.rating_comment.c.event_id == event_id)
                )
            )
            return RatingResults(event_id, votes, comments)


def _count(database: Database, event_id: int, choice: int, delta: int) -> Insert:
    return database.add_up(t.rating_tally, {"event_id": event_id, "choice": choice}, votes=delta)
