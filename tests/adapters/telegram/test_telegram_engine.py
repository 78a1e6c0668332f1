"""Conversations through the real engine, real PTB and the Bot API fake: what a person sees."""

from __future__ import annotations

import pytest
from tg_fake_api import FakeBotApi
from tg_support import Person, texts, with_button

from adapters.telegram.connector import TelegramConnector
from bot.store import Store

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
