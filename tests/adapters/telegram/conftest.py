"""Fixtures: a fresh store, the Bot API fake on loopback, and a running connector on it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tg_fake_api import TOKEN, FakeBotApi

from adapters.base import Hub
from adapters.telegram.connector import TelegramConnector, WebhookConfig
from adapters.telegram.limiter import ChatLimiter, Limits
from bot.messages import Incoming, Outgoing
from bot.store import Store

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


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(str(tmp_path / "db.sqlite3"))
    yield store
    await store.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


class Bot:
    """A started connector and what it was given."""

    def __init__(self, connector: TelegramConnector, hub: Hub, received: list[Incoming]) -> None:
        self.connector = connector
        self.hub = hub
        self.received = received


BotFactory = Callable[..., Awaitable[Bot]]


@pytest.fixture
async def make_bot(fake: FakeBotApi, store: Store, fake_time: FakeTime) -> AsyncIterator[BotFactory]:
    started: list[TelegramConnector] = []

    async def make(
        handler: Handler,
        *,
        webhook: WebhookConfig | None = None,
        limits: Limits | None = None,
        real_time: bool = False,
        **kwargs: Any,
    ) -> Bot:
        received: list[Incoming] = []

        async def recording(incoming: Incoming, now: datetime) -> list[Outgoing]:
            received.append(incoming)
            return await handler(incoming, now)

        limiter = (
            ChatLimiter(limits)
            if real_time
            else ChatLimiter(limits, clock=fake_time.clock, sleep=fake_time.sleep)
        )
        connector = TelegramConnector(
            TOKEN, store, base_url=fake.base_url, webhook=webhook, limiter=limiter, poll_timeout=1, **kwargs
        )
        hub = Hub(recording, lambda: NOW)
        hub.add(connector)
        await connector.start(hub)
        started.append(connector)
        return Bot(connector, hub, received)

    yield make
    for connector in started:
        await connector.stop()
