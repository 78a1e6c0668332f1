"""How the store uses SQLite's lock: reads never wait for a writer, writes take the lock first."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy.exc
from sqlalchemy import event

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


async def test_while_a_write_waits_for_another_process_the_event_loop_goes_on(tmp_path: Path) -> None:
    # SQLite runs in the loop's own thread (bot/store/inline_sqlite.py): its wait for the lock
    # must be the loop's sleep, not SQLite's busy handler holding the thread.
    db = tmp_path / "motsbot.sqlite3"
    store = await Store.open(str(db))
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        with held_write_lock(db):
            writing = asyncio.create_task(store.people.create("telegram", "45", "ar", NOW))
            await asyncio.sleep(0.5)
            assert not writing.done()
            assert ticks >= 10, f"the loop ran only {ticks} times in 0.5 s"
        assert (await asyncio.wait_for(writing, 5)).language == "ar"
    finally:
        ticker.cancel()
        await store.close()


async def test_a_write_gives_up_on_a_lock_held_too_long_and_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.store import inline_sqlite

    monkeypatch.setattr(inline_sqlite, "BUSY_WAIT", 0.3)
    db = tmp_path / "motsbot.sqlite3"
    store = await Store.open(str(db))
    try:
        with held_write_lock(db):
            with pytest.raises(sqlalchemy.exc.OperationalError, match="locked"):
                await asyncio.wait_for(store.people.create("telegram", "46", "sv", NOW), 5)
        assert await store.people.find("telegram", "46") is None
        assert (await store.people.create("telegram", "46", "sv", NOW)).language == "sv"
    finally:
        await store.close()


async def test_statements_run_in_the_event_loops_thread(tmp_path: Path) -> None:
    store = await Store.open(str(tmp_path / "motsbot.sqlite3"))
    try:
        async with store.database.engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            await conn.execute(t.person.select())
            assert driver is not None
            assert not driver._thread.is_alive(), "aiosqlite's thread was started"
            sqlite = driver._connection
            assert sqlite is not None and sqlite.execute("SELECT 1").fetchone() == (1,)
            # sqlite3 refuses a connection made in another thread: this one is the loop's.
            with pytest.raises(sqlite3.ProgrammingError, match="thread"):
                await asyncio.to_thread(sqlite.execute, "SELECT 1")
    finally:
        await store.close()


async def test_the_log_is_checkpointed_by_a_worker_thread_not_by_the_loops_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.store import inline_sqlite

    monkeypatch.setattr(inline_sqlite, "CHECKPOINT_EVERY", 0.05)
    db = tmp_path / "motsbot.sqlite3"
    store = await Store.open(str(db))

    def in_database_file() -> int:
        # `immutable` reads the database file alone, without the write-ahead log.
        with contextlib.closing(sqlite3.connect(f"file:{db}?immutable=1", uri=True)) as conn:
            if conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'person'").fetchone() == (0,):
                return 0  # not even the schema is in the file yet
            return int(conn.execute("SELECT count(*) FROM person").fetchone()[0])

    try:
        checkpoints: list[str] = []
        real = inline_sqlite.Checkpointer._checkpoint

        def counted(self: inline_sqlite.Checkpointer) -> None:
            import threading

            checkpoints.append(threading.current_thread().name)
            real(self)

        monkeypatch.setattr(inline_sqlite.Checkpointer, "_checkpoint", counted)
        await asyncio.gather(*(store.people.create("telegram", str(n), "sv", NOW) for n in range(50)))
        assert in_database_file() < 50, "the loop's own commits checkpoint nothing"
        for _ in range(100):
            if in_database_file() == 50:
                break
            await asyncio.sleep(0.02)
        assert in_database_file() == 50
        assert checkpoints and all(name != "MainThread" for name in checkpoints)
        await asyncio.sleep(0.2)
        settled = len(checkpoints)
        await asyncio.sleep(0.2)
        assert len(checkpoints) == settled, "no checkpoints while nothing is written"
    finally:
        await store.close()


async def test_connections_go_back_to_the_pool_before_anything_else_runs(tmp_path: Path) -> None:
    store = await Store.open(str(tmp_path / "motsbot.sqlite3"))
    database = store.database
    out = 0
    most_out = 0

    def checked_out(*_: object) -> None:
        nonlocal out, most_out
        out += 1
        most_out = max(most_out, out)

    def checked_in(*_: object) -> None:
        nonlocal out
        out -= 1

    event.listen(database.engine.sync_engine.pool, "checkout", checked_out)
    event.listen(database.engine.sync_engine.pool, "checkin", checked_in)
    try:
        # Readers and writers at once, as in a restart's pile-up: each holds a connection only
        # for its own statements.
        async def reader() -> None:
            async with database.reading() as conn:
                await conn.execute(t.person.select())

        async def writer(n: int) -> None:
            await store.people.create("telegram", str(n), "sv", NOW)

        await asyncio.gather(*(reader() for _ in range(100)), *(writer(n) for n in range(50)))
        assert out == 0
        assert most_out == 1

        # SQLAlchemy's own `async with engine.connect()` gives the connection back from a task
        # of its own, while the others run: the pool's 15 were all out.
        async def reader_of_sqlalchemy() -> None:
            async with database.engine.connect() as conn:
                await conn.execute(t.person.select())

        await asyncio.gather(*(reader_of_sqlalchemy() for _ in range(100)))
        assert most_out > 1
    finally:
        await store.close()
