"""Opening the database: engine, connection settings, migrations, transactions."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, CursorResult, Executable, Insert, Table, event, inspect, make_url, text
from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.store.inline_sqlite import Checkpointer, inline_connector

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_DB_PATH = "./motsbot.sqlite3"
BEGIN = "motsbot_begin"
"""How the connection's next transaction begins on SQLite (`Database.transaction`, `snapshot`)."""
MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA_HEAD = "0013"
"""The newest migration's revision; tests/store/test_migrations.py checks it is alembic's head."""


def database_url(db: str | None) -> str:
    """A SQLAlchemy URL from a path or URL; `MOTSBOT_DB`, then the default path, when None."""
    target = db or os.environ.get("MOTSBOT_DB") or DEFAULT_DB_PATH
    if "://" in target:
        return target
    return f"sqlite+aiosqlite:///{Path(target).expanduser()}"


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling starts transactions lazily and deferred; we
        # take over so that every transaction takes the write lock up front (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Checkpoints run in a worker thread (`Checkpointer`), not in the committing connection.
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: Connection) -> None:
        # A write transaction (`Database.transaction`) takes the write lock up front
        # (IMMEDIATE): the count of seats and the insert of a signup happen under one lock, so
        # two connections can never both see the last free seat. A read (`Database.reading`)
        # begins nothing: each statement is its own transaction, which takes no lock in WAL
        # mode. Reads once took the write lock, and a BEGIN costs as much as a query; several
        # reads that must agree use `snapshot`.
        mode = conn.info.get(BEGIN)
        if mode is not None:
            conn.exec_driver_sql(mode)


