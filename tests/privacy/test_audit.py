"""The privacy audit: after a realistic stretch of festival (see `support.rehearse`), every
table of the schema is checked against what it may hold about a person.

The allow-list below names every table and every column. A table or column added to
`bot.store.schema` without being added here fails the test: nobody stores something new about
residents without saying so (and updating the README's data inventory).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import DateTime

from bot.store import Store
from bot.store import schema as t
from bot.store.ratings import COMMENT_STATE_KEY
from tests.privacy.support import COMMENT, COMMENT_TYPED, Run, dump, rehearse

PROGRAMME = "programme"
"""Organisers' published content: nothing about residents."""
PERSON = "person"
"""About one resident, allowed while they use the bot: removed by /forget and the purge."""
TECHNICAL = "technical"
"""The channels' bookkeeping; rows that name a person are removed by the purge."""
AGGREGATE = "aggregate"
"""Counts and anonymous text: kept after the purge, never linked to anyone."""
ADMIN = "admin"
"""Organisers' accounts and their audit trail: about staff, not residents."""

ALLOWED: dict[str, dict[str, str]] = {
    "festival": dict.fromkeys(["id", "slug", "name", "time_zone", "start_date", "end_date", "revision"], PROGRAMME),
    "venue": dict.fromkeys(["id", "festival_id", "key", "name", "address", "accessibility", "capacity"], PROGRAMME),
    "event": dict.fromkeys(
        [
            "id",
            "festival_id",
            "code",
            "title",
            "abstract",
            "type",
            "track",
            "topics",
            "keywords",
            "language",
            "starts_at",
            "ends_at",
            "venue_id",
            "capacity",
            "signup_required",
            "audience",
            "organisation",
            "status",
            "url",
            "moved_at",
            "updated_at",
            "admin_edited_at",
        ],
        PROGRAMME,
    ),
    # The programme files given at start, by path, and a hash of their content.
    "imported_file": dict.fromkeys(["name", "sha256", "imported_at"], PROGRAMME),
    # An update a channel could not handle: the update without names and with contacts masked,
    # the sender's id (so /forget and /mydata find it), the reason. A week, then deleted.
    "dead_letter": {
        "id": TECHNICAL,
        "channel": TECHNICAL,
        "platform_id": TECHNICAL,
        "user_id": PERSON,
        "reason": TECHNICAL,
        "body": PERSON,
        "received_at": TECHNICAL,
    },
    "faq_entry": dict.fromkeys(["id", "festival_id", "key", "questions", "answer"], PROGRAMME),
    "glossary_term": dict.fromkeys(["id", "festival_id", "concept", "language", "phrase"], PROGRAMME),
    "reminder_override": dict.fromkeys(["event_id", "leads_minutes"], PROGRAMME),
    # The person: their chat id on one channel, language, when they first wrote, whether they
    # blocked the bot (so it stops sending).
    "person": dict.fromkeys(
        ["id", "channel", "channel_user_id", "language", "created_at", "unreachable_since"], PERSON
    ),
    "signup": dict.fromkeys(["id", "event_id", "person_id", "status", "created_at", "updated_at"], PERSON),
    "dialogue": dict.fromkeys(["person_id", "state", "updated_at"], PERSON),
    "waitlist_offer": dict.fromkeys(
        ["id", "signup_id", "event_id", "status", "expires_at", "created_at", "updated_at"], PERSON
    ),
    "checkin": dict.fromkeys(["signup_id", "code", "checked_in_at", "checked_in_by"], PERSON),
    # A question for a person ("can I talk to someone?"): who asked, so that the organiser's
    # answer reaches their chat; contact details masked; gone with /forget and the purge.
    "human_question": dict.fromkeys(["id", "person_id", "text", "language", "asked_at", "answered_at"], PERSON),
    "outbox": dict.fromkeys(
        [
            "id",
            "dedupe_key",
            "kind",
            "channel",
            "user_id",
            "person_id",
            "event_id",
            "broadcast_id",
            "payload",
            "priority",
            "not_before",
            "expires_at",
            "status",
            "reason",
            "attempts",
            "platform_message_id",
            "created_at",
            "updated_at",
            "sent_at",
        ],
        PERSON,
    ),
    "matrix_sync": dict.fromkeys(["account", "next_batch", "updated_at"], TECHNICAL),
    "matrix_handled_event": dict.fromkeys(["event_id", "handled_at"], TECHNICAL),
    # An update (its names taken out) between its arrival and the end of its handling, then
    # only its id and times.
    "telegram_update": {
        "update_id": TECHNICAL,
        "update": PERSON,
        "received_at": TECHNICAL,
        "handled_at": TECHNICAL,
    },
    "matrix_room": dict.fromkeys(["room_id", "user_id", "direct", "open_poll_event_id", "updated_at"], TECHNICAL),
    "matrix_poll": dict.fromkeys(["event_id", "room_id", "poll_id", "options", "created_at", "closed_at"], TECHNICAL),
    "telegram_poll": dict.fromkeys(["telegram_poll_id", "poll_id", "chat_id", "message_id", "created_at"], TECHNICAL),
    "broadcast": dict.fromkeys(
        ["id", "audience", "texts", "not_before", "expires_at", "status", "created_at", "updated_at"], AGGREGATE
    ),
    "event_tally": dict.fromkeys(["event_id", "signups", "waitlisted", "cancellations", "forgotten"], AGGREGATE),
    "rating_poll": dict.fromkeys(["event_id", "opens_at", "closes_at", "closed_at", "salt"], AGGREGATE),
    # Only while the poll is open: a salted hash per voter; deleted with the salt at close.
    "rating_ballot": dict.fromkeys(["event_id", "voter", "choice", "commented"], AGGREGATE),
    "rating_tally": dict.fromkeys(["event_id", "choice", "votes"], AGGREGATE),
    "rating_comment": dict.fromkeys(["id", "event_id", "text"], AGGREGATE),
    "unanswered_question": dict.fromkeys(
        ["id", "key", "text", "language", "first_asked", "last_asked", "count"], AGGREGATE
    ),
    # Panel Q&A: the switch and the projector's link; the salt only while the Q&A is open.
    "qa_session": dict.fromkeys(["event_id", "enabled", "screen_token", "salt", "closed_at"], AGGREGATE),
    # Questions are anonymous text; `asker` (a salted hash, for the rate limit) and `asked_at` are
    # erased when the Q&A closes.
    "qa_question": dict.fromkeys(
        ["id", "event_id", "text", "status", "upvotes", "reports", "asker", "asked_at"], AGGREGATE
    ),
    # Only while the Q&A is open: a salted hash per upvote or report, so neither counts twice.
    "qa_vote": dict.fromkeys(["question_id", "voter", "kind"], AGGREGATE),
    "survey": dict.fromkeys(
        [
            "id",
            "title",
            "intro",
            "questions",
            "status",
            "closes_at",
            "sent_at",
            "closed_at",
            "salt",
            "respondents",
            "created_at",
            "updated_at",
        ],
        PROGRAMME,
    ),
    # The once-asked opt-in: enrolled or not (an under-13 is just not enrolled; no age is kept).
    "survey_consent": dict.fromkeys(["person_id", "enrolled", "answered_at"], PERSON),
    # Only while a survey is open: a salted hash per respondent; deleted with the salt at close.
    "survey_ballot": dict.fromkeys(["survey_id", "voter", "answers"], AGGREGATE),
    "survey_tally": dict.fromkeys(["survey_id", "question", "option", "votes"], AGGREGATE),
    "survey_text": dict.fromkeys(["id", "survey_id", "question", "text"], AGGREGATE),
    # key: the name normalised, so one organisation is one record; merged_into: a misspelling's way
    # to the right record.
    "organisation": dict.fromkeys(["id", "name", "created_at", "key", "merged_into"], ADMIN),
    # Which organisations run an event (the lead one decides on co-organisers).
    "event_organisation": dict.fromkeys(["event_id", "organisation_id", "lead"], ADMIN),
    "admin_account": dict.fromkeys(
        [
            "id",
            "username",
            "password_hash",
            "role",
            "organisation_id",
            "failed_logins",
            "locked_until",
            "disabled",
            "created_at",
            # The second factor: its secret, and the last code's time step so a code works once.
            "totp_secret",
            "totp_last_step",
            # The admin pages' language the organiser chose (none: the browser's).
            "language",
        ],
        ADMIN,
    ),
    # last_seen_at: a session ends after 30 idle minutes (updated at most once a minute).
    "admin_session": dict.fromkeys(
        ["token_hash", "account_id", "csrf_token", "created_at", "expires_at", "last_seen_at"], ADMIN
    ),
    "audit_log": dict.fromkeys(["id", "at", "account_id", "actor", "action", "target", "details"], ADMIN),
}

