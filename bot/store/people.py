"""Residents: who they are on which channel, their language, dialogue state; /mydata and /forget."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import Person
from bot.store import schema as t
from bot.store.database import Database
from bot.store.group_write import GroupWrite


def _person(row: Row[Any]) -> Person:
    return Person(
        id=row.id,
        channel=row.channel,
        channel_user_id=row.channel_user_id,
        language=row.language,
        created_at=row.created_at,
        reachable=row.unreachable_since is None,
    )


class PeopleStore:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._saving_dialogues: GroupWrite[dict[str, Any]] = GroupWrite(self._save_dialogues)

    async def find(self, channel: str, user_id: str) -> Person | None:
        async with self.database.reading() as conn:
            row = (
                await conn.execute(
                    select(t.person).where(t.person.c.channel == channel, t.person.c.channel_user_id == user_id)
                )
            ).first()
            return None if row is None else _person(row)

    async def find_with_dialogue(self, channel: str, user_id: str) -> tuple[Person | None, dict[str, Any]]:
        """The person and their dialogue state in one query: the engine's first read per message."""
        async with self.database.reading() as conn:
            row = (
                await conn.execute(
                    select(t.person, t.dialogue.c.state)
                    .outerjoin(t.dialogue, t.dialogue.c.person_id == t.person.c.id)
                    .where(t.person.c.channel == channel, t.person.c.channel_user_id == user_id)
                )
            ).first()
            if row is None:
                return None, {}
            return _person(row), dict(row.state) if row.state else {}

    async def get(self, person_id: int) -> Person | None:
        async with self.database.reading() as conn:
            row = (await conn.execute(select(t.person).where(t.person.c.id == person_id))).first()
            return None if row is None else _person(row)

    async def create(
        self, channel: str, user_id: str, language: str, now: datetime, *, unreachable: bool = False
    ) -> Person:
        """Creates the person, or returns the one a concurrent first message just created.
        `unreachable`: met where the bot cannot write to them privately (yet)."""
        result = await self.database.execute(
            self.database.insert_new(t.person)
            .values(
                channel=channel,
                channel_user_id=user_id,
                language=language,
                created_at=now,
                unreachable_since=now if unreachable else None,
            )
            .returning(*t.person.c)
        )
        created = result.first()
        person = _person(created) if created is not None else await self.find(channel, user_id)
        assert person is not None
        return person

    async def set_language(self, person_id: int, language: str) -> None:
        async with self.database.transaction() as conn:
            await conn.execute(update(t.person).where(t.person.c.id == person_id).values(language=language))

    async def set_unreachable(self, channel: str, user_id: str, since: datetime | None) -> None:
        """Marks a person who blocked the bot (since) or came back (None)."""
        async with self.database.transaction() as conn:
            await conn.execute(
                update(t.person)
                .where(t.person.c.channel == channel, t.person.c.channel_user_id == user_id)
                .values(unreachable_since=since)
            )

    async def is_reachable(self, channel: str, user_id: str) -> bool:
        async with self.database.reading() as conn:
            since = await conn.scalar(
                select(t.person.c.unreachable_since).where(
                    t.person.c.channel == channel, t.person.c.channel_user_id == user_id
                )
            )
            return since is None

    async def save_dialogue(self, person_id: int, state: dict[str, Any], now: datetime) -> None:
        """Returns once saved. The engine saves a dialogue after most messages: those saved
        meanwhile go together in one statement (`GroupWrite`), without BEGIN/COMMIT."""
        await self._saving_dialogues.add({"person_id": person_id, "state": state, "updated_at": now})

    async def _save_dialogues(self, rows: list[dict[str, Any]]) -> None:
        # One row a person: of two saves of one person's dialogue gathered together, the later.
        latest = {row["person_id"]: row for row in rows}
        await self.database.execute(self.database.upsert(t.dialogue, list(latest.values())))

    async def update_dialogue(self, person_id: int, entries: dict[str, Any], now: datetime) -> None:
        """Sets some entries of a person's dialogue state, keeping the others."""
        async with self.database.transaction() as conn:
            state = await conn.scalar(select(t.dialogue.c.state).where(t.dialogue.c.person_id == person_id))
            if state is None:
                await conn.execute(insert(t.dialogue).values(person_id=person_id, state=entries, updated_at=now))
            else:
                merged = {**dict(state), **entries}
                await conn.execute(
                    update(t.dialogue).where(t.dialogue.c.person_id == person_id).values(state=merged, updated_at=now)
                )

    async def data_of(self, person_id: int) -> dict[str, Any]:
        """Everything stored about one person, for /mydata."""
        async with self.database.reading() as conn:
            row = (await conn.execute(select(t.person).where(t.person.c.id == person_id))).first()
            if row is None:
                return {}
            signups = await conn.execute(
                select(
                    t.event.c.code,
                    t.signup.c.status,
                    t.signup.c.created_at,
                    t.signup.c.updated_at,
                    t.checkin.c.code.label("checkin_code"),
                    t.checkin.c.checked_in_at,
                )
                .join(t.event, t.event.c.id == t.signup.c.event_id)
                .outerjoin(t.checkin, t.checkin.c.signup_id == t.signup.c.id)
                .where(t.signup.c.person_id == person_id)
                .order_by(t.signup.c.created_at)
            )
            offers = await conn.execute(
                select(t.event.c.code, t.waitlist_offer.c.status, t.waitlist_offer.c.expires_at)
                .join(t.signup, t.signup.c.id == t.waitlist_offer.c.signup_id)
                .join(t.event, t.event.c.id == t.waitlist_offer.c.event_id)
                .where(t.signup.c.person_id == person_id)
                .order_by(t.waitlist_offer.c.created_at)
            )
            messages = await conn.execute(
                select(t.outbox.c.kind, t.outbox.c.status, t.outbox.c.not_before, t.outbox.c.sent_at)
                .where(t.outbox.c.person_id == person_id)
                .order_by(t.outbox.c.not_before)
            )
            questions = await conn.execute(
                select(t.human_question.c.text, t.human_question.c.asked_at, t.human_question.c.answered_at)
                .where(t.human_question.c.person_id == person_id)
                .order_by(t.human_question.c.asked_at)
            )
            state = await conn.scalar(select(t.dialogue.c.state).where(t.dialogue.c.person_id == person_id))
            set_aside = await conn.execute(
                select(t.dead_letter.c.received_at, t.dead_letter.c.reason).where(
                    t.dead_letter.c.channel == row.channel, t.dead_letter.c.user_id == row.channel_user_id
                )
            )
            return {
                "person": {
                    "channel": row.channel,
                    "user_id": row.channel_user_id,
                    "language": row.language,
                    "created_at": row.created_at.isoformat(),
                    "unreachable_since": row.unreachable_since.isoformat() if row.unreachable_since else None,
                },
                "signups": [
                    {
                        "event": s.code,
                        "status": s.status,
                        "created_at": s.created_at.isoformat(),
                        "updated_at": s.updated_at.isoformat(),
                        **({"checkin_code": s.checkin_code} if s.checkin_code else {}),
                        **({"checked_in_at": s.checked_in_at.isoformat()} if s.checked_in_at else {}),
                    }
                    for s in signups
                ],
                "seat_offers": [
                    {"event": o.code, "status": o.status, "expires_at": o.expires_at.isoformat()} for o in offers
                ],
                "messages_from_the_bot": [
                    {
                        "kind": m.kind,
                        "status": m.status,
                        "due": m.not_before.isoformat(),
                        **({"sent_at": m.sent_at.isoformat()} if m.sent_at else {}),
                    }
                    for m in messages
                ],
                "questions_to_organisers": [
                    {
                        "text": q.text,
                        "asked_at": q.asked_at.isoformat(),
                        **({"answered_at": q.answered_at.isoformat()} if q.answered_at else {}),
                    }
                    for q in questions
                ],
                "dialogue_state": dict(state) if state else {},
                "messages_set_aside": [
                    {"received_at": d.received_at.isoformat(), "reason": d.reason} for d in set_aside
                ],
            }

    async def delete(self, conn: AsyncConnection, person_id: int) -> None:
        """Deletes the person with their signups and dialogue state, and the channels'
        bookkeeping that names them (Matrix DM rooms and polls, Telegram poll messages)."""
        row = (
            await conn.execute(select(t.person.c.channel, t.person.c.channel_user_id).where(t.person.c.id == person_id))
        ).first()
        if row is not None:
            # A DM room of two is still recognised without its row, so forgetting it is safe.
            rooms = select(t.matrix_room.c.room_id).where(t.matrix_room.c.user_id == row.channel_user_id)
            await conn.execute(delete(t.matrix_poll).where(t.matrix_poll.c.room_id.in_(rooms)))
            await conn.execute(delete(t.matrix_room).where(t.matrix_room.c.user_id == row.channel_user_id))
            await conn.execute(
                delete(t.dead_letter).where(
                    t.dead_letter.c.channel == row.channel, t.dead_letter.c.user_id == row.channel_user_id
                )
            )
            if row.channel == "telegram":
                # In a private chat Telegram's chat id is the person's user id.
                await conn.execute(delete(t.telegram_poll).where(t.telegram_poll.c.chat_id == row.channel_user_id))
        await conn.execute(delete(t.signup).where(t.signup.c.person_id == person_id))
        await conn.execute(delete(t.human_question).where(t.human_question.c.person_id == person_id))
        await conn.execute(delete(t.dialogue).where(t.dialogue.c.person_id == person_id))
        await conn.execute(delete(t.person).where(t.person.c.id == person_id))
