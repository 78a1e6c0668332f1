"""The store: one database, with a store object for each area of the data."""

from __future__ import annotations

from bot.store.checkins import CheckinStore
from bot.store.database import Database
from bot.store.dead_letters import DeadLetterStore
from bot.store.handover import HandoverStore
from bot.store.people import PeopleStore
from bot.store.programme import ProgrammeStore
from bot.store.signups import SignupStore
from bot.store.unanswered import UnansweredStore


class Store:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.programme = ProgrammeStore(database)
        self.people = PeopleStore(database)
        self.signups = SignupStore(database, self.people)
        self.checkins = CheckinStore(database)
        self.unanswered = UnansweredStore(database)
        self.dead_letters = DeadLetterStore(database)
        self.handover = HandoverStore(database)

    @classmethod
    async def open(cls, db: str | None = None, *, pooled: bool = True, migrate: bool = True) -> Store:
        return cls(await Database.open(db, pooled=pooled, migrate=migrate))

    async def close(self) -> None:
        await self.database.close()


__all__ = ["Database", "Store"]