class Database:
    """One database: an async engine plus the schema kept at the newest migration. On SQLite its
    statements run in the event loop's own thread (bot/store/inline_sqlite.py)."""

    def __init__(self, url: str, *, pooled: bool = True) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {}
        self._checkpointer: Checkpointer | None = None
        if self.is_sqlite:
            path = make_url(url).database or ""
            kwargs["async_creator"] = inline_connector(path)
            self._checkpointer = Checkpointer(path)
            if not pooled:
                kwargs["poolclass"] = NullPool
        self.engine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self._writer = asyncio.Lock()
        self._writing_task: asyncio.Task[Any] | None = None

    @classmethod
    async def open(cls, db: str | None = None, *, pooled: bool = True, migrate: bool = True) -> Database:
        """The database at `db`; brought to the newest schema unless `migrate` is False (a
        standby, which must change nothing while another motsbot serves: motsbot/serving.py)."""
        database = cls(database_url(db), pooled=pooled)
        if migrate:
            await database.migrate()
        return database

    async def migrate(self) -> None:
        async with self.transaction() as conn:
            await conn.run_sync(_upgrade_to_head)

    async def schema_is_current(self) -> bool:
        """Whether the database has the schema this code expects (no migration is due)."""
        async with self.reading() as conn:
            return await conn.run_sync(_at_head)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads, each statement its own transaction (`on_begin`); reads that
        must agree use `snapshot`. It goes back to the pool on the way out, at once: SQLAlchemy's
        own `async with engine.connect()` gives it back from a task of its own, a round of the
        event loop later. Under load (a restart's pile-up, a wave of reminders) the pool's 15
        connections ran out that way while most sat waiting for that round; a writer then
        waited for a connection inside the writer turn, and every writer behind it (write
        waits of 10-15 s summed over a second in the rehearsal)."""
        conn = await self.engine.connect()
        try:
            yield conn
        finally:
            await conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction: committed at the end, rolled back on an error. Reads use
        `reading`."""
        async with self._marked("BEGIN IMMEDIATE", writer=True) as conn, conn.begin():
            yield conn

    @asynccontextmanager
    async def trial(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction that is always rolled back: what a change would do, kept nowhere."""
        async with self._marked("BEGIN IMMEDIATE", writer=True) as conn:
            transaction = await conn.begin()
            try:
                yield conn
            finally:
                await transaction.rollback()

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[AsyncConnection]:
        """Reads that must see one state of the database (a programme and its events), not
        each its own: a read transaction, which in WAL mode holds up no writer."""
        async with self._marked("BEGIN") as conn, conn.begin():
            yield conn

    async def execute(self, statement: Executable) -> CursorResult[Any]:
        """One write statement, atomic on its own, committed at once. On SQLite it runs
        without BEGIN ... COMMIT around it, which cost as much again: it is committed when it
        has run, so the next writer's turn begins then (the COMMIT that SQLAlchemy still sends,
        and the pool's reset, come after; PostgreSQL needs that COMMIT and has its own locks)."""
        conn: AsyncConnection | None = None
        try:
            async with self._one_writer():
                conn = await self.engine.connect()
                result = await conn.execute(statement)
            await conn.commit()
            return result
        finally:
            if conn is not None:
                await conn.close()

    def insert_new(self, table: Table) -> Insert:
        """An insert that leaves out rows whose key is there already (SQLite's and PostgreSQL's
        ON CONFLICT DO NOTHING)."""
        return self.insert_into(table).on_conflict_do_nothing()

    def upsert(self, table: Table, values: dict[str, Any] | list[dict[str, Any]]) -> Insert:
        """An insert of rows (one or several, of the same columns) that updates the row with
        the same primary key instead, if there is one (SQLite's and PostgreSQL's ON CONFLICT DO
        UPDATE): one statement, no transaction."""
        rows = values if isinstance(values, list) else [values]
        keys = [column.name for column in table.primary_key.columns]
        insert = self.insert_into(table).values(rows)
        changes = {name: insert.excluded[name] for name in rows[0] if name not in keys}
        return insert.on_conflict_do_update(index_elements=keys, set_=changes)

    def add_up(self, table: Table, key: dict[str, Any], **increments: int) -> Insert:
        """Adds to counters in the row with `key` (its primary key), which is created if there
        is none, its counters starting from nothing (never below): one statement."""
        start = {name: max(amount, 0) for name, amount in increments.items()}
        change = {name: table.c[name] + amount for name, amount in increments.items()}
        insert = self.insert_into(table).values({**key, **start})
        return insert.on_conflict_do_update(index_elements=list(key), set_=change)

    def insert_into(self, table: Table) -> SqliteInsert | PostgresqlInsert:
        """An insert with this dialect's ON CONFLICT clauses."""
        return sqlite_insert(table) if self.is_sqlite else postgresql_insert(table)

    @asynccontextmanager
    async def _one_writer(self) -> AsyncIterator[None]:
        """This process's writers take turns here, in order. SQLite lets one write at a time
        anyway; waiting for its lock instead means polling with sleeps of up to 100 ms (its busy
        handler), which under load put a tail of hundreds of milliseconds on residents' answers.
        Other processes (an import from the command line) still meet SQLite's lock."""
        task = asyncio.current_task()
        if task is not None and task is self._writing_task:
            raise RuntimeError("a write transaction inside another: it would wait for itself")
        async with self._writer:
            self._writing_task = task
            try:
                yield
            finally:
                self._writing_task = None
                if self._checkpointer is not None:
                    self._checkpointer.wrote()

    @asynccontextmanager
    async def _marked(self, begin: str, *, writer: bool = False) -> AsyncIterator[AsyncConnection]:
        """A connection whose transactions begin with `begin` on SQLite; with `writer`, taken
        and used in this process's writer's turn (`_one_writer`)."""
        conn: AsyncConnection | None = None
        try:
            async with self._one_writer() if writer else contextlib.nullcontext():
                conn = await self.engine.connect()
                conn.info[BEGIN] = begin
                yield conn
        finally:
            # Given back to the pool after the next writer's turn has begun: the pool's reset of
            # a returned connection is one more statement, and with PostgreSQL (or any driver
            # with I/O) every other writer would wait for its round trip too.
            if conn is not None:
                # `info` lives as long as the pooled DBAPI connection: the mark is taken off again.
                conn.info.pop(BEGIN, None)
                await conn.close()

    async def close(self) -> None:
        if self._checkpointer is not None:
            await self._checkpointer.stop()
        await self.engine.dispose()


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _at_head(connection: Connection) -> bool:
    return bool(
        inspect(connection).has_table("alembic_version")
        and connection.scalar(text("SELECT version_num FROM alembic_version")) == SCHEMA_HEAD
    )


def _upgrade_to_head(connection: Connection) -> None:
    # A database at the newest schema (every start but the first after an upgrade) needs no
    # alembic: importing it took a tenth of a restart, while residents wait for answers.
    if _at_head(connection):
        return
    from alembic import command

    command.upgrade(alembic_config(connection), "head")
