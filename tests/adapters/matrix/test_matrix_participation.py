"""Ask the panel and a citizen survey through a real Synapse, answered the way a Matrix client
without buttons does: numbered choices typed as numbers, the survey's poll as MSC3381 (answered
by number too), free text as the next message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from matrix_support import Bot, Resident, number_of, wait_until

from bot.engine import Engine
from bot.i18n import Translator
from bot.messages import Incoming, Outgoing
from bot.store import Store
from bot.store.qa import QaStore, QuestionStatus
from bot.store.surveys import Kind, Question, SurveyStore
from bot.surveys import invitation
from scheduler.surveys import send_survey

DURING = datetime.fromisoformat("2027-05-10T11:15:00+02:00")
"""MM002, a panel discussion, runs 11:00–12:30."""


class Conversation:
    """Counts the events each engine reply set becomes, so a resident knows what to wait for."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.expected: dict[str, int] = {}

    async def handle(self, incoming: Incoming, now: datetime) -> list[Outgoing]:
        out = await self.engine.handle(incoming, now)
        for message in out:
            if message.recipient is None:
                count = bool(message.spans or message.buttons) + bool(message.poll)
                self.expected[incoming.user_id] = self.expected.get(incoming.user_id, 0) + count
        return out


class Talk:
    def __init__(self, bot: Bot, conversation: Conversation, resident: Resident, room: str) -> None:
        self.bot, self.conversation, self.resident, self.room = bot, conversation, resident, room

    async def say(self, text: str) -> list[str]:
        seen = len(self.resident.texts_from(self.bot.user_id, self.room))
        before = self.conversation.expected.get(self.resident.user_id, 0)
        await self.resident.say(self.room, text)
        await self.resident.wait_texts(self.bot.user_id, self.room, seen + 1)
        expected = self.conversation.expected.get(self.resident.user_id, 0)
        assert expected > before
        texts = await self.resident.wait_texts(self.bot.user_id, self.room, seen + expected - before)
        return texts[seen:]


async def test_ask_upvote_and_answer_a_survey_by_number(
    bot: Bot, residents: Callable[[], Awaitable[Resident]], engine: Engine, store: Store
) -> None:
    conversation = Conversation(engine)
    now = [DURING]
    connector = await bot.start(conversation.handle, clock=lambda: now[0])
    qa = QaStore(store.database)
    event_id = await store.programme.event_id("MM002")
    assert event_id is not None
    await qa.switch(event_id, True)

    alice, bob = await residents(), await residents()
    alice_room = await alice.open_dm(bot.user_id, encrypted=False)
    bob_room = await bob.open_dm(bot.user_id, encrypted=False)
    await alice.wait_texts(bot.user_id, alice_room, 1)  # the greeting on joining
    await bob.wait_texts(bot.user_id, bob_room, 1)
    conversation.expected.clear()
    a, b = Talk(bot, conversation, alice, alice_room), Talk(bot, conversation, bob, bob_room)

    asked = await a.say("/ask Hur når unga politikerna mellan valen?")
    assert any("moderatorn" in text for text in asked), asked
    [question] = await qa.questions(event_id)
    await qa.moderate(question.id, QuestionStatus.APPROVED)

    listing = await b.say("/questions")
    assert any("Hur når unga politikerna" in text for text in listing), listing
    upvoted = await b.say(number_of(listing, "▲ Hur når"))
    assert any("räknad" in text for text in upvoted), upvoted
    again = await b.say(number_of(upvoted, "▲ Hur når"))
    assert any("redan röstat" in text for text in again), again
    assert (await qa.question(question.id)).upvotes == 1  # type: ignore[union-attr]

    # Surveys: the opt-in by number, then one survey's poll and free-text question.
    optin = await a.say("/surveys")
    enrolled = await a.say(number_of(optin, "13 eller äldre"))
    assert any("korta enkäter" in text for text in enrolled), enrolled
    surveys = SurveyStore(store.database)
    survey_id = await surveys.create(
        {"sv": "Ungas röst"},
        {"sv": "Två frågor."},
        [
            Question(Kind.SINGLE, {"sv": "Hur kom du hit?"}, [{"sv": "Cykel"}, {"sv": "Buss"}]),
            Question(Kind.TEXT, {"sv": "Vad ska staden göra först?"}),
        ],
        DURING + timedelta(days=2),
        DURING,
    )
    assert await send_survey(store, survey_id, DURING) == 1
    survey = await surveys.get(survey_id)
    assert survey is not None
    # What the scheduler delivers (its own tests cover the outbox): the invitation.
    seen = len(alice.texts_from(bot.user_id, alice_room))
    await connector.send(alice.user_id, invitation(Translator("sv"), survey), key=f"survey:{survey_id}:test")
    [invite] = (await alice.wait_texts(bot.user_id, alice_room, seen + 1))[seen:]
    assert "Svara på enkäten" in invite
    poll = await a.say("/surveys")  # the scheduler's numbers are not the engine's: the command begins
    polls = await wait_until(
        lambda: [e for e in alice.from_user(bot.user_id, alice_room) if "poll.start" in e.source["type"]],
        what="the survey's poll",
    )
    start = polls[-1]
    assert "Hur kom du hit?" in str(start.source["content"])
    text_question = await a.say("2")  # Buss, answered by number as some clients must
    assert any("Vad ska staden göra först?" in text for text in text_question), (poll, text_question)
    done = await a.say("Fler mötesplatser för unga")
    assert any("sista frågan" in text for text in done), done

    results = await surveys.results(survey_id)
    assert results is not None and results.counts[0] == {1: 1}
    assert results.texts == {1: ["Fler mötesplatser för unga"]}
