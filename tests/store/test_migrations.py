"""Migrations: the newest matches the tables the code uses, and data moved by one survives."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from adapters.telegram.intake import UpdateLog
from bot.store import schema as t
from bot.store.database import SCHEMA_HEAD, Database, alembic_config, database_url

NOW = datetime(2027, 5, 10, 12, 0, tzinfo=UTC)


def _upgrade(db: Path, revision: str) -> None:
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
    engine.dispose()


def test_the_newest_migration_makes_the_tables_the_code_uses(tmp_path: Path) -> None:
    db = tmp_path / "motsbot.sqlite3"
    _upgrade(db, "head")
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), t.metadata)
    engine.dispose()
    assert differences == []


def test_the_schema_head_motsbot_checks_at_start_is_the_newest_migration() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_HEAD


async def test_a_database_one_migration_behind_is_brought_to_the_newest(tmp_path: Path) -> None:
    db = tmp_path / "motsbot.sqlite3"
    _upgrade(db, "0008")
    database = await Database.open(str(db))
    await database.close()
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == SCHEMA_HEAD
    engine.dispose()


async def test_telegram_updates_waiting_and_handled_survive_the_move_to_one_table(tmp_path: Path) -> None:
    db = tmp_path / "motsbot.sqlite3"
    _upgrade(db, "0008")
    waiting = {"update_id": 7, "message": {"message_id": 1, "text": "vad händer idag?"}}
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as connection:
        connection.execute(
            text('INSERT INTO telegram_inbox (update_id, "update", received_at) VALUES (7, :update, :at)'),
            {"update": json.dumps(waiting), "at": "2027-05-10 11:59:00.000000"},
        )
        connection.execute(
            text("INSERT INTO telegram_handled_update (update_id, handled_at) VALUES (5, :at)"),
            {"at": "2027-05-10 11:58:00.000000"},
        )
    engine.dispose()

    database = await Database.open(database_url(str(db)))
    try:
        log = UpdateLog(database)
        assert await log.waiting() == [waiting], "an update not handled before the upgrade is handled after it"
        assert await log.seen(5) and await log.seen(7)
        assert not await log.seen(6)
        assert await log.highest() == 7
        await log.done(7, NOW)
        assert await log.waiting() == []
        assert await log.seen(7), "a handled update is still known, so a repeat is not answered"
        async with database.engine.connect() as conn:
            kept = (
                await conn.execute(text('SELECT "update", handled_at FROM telegram_update WHERE update_id = 7'))
            ).one()
        assert kept[0] is None and kept[1] is not None, "once handled, only the id and times are kept"
    finally:
        await database.close()
