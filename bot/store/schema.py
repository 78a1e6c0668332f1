"""Tables, in SQLAlchemy Core. Portable SQL: the same schema runs on SQLite and PostgreSQL.

The Alembic migrations in `migrations/versions` create exactly these tables; a test checks that
the two never drift apart.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every database.

    SQLite keeps no zone, so values are normalised to UTC before they are written.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

festival = Table(
    "festival",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(100), nullable=False, unique=True),
    Column("name", JSON, nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("revision", Integer, nullable=False, default=0),
)
"""`revision` grows with every programme change, so readers know when a cached copy is stale."""

venue = Table(
    "venue",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("festival_id", ForeignKey("festival.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(200), nullable=False),
    Column("name", String(300), nullable=False),
    Column("address", String(500), nullable=False, default=""),
    Column("accessibility", JSON, nullable=False),
    Column("capacity", Integer, nullable=True),
    UniqueConstraint("festival_id", "key"),
)

event = Table(
    "event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("festival_id", ForeignKey("festival.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(100), nullable=False),
    Column("title", JSON, nullable=False),
    Column("abstract", JSON, nullable=False),
    Column("type", String(100), nullable=False, default=""),
    Column("track", String(200), nullable=False, default=""),
    Column("topics", JSON, nullable=False),
    Column("keywords", JSON, nullable=False),
    Column("language", String(16), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False, index=True),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("venue_id", ForeignKey("venue.id", ondelete="SET NULL"), nullable=True),
    Column("capacity", Integer, nullable=True),
    Column("signup_required", Boolean, nullable=False, default=False),
    Column("audience", JSON, nullable=False),
    Column("organisation", String(300), nullable=False, default=""),
    Column("status", String(20), nullable=False, default="scheduled"),
    Column("url", String(1000), nullable=True),
    Column("moved_at", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("admin_edited_at", UTCDateTime, nullable=True),
    UniqueConstraint("festival_id", "code"),
)
"""`admin_edited_at`: when an organiser last created or changed the event in the admin; a
programme file imported later keeps their change unless an organiser chooses the file's."""

imported_file = Table(
    "imported_file",
    metadata,
    Column("name", String(300), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
)
"""The programme and FAQ files given at start, by path, with the hash of what was imported: a
start imports a file again only when it changed."""

dead_letter = Table(
    "dead_letter",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(20), nullable=False),
    Column("platform_id", String(255), nullable=False),
    Column("user_id", String(255), nullable=True, index=True),
    Column("reason", String(500), nullable=False),
    Column("body", JSON(none_as_null=True), nullable=True),
    Column("received_at", UTCDateTime, nullable=False, index=True),
)
"""Updates and events a channel could not handle (one the platform's library cannot read, one
the bot failed on), set aside with the reason so that the channel goes on: the update with
names taken out and contact details masked, and the sender's id so /forget finds it. Kept a
week, for an operator to look at in the admin."""

faq_entry = Table(
    "faq_entry",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("festival_id", ForeignKey("festival.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(100), nullable=False),
    Column("questions", JSON, nullable=False),
    Column("answer", JSON, nullable=False),
    UniqueConstraint("festival_id", "key"),
)

person = Table(
    "person",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(20), nullable=False),
    Column("channel_user_id", String(255), nullable=False),
    Column("language", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("unreachable_since", UTCDateTime, nullable=True),
    UniqueConstraint("channel", "channel_user_id"),
)

signup = Table(
    "signup",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), nullable=False),
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("event_id", "person_id"),
)

event_tally = Table(
    "event_tally",
    metadata,
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column("signups", Integer, nullable=False, default=0),
    Column("waitlisted", Integer, nullable=False, default=0),
    Column("cancellations", Integer, nullable=False, default=0),
    Column("forgotten", Integer, nullable=False, default=0),
)
"""Counts that survive when a person is forgotten: the city's follow-up numbers."""

