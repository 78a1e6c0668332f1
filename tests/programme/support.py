"""Paths and the clock the programme tests share."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.store import Store, schema

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SCHEDULE = FIXTURES / "malmo-mots-2027.schedule.json"
FAQ = FIXTURES / "malmo-mots-2027.faq.json"
# Before the festival, so every event can still take signups.
NOW = datetime(2027, 4, 1, 12, 0, tzinfo=UTC)


def fixture_json() -> dict[str, Any]:
    """A fresh copy of the fixture schedule, to change for one test."""
    data: dict[str, Any] = json.loads(SCHEDULE.read_text(encoding="utf-8"))
    return data


def talks(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The fixture's talks by code, as the same dicts the schedule holds (change them in place)."""
    return {
        talk["code"]: talk
        for day in data["schedule"]["conference"]["days"]
        for room_talks in day["rooms"].values()
        for talk in room_talks
    }


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


async def table_counts(store: Store) -> dict[str, int]:
    async with store.database.engine.connect() as conn:
        return {
            table.name: int(await conn.scalar(select(func.count()).select_from(table)) or 0)
            for table in schema.metadata.sorted_tables
        }
