"""The anonymity check after a survey and a panel's Q&A close: the whole database is dumped and
no resident's id, hash or answer set is left anywhere but the allowed per-person places."""

from __future__ import annotations

import json
from datetime import timedelta

from bot import buttons
from bot.engine import Engine
from bot.messages import Incoming
from bot.store import Store
from bot.store.qa import QaStore, QuestionStatus
from bot.store.surveys import TEXT_STATE_KEY, Kind, Question, SurveyStore
from bot.surveys import poll_id_of
from scheduler.surveys import send_survey
from tests.conftest import FESTIVAL_MORNING
from tests.privacy.support import dump
from tests.privacy.test_audit import WHERE_A_USER_ID_MAY_BE

DURING = FESTIVAL_MORNING.replace(hour=11, minute=15)
USERS = [f"7{n}0999{n}11" for n in range(6)]


async def test_nothing_links_anyone_to_answers_after_the_survey_and_qa_close(store: Store) -> None:
    engine = Engine(store)

    async def say(user: str, text: str | None = None, **fields: object) -> None:
        incoming = Incoming.model_validate({"channel": "telegram", "user_id": user, "text": text, **fields})
        await engine.handle(incoming, DURING)

    surveys = SurveyStore(store.database)
    survey_id = await surveys.create(
        {"en": "Voices"},
        {},
        [
            Question(Kind.SINGLE, {"en": "Bike or bus?"}, [{"en": "Bike"}, {"en": "Bus"}]),
            Question(Kind.TEXT, {"en": "Anything else?"}),
        ],
        DURING + timedelta(days=1),
        DURING,
    )
    qa = QaStore(store.database)
    event_id = await store.programme.event_id("MM002")
    assert event_id is not None
    await qa.switch(event_id, True)
    for user in USERS:
        await say(user, "/start")
        await say(user, payload=buttons.encode("so", "yes"))
    assert await send_survey(store, survey_id, DURING) == len(USERS)
    for n, user in enumerate(USERS):
        await say(user, payload=buttons.encode("sb", survey_id))
        await say(user, poll_id=poll_id_of(survey_id, 0), poll_options=(n % 2,))
        if n:
            await say(user, f"answer from respondent {n}, ring 070-123 45 6{n} or r{n}@example.org")
        await say(user, f"/ask Question number {n}? Mail me at q{n}@example.org")
    [first, *_rest] = await qa.questions(event_id)
    await qa.moderate(first.id, QuestionStatus.APPROVED)
    await say(USERS[3], payload=buttons.encode("qa", "up", first.id))
    await say(USERS[0], payload=buttons.encode("qa", "ask", "MM002"))  # about to ask, at close

    assert await surveys.close_due(DURING + timedelta(days=2)) == [survey_id]
    assert await qa.close_due(DURING + timedelta(days=2)) == [event_id]
    data = await dump(store)

    assert data["survey_ballot"] == [] and data["qa_vote"] == []
    assert [r["salt"] for r in data["survey"]] == [None]
    assert all(r["salt"] is None for r in data["qa_session"])
    assert all(r["asker"] is None and r["asked_at"] is None for r in data["qa_question"])
    # Phone numbers and e-mail addresses are masked before the answers are written.
    assert sorted(r["text"] for r in data["survey_text"]) == [
        f"answer from respondent {n}, ring … or …" for n in range(1, 6)
    ]
    assert sorted(r["text"] for r in data["qa_question"]) == [f"Question number {n}? Mail me at …" for n in range(6)]
    assert "@example.org" not in json.dumps(data, default=str) and "070-123" not in json.dumps(data, default=str)
    assert {(r["option"], r["votes"]) for r in data["survey_tally"] if r["question"] == 0} == {(0, 3), (1, 3)}
    for row in data["dialogue"]:
        assert TEXT_STATE_KEY not in row["state"] and "qa_ask" not in row["state"]
    hashes = {r.get("voter") for r in data["survey_ballot"]}
    for table, rows in data.items():
        for row in rows:
            for column, value in row.items():
                text = json.dumps(value, default=str, ensure_ascii=False)
                for user in USERS:
                    if user in text:
                        assert (table, column) in WHERE_A_USER_ID_MAY_BE, f"{user} in {table}.{column}"
                assert not any(h and h in text for h in hashes)
                if table != "survey_text":
                    assert "respondent" not in text, f"a free-text answer in {table}.{column}"
    # The only per-person survey row is the opt-in itself.
    assert sorted(r["enrolled"] for r in data["survey_consent"]) == [True] * len(USERS)
