"""Opening the database: engine, connection settings, migrations, transactions."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

DEFAULT_DB_PATH = "./motsbot.sqlite3"
MIGRATIONS = Path(__file__).parent / "migrations"


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
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: Connection) -> None:
        # IMMEDIATE: the count of seats and the insert of a signup happen under one write
        # lock, so two connections can never both see the last free seat.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One database: an async engine plus the schema kept at the newest migration."""

    def __init__(self, url: str, *, pooled: bool = True) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30}
            if not pooled:
                kwargs["poolclass"] = NullPool
        self.engine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)

    @classmethod
    async def open(cls, db: str | None = None, *, pooled: bool = True) -> Database:
        database = cls(database_url(db), pooled=pooled)
        await database.migrate()
        return database

    async def migrate(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(_upgrade_to_head)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.begin() as conn:
            yield conn

    async def close(self) -> None:
        await self.engine.dispose()


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade_to_head(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")
