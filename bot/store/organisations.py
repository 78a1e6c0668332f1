"""Organisations as records: who runs which event, by id, not by the text of a name.

An import brings the organisers' names as text (pretalx joins several with commas). Each name is
matched to a record by its key (Unicode-normalised, case and spacing ignored, so "Malmö Ideella"
typed or pasted any way is one organisation), a name holding a comma included when a record
with that name exists; an unknown name becomes a new record. An admin can merge a misspelt
record into the right one: its key then leads there, at every later import too.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import schema as t


def organisation_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def split_names(text: str, known: Iterable[str]) -> list[str]:
    """The organisation names in an event's text: the longest run of comma-separated parts that
    is a known name wins, so "Malmö, Kultur" stays one organisation when it is one."""
    keys = set(known)
    parts = [part.strip() for part in text.split(",") if part.strip()]
    names: list[str] = []
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            candidate = ", ".join(parts[i:j])
            if j == i + 1 or organisation_key(candidate) in keys:
                names.append(candidate)
                i = j
                break
    return names


async def resolve_keys(conn: AsyncConnection) -> dict[str, int]:
    """Every key to the record it leads to (merged records lead to the one they went into)."""
    rows = (await conn.execute(select(t.organisation.c.id, t.organisation.c.key, t.organisation.c.merged_into))).all()
    target = {int(r.id): (int(r.merged_into) if r.merged_into is not None else int(r.id)) for r in rows}

    def final(record: int) -> int:
        seen = set()
        while target[record] != record and record not in seen:
            seen.add(record)
            record = target[record]
        return record

    return {str(r.key): final(int(r.id)) for r in rows}


async def ensure(conn: AsyncConnection, name: str, now: datetime, keys: dict[str, int] | None = None) -> int:
    keys = await resolve_keys(conn) if keys is None else keys
    key = organisation_key(name)
    if key in keys:
        return keys[key]
    result = await conn.execute(insert(t.organisation).values(name=" ".join(name.split()), key=key, created_at=now))
    assert result.inserted_primary_key is not None
    keys[key] = int(result.inserted_primary_key[0])
    return keys[key]


async def ids_for_text(conn: AsyncConnection, text: str, now: datetime, create: bool = True) -> list[int]:
    """The records an event's organisation text names, lead first; unknown names are created
    (`create`) or left out."""
    keys = await resolve_keys(conn)
    ids: list[int] = []
    for name in split_names(text, keys):
        key = organisation_key(name)
        if key not in keys and not create:
            continue
        record = await ensure(conn, name, now, keys)
        if record not in ids:
            ids.append(record)
    return ids


async def set_links(conn: AsyncConnection, event_id: int, organisation_ids: list[int]) -> None:
    await conn.execute(delete(t.event_organisation).where(t.event_organisation.c.event_id == event_id))
    for position, organisation_id in enumerate(organisation_ids):
        await conn.execute(
            insert(t.event_organisation).values(event_id=event_id, organisation_id=organisation_id, lead=position == 0)
        )


async def links(conn: AsyncConnection) -> dict[int, tuple[int, ...]]:
    """Each event's organisations, lead first."""
    rows = await conn.execute(
        select(t.event_organisation).order_by(
            t.event_organisation.c.event_id, t.event_organisation.c.lead.desc(), t.event_organisation.c.organisation_id
        )
    )
    found: dict[int, list[int]] = {}
    for row in rows:
        found.setdefault(int(row.event_id), []).append(int(row.organisation_id))
    return {event_id: tuple(ids) for event_id, ids in found.items()}


async def names(conn: AsyncConnection) -> dict[int, str]:
    rows = await conn.execute(
        select(t.organisation.c.id, t.organisation.c.name).where(t.organisation.c.merged_into.is_(None))
    )
    return {int(r.id): str(r.name) for r in rows}
