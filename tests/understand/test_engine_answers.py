"""What the engine makes of the new kinds of understanding: venue directions, "can you speak …",
an FAQ answer together with events, the offer to switch language, the unanswered-questions log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot import buttons
from bot.engine import Engine
from bot.messages import Incoming
from bot.store import Store
from bot.store import schema as t
from bot.store.unanswered import mask_contacts, question_key
from bot.understand.language import detect_language
from tests.conftest import Chat

TUESDAY = datetime.fromisoformat("2027-05-11T09:00:00+02:00")


async def test_where_is_a_venue_gives_its_address_and_access(engine: Engine) -> None:
    chat = Chat(engine, "venue-sv", "sv")
    await chat.say("var ligger stadshuset")
    assert "August Palms plats 1" in chat.text and "hiss" in chat.text
    assert chat.events == []
    chat = Chat(engine, "venue-ar", "ar")
    await chat.say("كيف أصل إلى المكتبة؟")
    assert "Kung Oscars väg 11" in chat.text
    assert chat.last[0].rtl and "\u2068" in chat.text


async def test_the_faq_for_that_very_venue_still_wins(engine: Engine) -> None:
    chat = Chat(engine, "nobel", "en")
    await chat.say("how do I get to Nobel 21?")
    assert [f for m in chat.last for f in m.faq] == ["getting-there"]


async def test_can_you_speak_offers_the_language(engine: Engine, store: Store) -> None:
    chat = Chat(engine, "speak", "en")
    await chat.say("Can you speak Arabic?")
    assert chat.events == []
    await chat.press("العربية")
    assert chat.last[0].lang == "ar"
    await chat.say("هل تتكلم العربية")
    assert chat.events == [] and chat.last[0].lang == "ar"


async def test_a_practical_question_about_events_gets_both(engine: Engine) -> None:
    chat = Chat(engine, "both", "sv", now=TUESDAY)
    await chat.say("är workshopen ikväll gratis?")
    assert [f for m in chat.last for f in m.faq] == ["cost"]
    assert chat.events == ["MM009"]


async def test_writing_in_another_language_answers_in_the_chosen_one_and_offers_a_switch(engine: Engine) -> None:
    chat = Chat(engine, "offer", "sv")
    await chat.say("what is happening tomorrow evening?")
    assert chat.events == ["MM009"]
    assert chat.last[0].lang == "sv"
    offer = chat.last[-2] if chat.last[-1].lang == "sv" else chat.last[-1]
    assert offer.lang == "en" and "English" in offer.text
    await chat.press("English")
    assert chat.last[0].lang == "en"


async def test_the_switch_is_offered_once(engine: Engine) -> None:
    chat = Chat(engine, "once", "sv")
    await chat.say("what is happening tomorrow evening?")
    await chat.say("any concerts during the weekend?")
    assert all(m.lang == "sv" for m in chat.last)


async def test_a_first_message_without_a_language_hint_sets_the_language(engine: Engine, store: Store) -> None:
    chat = Chat(engine, "@new:matrix.example", None)
    await chat.say("ماذا يحدث غدا في المدينة؟")
    assert chat.last[0].lang == "ar"
    assert not any(b.payload == "lang:ar" for m in chat.last for row in m.buttons for b in row)


def test_language_detection_is_sure_or_silent() -> None:
    assert detect_language("Mitä tapahtuu huomenna?") == "fi"
    assert detect_language("maxaa dhacaya berri") == "so"
    assert detect_language("فردا چه خبره") == "fa"
    assert detect_language("ماذا يحدث غدا؟") == "ar"
    assert detect_language("ok") is None
    assert detect_language("is it free") is None
    # Names of places are not the writer's language.
    assert detect_language("How do I get to Stadshuset and Möllevångstorget?") in (None, "en")


async def test_unanswered_questions_are_counted_without_anyone_s_id(engine: Engine, store: Store) -> None:
    for user in ("a", "b"):
        await engine.handle(
            Incoming(channel="console", user_id=f"asker-{user}", text="Vem vann Melodifestivalen?", lang_hint="sv"),
            datetime.fromisoformat("2027-05-10T08:17:00+02:00"),
        )
    await engine.handle(
        Incoming(channel="console", user_id="c", text="vem vann melodifestivalen", lang_hint="en"),
        datetime.fromisoformat("2027-05-10T09:05:00+02:00"),
    )
    await engine.handle(
        Incoming(channel="console", user_id="d", text="what's on today?", lang_hint="en"),
        datetime.fromisoformat("2027-05-10T09:05:00+02:00"),
    )
    listed = await store.unanswered.list_unanswered()
    assert [(q.text, q.language, q.count) for q in listed] == [("Vem vann Melodifestivalen?", "sv", 3)]
    assert listed[0].first_asked.minute == 0 and listed[0].last_asked.hour == 7  # UTC, to the hour
    async with store.database.engine.connect() as conn:
        row = (await conn.execute(select(t.unanswered_question))).one()
    assert "asker" not in repr(tuple(row)) and "user" not in t.unanswered_question.c
    assert await store.unanswered.dismiss(listed[0].id)
    assert await store.unanswered.list_unanswered() == []


def test_contacts_are_masked_and_wordings_compared_loosely() -> None:
    assert mask_contacts("ring mig 070-123 45 67 eller a.b@example.org") == "ring mig … eller …"
    assert question_key("Vem VANN, melodifestivalen?!") == question_key("vem vann melodifestivalen")


async def test_the_heading_says_the_clock_time(engine: Engine) -> None:
    chat = Chat(engine, "clock", "sv")
    await chat.say("vad händer efter kl 18 idag")
    assert chat.events == ["MM005"]
    assert "18:00" in chat.text


async def test_another_kind_of_event_when_the_kind_asked_for_has_none(engine: Engine) -> None:
    chat = Chat(engine, "kinds", "en")
    await chat.say("online workshop")
    assert chat.events == ["MM013"]
    assert "Nothing of that kind" in chat.text


async def test_nothing_found_for_unknown_words_is_an_honest_fallback(engine: Engine, store: Store) -> None:
    chat = Chat(engine, "football", "sv")
    await chat.say("finns det evenemang om fotboll?")
    assert chat.events == []
    assert any(m.fallback for m in chat.last)
    assert [q.text for q in await store.unanswered.list_unanswered()] == ["finns det evenemang om fotboll?"]
    await chat.say("konserter på måndag förmiddag")
    assert chat.events == [] and not any(m.fallback for m in chat.last)


async def test_small_talk_gets_a_real_answer_in_one_message(engine: Engine) -> None:
    for user, lang, text, says in (
        ("hi-sv", "sv", "tjena", "Fråga mig vad som händer"),
        ("thanks-ar", "ar", "شكرا كتير حبيبي", "العفو"),
        ("bot-so", "so", "ma bot baad tahay mise qof?", "qof ma ihi"),
        ("ok-fi", "fi", "okei", "Kysy minulta"),
    ):
        chat = Chat(engine, user, lang)
        await chat.say(text)
        await chat.say(text)  # the second time, without a first-contact welcome
        assert len(chat.last) == 1 and not chat.last[0].fallback, text
        assert says in chat.text, (text, chat.text)


async def test_asking_for_a_person_puts_the_next_message_in_the_organisers_inbox(engine: Engine, store: Store) -> None:
    chat = Chat(engine, "person", "en")
    await chat.say("can i talk to a real person pls")
    assert "organisers" in chat.text and not any(m.fallback for m in chat.last)
    await chat.say("my friend needs an interpreter, mail me at a.b@example.org")
    assert "Your question is with the organisers" in chat.text
    [question] = await store.handover.waiting()
    assert question.text == "my friend needs an interpreter, mail me at …" and question.language == "en"
    # The next message is a question for the bot again.
    await chat.say("is it free?")
    assert [f for m in chat.last for f in m.faq] == ["cost"]


async def test_an_faq_answer_and_events_come_in_one_message(engine: Engine) -> None:
    chat = Chat(engine, "one", "en", now=TUESDAY)
    await chat.say("is the workshop tonight free?")
    await chat.say("is the workshop tonight free?")
    assert len(chat.last) == 1
    assert chat.last[0].faq == ["cost"] and chat.last[0].events == ["MM009"]


async def test_an_answer_not_written_in_the_askers_language_says_so(engine: Engine, store: Store) -> None:
    from bot.model import FaqEntry
    from bot.store.programme import Programme

    entry = FaqEntry(key="lockers", questions={"sv": ["finns det förvaring?"]}, answer={"sv": "Ja, i entrén."})
    await store.programme.apply(Programme(faq=[entry], complete=False), TUESDAY)
    chat = Chat(engine, "lockers", "fa")
    await chat.press_payload(buttons.encode("faq", "lockers"))
    assert "برگزارکنندگان هنوز این جواب را به فارسی ننوشته‌اند" in chat.text and "Ja, i entrén." in chat.text
    chat = Chat(engine, "lockers-fi", "fi")
    await chat.say("moi")
    await chat.say("maksaako se?")
    assert "maksuttomia" in chat.text and "ei ole vielä" not in chat.text


async def test_relative_times_and_languages_not_wanted(engine: Engine) -> None:
    thursday_afternoon = datetime.fromisoformat("2027-05-13T14:05:00+02:00")
    chat = Chat(engine, "in-an-hour", "sv", now=thursday_afternoon)
    await chat.say("börjar nåt om typ en timme?")
    assert chat.events == ["MM017"]
    chat = Chat(engine, "in-two-hours", "fa", now=datetime.fromisoformat("2027-05-16T12:00:00+02:00"))
    await chat.say("۲ ساعت دیگه چی هست؟")
    assert chat.events == ["MM027"]
    chat = Chat(engine, "no-swedish", "fi", now=datetime.fromisoformat("2027-05-13T08:00:00+02:00"))
    await chat.say("en puhu ruotsii, mitä on huomenna?")
    assert chat.events == ["MM019"]
    assert "ruotsi" in chat.text.casefold()