RATINGS = {"rating_poll", "rating_ballot", "rating_tally", "rating_comment"}
WHERE_A_USER_ID_MAY_BE = {
    ("person", "channel_user_id"),
    ("outbox", "user_id"),
    ("outbox", "dedupe_key"),
    ("matrix_room", "user_id"),
    ("telegram_poll", "telegram_poll_id"),
    ("telegram_poll", "chat_id"),
    ("dead_letter", "user_id"),
    ("dead_letter", "body"),
}
"""The only columns that may hold a resident's channel id; all are removed by the purge."""


def test_every_table_and_column_is_on_the_allow_list() -> None:
    tables = {name: set(table.c.keys()) for name, table in t.metadata.tables.items()}
    unlisted = sorted(set(tables) - set(ALLOWED))
    assert not unlisted, f"new tables must be added to the privacy allow-list (and the README): {unlisted}"
    for name, columns in tables.items():
        new = sorted(columns - set(ALLOWED[name]))
        assert not new, f"new columns in {name} must be added to the privacy allow-list: {new}"
    gone = sorted(set(ALLOWED) - set(tables))
    assert not gone, f"tables no longer in the schema: {gone}"


def test_only_personal_tables_point_at_a_person() -> None:
    """A foreign key to `person` or `signup` makes a table personal: none of the aggregate
    tables may have one, and none of the rating tables may have any time finer than the poll's."""
    for name, table in t.metadata.tables.items():
        targets = {fk.column.table.name for column in table.c for fk in column.foreign_keys}
        if targets & {"person", "signup"}:
            assert set(ALLOWED[name].values()) == {PERSON}, f"{name} points at a person"
    for name in RATINGS - {"rating_poll"}:
        table = t.metadata.tables[name]
        assert not [c.name for c in table.c if isinstance(c.type, DateTime | t.UTCDateTime)], name
        assert not {"person_id", "user_id", "channel_user_id", "signup_id", "created_at"} & set(table.c.keys())
    assert t.metadata.tables["rating_comment"].dialect_options["sqlite"]["with_rowid"] is False


