"""Helpers shared by the Telegram tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from tg_fake_api import FakeBotApi, Sent

from adapters.base import Hub
from adapters.telegram.connector import TelegramConnector
from bot.messages import Incoming, Outgoing

NOW = datetime(2027, 5, 11, 10, 0, tzinfo=UTC)

Handler = Callable[[Incoming, datetime], Awaitable[list[Outgoing]]]


class FakeTime:
    """A monotonic clock that moves only when someone sleeps: waits cost no real time, and
    every wait is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


class Bot:
    """A started connector and what it was given."""

    def __init__(self, connector: TelegramConnector, hub: Hub, received: list[Incoming]) -> None:
        self.connector = connector
        self.hub = hub
        self.received = received


BotFactory = Callable[..., Awaitable[Bot]]


def text(value: str, **kwargs: object) -> Outgoing:
    return Outgoing.model_validate({"spans": [{"text": value}], **kwargs})


async def echo(incoming: Incoming, now: datetime) -> list[Outgoing]:
    """Answers every message with "reply to <its text>"."""
    return [text(f"reply to {incoming.text}")]


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
