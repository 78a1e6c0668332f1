"""Fixtures shared by all tests: a fresh store with the demo festival, an engine, a chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.messages import Incoming, Outgoing, number_choices
from bot.programme.loader import load_programme_file
from bot.store import Store

if TYPE_CHECKING:
    from bot.engine import Engine

FIXTURES = Path(__file__).parent / "fixtures"
SCHEDULE = FIXTURES / "malmo-mots-2027.schedule.json"
FAQ = FIXTURES / "malmo-mots-2027.faq.json"
FESTIVAL_MORNING = datetime.fromisoformat("2027-05-10T08:00:00+02:00")


async def import_demo(store: Store, now: datetime = FESTIVAL_MORNING) -> None:
    for path in (SCHEDULE, FAQ):
        await store.programme.apply(load_programme_file(path), now)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(str(tmp_path / "motsbot.sqlite3"))
    await import_demo(store)
    yield store
    await store.close()


@pytest.fixture
def engine(store: Store) -> Engine:
    from bot.engine import Engine

    return Engine(store)


class Chat:
    """One resident talking to the engine, as a scripted conversation."""

    def __init__(self, engine: Engine, user: str, lang: str | None = None, now: datetime = FESTIVAL_MORNING):
        self.engine = engine
        self.user = user
        self.lang = lang
        self.now = now
        self.last: list[Outgoing] = []

    async def say(self, text: str) -> list[Outgoing]:
        return await self._send(Incoming(channel="console", user_id=self.user, text=text, lang_hint=self.lang))

    async def press(self, label_part: str) -> list[Outgoing]:
        """Presses the first button of the last reply whose label contains `label_part`."""
        for message in self.last:
            for button in message.numbered_choices():
                if label_part in button.label and button.payload:
                    return await self.press_payload(button.payload)
        labels = [b.label for m in self.last for b in m.numbered_choices()]
        raise AssertionError(f"no button with {label_part!r} in {labels}")

    async def press_payload(self, payload: str) -> list[Outgoing]:
        return await self._send(Incoming(channel="console", user_id=self.user, payload=payload, lang_hint=self.lang))

    async def _send(self, incoming: Incoming) -> list[Outgoing]:
        self.last = await self.engine.handle(incoming, self.now)
        assert self.last, "the engine must always answer"
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.last if m.recipient is None)

    @property
    def events(self) -> list[str]:
        return [code for m in self.last if m.recipient is None for code in m.events]

    def numbered(self) -> list[tuple[int, str]]:
        own = [m for m in self.last if m.recipient is None]
        return [(n, b.label) for row in number_choices(own) for n, b in row]


@pytest.fixture
def chat(engine: Engine) -> Chat:
    return Chat(engine, "resident-1", "sv")
