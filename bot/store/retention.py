"""The retention purge: a set number of days after the festival ends, everything the bot keeps
about residents goes, and only counts and anonymous comments stay.

Removed: people, their signups (with seat offers and door codes), dialogue state, every outbox
row (each names a recipient), the channel adapters' per-person rows (Matrix DM rooms and poll
messages, handled Matrix event ids, Telegram poll messages with their chat ids) and any ballot
hash of a poll still open, survey opt-ins, and the ballots and hashes of surveys and panel Q&A
still open (which are closed now). Kept: the programme, `event_tally`, `rating_tally`, `rating_comment`,
`rating_poll` (without salt), broadcasts' texts and audiences (no person in them), unanswered
questions (no person, hours only), survey counts and free-text answers, panel questions
(without askers or times) and the admin's own accounts and audit log.

Only what existed at the cutoff goes: someone who first writes after it (for next year's
festival, say) is not wiped every time the scheduler runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import schema as t
from bot.store.database import Database
from bot.store.programme import _current_festival_row
from bot.store.qa import close_in as close_qa_in
from bot.store.surveys import close_ballots

DEFAULT_RETENTION_DAYS = 30


@dataclass
class PurgeReport:
    cutoff: datetime
    """Everything personal from before this moment was removed."""
    removed: dict[str, int] = field(default_factory=dict)
    """Rows removed per table."""

    @property
    def total(self) -> int:
        return sum(self.removed.values())

    def summary(self) -> str:
        parts = [f"{count} {table}" for table, count in self.removed.items() if count]
        return ", ".join(parts) if parts else "nothing to remove"


async def purge_cutoff(database: Database, retention_days: int) -> datetime | None:
    """When the purge is due: the end of the current festival's last day (its local midnight)
    plus `retention_days`; None when there is no festival."""
    async with database.reading() as conn:
        festival = await _current_festival_row(conn)
    if festival is None:
        return None
    zone = ZoneInfo(festival.time_zone)
    end = datetime.combine(festival.end_date + timedelta(days=1), time(0), tzinfo=zone)
    return end + timedelta(days=retention_days)


async def purge_if_due(database: Database, now: datetime, retention_days: int) -> PurgeReport | None:
    """Purges when `now` is past the cutoff; None (nothing done) before it."""
    cutoff = await purge_cutoff(database, retention_days)
    if cutoff is None or now < cutoff:
        return None
    return await purge(database, cutoff)


async def purge(database: Database, cutoff: datetime) -> PurgeReport:
    """Removes every personal row that existed at `cutoff`, in one transaction."""
    report = PurgeReport(cutoff)
    async with database.transaction() as conn:
        people = select(t.person.c.id).where(t.person.c.created_at <= cutoff).scalar_subquery()
        signups = select(t.signup.c.id).where(t.signup.c.person_id.in_(people)).scalar_subquery()
        # Children before parents, so the counts are true on every database (cascades
        # would remove them anyway, but silently).
        await _remove(conn, report, t.checkin, t.checkin.c.signup_id.in_(signups))
        await _remove(conn, report, t.waitlist_offer, t.waitlist_offer.c.signup_id.in_(signups))
        await _remove(conn, report, t.signup, t.signup.c.person_id.in_(people))
        await _remove(conn, report, t.dialogue, t.dialogue.c.person_id.in_(people))
        await _remove(conn, report, t.human_question, t.human_question.c.person_id.in_(people))
        await _remove(conn, report, t.survey_consent, t.survey_consent.c.person_id.in_(people))
        await _remove(conn, report, t.outbox, t.outbox.c.person_id.in_(people) | (t.outbox.c.created_at <= cutoff))
        await _remove(conn, report, t.person, t.person.c.id.in_(people))
        await _remove(conn, report, t.matrix_room, t.matrix_room.c.updated_at <= cutoff)
        await _remove(conn, report, t.matrix_poll, t.matrix_poll.c.created_at <= cutoff)
        await _remove(conn, report, t.matrix_handled_event, t.matrix_handled_event.c.handled_at <= cutoff)
        await _remove(conn, report, t.telegram_poll, t.telegram_poll.c.created_at <= cutoff)
        await _remove(conn, report, t.telegram_update, t.telegram_update.c.received_at <= cutoff)
        await _remove(conn, report, t.dead_letter, t.dead_letter.c.received_at <= cutoff)
        # A poll still open this long after the festival (a QR rating link scanned late) is
        # closed now: its ballots are the last per-person rating rows.
        late = select(t.rating_poll.c.event_id).where(t.rating_poll.c.closed_at.is_(None)).scalar_subquery()
        await _remove(conn, report, t.rating_ballot, t.rating_ballot.c.event_id.in_(late))
        await conn.execute(
            update(t.rating_poll).where(t.rating_poll.c.closed_at.is_(None)).values(closed_at=cutoff, salt=None)
        )
        # The same for surveys and panel Q&A still open: their hashes are the last links.
        surveys = [
            int(i) for i in (await conn.execute(select(t.survey.c.id).where(t.survey.c.status == "open"))).scalars()
        ]
        ballots = select(t.survey_ballot.c.survey_id).where(t.survey_ballot.c.survey_id.in_(surveys))
        report.removed["survey_ballot"] = len((await conn.execute(ballots)).all())
        if surveys:
            await close_ballots(conn, surveys, cutoff)
        sessions = [
            int(i)
            for i in (
                await conn.execute(select(t.qa_session.c.event_id).where(t.qa_session.c.closed_at.is_(None)))
            ).scalars()
        ]
        if sessions:
            votes = select(t.qa_vote.c.voter).join(t.qa_question, t.qa_question.c.id == t.qa_vote.c.question_id)
            report.removed["qa_vote"] = len(
                (await conn.execute(votes.where(t.qa_question.c.event_id.in_(sessions)))).all()
            )
            await close_qa_in(conn, sessions, cutoff)
    return report


async def _remove(conn: AsyncConnection, report: PurgeReport, table: Table, where: ColumnElement[bool]) -> None:
    result = await conn.execute(delete(table).where(where))
    report.removed[table.name] = report.removed.get(table.name, 0) + max(result.rowcount, 0)
