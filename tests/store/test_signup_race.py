"""Capacity is counted inside the transaction that takes the seat: no overbooking, ever."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select, update

from bot.model import SignupStatus
from bot.store import Database, Store
from bot.store import schema as t
from bot.store.database import database_url
from tests.conftest import FESTIVAL_MORNING, import_demo

SEATS = 20
PEOPLE = 200


async def _race(db: Path, event_code: str) -> dict[str, int]:
    setup = await Store.open(str(db))
    await import_demo(setup)
    event_id = await setup.programme.event_id(event_code)
    assert event_id is not None
    async with setup.database.transaction() as conn:
        await conn.execute(update(t.event).where(t.event.c.id == event_id).values(capacity=SEATS))
    people = [await setup.people.create("console", f"p{i}", "sv", FESTIVAL_MORNING) for i in range(PEOPLE)]
    await setup.close()

    # Every resident on a connection of their own, all at once, as separate bot processes would be.
    stores = [Store(Database(database_url(str(db)), pooled=False)) for _ in range(PEOPLE)]
    try:
        at = datetime.fromisoformat("2027-05-10T09:00:00+02:00")
        outcomes = await asyncio.gather(
            *(s.signups.sign_up(event_id, p.id, at) for s, p in zip(stores, people, strict=True))
        )
    finally:
        for s in stores:
            await s.close()
    check = await Store.open(str(db))
    try:
        async with check.database.engine.connect() as conn:
            rows = await conn.execute(
                select(t.signup.c.status, func.count())
                .where(t.signup.c.event_id == event_id)
                .group_by(t.signup.c.status)
            )
            stored = {status: count for status, count in rows}
    finally:
        await check.close()
    returned = {
        SignupStatus.CONFIRMED.value: sum(o.status is SignupStatus.CONFIRMED for o in outcomes),
        SignupStatus.WAITLISTED.value: sum(o.status is SignupStatus.WAITLISTED for o in outcomes),
    }
    assert returned == stored
    positions = sorted(o.waitlist_position or 0 for o in outcomes if o.status is SignupStatus.WAITLISTED)
    assert positions == list(range(1, PEOPLE - SEATS + 1)), "waiting-list places are unique and gapless"
    return stored


async def test_200_concurrent_signups_for_20_seats(tmp_path: Path) -> None:
    for attempt in range(3):
        stored = await _race(tmp_path / f"race{attempt}.sqlite3", "MM004")
        assert stored == {"confirmed": SEATS, "waitlisted": PEOPLE - SEATS}