async def test_after_a_festival_only_the_allowed_places_hold_a_person(store: Store) -> None:
    run = await rehearse(store)
    data = await dump(store)
    ids = [r.user_id for r in run.residents if r not in run.forgotten]
    persons = {row["channel_user_id"]: row["id"] for row in data["person"]}

    assert set(persons) == set(ids), "everyone but the forgotten one is stored, and nobody else"
    assert {row["language"] for row in data["person"]} <= {"sv", "en", "ar", "fi", "so", "fa"}
    for table, rows in data.items():
        for row in rows:
            for column, value in row.items():
                text = json.dumps(value, default=str, ensure_ascii=False)
                for user in [r.user_id for r in run.residents]:
                    if user in text:
                        assert (table, column) in WHERE_A_USER_ID_MAY_BE, f"{user} found in {table}.{column}"
                        assert user not in [f.user_id for f in run.forgotten] or table != "person"

    assert [row["user_id"] for row in data["dead_letter"]] == [run.residents[0].user_id], "/forget took the other"
    assert "0707654321" not in json.dumps(data["dead_letter"], default=str), "masked before it was stored"
    _ratings_say_nothing_about_anyone(run, data, persons)
    _forgotten_leave_no_trace(run, data)
    _unanswered_questions_are_anonymous(data)


def _ratings_say_nothing_about_anyone(run: Run, data: dict[str, list[dict[str, Any]]], persons: dict[str, int]) -> None:
    assert data["rating_ballot"] == [], "ballots are deleted when the poll closes"
    assert all(row["salt"] is None for row in data["rating_poll"]), "and so are the salts"
    assert {r["choice"]: r["votes"] for r in data["rating_tally"] if r["votes"]} == {5: 1, 3: 1, 0: 1}
    assert [r["text"] for r in data["rating_comment"]] == [COMMENT]
    for table in RATINGS:
        for row in data[table]:
            text = json.dumps(row, default=str)
            for user, person_id in persons.items():
                assert user not in text
                assert f'"person_id": {person_id}' not in text
    for table, rows in data.items():
        if table != "rating_comment":
            assert COMMENT not in json.dumps(rows, default=str, ensure_ascii=False), f"the comment is in {table}"
    everything = json.dumps(data, default=str, ensure_ascii=False)
    assert "0701234567" not in everything and "a.b@example.org" not in everything, "stored unmasked"
    assert COMMENT_TYPED not in everything
    for row in data["dialogue"]:
        assert COMMENT_STATE_KEY not in row["state"], "who was asked for a comment shows who voted"
    assert not [r for r in data["outbox"] if r["kind"] == "poll_nudge"], "who was nudged shows who had not voted"


def _forgotten_leave_no_trace(run: Run, data: dict[str, list[dict[str, Any]]]) -> None:
    for who in run.forgotten:
        text = json.dumps(data, default=str)
        assert who.user_id not in text, f"{who.user_id} forgot themselves but is still stored"
    forgotten_count = sum(r["forgotten"] for r in data["event_tally"])
    assert forgotten_count == len(run.forgotten), "the tally counts the forgetting, without who"


def _unanswered_questions_are_anonymous(data: dict[str, list[dict[str, Any]]]) -> None:
    rows = data["unanswered_question"]
    assert any("llamas" in r["text"] for r in rows)
    assert not any("0701234567" in r["text"] for r in rows), "phone numbers are masked"
    for row in rows:
        for column in ("first_asked", "last_asked"):
            moment = row[column]
            assert (moment.minute, moment.second, moment.microsecond) == (0, 0, 0), "times only to the hour"
