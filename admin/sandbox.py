""" "Try the bot" in a sandbox: the real engine on a copy of the programme in a database of its own.

Staff who try the bot are not residents: a signup made while trying must not take a real seat,
answer a real survey or move the board report's numbers. So the sandbox has its own throwaway
SQLite file, holding the live programme (copied again whenever its revision moves) and nothing
else: no real signups, no scheduler, nothing that reaches a resident.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from adapters.base import Clock, Hub
from adapters.web import WebConnector, WebMessage
from bot.engine import Engine
from bot.model import Programme
from bot.store import Store


class Sandbox:
    def __init__(self, live: Store, clock: Clock) -> None:
        self.live = live
        self.clock = clock
        self.chat = WebConnector()
        self._store: Store | None = None
        self._folder: Path | None = None
        self._revision: int | None = None
        self._lock = asyncio.Lock()

    async def _ready(self) -> Store:
        async with self._lock:
            if self._store is None:
                self._folder = Path(tempfile.mkdtemp(prefix="motsbot-sandbox-"))
                self._store = await Store.open(str(self._folder / "sandbox.sqlite3"))
                await self.chat.start(Hub(Engine(self._store).handle, self.clock))
            revision = await self.live.programme.revision()
            if revision is not None and revision != self._revision:
                snapshot = await self.live.programme.snapshot()
                if snapshot is not None:
                    copy = Programme(
                        festival=snapshot.festival,
                        venues=list(snapshot.venues.values()),
                        events=snapshot.events,
                        faq=snapshot.faq,
                        glossary=snapshot.glossary,
                        complete=True,
                    )
                    await self._store.programme.apply(copy, self.clock())
                self._revision = revision
            return self._store

    async def say(
        self, user_id: str, *, text: str | None = None, payload: str | None = None, label: str | None = None, lang: str
    ) -> list[WebMessage]:
        await self._ready()
        return await self.chat.say(user_id, text=text, payload=payload, label=label, lang=lang)

    async def store(self) -> Store:
        """The sandbox's own store (for tests and the reset)."""
        return await self._ready()

    def transcript(self, user_id: str) -> list[WebMessage]:
        return self.chat.transcript(user_id)

    async def reset(self, user_id: str) -> None:
        """The tester starts again as a new resident: their transcript and sandbox data go."""
        self.chat.clear(user_id)
        store = await self.store()
        person = await store.people.find("web", user_id)
        if person is not None:
            await store.signups.forget(person.id, self.clock())

    async def close(self) -> None:
        await self.chat.stop()
        if self._store is not None:
            await self._store.close()
            self._store = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
