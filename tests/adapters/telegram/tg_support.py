"""Helpers shared by the Telegram tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

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
