"""Check-in codes: every signup gets a short code (and its QR) to show at the door.

The bot shows a person their code; the admin checks people in by it. Both use this module, so
a code means the same thing everywhere.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import schema as t
from bot.store.database import Database

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O or 1/I: codes are read aloud and typed at a busy door."""
CODE_LENGTH = 6


@dataclass(frozen=True)
class CheckIn:
    signup_id: int
    code: str
    checked_in_at: datetime | None
    checked_in_by: str | None


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """What a person typed or a scanner read, as stored: upper case, no spaces or dashes."""
    text = raw.strip()
    # A scanned QR may hold the admin's check-in URL; the code is its last part.
    text = text.rstrip("/").rsplit("/", 1)[-1]
    return "".join(ch for ch in text.upper() if ch.isalnum())


def checkin_of(row: Row[Any]) -> CheckIn:
    return CheckIn(int(row.signup_id), row.code, row.checked_in_at, row.checked_in_by)


async def _new_checkin(conn: AsyncConnection, signup_id: int) -> CheckIn:
    for _ in range(20):
        code = new_code()
        taken = await conn.scalar(select(t.checkin.c.signup_id).where(t.checkin.c.code == code))
        if taken is None:
            await conn.execute(insert(t.checkin).values(signup_id=signup_id, code=code))
            return CheckIn(signup_id, code, None, None)
    raise RuntimeError("no free check-in code found")  # 32^6 codes: practically unreachable


class CheckinStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def for_signups(self, signup_ids: list[int]) -> dict[int, CheckIn]:
        """The check-in of each signup, made on first need so every signup has one."""
        if not signup_ids:
            return {}
        async with self.database.transaction() as conn:
            rows = await conn.execute(select(t.checkin).where(t.checkin.c.signup_id.in_(signup_ids)))
            found = {int(r.signup_id): checkin_of(r) for r in rows}
            for signup_id in signup_ids:
                if signup_id not in found:
                    found[signup_id] = await _new_checkin(conn, signup_id)
            return found

    async def for_person_at(self, event_id: int, person_id: int) -> CheckIn | None:
        """The check-in of a person's confirmed signup at an event, or None without one."""
        async with self.database.reading() as conn:
            signup_id = await conn.scalar(
                select(t.signup.c.id).where(
                    t.signup.c.event_id == event_id,
                    t.signup.c.person_id == person_id,
                    t.signup.c.status == "confirmed",
                )
            )
        if signup_id is None:
            return None
        return (await self.for_signups([int(signup_id)]))[int(signup_id)]
