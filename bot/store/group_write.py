"""Writes of one kind that come while one is being written go together in the next (a group
commit): under load each write waits its turn for the database, and in the rehearsal's busiest
seconds residents' small writes (crossing an update off, saving a dialogue) were most of the
turns everyone waited through."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")


class GroupWrite(Generic[Item]):
    """`add(item)` returns once the item is written, by `write` with all the items gathered
    meanwhile; an error in that write is raised to each of them. One write at a time."""

    def __init__(self, write: Callable[[list[Item]], Awaitable[None]]) -> None:
        self._write = write
        self._gathering: list[Item] = []
        self._next: asyncio.Task[None] | None = None
        """The write the items gathering now wait for."""
        self._one_at_a_time = asyncio.Lock()

    async def add(self, item: Item) -> None:
        if self._next is None:
            self._next = asyncio.create_task(self._write_gathered())
        self._gathering.append(item)
        # Shielded: one waiter cancelled (its resident's task) must not cancel the others' write.
        await asyncio.shield(self._next)

    async def _write_gathered(self) -> None:
        async with self._one_at_a_time:
            items, self._gathering, self._next = self._gathering, [], None
            await self._write(items)
