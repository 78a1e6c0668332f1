"""The real engine behind the Matrix connector: a resident's whole conversation in a DM,
in an encrypted and in a plain room, answered by number and by words."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import datetime

import pytest
from matrix_support import Bot, Resident

from bot.engine import Engine
from bot.messages import Incoming, Outgoing
from tests.conftest import FESTIVAL_MORNING


class Conversation:
    """Counts the events each engine reply set becomes, so the resident knows what to wait for."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.expected = 0

    async def handle(self, incoming: Incoming, now: datetime) -> list[Outgoing]:
        out = await self.engine.handle(incoming, now)
        for message in out:
            if message.recipient is None:
                self.expected += bool(message.spans or message.buttons) + bool(message.attachment) + bool(message.poll)
        return out


def choice(texts: list[str], label_part: str) -> tuple[str, str]:
    """(number, label) of the numbered choice whose label contains `label_part`."""
    for text in reversed(texts):
        for line in text.splitlines():
            match = re.match(r"^(\d+)\. (.*)$", line)
            if match and label_part in match.group(2):
                return match.group(1), match.group(2)
    raise AssertionError(f"no numbered choice with {label_part!r} in {texts}")


def number_of(texts: list[str], label_part: str) -> str:
    return choice(texts, label_part)[0]


@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "plain"])
async def test_start_today_card_signup_my_events_cancel(
    bot: Bot, residents: Callable[[], Awaitable[Resident]], engine: Engine, encrypted: bool
) -> None:
    conversation = Conversation(engine)
    await bot.start(conversation.handle, clock=lambda: FESTIVAL_MORNING)
    alice = await residents()
    room = await alice.open_dm(bot.user_id, encrypted=encrypted)

    async def reply_to(text: str | None) -> list[str]:
        before = conversation.expected
        seen = len(alice.texts_from(bot.user_id, room))
        if text is not None:
            await alice.say(room, text)
        # The engine always answers; wait for its reply set, all of it.
        texts = await alice.wait_texts(bot.user_id, room, max(seen + 1, conversation.expected))
        assert conversation.expected > before or text is None
        texts = await alice.wait_texts(bot.user_id, room, conversation.expected)
        return texts[seen:]

    greeting = await reply_to(None)
    assert any("Integritet" in text for text in greeting), greeting
    assert any("/mydata" in text for text in greeting)

    today = await reply_to("/today")
    assert any("Workshop: så påverkar du din stad" in text for text in today), today

    card = await reply_to(number_of(today, "Workshop"))
    assert any("20 platser kvar av 20" in text for text in card), card

    signed = await reply_to(choice(card, "Anmäl")[1])  # the button's words, typed
    assert any("anmäld" in text.lower() for text in signed), signed

    mine = await reply_to("/my")
    assert any("Workshop" in text for text in mine), mine

    card_again = await reply_to(number_of(mine, "Workshop"))
    assert any("Du är anmäld" in text for text in card_again), card_again

    cancelled = await reply_to(number_of(card_again, "Avboka"))
    assert any("avbokad" in text.lower() for text in cancelled), cancelled

    empty = await reply_to("/my")
    assert all("Workshop" not in text for text in empty), empty
    events = alice.from_user(bot.user_id, room)
    assert all(getattr(event, "decrypted", False) is encrypted for event in events)
