"""Surveys through the outbox: the once-asked opt-in question to everyone reachable who has not
answered it, and each survey's invitation to the people who opted in. One row per recipient,
as with broadcasts, so both survive restarts and show why a message was not sent.

The dedupe key of an opt-in row names only the person, never a date or a round: whatever
becomes of it (sent, expired, failed), nobody is ever asked a second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.i18n import Translator
from bot.messages import Outgoing
from bot.store import Store
from bot.store import schema as t
from bot.store.surveys import SurveyStatus, SurveyStore
from bot.surveys import invitation, optin_message
from scheduler.outbox import Item, Kind, NewItem, Priority, Status, add_in, cancel_in


@dataclass(frozen=True)
class Skip:
    status: Status
    reason: str


def optin_key(person_id: int) -> str:
    return f"survey_optin:{person_id}"


async def ask_opt_in(store: Store, now: datetime) -> int:
    """Queues the opt-in question for everyone reachable who was never asked; returns how many."""
    async with store.database.transaction() as conn:
        answered = select(t.survey_consent.c.person_id)
        people = (
            await conn.execute(
                select(t.person.c.id, t.person.c.channel, t.person.c.channel_user_id)
                .where(t.person.c.unreachable_since.is_(None), t.person.c.id.not_in(answered))
                .order_by(t.person.c.id)
            )
        ).all()
        return await add_in(
            conn,
            (
                NewItem(
                    key=optin_key(p.id),
                    kind=Kind.SURVEY_OPTIN,
                    channel=p.channel,
                    user_id=p.channel_user_id,
                    person_id=p.id,
                    not_before=now,
                    priority=Priority.BULK,
                )
                for p in people
            ),
            now,
        )


async def send_survey(store: Store, survey_id: int, now: datetime) -> int:
    """Opens a draft survey and queues its invitation to everyone enrolled; returns how many.
    Raises ValueError when the survey is not a draft with questions."""
    surveys = SurveyStore(store.database)
    survey = await surveys.get(survey_id)
    if survey is None or survey.status is not SurveyStatus.DRAFT or not survey.questions:
        raise ValueError("only a draft with questions can be sent")
    if survey.closes_at is not None and survey.closes_at <= now:
        raise ValueError("the survey's closing time has passed")
    async with store.database.transaction() as conn:
        if not await surveys.open(conn, survey_id, now):
            raise ValueError("only a draft with questions can be sent")
        people = (
            await conn.execute(
                select(t.person.c.id, t.person.c.channel, t.person.c.channel_user_id)
                .join(t.survey_consent, t.survey_consent.c.person_id == t.person.c.id)
                .where(t.survey_consent.c.enrolled.is_(True), t.person.c.unreachable_since.is_(None))
                .order_by(t.person.c.id)
            )
        ).all()
        return await add_in(
            conn,
            (
                NewItem(
                    key=f"survey:{survey_id}:{p.id}",
                    kind=Kind.SURVEY,
                    channel=p.channel,
                    user_id=p.channel_user_id,
                    person_id=p.id,
                    not_before=now,
                    expires_at=survey.closes_at,
                    payload={"survey_id": survey_id},
                    priority=Priority.BULK,
                )
                for p in people
            ),
            now,
        )


async def close_survey(store: Store, survey_id: int, now: datetime) -> bool:
    """Closes a survey now: its ballots go, and invitations not yet sent are cancelled."""
    closed = await SurveyStore(store.database).close(survey_id, now)
    async with store.database.transaction() as conn:
        await cancel_in(conn, t.outbox.c.dedupe_key.like(f"survey:{survey_id}:%"), "survey closed", now)
    return closed


async def render_survey(store: Store, translator: Translator, item: Item, now: datetime) -> Outgoing | Skip:
    """The opt-in question or a survey's invitation, with a last check that it is still wanted."""
    surveys = SurveyStore(store.database)
    if item.person_id is None:
        return Skip(Status.CANCELLED, "no person")
    consent = await surveys.consent(item.person_id)
    if item.kind is Kind.SURVEY_OPTIN:
        if consent is not None:
            return Skip(Status.CANCELLED, "already answered")
        return optin_message(translator)
    if not consent:
        return Skip(Status.CANCELLED, "no longer enrolled")
    survey = await surveys.get(int(item.payload.get("survey_id", 0)))
    if survey is None or not survey.is_open(now):
        return Skip(Status.EXPIRED, "survey closed")
    return invitation(translator, survey)
