"""Ask the panel and a citizen survey through real PTB and the Bot API fake: the card's button
while the panel runs, upvotes from the inline keyboard, moderation, the opt-in, a native poll
for a single-choice question and ticks for a multiple-choice one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from tg_fake_api import TOKEN, FakeBotApi, Sent
from tg_support import FakeTime

from adapters.base import Hub
from adapters.telegram.connector import TelegramConnector
from adapters.telegram.limiter import ChatLimiter
from bot.engine import Engine
from bot.i18n import Translator
from bot.store import Store
from bot.store.qa import QaStore, QuestionStatus
from bot.store.surveys import Kind, Question, SurveyStore
from bot.surveys import invitation, poll_id_of
from scheduler import Scheduler
from scheduler.surveys import send_survey
from tests.conftest import import_demo

DURING = datetime.fromisoformat("2027-05-10T11:15:00+02:00")
"""MM002, a panel discussion, runs 11:00–12:30."""


@pytest.fixture
async def engine_bot(fake: FakeBotApi, store: Store, fake_time: FakeTime) -> AsyncIterator[TelegramConnector]:
    await import_demo(store)
    connector = TelegramConnector(
        TOKEN,
        store,
        base_url=fake.base_url,
        limiter=ChatLimiter(clock=fake_time.clock, sleep=fake_time.sleep),
        poll_timeout=1,
    )
    hub = Hub(Engine(store).handle, lambda: DURING)
    hub.add(connector)
    await connector.start(hub)
    yield connector
    await connector.stop()


class Person:
    def __init__(self, fake: FakeBotApi, connector: TelegramConnector, user_id: int) -> None:
        self.fake, self.connector, self.user_id = fake, connector, user_id

    async def _settle(self, before: int) -> list[Sent]:
        target = self.connector.handled + 1
        await self.fake.wait_for(lambda: self.connector.handled >= target)
        return self.fake.chat(self.user_id)[before:]

    async def say(self, text: str) -> list[Sent]:
        before = len(self.fake.chat(self.user_id))
        self.fake.say(self.user_id, text)
        return await self._settle(before)

    async def press(self, messages: list[Sent], data_prefix: str) -> list[Sent]:
        for message in reversed(messages):
            for button in message.buttons:
                if button["callback_data"].startswith(data_prefix):
                    before = len(self.fake.chat(self.user_id))
                    self.fake.press(self.user_id, message, button["callback_data"])
                    return await self._settle(before)
        raise AssertionError(f"no button {data_prefix!r} in {[b for m in messages for b in m.buttons]}")

    async def vote(self, poll: Sent, options: list[int]) -> list[Sent]:
        assert poll.poll is not None
        before = len(self.fake.chat(self.user_id))
        self.fake.vote(self.user_id, poll.poll["id"], options)
        return await self._settle(before)


def texts(messages: list[Sent]) -> str:
    return "\n".join(m.shown for m in messages)


async def test_ask_from_the_card_upvote_and_moderation(
    fake: FakeBotApi, engine_bot: TelegramConnector, store: Store
) -> None:
    qa = QaStore(store.database)
    event_id = await store.programme.event_id("MM002")
    assert event_id is not None
    await qa.switch(event_id, True)
    asker, voter = Person(fake, engine_bot, 801), Person(fake, engine_bot, 802)

    card = await asker.say("/start ev_MM002")
    prompt = await asker.press(card, "1:qa:ask:MM002")
    assert "nästa meddelande" in texts(prompt)
    thanks = await asker.say("Vad gör staden mot diskriminering på bostadsmarknaden?")
    assert "moderatorn" in texts(thanks)

    listing = await voter.say("/questions")
    assert "Inga frågor på listan än" in texts(listing), "not shown before a moderator approves"
    [question] = await qa.questions(event_id)
    await qa.moderate(question.id, QuestionStatus.APPROVED)
    listing = await voter.say("/questions")
    assert "diskriminering" in texts(listing)
    upvoted = await voter.press(listing, f"1:qa:up:{question.id}")
    assert "räknad" in texts(upvoted) and "▲ 1" in texts(upvoted)
    own = await asker.say("/questions")
    mine = await asker.press(own, f"1:qa:up:{question.id}")
    assert "din egen fråga" in texts(mine)
    await qa.moderate(question.id, QuestionStatus.HIDDEN)
    hidden = await voter.say("/questions")
    assert "diskriminering" not in texts(hidden)
    assert not fake.rejected


async def test_opt_in_and_a_survey_with_a_native_poll_and_ticks(
    fake: FakeBotApi, engine_bot: TelegramConnector, store: Store
) -> None:
    person = Person(fake, engine_bot, 803)
    child = Person(fake, engine_bot, 804)
    optin = await child.say("/surveys")
    refused = await child.press(optin, "1:so:u13")
    assert "13 år eller äldre" in texts(refused)
    optin = await person.say("/surveys")
    assert [b["callback_data"] for m in optin for b in m.buttons] == ["1:so:yes", "1:so:u13", "1:so:no"]
    await person.press(optin, "1:so:yes")

    surveys = SurveyStore(store.database)
    survey_id = await surveys.create(
        {"sv": "Ungas röst"},
        {},
        [
            Question(Kind.SINGLE, {"sv": "Hur kom du hit?"}, [{"sv": "Cykel"}, {"sv": "Buss"}]),
            Question(Kind.MULTIPLE, {"sv": "Vad vill du ha mer av?"}, [{"sv": "Musik"}, {"sv": "Debatt"}]),
        ],
        DURING + timedelta(days=2),
        DURING,
    )
    assert await send_survey(store, survey_id, DURING) == 1, "the child is not enrolled"
    survey = await surveys.get(survey_id)
    assert survey is not None
    await engine_bot.send("803", invitation(Translator("sv"), survey))
    [invite] = fake.chat(803)[-1:]
    first = await person.press([invite], f"1:sb:{survey_id}")
    [poll] = [m for m in first if m.kind == "poll"]
    [call] = fake.calls_to("sendPoll")
    assert [o["text"] for o in call.params["options"]] == ["Cykel", "Buss", "Hoppa över frågan"]
    ticks = await person.vote(poll, [0])
    assert "Vad vill du ha mer av?" in texts(ticks)
    ticked = await person.press(ticks, f"1:sm:{survey_id}:1:1")
    assert ticks[-1].edits == 1 and not ticked, "the tick edits the question in place"
    assert "☑ Debatt" in [b["text"] for b in ticks[-1].buttons]
    done = await person.press(ticks, f"1:sd:{survey_id}:1")
    assert "sista frågan" in texts(done)
    results = await surveys.results(survey_id)
    assert results is not None and results.counts == {0: {0: 1}, 1: {1: 1, -1: 1}}
    assert not fake.rejected


async def test_closing_a_survey_stops_its_native_poll_in_the_chat(
    fake: FakeBotApi, engine_bot: TelegramConnector, store: Store
) -> None:
    person = Person(fake, engine_bot, 805)
    await person.press(await person.say("/surveys"), "1:so:yes")
    surveys = SurveyStore(store.database)
    survey_id = await surveys.create(
        {"sv": "Ungas röst"},
        {},
        [Question(Kind.SINGLE, {"sv": "Hur kom du hit?"}, [{"sv": "Cykel"}, {"sv": "Buss"}])],
        DURING + timedelta(days=2),
        DURING,
    )
    await send_survey(store, survey_id, DURING)
    survey = await surveys.get(survey_id)
    assert survey is not None
    await engine_bot.send("805", invitation(Translator("sv"), survey))
    [poll] = [m for m in await person.press(fake.chat(805)[-1:], f"1:sb:{survey_id}") if m.kind == "poll"]
    assert poll.poll is not None and not poll.poll["is_closed"]

    # An admin's "close now", two days before the close_date Telegram was given.
    scheduler = Scheduler(store, {"telegram": engine_bot}, clock=lambda: DURING)
    assert await scheduler.close_survey(survey_id)
    [stop] = fake.calls_to("stopPoll")
    assert (stop.params["chat_id"], stop.params["message_id"]) == (805, poll.message_id)
    assert poll.poll["is_closed"]
    assert not fake.rejected
    # A poll Telegram closed already (its close_date came) is no error for whoever ends it late.
    await engine_bot.close_poll(poll_id_of(survey_id, 0))
    assert [call.status for call in fake.calls_to("stopPoll")] == [200, 400]