dialogue = Table(
    "dialogue",
    metadata,
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
    Column("state", JSON, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

matrix_sync = Table(
    "matrix_sync",
    metadata,
    Column("account", String(255), primary_key=True),
    Column("next_batch", String(255), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
"""The Matrix adapter's sync position, saved only after the events before it were handled."""

matrix_handled_event = Table(
    "matrix_handled_event",
    metadata,
    Column("event_id", String(255), primary_key=True),
    Column("handled_at", UTCDateTime, nullable=False, index=True),
)
"""Matrix events already answered, so a batch handled again after a crash is not answered twice."""

matrix_room = Table(
    "matrix_room",
    metadata,
    Column("room_id", String(255), primary_key=True),
    Column("user_id", String(255), nullable=True, index=True),
    Column("direct", Boolean, nullable=False, default=False),
    Column("open_poll_event_id", String(255), nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)
"""Rooms the Matrix bot is in: DMs with their person, and the poll a typed number answers."""

matrix_poll = Table(
    "matrix_poll",
    metadata,
    Column("event_id", String(255), primary_key=True),
    Column("room_id", String(255), nullable=False),
    Column("poll_id", String(255), nullable=False, index=True),
    Column("options", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
)
"""Matrix poll start events and the engine's `Poll.poll_id` they carry."""

telegram_poll = Table(
    "telegram_poll",
    metadata,
    Column("telegram_poll_id", String(64), primary_key=True),
    Column("poll_id", String(200), nullable=False, index=True),
    Column("chat_id", String(64), nullable=False),
    Column("message_id", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
"""Telegram's id of each native poll the bot sent, and the engine's `Poll.poll_id` it carries:
poll answers name only Telegram's id, and must still be understood after a restart."""

telegram_update = Table(
    "telegram_update",
    metadata,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("update", JSON(none_as_null=True), nullable=True),
    Column("received_at", UTCDateTime, nullable=False),
    Column("handled_at", UTCDateTime, nullable=True, index=True),
)
"""Telegram updates taken in. Until handled, the update itself (names taken out): confirmed to
Telegram already, so a crash in between loses nothing; handled again at the next start. Once
handled, only the id, so that one Telegram brings again (a crash before it was confirmed, a
webhook delivery tried again) is not answered twice."""

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dedupe_key", String(255), nullable=False, unique=True),
    Column("kind", String(30), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("user_id", String(255), nullable=False),
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("broadcast_id", ForeignKey("broadcast.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("payload", JSON, nullable=False),
    Column("priority", Integer, nullable=False, default=1),
    Column("not_before", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("status", String(20), nullable=False),
    Column("reason", String(500), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("platform_message_id", String(255), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Index("ix_outbox_status_not_before", "status", "not_before"),
)
"""Everything the bot sends on its own initiative, one row per recipient and message: the
scheduler's single record of what is due, what was sent, and why anything was not."""

broadcast = Table(
    "broadcast",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("audience", JSON, nullable=False),
    Column("texts", JSON, nullable=False),
    Column("not_before", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("status", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

reminder_override = Table(
    "reminder_override",
    metadata,
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column("leads_minutes", JSON, nullable=False),
)
"""An event's own reminder times (minutes before start), replacing the festival's default."""

waitlist_offer = Table(
    "waitlist_offer",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("signup_id", ForeignKey("signup.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
"""A freed seat held for the first person waiting until they accept, decline or it expires."""

rating_poll = Table(
    "rating_poll",
    metadata,
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column("opens_at", UTCDateTime, nullable=False),
    Column("closes_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("salt", String(64), nullable=True),
)
"""One evaluation poll per event. The salt keys the voter hashes and is deleted at close."""

rating_ballot = Table(
    "rating_ballot",
    metadata,
    Column("event_id", ForeignKey("rating_poll.event_id", ondelete="CASCADE"), primary_key=True),
    Column("voter", String(64), primary_key=True),
    Column("choice", Integer, nullable=True),
    Column("commented", Boolean, nullable=False, default=False),
)
"""Only while a poll is open: a salted hash per voter, so a vote can be changed but not doubled.
Deleted, with the salt, when the poll closes."""

rating_tally = Table(
    "rating_tally",
    metadata,
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column("choice", Integer, primary_key=True),
    Column("votes", Integer, nullable=False, default=0),
)
"""Votes per answer (1–5; 0 is "I didn't attend"): counts only, never who."""

rating_comment = Table(
    "rating_comment",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("text", String(2000), nullable=False),
    sqlite_with_rowid=False,
)
"""Free-text comments with a random id and no time or rowid, so not even their order can be
matched against anything else."""

organisation = Table(
    "organisation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("key", String(300), nullable=False, unique=True),
    Column("merged_into", ForeignKey("organisation.id", ondelete="SET NULL"), nullable=True),
)
"""Who runs events. `key` is the name normalised (bot/store/organisations.py), so one organisation
spelt several ways is one record; a record merged into another keeps its key as a way there."""

event_organisation = Table(
    "event_organisation",
    metadata,
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Column("lead", Boolean, nullable=False),
)
"""Which organisations run an event, by id: the lead one (it decides on co-organisers) and the
co-organisers. Organiser accounts manage the events linked to their organisation."""

admin_account = Table(
    "admin_account",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(20), nullable=False),
    Column("organisation_id", ForeignKey("organisation.id", ondelete="SET NULL"), nullable=True),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", UTCDateTime, nullable=True),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("totp_secret", String(64), nullable=True),
    Column("totp_last_step", BigInteger, nullable=True),
    Column("language", String(8), nullable=True),
)
"""Admin web accounts: argon2 hashes, role admin/organiser/viewer, wrong passwords counted, an
optional TOTP secret (with the last time step used, so a code works once) and the page language
(None: the browser's)."""

admin_session = Table(
    "admin_session",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("account_id", ForeignKey("admin_account.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=True),
)
"""Signed-in browsers. Only a hash of the cookie is kept, so a leaked database opens no session."""

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("account_id", ForeignKey("admin_account.id", ondelete="SET NULL"), nullable=True),
    Column("actor", String(100), nullable=False),
    Column("action", String(100), nullable=False),
    Column("target", String(300), nullable=False, default=""),
    Column("details", JSON, nullable=False),
)
"""Every change made in the admin: who (the name is copied, so it outlives the account), what, when."""

checkin = Table(
    "checkin",
    metadata,
    Column("signup_id", ForeignKey("signup.id", ondelete="CASCADE"), primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("checked_in_at", UTCDateTime, nullable=True),
    Column("checked_in_by", String(100), nullable=True),
)
"""Each signup's short code for the door (typed, or scanned from its QR) and when it was used."""

glossary_term = Table(
    "glossary_term",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("festival_id", ForeignKey("festival.id", ondelete="CASCADE"), nullable=False),
    Column("concept", String(100), nullable=False),
    Column("language", String(16), nullable=False),
    Column("phrase", String(300), nullable=False),
    UniqueConstraint("festival_id", "concept", "language", "phrase"),
)
"""The festival's cross-language glossary: every phrase of a concept finds events that use any
other phrase of it (näthat = online hate = الكراهية الرقمية)."""

unanswered_question = Table(
    "unanswered_question",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(500), nullable=False, unique=True),
    Column("text", String(1000), nullable=False),
    Column("language", String(16), nullable=False),
    Column("first_asked", UTCDateTime, nullable=False),
    Column("last_asked", UTCDateTime, nullable=False, index=True),
    Column("count", Integer, nullable=False, default=1),
)
"""Questions the bot could not answer, for organisers to turn into FAQ entries. No person id,
and times only to the hour, so a question cannot be traced back to whoever asked it."""

human_question = Table(
    "human_question",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("text", String(1000), nullable=False),
    Column("language", String(16), nullable=False),
    Column("asked_at", UTCDateTime, nullable=False),
    Column("answered_at", UTCDateTime, nullable=True),
)
"""A resident's question for a person ("can I talk to someone?"): who asked, so that an
organiser's answer reaches their chat. Phone numbers and e-mail are masked before it is stored;
the answer itself goes through the outbox and is not kept here."""

qa_session = Table(
    "qa_session",
    metadata,
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column("enabled", Boolean, nullable=False, default=False),
    Column("screen_token", String(64), nullable=False, unique=True),
    Column("salt", String(64), nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
)
"""An event's Q&A switch and the projector's secret screen link. The salt keys the askers' and
voters' hashes while the event runs, and is deleted when its Q&A closes."""

qa_question = Table(
    "qa_question",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("text", String(500), nullable=False),
    Column("status", String(20), nullable=False),
    Column("upvotes", Integer, nullable=False, default=0),
    Column("reports", Integer, nullable=False, default=0),
    Column("asker", String(64), nullable=True),
    Column("asked_at", UTCDateTime, nullable=True),
)
"""Questions to a panel. `asker` (a salted hash, for the rate limit and self-upvotes) and
`asked_at` (for the rate limit and the moderator's order) are erased when the Q&A closes."""

qa_vote = Table(
    "qa_vote",
    metadata,
    Column("question_id", ForeignKey("qa_question.id", ondelete="CASCADE"), primary_key=True),
    Column("voter", String(64), primary_key=True),
    Column("kind", String(10), primary_key=True),
)
"""Only while the Q&A is open: who (a salted hash) upvoted or reported a question, so neither
counts twice. Deleted when the Q&A closes."""

survey = Table(
    "survey",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", JSON, nullable=False),
    Column("intro", JSON, nullable=False),
    Column("questions", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("closes_at", UTCDateTime, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("salt", String(64), nullable=True),
    Column("respondents", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
"""A citizen survey: per-language texts, its questions (kind, text, options), draft → open →
closed. The salt keys the respondents' ballots while it is open and is deleted at close."""

survey_consent = Table(
    "survey_consent",
    metadata,
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
    Column("enrolled", Boolean, nullable=False),
    Column("answered_at", UTCDateTime, nullable=False),
)
"""The once-asked survey opt-in: enrolled or not (a person under 13 is simply not enrolled; the
age itself is not kept)."""

survey_ballot = Table(
    "survey_ballot",
    metadata,
    Column("survey_id", ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True),
    Column("voter", String(64), primary_key=True),
    Column("answers", JSON, nullable=False),
)
"""Only while a survey is open: a salted hash per respondent with the answers given so far, so
an answer can be changed but not doubled. Deleted, with the salt, when the survey closes."""

survey_tally = Table(
    "survey_tally",
    metadata,
    Column("survey_id", ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True),
    Column("question", Integer, primary_key=True),
    Column("option", Integer, primary_key=True),
    Column("votes", Integer, nullable=False, default=0),
)
"""Answers per question and option (a scale's 1–5 are options 0–4): counts only, never who."""

survey_text = Table(
    "survey_text",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("survey_id", ForeignKey("survey.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("question", Integer, nullable=False),
    Column("text", String(2000), nullable=False),
    sqlite_with_rowid=False,
)
"""Free-text answers with a random id and no time or rowid, unlinked from each other and from
anyone: two answers of one person cannot be put together."""
