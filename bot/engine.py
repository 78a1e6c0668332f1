"""The conversation engine: `Engine.handle(incoming, now) -> [outgoing]` (being written)."""

from __future__ import annotations

from datetime import datetime

from bot.messages import Incoming, Outgoing
from bot.store import Store


class Engine:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def handle(self, incoming: Incoming, now: datetime) -> list[Outgoing]:
        raise NotImplementedError("the engine is being written")
