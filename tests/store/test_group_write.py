"""Writes gathered while one is written go together; each waiter returns once its item is written."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.store import Store
from bot.store.group_write import GroupWrite

NOW = datetime(2027, 5, 10, 9, 0, tzinfo=UTC)


async def test_items_added_while_one_write_runs_go_in_the_next_together() -> None:
    written: list[list[int]] = []
    release = asyncio.Event()

    async def write(items: list[int]) -> None:
        written.append(items)
        await release.wait()

    group: GroupWrite[int] = GroupWrite(write)
    first = asyncio.create_task(group.add(0))
    await asyncio.sleep(0.01)  # the first write is running
    rest = [asyncio.create_task(group.add(n)) for n in range(1, 20)]
    await asyncio.sleep(0.01)
    assert not first.done() and not any(task.done() for task in rest), "no one returns before its write"
    release.set()
    await asyncio.gather(first, *rest)
    assert written == [[0], list(range(1, 20))]


async def test_a_failed_write_fails_every_item_in_it_and_the_next_write_goes_on() -> None:
    async def write(items: list[str]) -> None:
        if "bad" in items:
            raise RuntimeError("disk full")

    group: GroupWrite[str] = GroupWrite(write)
    results = await asyncio.gather(group.add("bad"), group.add("also in it"), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    await group.add("later")  # raises nothing


async def test_a_waiter_cancelled_does_not_cancel_the_write_of_the_others() -> None:
    written: list[list[int]] = []
    started = asyncio.Event()

    async def write(items: list[int]) -> None:
        started.set()
        await asyncio.sleep(0.05)
        written.append(items)

    group: GroupWrite[int] = GroupWrite(write)
    leaving = asyncio.create_task(group.add(1))
    staying = asyncio.create_task(group.add(2))
    await started.wait()
    leaving.cancel()
    await staying
    with pytest.raises(asyncio.CancelledError):
        await leaving
    assert written == [[1, 2]]


async def test_dialogues_saved_at_once_go_in_one_statement_and_the_later_of_one_person_wins(
    tmp_path: Path,
) -> None:
    store = await Store.open(str(tmp_path / "motsbot.sqlite3"))
    try:
        people = [await store.people.create("telegram", str(n), "sv", NOW) for n in range(20)]
        statements: list[Any] = []
        execute = store.database.execute

        async def counted(statement: Any) -> Any:
            statements.append(statement)
            return await execute(statement)

        store.database.execute = counted  # type: ignore[method-assign]
        await asyncio.gather(
            *(store.people.save_dialogue(p.id, {"page": n}, NOW) for n, p in enumerate(people)),
            store.people.save_dialogue(people[0].id, {"page": "later"}, NOW),
        )
        assert 1 <= len(statements) <= 2
        for n, person in enumerate(people):
            _, state = await store.people.find_with_dialogue("telegram", person.channel_user_id)
            assert state == {"page": "later" if n == 0 else n}
    finally:
        await store.close()
