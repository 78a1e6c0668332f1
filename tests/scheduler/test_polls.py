"""Evaluation polls: sent after the event, vote, changed vote, comment, one nudge, closing after a
week — and after closing, no row in the database ties a person to a rating."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.evaluation import poll_id_of
from bot.store import schema as t
from bot.store.ratings import RatingStore
from scheduler.outbox import Kind, Status
from tests.scheduler.conftest import Harness, local

# MM007: Tue 11 May 13:00–15:00 local; the poll goes at 15:10, closes on 18 May at 15:10.
POLL_TIME = local("2027-05-11 15:10")
CLOSES = local("2027-05-18 15:10")


async def _vote(harness: Harness, user: str, event_id: int, option: int | None) -> str:
    options = () if option is None else (option,)
    replies = await harness.say(user, poll_id=poll_id_of(event_id), poll_options=options)
    return "\n".join(r.text for r in replies)


async def test_poll_flow_vote_change_comment_nudge_and_close(harness: Harness) -> None:
    for user in ("ida", "jon", "kim"):
        await harness.sign_up(user, "MM007", "en")
    event = await harness.event("MM007")
    assert event.id is not None
    await harness.at(local("2027-05-11 12:00"))  # the 1-h reminders
    assert await harness.at(local("2027-05-11 15:09")) == []
    sent = await harness.at(POLL_TIME)
    assert sorted(s.user_id for s in sent) == ["ida", "jon", "kim"]
    poll = sent[0].message.poll
    assert poll is not None and poll.poll_id == poll_id_of(event.id)
    assert poll.question == "To what degree did the activity live up to your expectations?"
    assert poll.options == ["1 – not at all", "2", "3", "4", "5 – completely", "I didn't attend"]
    assert poll.closes_at == CLOSES
    assert "anonymous" in sent[0].message.text

    harness.clock.set(local("2027-05-11 16:00"))
    reply = await _vote(harness, "ida", event.id, 3)  # "4"
    assert "comment" in reply
    reply = "\n".join(r.text for r in await harness.say("ida", "Great workshop, but the room was too warm."))
    assert "comment is saved" in reply
    reply = await _vote(harness, "ida", event.id, 4)  # changed to "5"
    assert "changed" in reply and "comment" not in reply.replace("changed", "")
    reply = await _vote(harness, "jon", event.id, 5)  # didn't attend
    assert "letting us know" in reply
    reply = await _vote(harness, "jon", event.id, None)  # withdrawn
    assert "withdrawn" in reply
    await _vote(harness, "jon", event.id, 0)  # "1"
    replies = await harness.say("jon", "/today")  # not a comment: the offer lapses with any other message
    assert all("comment is saved" not in r.text for r in replies)

    results = await RatingStore(harness.store.database).results(event.id)
    assert results.votes == {5: 1, 1: 1} and results.comments == ["Great workshop, but the room was too warm."]

    nudged = await harness.at(local("2027-05-12 15:10"))
    assert [s.user_id for s in nudged] == ["kim"], "only the one who has not answered"
    assert nudged[0].message.poll is not None and "gentle reminder" in nudged[0].message.text
    assert await harness.at(local("2027-05-13 15:10")) == [], "one nudge only"

    await harness.at(CLOSES)
    reply = await _vote(harness, "kim", event.id, 2)
    assert "closed" in reply
    results = await RatingStore(harness.store.database).results(event.id)
    assert results.votes == {5: 1, 1: 1} and results.average == 3.0


async def test_no_row_ties_a_person_to_a_rating_after_the_poll_closes(harness: Harness) -> None:
    comment = "Unique comment text 4711"
    for user in ("lea", "max"):
        await harness.sign_up(user, "MM007", "sv")
    event = await harness.event("MM007")
    assert event.id is not None
    await harness.at(POLL_TIME)
    harness.clock.set(local("2027-05-11 18:00"))
    await _vote(harness, "lea", event.id, 1)
    await harness.say("lea", comment)
    await _vote(harness, "max", event.id, 4)
    await harness.at(local("2027-05-12 15:10"))  # max has voted: no nudge for anyone
    await harness.at(CLOSES)

    dump = await _dump(harness)
    assert dump["rating_ballot"] == [], "ballots are deleted at close"
    assert [row["salt"] for row in dump["rating_poll"]] == [None], "and so is the salt"
    assert not [r for r in dump["outbox"] if r["kind"] == Kind.POLL_NUDGE.value]
    people = {(p["channel"], p["channel_user_id"], p["id"]) for p in dump["person"]}
    rating_tables = {"rating_tally", "rating_comment", "rating_poll"}
    for table in rating_tables:
        columns = set(t.metadata.tables[table].c.keys())
        assert not columns & {"person_id", "user_id", "channel_user_id", "voter", "signup_id", "created_at"}
    for table, rows in dump.items():
        for row in rows:
            text = json.dumps(row, default=str)
            if table != "rating_comment":
                assert comment not in text, f"the comment appears in {table}"
            if table in rating_tables:
                for _channel, user, person_id in people:
                    assert user not in text and f'"person_id": {person_id}' not in text
            for key in ('"rating_comment"', '"choice"', '"score"', '"votes"'):
                if table not in rating_tables | {"rating_ballot"}:
                    assert key not in text, f"{key} appears in {table}: {text}"
    assert {r["choice"]: r["votes"] for r in dump["rating_tally"] if r["votes"]} == {2: 1, 5: 1}
    polls = [r for r in dump["outbox"] if r["kind"] == Kind.POLL.value]
    assert {r["status"] for r in polls} == {Status.SENT.value}, "every attendee got the same poll row"


async def _dump(harness: Harness) -> dict[str, list[dict[str, Any]]]:
    async with harness.store.database.engine.connect() as conn:
        return {
            name: [dict(row._mapping) for row in await conn.execute(select(table))]
            for name, table in t.metadata.tables.items()
        }


async def test_open_entry_event_is_rated_through_the_venue_link(harness: Harness) -> None:
    event = await harness.event("MM005")  # open entry, 10 May 18:00–19:30 local
    assert event.id is not None and not event.signup_required
    harness.clock.set(local("2027-05-10 17:00"))
    replies = await harness.say("nor", "/start rate_MM005")
    assert all(r.poll is None for r in replies) and "öppnar när det börjar" in replies[0].text
    harness.clock.set(local("2027-05-10 19:35"))
    replies = await harness.say("nor", "/start rate_MM005")
    polls = [r.poll for r in replies if r.poll is not None]
    assert len(polls) == 1 and polls[0].poll_id == poll_id_of(event.id)
    await _vote(harness, "nor", event.id, 4)
    await harness.say("nor", "/start rate_MM005")  # scanned again: the same poll
    await _vote(harness, "nor", event.id, 2)
    results = await RatingStore(harness.store.database).results(event.id)
    assert results.votes == {3: 1}, "one answer per person and event"
    await harness.at(local("2027-05-17 19:40"))
    replies = await harness.say("nor", "/start rate_MM005")
    assert "stängd" in replies[0].text
    assert await harness.store.people.find("console", "nor") is not None


async def test_poll_not_sent_to_waiting_list_or_cancelled_signups(harness: Harness) -> None:
    person = await harness.sign_up("ola", "MM007")
    await harness.sign_up("pia", "MM007")
    event = await harness.event("MM007")
    assert event.id is not None
    await harness.store.signups.cancel(event.id, person.id, harness.clock.now())
    sent = await harness.at(POLL_TIME)
    assert [s.user_id for s in sent if s.message.poll is not None] == ["pia"]


async def test_typed_button_words_press_it_and_a_typed_number_changes_the_vote(harness: Harness) -> None:
    """On channels without buttons (Matrix) the comment offer shows "1. No comment": typing its
    words is pressing it, not a comment; a bare number changes the vote."""
    for user in ("nea", "ola"):
        await harness.sign_up(user, "MM007", "sv")
    event = await harness.event("MM007")
    assert event.id is not None
    await harness.at(POLL_TIME)
    harness.clock.set(local("2027-05-11 16:00"))

    offer = await _vote(harness, "nea", event.id, 3)  # "4"
    assert "kommentar" in offer
    replies = await harness.say("nea", "Ingen kommentar")
    assert all("sparad" not in r.text for r in replies), [r.text for r in replies]

    await _vote(harness, "ola", event.id, 1)  # "2"
    changed = "\n".join(r.text for r in await harness.say("ola", "5"))
    assert "ändrat" in changed, changed

    results = await RatingStore(harness.store.database).results(event.id)
    assert results.comments == [], "neither the button's words nor a number is a comment"
    assert results.votes == {4: 1, 5: 1}
