"""The per-person limit on incoming messages (`bot/flood.py`) and how the engine applies it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

import bot.engine
from bot.engine import Engine
from bot.flood import MAX_MESSAGES, MAX_UNANSWERED, WINDOW_SECONDS, FloodLimit, Verdict
from bot.i18n import Translator
from bot.messages import Incoming, Outgoing
from bot.store import Store
from tests.conftest import FESTIVAL_MORNING
from tests.hostile.support import dump

TOO_FAST = "You are sending messages very fast — wait a minute and try again."


def typed(user: str, text: str, lang: str | None = "sv") -> Incoming:
    return Incoming(channel="telegram", user_id=user, text=text, lang_hint=lang)


def pressed(user: str, payload: str = "1:b:today") -> Incoming:
    return Incoming(channel="telegram", user_id=user, payload=payload, lang_hint="sv")


def at(seconds: float) -> datetime:
    return FESTIVAL_MORNING + timedelta(seconds=seconds)


async def fill_the_window(engine: Engine, user: str, start: float = 0.0) -> None:
    """The most messages one person may send in a window, a second apart: all answered."""
    for n in range(MAX_MESSAGES):
        incoming = pressed(user) if n % 2 else typed(user, "/today")
        assert await engine.handle(incoming, at(start + n)), f"message {n + 1} was not answered"


def text_of(replies: list[Outgoing]) -> str:
    return "\n".join(m.text for m in replies)


async def test_over_the_limit_one_translated_note_then_silence(engine: Engine) -> None:
    await fill_the_window(engine, "fast")
    note = await engine.handle(typed("fast", "/today"), at(MAX_MESSAGES))
    swedish = Translator("sv").gettext(TOO_FAST)
    assert swedish != TOO_FAST  # really translated, not the English fallback
    assert [(m.text, m.lang, m.buttons) for m in note] == [(swedish, "sv", [])]
    for n in range(5):
        assert await engine.handle(typed("fast", "/today"), at(MAX_MESSAGES + 1 + n)) == []
        assert await engine.handle(pressed("fast"), at(MAX_MESSAGES + 1 + n)) == []


async def test_button_presses_alone_reach_the_limit(engine: Engine) -> None:
    for n in range(MAX_MESSAGES):
        assert await engine.handle(pressed("presser"), at(n / 10))
    assert text_of(await engine.handle(pressed("presser"), at(3))) == Translator("sv").gettext(TOO_FAST)
    assert await engine.handle(pressed("presser"), at(4)) == []


async def test_the_note_is_in_the_language_the_person_chose(engine: Engine) -> None:
    # The client says Swedish, but the person switched to Arabic: the stored choice wins, as in every answer.
    assert await engine.handle(typed("switcher", "/language ar"), at(0))
    for n in range(1, MAX_MESSAGES):
        assert await engine.handle(typed("switcher", "/today"), at(n))
    note = await engine.handle(typed("switcher", "/today"), at(MAX_MESSAGES))
    arabic = Translator("ar").gettext(TOO_FAST)
    assert arabic != TOO_FAST
    assert [(m.text, m.lang, m.rtl) for m in note] == [(arabic, "ar", True)]


async def test_after_the_window_the_person_is_answered_again(engine: Engine) -> None:
    await fill_the_window(engine, "patient")
    assert await engine.handle(typed("patient", "/today"), at(MAX_MESSAGES))  # the note
    assert await engine.handle(typed("patient", "/today"), at(WINDOW_SECONDS - 1)) == []
    # A sliding window: a minute after the first message, its place is free again.
    again = await engine.handle(typed("patient", "/today"), at(WINDOW_SECONDS))
    assert again and Translator("sv").gettext(TOO_FAST) not in text_of(again)
    assert any(m.buttons for m in again)  # the real answer: the list of today's events
    # Over again right away: told once more, since a message got through in between.
    assert text_of(await engine.handle(typed("patient", "/today"), at(WINDOW_SECONDS))) == Translator("sv").gettext(
        TOO_FAST
    )


async def test_other_people_are_not_affected(engine: Engine) -> None:
    await fill_the_window(engine, "spammer")
    assert await engine.handle(typed("spammer", "/today"), at(MAX_MESSAGES))
    assert await engine.handle(typed("spammer", "/today"), at(MAX_MESSAGES)) == []
    for n in range(3):
        calm = await engine.handle(typed("calm", "vad händer idag?"), at(MAX_MESSAGES + n))
        assert calm and Translator("sv").gettext(TOO_FAST) not in text_of(calm)
    # The same user id on another channel is another person.
    other_channel = Incoming(channel="matrix", user_id="spammer", text="/today", lang_hint="sv")
    assert Translator("sv").gettext(TOO_FAST) not in text_of(await engine.handle(other_channel, at(MAX_MESSAGES)))


async def test_nothing_over_the_limit_is_understood_written_or_logged(
    engine: Engine, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    understood: list[str] = []
    real_understand = bot.engine.understand

    def counting_understand(text: str, *args: Any, **kwargs: Any) -> Any:
        understood.append(text)
        return real_understand(text, *args, **kwargs)

    monkeypatch.setattr(bot.engine, "understand", counting_understand)
    assert await engine.handle(typed("flooder", "vem vann melodifestivalen?"), at(0))
    assert understood == ["vem vann melodifestivalen?"]
    assert [q.text for q in await store.unanswered.list_unanswered()] == ["vem vann melodifestivalen?"]
    for n in range(1, MAX_MESSAGES):
        assert await engine.handle(typed("flooder", "/today"), at(n))
    before = await dump(store)
    replies = [
        await engine.handle(typed("flooder", text), at(MAX_MESSAGES))
        for text in ("vem vann melodifestivalen?", "blorf zyx", "finns det evenemang om fotboll?", "/language en")
    ]
    replies.append(await engine.handle(pressed("flooder", "1:su:MM001"), at(MAX_MESSAGES)))
    assert [len(r) for r in replies] == [1, 0, 0, 0, 0]
    assert understood == ["vem vann melodifestivalen?"]
    assert await dump(store) == before  # no person, dialogue, signup or unanswered question changed


async def test_one_person_adds_only_a_few_unanswered_questions_an_hour(engine: Engine, store: Store) -> None:
    questions = [f"vem vann melodifestivalen år {1990 + n}?" for n in range(MAX_UNANSWERED + 3)]
    for n, question in enumerate(questions):
        replies = await engine.handle(typed("curious", question), at(n * 60))
        assert any(m.fallback for m in replies), question  # answered honestly every time
    logged = {q.text for q in await store.unanswered.list_unanswered()}
    assert logged == set(questions[:MAX_UNANSWERED])
    # Someone else's question is still logged, and so is this person's an hour later.
    await engine.handle(typed("someone-else", questions[-1]), at(len(questions) * 60))
    await engine.handle(typed("curious", questions[-2]), at(3600 + 60))
    logged = {q.text for q in await store.unanswered.list_unanswered()}
    assert logged == set(questions[:MAX_UNANSWERED]) | set(questions[-2:])


async def test_a_harness_can_raise_the_limit(store: Store) -> None:
    engine = Engine(store, max_messages_per_minute=MAX_MESSAGES * 5)
    for n in range(MAX_MESSAGES * 5):
        assert await engine.handle(typed("harness", "/today"), at(0)), n
    assert text_of(await engine.handle(typed("harness", "/today"), at(0))) == Translator("sv").gettext(TOO_FAST)


def test_verdicts_of_the_limit() -> None:
    limit = FloodLimit(max_messages=2, window_seconds=10)
    verdicts = [limit.check("telegram", "u", at(s)) for s in (0, 1, 2, 3, 9.9, 10, 10.5, 11)]
    assert verdicts == [
        Verdict.HANDLE,
        Verdict.HANDLE,
        Verdict.NOTE,
        Verdict.DROP,
        Verdict.DROP,
        Verdict.HANDLE,  # the message at 0 is a whole window ago
        Verdict.NOTE,
        Verdict.HANDLE,  # and now the one at 1
    ]


def test_a_clock_that_went_back_starts_afresh_rather_than_silencing() -> None:
    limit = FloodLimit(max_messages=2, window_seconds=10)
    assert [limit.check("c", "u", at(100)) for _ in range(3)] == [Verdict.HANDLE, Verdict.HANDLE, Verdict.NOTE]
    assert limit.check("c", "u", at(50)) is Verdict.HANDLE


def test_memory_stays_bounded() -> None:
    limit = FloodLimit(max_messages=3, window_seconds=60, max_people=100)
    for n in range(10_000):
        limit.check("telegram", f"id-{n}", at(n / 1000))  # thousands of ids within one window
        assert len(limit) <= 100
    # Quiet people are forgotten once a window has passed since their last message.
    limit.check("telegram", "late", at(10 + 60))
    assert len(limit) == 1


def test_the_cap_forgets_the_quietest_first() -> None:
    limit = FloodLimit(max_messages=1, window_seconds=60, max_people=2)
    assert limit.check("c", "busy", at(0)) is Verdict.HANDLE
    assert limit.check("c", "quiet", at(1)) is Verdict.HANDLE
    assert limit.check("c", "busy", at(2)) is Verdict.NOTE  # seen again: now the most recent
    assert limit.check("c", "newcomer", at(3)) is Verdict.HANDLE  # pushes out "quiet"
    assert limit.check("c", "busy", at(4)) is Verdict.DROP  # "busy" is still remembered
    assert limit.check("c", "quiet", at(5)) is Verdict.HANDLE  # forgotten, so afresh


def test_a_limit_needs_sane_numbers() -> None:
    with pytest.raises(ValueError):
        FloodLimit(max_messages=0)
    with pytest.raises(ValueError):
        FloodLimit(window_seconds=0)
