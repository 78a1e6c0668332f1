"""No silent seat, no personal note in a group, no "yes" without its question: through the real
engine, real PTB and the Bot API fake."""

from __future__ import annotations

from tg_fake_api import BOT_USERNAME, FakeBotApi
from tg_support import Person, texts

from adapters.telegram.connector import TelegramConnector
from bot.model import SignupStatus
from bot.store import Store

GROUP = -100777


async def test_sign_up_in_a_group_without_a_private_chat_takes_no_seat_and_links_there(
    fake: FakeBotApi, engine_bot: TelegramConnector, store: Store
) -> None:
    user = 950
    fake.never_started.add(user)
    person = Person(fake, engine_bot, user, "sv")
    before = len(fake.chat(GROUP))
    fake.say(user, "/today", chat_id=GROUP)
    await fake.wait_for(lambda: engine_bot.handled >= 1)
    in_group = fake.chat(GROUP)[before:]
    # The first contact in a group: the answer and a one-line hint; no welcome or privacy note.
    assert "Integritet" not in texts(in_group) and "/mydata" not in texts(in_group)
    hint = in_group[-1]
    assert "privat chatt" in hint.shown
    assert hint.buttons == [{"text": "Öppna en privat chatt", "url": f"https://t.me/{BOT_USERNAME}"}]
    listing = next(m for m in in_group if any(b.get("callback_data") == "1:ev:MM004" for b in m.buttons))

    fake.press(user, listing, "1:su:MM004")
    await fake.wait_for(lambda: engine_bot.handled >= 2)
    answer = fake.last(GROUP)
    assert "privat chatt" in answer.shown
    assert answer.buttons == [
        {"text": "Anmäl dig i en privat chatt", "url": f"https://t.me/{BOT_USERNAME}?start=su_MM004"}
    ]
    found = await store.people.find("telegram", str(user))
    assert found is not None and not found.reachable
    assert await store.signups.of_person(found.id) == [], "no seat taken without the person knowing"
    assert fake.chat(user) == [] and not [c for c in fake.rejected if c.params.get("chat_id") == user]

    # One tap on the link: Telegram opens the private chat and sends "/start su_MM004".
    private = await person.say("/start su_MM004")
    assert len(private) == 1, "the confirmation and the welcome in one message"
    assert "anmäld" in private[0].shown.lower() and "Integritet" in private[0].shown
    [signup] = await store.signups.of_person(found.id)
    assert signup.event_code == "MM004" and signup.status is SignupStatus.CONFIRMED
    again = await store.people.find("telegram", str(user))
    assert again is not None and again.reachable


async def test_a_new_persons_first_answer_is_one_message(fake: FakeBotApi, engine_bot: TelegramConnector) -> None:
    person = Person(fake, engine_bot, 951, "sv")
    first = await person.say("vad händer idag?")
    assert len(first) == 1
    assert "Integritet" in first[0].shown and "MM00" in str(first[0].buttons)


async def test_a_crafted_forget_payload_deletes_nothing(
    fake: FakeBotApi, engine_bot: TelegramConnector, store: Store
) -> None:
    person = Person(fake, engine_bot, 952, "sv")
    start = await person.say("/start")
    # A client sends the confirmation's payload without the question ever shown.
    crafted = await person.press(start[0], "1:forget:yes:…")
    assert await store.people.find("telegram", "952") is not None
    question = crafted[-1]
    assert [b["text"] for b in question.buttons] == ["Ja, radera mina uppgifter", "Nej, behåll dem"]
    done = await person.press(question, "Ja, radera")
    assert "raderat" in texts(done).lower()
    assert await store.people.find("telegram", "952") is None
