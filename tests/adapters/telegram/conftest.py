"""Fixtures: a fresh store, the Bot API fake on loopback, and a running connector on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from tg_fake_api import TOKEN, FakeBotApi
from tg_support import NOW, Bot, BotFactory, FakeTime, Handler

from adapters.base import Hub
from adapters.telegram.connector import TelegramConnector, WebhookConfig
from adapters.telegram.limiter import ChatLimiter, Limits
from bot.engine import Engine
from bot.messages import Incoming, Outgoing
from bot.store import Store
from tests.conftest import FESTIVAL_MORNING, import_demo


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
            ChatLimiter(limits) if real_time else ChatLimiter(limits, clock=fake_time.clock, sleep=fake_time.sleep)
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
