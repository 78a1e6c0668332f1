"""Citizen surveys through the engine and the scheduler: the once-asked opt-in with the age-13
rule, the invitation, every kind of question with its skip, changed answers, and results."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot import buttons
from bot.engine import Engine
from bot.messages import Incoming, Outgoing
from bot.store import Store
from bot.store import schema as t
from bot.store.surveys import Kind, Question, SurveyStore
from bot.surveys import poll_id_of
from scheduler.config import PlatformLimits, SchedulerConfig
from scheduler.service import Scheduler
from scheduler.surveys import ask_opt_in, send_survey
from tests.conftest import FESTIVAL_MORNING, Chat
from tests.scheduler.conftest import FakeClock, FakeConnector

QUESTIONS = [
    Question(
        Kind.SINGLE,
        {"sv": "Hur tog du dig hit?", "en": "How did you get here?"},
        [{"sv": "Cykel", "en": "Bike"}, {"sv": "Buss", "en": "Bus"}, {"sv": "Till fots", "en": "On foot"}],
    ),
    Question(
        Kind.MULTIPLE,
        {"sv": "Vad vill du ha mer av?", "en": "What do you want more of?"},
        [{"en": "Music"}, {"en": "Debates"}, {"en": "Workshops"}],
    ),
    Question(Kind.SCALE, {"en": "How safe do you feel in Malmö?"}),
    Question(Kind.TEXT, {"en": "What should the city do first?"}),
]


async def make_survey(store: Store, closes_in: timedelta = timedelta(days=3)) -> int:
    return await SurveyStore(store.database).create(
        {"sv": "Ungas röst", "en": "Young voices"},
        {"en": "Four questions from the city."},
        QUESTIONS,
        FESTIVAL_MORNING + closes_in,
        FESTIVAL_MORNING,
    )


def payload(messages: list[Outgoing], name: str, *args: str) -> str:
    for message in messages:
        for button in message.numbered_choices():
            decoded = buttons.decode(button.payload or "")
            if decoded is not None and decoded.name == name and decoded.args[: len(args)] == args:
                return button.payload or ""
    raise AssertionError(f"no {name} {args} button in {[b.label for m in messages for b in m.numbered_choices()]}")


async def vote(engine: Engine, user: str, poll_id: str, *options: int) -> list[Outgoing]:
    incoming = Incoming(channel="console", user_id=user, poll_id=poll_id, poll_options=options)
    return await engine.handle(incoming, FESTIVAL_MORNING)


async def test_opt_in_asked_once_and_under_13_not_enrolled(engine: Engine, store: Store) -> None:
    clock = FakeClock(FESTIVAL_MORNING)
    connector = FakeConnector(clock, channel="console")
    fast = PlatformLimits(per_second=1000.0, per_recipient_seconds=0.0)
    scheduler = Scheduler(
        store,
        {"console": connector},
        SchedulerConfig(limits={"console": fast}),
        clock=clock.now,
        monotonic=clock.monotonic,
        sleep=clock.sleep,
    )
    adult, child, declines = (Chat(engine, who, "en") for who in ("adult", "child", "declines"))
    for chat in (adult, child, declines):
        await chat.say("/start")

    assert await ask_opt_in(store, clock.now()) == 3
    await scheduler.tick()
    for who in ("adult", "child", "declines"):
        [asked] = connector.to(who)
        assert "13 and over" in asked.text and len(asked.numbered_choices()) == 3
    assert await ask_opt_in(store, clock.now()) == 0, "asked once, never again"

    await adult.press_payload(buttons.encode("so", "yes"))
    await child.press_payload(buttons.encode("so", "u13"))
    assert "13 and over" in child.text and "not get" in child.text
    await declines.press_payload(buttons.encode("so", "no"))
    surveys = SurveyStore(store.database)
    person = {who: (await store.people.find("console", who)) for who in ("adult", "child", "declines")}
    assert [await surveys.consent(p.id) for p in person.values() if p] == [True, False, False]

    survey_id = await make_survey(store)
    assert await send_survey(store, survey_id, clock.now()) == 1, "only the one who opted in"
    await scheduler.tick()
    [invitation] = connector.to("adult")[1:]
    assert "Young voices" in invitation.text and "4 questions" in invitation.text
    assert connector.to("child")[1:] == []

    await adult.say("/mydata")
    assert "Surveys: you agreed" in adult.text
    await adult.say("/surveys")
    assert "Question 1 of 4" in adult.text, "the command begins the survey where buttons are missing"
    await adult.press_payload(buttons.encode("so", "stop"))
    assert await surveys.consent(person["adult"].id) is False  # type: ignore[union-attr]


async def test_answering_every_kind_of_question(engine: Engine, store: Store) -> None:
    survey_id = await make_survey(store)
    await send_survey(store, survey_id, FESTIVAL_MORNING)
    chat = Chat(engine, "respondent", "sv")
    await chat.say("/start")
    await chat.press_payload(buttons.encode("sb", survey_id))
    [first] = chat.last
    assert first.poll is not None and first.poll.poll_id == poll_id_of(survey_id, 0)
    assert first.poll.question == "Hur tog du dig hit?"
    assert len(first.poll.options) == 4, "three choices and a way to skip"

    replies = await vote(engine, "respondent", poll_id_of(survey_id, 0), 1)
    assert "Vad vill du ha mer av?" in replies[-1].text
    changed = await vote(engine, "respondent", poll_id_of(survey_id, 0), 2)
    assert len(changed) == 1 and changed[0].poll is None, "a changed answer does not ask again"

    chat.last = replies
    await chat.press_payload(payload(replies, "sm", str(survey_id), "1", "0"))
    await chat.press_payload(payload(chat.last, "sm", str(survey_id), "1", "2"))
    assert chat.last[-1].replace_previous
    assert "☑" in chat.last[-1].numbered_choices()[0].label
    await chat.press_payload(payload(chat.last, "sd", str(survey_id), "1"))
    [scale] = chat.last
    assert scale.poll is not None and len(scale.poll.options) == 6

    replies = await vote(engine, "respondent", poll_id_of(survey_id, 2), 5)  # the skip option
    assert "What should the city do first?" in replies[-1].text
    chat.last = replies
    await chat.say("More youth centres open late, please")
    assert "sista frågan" in chat.text or "last question" in chat.text

    second = Chat(engine, "second", "en")
    await second.say("/start")
    await second.press_payload(buttons.encode("sb", survey_id))
    await vote(engine, "second", poll_id_of(survey_id, 0), 2)
    await second.press_payload(buttons.encode("sd", survey_id, 1))
    replies = await vote(engine, "second", poll_id_of(survey_id, 2), 3)
    second.last = replies
    await second.say("1")  # the numbered "1. Skip this question"
    assert "last question" in second.text

    results = await SurveyStore(store.database).results(survey_id)
    assert results is not None
    assert results.counts[0] == {2: 2}
    assert results.counts[1] == {0: 1, 2: 1, -1: 1}
    assert results.counts[2] == {3: 1}
    assert results.texts == {3: ["More youth centres open late, please"]}
    assert results.survey.respondents == 2


async def test_a_closed_survey_takes_no_answers(engine: Engine, store: Store) -> None:
    survey_id = await make_survey(store, closes_in=timedelta(hours=1))
    await send_survey(store, survey_id, FESTIVAL_MORNING)
    chat = Chat(engine, "late", "en")
    await chat.press_payload(buttons.encode("sb", survey_id))
    await chat.say("/start")
    assert await SurveyStore(store.database).close_due(FESTIVAL_MORNING + timedelta(hours=2)) == [survey_id]
    replies = await vote(engine, "late", poll_id_of(survey_id, 0), 0)
    assert "closed" in replies[0].text
    async with store.database.engine.connect() as conn:
        assert (await conn.execute(select(t.survey_ballot))).all() == []
