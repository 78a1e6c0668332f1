"""Ask the panel through the engine: asking, the moderator's approval, upvotes, reports, rate
limits, and that the Q&A forgets who asked when it closes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot import buttons
from bot.engine import Engine
from bot.store import Store
from bot.store import schema as t
from bot.store.qa import RATE_LIMIT, STATE_KEY, QaStore, QuestionStatus
from tests.conftest import Chat

DURING = datetime.fromisoformat("2027-05-10T11:15:00+02:00")
"""MM002, a panel, runs 11:00–12:30."""


async def _qa_on(store: Store, code: str = "MM002") -> tuple[QaStore, int]:
    qa = QaStore(store.database)
    event_id = await store.programme.event_id(code)
    assert event_id is not None
    await qa.switch(event_id, True)
    return qa, event_id


def _payloads(chat: Chat, action: str) -> list[str]:
    found = []
    for message in chat.last:
        for button in message.numbered_choices():
            decoded = buttons.decode(button.payload or "")
            if decoded is not None and decoded.name == "qa" and decoded.arg() == action:
                found.append(button.payload or "")
    return found


async def test_ask_approve_upvote_and_report(engine: Engine, store: Store) -> None:
    qa, event_id = await _qa_on(store)
    asker = Chat(engine, "asker", "en", DURING)
    other = Chat(engine, "other", "en", DURING)

    await asker.say("/start ev_MM002")
    [ask] = _payloads(asker, "ask")
    await asker.press_payload(ask)
    assert "next message" in asker.text
    await asker.say("How do young people get heard in the city council?")
    assert "moderator" in asker.text and "anonymous" in asker.text

    await other.say("/questions")
    assert "No questions on the list yet" in other.text, "nothing is shown before approval"

    [pending] = await qa.questions(event_id, QuestionStatus.PENDING)
    await qa.moderate(pending.id, QuestionStatus.APPROVED)
    await other.say("/questions")
    assert "How do young people get heard" in other.text
    [up] = _payloads(other, "up")
    await other.press_payload(up)
    assert "counted" in other.text
    await other.press_payload(up)
    assert "already upvoted" in other.text
    await asker.press_payload(up)
    assert "your own question" in asker.text
    assert (await qa.question(pending.id)).upvotes == 1  # type: ignore[union-attr]

    # Three different people's reports take it off the screen until a moderator looks again.
    for n in range(3):
        reporter = Chat(engine, f"reporter{n}", "en", DURING)
        await reporter.say("/questions")
        [report_list] = _payloads(reporter, "rl")
        await reporter.press_payload(report_list)
        [report] = _payloads(reporter, "rep")
        await reporter.press_payload(report)
        assert "moderator will look" in reporter.text
    assert await qa.screen(event_id) == []
    assert (await qa.question(pending.id)).status is QuestionStatus.PENDING  # type: ignore[union-attr]


async def test_ask_in_one_message_rate_limit_and_closed_times(engine: Engine, store: Store) -> None:
    qa, event_id = await _qa_on(store)
    early = Chat(engine, "early", "en", DURING - timedelta(hours=3))
    await early.say("/ask Is there sign language interpretation?")
    assert "No event is taking questions" in early.text

    person = Chat(engine, "quick", "en", DURING)
    for n in range(RATE_LIMIT):
        await person.say(f"/ask Question number {n}?")
        assert "moderator" in person.text
    await person.say("/ask One more?")
    assert "wait a few minutes" in person.text
    person.now = DURING + timedelta(minutes=11)
    await person.say("/ask Later one?")
    assert "moderator" in person.text
    await person.say("/ask " + "x" * 400)
    assert "too long" in person.text
    assert len(await qa.questions(event_id)) == RATE_LIMIT + 1


async def test_closing_forgets_who_asked_and_voted(engine: Engine, store: Store) -> None:
    qa, event_id = await _qa_on(store)
    asker = Chat(engine, "asker2", "sv", DURING)
    await asker.say("/ask Vad gör kommunen mot rasism?")
    [question] = await qa.questions(event_id)
    await qa.moderate(question.id, QuestionStatus.APPROVED)
    voter = Chat(engine, "voter2", "sv", DURING)
    await voter.press_payload(buttons.encode("qa", "up", question.id))
    waiting = Chat(engine, "waiting", "sv", DURING)
    await waiting.press_payload(buttons.encode("qa", "ask", "MM002"))

    assert await qa.close_due(DURING) == []
    closed = await qa.close_due(datetime.fromisoformat("2027-05-10T13:01:00+02:00"))
    assert closed == [event_id]
    async with store.database.engine.connect() as conn:
        assert (await conn.execute(select(t.qa_vote))).all() == []
        row = (await conn.execute(select(t.qa_question))).one()
        assert (row.asker, row.asked_at, row.upvotes, row.text) == (None, None, 1, "Vad gör kommunen mot rasism?")
        assert (await conn.execute(select(t.qa_session.c.salt))).scalar() is None
        states = [r.state for r in await conn.execute(select(t.dialogue))]
    assert not any(STATE_KEY in state for state in states), "who was about to ask is forgotten too"
    await voter.say("/ask too late?")
    assert "Inget evenemang tar emot frågor" in voter.text
