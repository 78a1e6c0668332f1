"""Conversations through the real engine, real PTB and the Bot API fake: what a person sees."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tg_fake_api import TOKEN, FakeBotApi, Sent
from tg_support import FakeTime

from adapters.base import Hub
from adapters.telegram.connector import TelegramConnector
from adapters.telegram.limiter import ChatLimiter
from bot.engine import Engine
from bot.store import Store
from tests.conftest import FESTIVAL_MORNING, import_demo


@pytest.fixture
async def engine_bot(fake: FakeBotApi, store: Store, fake_time: FakeTime) -> AsyncIterator[TelegramConnector]:
    await import_demo(store)
    engine = Engine(store)
    connector = TelegramConnector(
        TOKEN,
        store,
        base_url=fake.base_url,
        limiter=ChatLimiter(clock=fake_time.clock, sleep=fake_time.sleep),
        poll_timeout=1,
    )
    hub = Hub(engine.handle, lambda: FESTIVAL_MORNING)
    hub.add(connector)
    await connector.start(hub)
    yield connector
    await connector.stop()


class Person:
    def __init__(self, fake: FakeBotApi, connector: TelegramConnector, user_id: int, lang: str) -> None:
        self.fake, self.connector, self.user_id, self.lang = fake, connector, user_id, lang
        self.pushed = 0

    async def _settle(self, before: int) -> list[Sent]:
        self.pushed += 1
        target = self.connector.handled + 1
        await self.fake.wait_for(lambda: self.connector.handled >= target)
        return self.fake.chat(self.user_id)[before:]

    async def say(self, text: str) -> list[Sent]:
        before = len(self.fake.chat(self.user_id))
        self.fake.say(self.user_id, text, lang=self.lang)
        return await self._settle(before)

    async def press(self, message: Sent, label: str) -> list[Sent]:
        before = len(self.fake.chat(self.user_id))
        self.fake.press(self.user_id, message, label, lang=self.lang)
        return await self._settle(before)


def texts(messages: list[Sent]) -> str:
    return "\n".join(m.shown for m in messages)


def with_button(messages: list[Sent], label: str) -> Sent:
    for message in reversed(messages):
        if any(label.lower() in b["text"].lower() for b in message.buttons):
            return message
    raise AssertionError(f"no button {label!r} in {[b['text'] for m in messages for b in m.buttons]}")


LANGS = {
    "sv": {
        "privacy": "Integritet",
        "today": "Idag",
        "signup": "Anmäl",
        "signed_up": "anmäld",
        "cancel": "Avboka",
        "cancelled": "avbokad",
        "stale": "Den knappen är från ett äldre meddelande",
        "places": "20 platser kvar av 20",
    },
    "ar": {
        "privacy": "الخصوصية",
        "today": "اليوم",
        "signup": None,
        "signed_up": None,
        "cancel": None,
        "cancelled": None,
        "stale": "هذا الزر من رسالة أقدم",
        "places": "بقي 20 مقعدًا من 20",
    },
}


@pytest.mark.parametrize("lang", ["sv", "ar"])
async def test_start_today_card_signup_my_events_cancel(
    fake: FakeBotApi, engine_bot: TelegramConnector, lang: str
) -> None:
    words = LANGS[lang]
    person = Person(fake, engine_bot, 600 + len(lang), lang)
    start = await person.say("/start")
    assert words["privacy"] in texts(start)
    assert all(m.parse_mode == "HTML" for m in start)
    today = await person.press(with_button(start, words["today"]), words["today"])
    listing = with_button(today, "Workshop") if lang == "sv" else today[-1]
    assert "MM004" in [b["callback_data"].split(":")[-1] for b in listing.buttons]
    card = await person.press(listing, "1:ev:MM004")
    card_text = texts(card)
    if words["places"]:
        assert words["places"] in card_text
    signup_button = next(b for m in card for b in m.buttons if b["callback_data"] == "1:su:MM004")
    signed = await person.press(with_button(card, signup_button["text"]), signup_button["text"])
    if words["signed_up"]:
        assert words["signed_up"] in texts(signed).lower()
    mine = await person.say("/my")
    assert any(b["callback_data"] == "1:ev:MM004" for m in mine for b in m.buttons)
    card = await person.press(with_button(mine, mine[-1].buttons[0]["text"]), "1:ev:MM004")
    cancel_button = next(b for m in card for b in m.buttons if b["callback_data"].startswith("1:cx:"))
    cancelled = await person.press(with_button(card, cancel_button["text"]), cancel_button["text"])
    if words["cancelled"]:
        assert words["cancelled"] in texts(cancelled).lower()
    mine = await person.say("/my")
    assert not any(b["callback_data"] == "1:ev:MM004" for m in mine for b in m.buttons)
    # Everything the engine said reached the person, and Telegram accepted all of it.
    assert not fake.rejected
    if lang == "ar":
        assert any("\u0600" <= ch <= "\u06ff" for ch in texts(fake.chat(person.user_id)))


async def test_deep_link_stale_button_and_paging(fake: FakeBotApi, engine_bot: TelegramConnector) -> None:
    person = Person(fake, engine_bot, 700, "sv")
    card = await person.say("/start ev_MM004")
    assert "Workshop: så påverkar du din stad" in texts(card)

    stale = await person.press(card[-1], "0:ev:MM001")
    assert LANGS["sv"]["stale"] in texts(stale)
    assert stale[-1].buttons, "a stale button is answered with the current menu"

    week = await person.say("Vad händer den här veckan?")
    listing = next((m for m in week if any("▶" in b["text"] for b in m.buttons)), None)
    if listing is None:
        listing = with_button(await person.say("/weekend"), "▶")
    first_page = listing.shown
    before = len(fake.chat(700))
    await person.press(listing, "▶")
    assert len(fake.chat(700)) == before, "the next page replaces the list"
    assert listing.edits == 1 and listing.shown != first_page
    await person.press(listing, "◀")
    assert listing.shown == first_page


async def test_writing_again_after_a_block_makes_a_person_reachable_again(
    fake: FakeBotApi, engine_bot: TelegramConnector, store: Store
) -> None:
    from adapters.base import DeliveryError
    from bot.messages import Outgoing, Span

    resident = Person(fake, engine_bot, 160, "sv")
    await resident.say("hej")
    fake.block(160, notify=False)
    with pytest.raises(DeliveryError):
        await engine_bot.send("160", Outgoing(spans=[Span(text="påminnelse")]))
    assert not await store.people.is_reachable("telegram", "160")

    fake.blocked.clear()
    answer = await resident.say("vad händer idag?")
    assert answer, "the person is answered"
    assert await store.people.is_reachable("telegram", "160")
    assert await engine_bot.send("160", Outgoing(spans=[Span(text="påminnelse")])) is not None
