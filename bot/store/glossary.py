"""The festival glossary in the store: replaced as a whole by an import, read with the snapshot."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import GlossaryTerm
from bot.store import schema as t


async def replace_glossary(conn: AsyncConnection, festival_id: int, terms: Sequence[GlossaryTerm]) -> int:
    """Makes `terms` the festival's glossary; returns how many distinct phrases it holds."""
    unique = list(dict.fromkeys((term.concept, term.language, term.phrase) for term in terms))
    await conn.execute(delete(t.glossary_term).where(t.glossary_term.c.festival_id == festival_id))
    if unique:
        await conn.execute(
            insert(t.glossary_term),
            [
                {"festival_id": festival_id, "concept": concept, "language": language, "phrase": phrase}
                for concept, language, phrase in unique
            ],
        )
    return len(unique)


async def read_glossary(conn: AsyncConnection, festival_id: int) -> list[GlossaryTerm]:
    rows = await conn.execute(
        select(t.glossary_term.c.concept, t.glossary_term.c.language, t.glossary_term.c.phrase)
        .where(t.glossary_term.c.festival_id == festival_id)
        .order_by(t.glossary_term.c.concept, t.glossary_term.c.language, t.glossary_term.c.id)
    )
    return [GlossaryTerm(concept=row.concept, language=row.language, phrase=row.phrase) for row in rows]
