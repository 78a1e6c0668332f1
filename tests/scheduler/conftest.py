"""The scheduler under an injected clock: a fake connector records what would be sent, and
`Harness.at(moment)` runs everything the scheduler does at that moment. Nothing sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from adapters.base import Connector, DeliveryError, Hub
from bot.engine import Engine
from bot.messages import Incoming, Outgoing
from bot.model import Event, Person
from bot.programme.loader import load_programme_file
from bot.store import Store
from scheduler.config import PlatformLimits, SchedulerConfig
from scheduler.service import Scheduler
from tests.conftest import FAQ, SCHEDULE

LOCAL = "+02:00"


def local(text: str) -> datetime:
    """A festival-local time, e.g. local("2027-05-11 12:00")."""
    return datetime.fromisoformat(text.replace(" ", "T") + LOCAL)


class FakeClock:
    """Wall clock and monotonic clock together; `sleep` advances both instead of waiting."""

    def __init__(self, start: datetime) -> None:
        self.current = start
        self.mono = 1000.0
        self.slept = 0.0

    def now(self) -> datetime:
        return self.current

    def monotonic(self) -> float:
        return self.mono

    async def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.mono += seconds
        self.current += timedelta(seconds=seconds)

    def set(self, moment: datetime) -> None:
        if moment > self.current:
            self.mono += (moment - self.current).total_seconds()
        self.current = moment


@dataclass
class Sent:
    user_id: str
    message: Outgoing
    at: datetime


@dataclass
class FakeConnector(Connector):
    clock: FakeClock
    channel: str = "console"
    sent: list[Sent] = field(default_factory=list)
    failures: dict[str, list[Exception]] = field(default_factory=dict)
    """Per user: errors to raise on the next sends, in order."""
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self, hub: Hub) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def send(self, user_id: str, message: Outgoing, *, key: str | None = None) -> str | None:
        queued = self.failures.get(user_id)
        if queued:
            raise queued.pop(0)
        self.sent.append(Sent(user_id, message, self.clock.now()))
        self.arrived.set()
        return f"m{len(self.sent)}"

    def to(self, user_id: str) -> list[Outgoing]:
        return [s.message for s in self.sent if s.user_id == user_id]


class Harness:
    def __init__(self, store: Store, clock: FakeClock, connector: FakeConnector, config: SchedulerConfig) -> None:
        self.store = store
        self.clock = clock
        self.connector = connector
        self.engine = Engine(store)
        self.scheduler = Scheduler(
            store,
            {connector.channel: connector},
            config,
            clock=clock.now,
            monotonic=clock.monotonic,
            sleep=clock.sleep,
        )

    async def at(self, moment: datetime) -> list[Sent]:
        """Runs the scheduler at `moment`; returns what it sent then."""
        self.clock.set(moment)
        before = len(self.connector.sent)
        await self.scheduler.tick()
        return self.connector.sent[before:]

    async def person(self, user: str, lang: str = "sv") -> Person:
        return await self.store.people.create("console", user, lang, self.clock.now())

    async def event(self, code: str) -> Event:
        snapshot = await self.store.programme.snapshot()
        assert snapshot is not None
        event = snapshot.event(code)
        assert event is not None and event.id is not None
        return event

    async def sign_up(self, user: str, code: str, lang: str = "sv") -> Person:
        person = await self.person(user, lang)
        event = await self.event(code)
        assert event.id is not None
        await self.store.signups.sign_up(event.id, person.id, self.clock.now())
        return person

    async def say(self, user: str, text: str | None = None, **fields: object) -> list[Outgoing]:
        incoming = Incoming.model_validate({"channel": "console", "user_id": user, "text": text, **fields})
        return await self.engine.handle(incoming, self.clock.now())

    async def change_programme(self, code: str, **changes: object) -> None:
        """Re-imports the festival with one event changed, as an organiser's new file would."""
        programme = load_programme_file(SCHEDULE)
        events = [e.model_copy(update=changes) if e.code == code else e for e in programme.events]
        await self.store.programme.apply(programme.model_copy(update={"events": events}), self.clock.now())
        await self.store.programme.apply(load_programme_file(FAQ), self.clock.now())


@pytest.fixture
def config() -> SchedulerConfig:
    return SchedulerConfig(limits={"console": PlatformLimits(per_second=1000.0, per_recipient_seconds=0.0)})


@pytest.fixture
async def harness(store: Store, config: SchedulerConfig) -> AsyncIterator[Harness]:
    clock = FakeClock(datetime(2027, 5, 9, 12, 0, tzinfo=UTC))
    yield Harness(store, clock, FakeConnector(clock), config)


def transient(reason: str = "NetworkError: 502 Bad Gateway") -> DeliveryError:
    return DeliveryError(reason)
