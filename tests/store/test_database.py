"""How the store uses SQLite's lock: reads never wait for a writer, writes take the lock first."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.store import Store
from bot.store import schema as t

NOW = datetime(2027, 5, 10, 12, 0, tzinfo=UTC)


@contextlib.contextmanager
def held_write_lock(db: Path) -> contextlib.AbstractContextManager[None]:  # type: ignore[misc]
    """Another process's write transaction, open for as long as the block runs."""
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_a_read_does_not_wait_for_a_writer_holding_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "motsbot.sqlite3"
    store = await Store.open(str(db))
    try:
        await store.people.create("telegram", "42", "sv", NOW)
        with held_write_lock(db):
            # The busy timeout is 30 s: a read that took the lock would wait it out.
            person, _state = await asyncio.wait_for(store.people.find_with_dialogue("telegram", "42"), 2)
            assert person is not None and person.language == "sv"
            snapshot = await asyncio.wait_for(store.programme.snapshot(), 2)
            assert snapshot is None
    finally:
        await store.close()


async def test_a_write_waits_for_the_lock_and_then_goes_through(tmp_path: Path) -> None:
    db = tmp_path / "motsbot.sqlite3"
    store = await Store.open(str(db))
    try:
        with held_write_lock(db):
            writing = asyncio.create_task(store.people.create("telegram", "43", "fi", NOW))
            await asyncio.sleep(0.3)
            assert not writing.done(), "the write waits while another holds the lock"
        person = await asyncio.wait_for(writing, 5)
        assert person.language == "fi"
    finally:
        await store.close()


async def test_a_trial_is_rolled_back_and_an_error_rolls_a_transaction_back(tmp_path: Path) -> None:
    db = tmp_path / "motsbot.sqlite3"
    store = await Store.open(str(db))
    database = store.database
    row = {"channel": "telegram", "channel_user_id": "44", "language": "sv", "created_at": NOW}
    try:
        async with database.trial() as conn:
            await conn.execute(t.person.insert().values(**row))
            assert await store.people.find("telegram", "44") is None, "not visible outside before the end"
        assert await store.people.find("telegram", "44") is None
        with pytest.raises(RuntimeError):
            async with database.transaction() as conn:
                await conn.execute(t.person.insert().values(**row))
                raise RuntimeError("half way")
        assert await store.people.find("telegram", "44") is None
        async with database.transaction() as conn:
            await conn.execute(t.person.insert().values(**row))
        assert await store.people.find("telegram", "44") is not None
    finally:
        await store.close()


async def test_writers_in_one_process_take_turns_and_a_nested_write_is_refused(tmp_path: Path) -> None:
    store = await Store.open(str(tmp_path / "motsbot.sqlite3"))
    try:
        people = await asyncio.gather(*(store.people.create("telegram", str(n), "sv", NOW) for n in range(100)))
        assert len({p.id for p in people}) == 100
        async with store.database.transaction():
            with pytest.raises(RuntimeError, match="inside another"):
                async with store.database.transaction():
                    pass
    finally:
        await store.close()


async def test_a_persons_first_two_messages_at_once_make_one_person(tmp_path: Path) -> None:
    store = await Store.open(str(tmp_path / "motsbot.sqlite3"))
    try:
        first, second = await asyncio.gather(*(store.people.create("telegram", "7", "sv", NOW) for _ in range(2)))
        assert first == second
        assert first.channel_user_id == "7" and first.language == "sv" and first.reachable
    finally:
        await store.close()
