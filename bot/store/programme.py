"""The programme in the store: applying an import in one transaction, and reading it back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import Event, EventStatus, FaqEntry, Festival, GlossaryTerm, Programme, Venue
from bot.store import organisations
from bot.store import schema as t
from bot.store.database import Database
from bot.store.glossary import read_glossary, replace_glossary


class ProgrammeError(Exception):
    """A programme that cannot be applied; the message says why, for an organiser."""


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    """Events an organiser changed (or created) in the admin since, which the file would change
    back (or cancel): the admin's version is kept unless the import takes the file's."""
    venues: int = 0
    faq: int = 0
    glossary: int = 0

    def summary(self) -> str:
        glossary = f"; {self.glossary} glossary phrases" if self.glossary else ""
        return (
            f"{len(self.created)} new, {len(self.updated)} changed ({len(self.moved)} moved), "
            f"{len(self.cancelled)} cancelled, {len(self.unchanged)} unchanged events; "
            f"{self.venues} venues; {self.faq} FAQ entries{glossary}"
            + (
                f"; {len(self.conflicts)} changed in the admin since, kept as the admin has them: "
                + ", ".join(self.conflicts)
                if self.conflicts
                else ""
            )
        )


@dataclass(frozen=True)
class ProgrammeSnapshot:
    """The whole programme of the current festival, read at one revision."""

    festival: Festival
    revision: int
    venues: dict[str, Venue]
    events: list[Event]
    faq: list[FaqEntry]
    glossary: list[GlossaryTerm] = field(default_factory=list)
    organisations_of: dict[int, tuple[int, ...]] = field(default_factory=dict)
    """Event id to the ids of the organisations that run it, the lead one first."""
    organisation_names: dict[int, str] = field(default_factory=dict)

    def organisation_ids(self, event: Event) -> tuple[int, ...]:
        return self.organisations_of.get(event.id, ()) if event.id is not None else ()

    def event(self, code: str) -> Event | None:
        return self._by_code.get(code.upper()) if code else None

    @property
    def _by_code(self) -> dict[str, Event]:
        cached: dict[str, Event] | None = self.__dict__.get("_by_code_cache")
        if cached is None:
            cached = {event.code.upper(): event for event in self.events}
            object.__setattr__(self, "_by_code_cache", cached)
        return cached

    def venue_of(self, event: Event) -> Venue | None:
        return self.venues.get(event.venue_key) if event.venue_key else None


_EVENT_FIELDS = (
    "title",
    "abstract",
    "type",
    "track",
    "topics",
    "language",
    "starts_at",
    "ends_at",
    "capacity",
    "signup_required",
    "audience",
    "organisation",
    "url",
)


class ProgrammeStore:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.local_changes = 0
        """Grows with every change made through this object, so readers in this process see
        their own changes at once without asking the database."""

    async def apply(
        self, programme: Programme, now: datetime, *, by_admin: bool = False, take_file: bool = False
    ) -> ImportReport:
        """Creates or updates the festival, venues, events and FAQ of one import, atomically.

        `by_admin`: an organiser's change in the admin, which a programme file imported later
        does not undo without saying so. A file's import keeps such changes (they are listed
        as `conflicts`) unless `take_file`: an organiser chose the file's version."""
        report = ImportReport()
        async with self.database.transaction() as conn:
            festival_id = await self.apply_in(conn, programme, now, report, by_admin=by_admin, take_file=take_file)
            if programme.glossary:
                report.glossary = await replace_glossary(conn, festival_id, programme.glossary)
            await conn.execute(
                update(t.festival).where(t.festival.c.id == festival_id).values(revision=t.festival.c.revision + 1)
            )
        self.local_changes += 1
        return report

    async def apply_in(
        self,
        conn: AsyncConnection,
        programme: Programme,
        now: datetime,
        report: ImportReport,
        *,
        by_admin: bool = False,
        take_file: bool = False,
    ) -> int:
        """The festival, venues, events and FAQ of one import, inside the caller's transaction
        (`apply`'s, or the admin preview's that is rolled back); returns the festival's id."""
        festival_id = await self._festival_id(conn, programme.festival)
        venue_ids = await self._apply_venues(conn, festival_id, programme.venues, report)
        if programme.events:
            await self._apply_events(
                conn, festival_id, programme, venue_ids, now, report, by_admin=by_admin, take_file=take_file
            )
            await self._link_organisations(conn, festival_id, [e.code for e in programme.events], now)
        if programme.faq:
            await self._apply_faq(conn, festival_id, programme.faq, programme.complete, report)
        return festival_id

    async def _link_organisations(
        self, conn: AsyncConnection, festival_id: int, codes: list[str], now: datetime
    ) -> None:
        """Each imported event linked to the organisation records its text names (created when new)."""
        rows = await conn.execute(
            select(t.event.c.id, t.event.c.organisation).where(
                t.event.c.festival_id == festival_id, func.upper(t.event.c.code).in_([c.upper() for c in codes])
            )
        )
        for row in rows.all():
            await organisations.set_links(
                conn, int(row.id), await organisations.ids_for_text(conn, row.organisation, now)
            )

    async def _festival_id(self, conn: AsyncConnection, festival: Festival | None) -> int:
        if festival is None:
            current = await _current_festival_row(conn)
            if current is None:
                raise ProgrammeError("no festival yet: import the festival programme before this file")
            return int(current.id)
        values = {
            "name": festival.name,
            "time_zone": festival.time_zone,
            "start_date": festival.start_date,
            "end_date": festival.end_date,
        }
        existing = await conn.scalar(select(t.festival.c.id).where(t.festival.c.slug == festival.slug))
        if existing is not None:
            await conn.execute(update(t.festival).where(t.festival.c.id == existing).values(**values))
            return int(existing)
        result = await conn.execute(insert(t.festival).values(slug=festival.slug, revision=0, **values))
        assert result.inserted_primary_key is not None
        return int(result.inserted_primary_key[0])

    async def _apply_venues(
        self, conn: AsyncConnection, festival_id: int, venues: Sequence[Venue], report: ImportReport
    ) -> dict[str, int]:
        rows = await conn.execute(select(t.venue.c.id, t.venue.c.key).where(t.venue.c.festival_id == festival_id))
        ids = {row.key: int(row.id) for row in rows}
        for venue in venues:
            values: dict[str, Any] = {"name": venue.name}
            # A format that knows less about a venue (CSV, iCal) must not wipe what another
            # (pretalx, the admin) told us: only fields the import carries are overwritten.
            if venue.address:
                values["address"] = venue.address
            if venue.accessibility:
                values["accessibility"] = venue.accessibility
            if venue.capacity is not None:
                values["capacity"] = venue.capacity
            if venue.key in ids:
                await conn.execute(update(t.venue).where(t.venue.c.id == ids[venue.key]).values(**values))
            else:
                result = await conn.execute(
                    insert(t.venue).values(
                        festival_id=festival_id,
                        key=venue.key,
                        name=venue.name,
                        address=venue.address,
                        accessibility=venue.accessibility,
                        capacity=venue.capacity,
                    )
                )
                assert result.inserted_primary_key is not None
                ids[venue.key] = int(result.inserted_primary_key[0])
            report.venues += 1
        return ids

    async def _apply_events(
        self,
        conn: AsyncConnection,
        festival_id: int,
        programme: Programme,
        venue_ids: dict[str, int],
        now: datetime,
        report: ImportReport,
        *,
        by_admin: bool,
        take_file: bool,
    ) -> None:
        rows = await conn.execute(select(t.event).where(t.event.c.festival_id == festival_id))
        existing = {row.code: row for row in rows}
        seen: set[str] = set()
        for event in programme.events:
            if event.code in seen:
                raise ProgrammeError(f"event code {event.code} appears twice")
            seen.add(event.code)
            if event.venue_key is not None and event.venue_key not in venue_ids:
                raise ProgrammeError(f"event {event.code} names an unknown room {event.venue_key!r}")
            values: dict[str, Any] = {name: getattr(event, name) for name in _EVENT_FIELDS}
            values["venue_id"] = venue_ids.get(event.venue_key) if event.venue_key else None
            values["updated_at"] = now
            # The admin's changes are marked; a file's import that takes its version unmarks.
            values["admin_edited_at"] = now if by_admin else None
            old = existing.get(event.code)
            if old is None:
                values["keywords"] = event.keywords
                values["status"] = event.status.value
                await conn.execute(insert(t.event).values(festival_id=festival_id, code=event.code, **values))
                report.created.append(event.code)
                continue
            # Keywords are added by organisers in motsbot; an import without any keeps theirs.
            values["keywords"] = event.keywords or old.keywords
            moved = (
                old.starts_at != event.starts_at or old.ends_at != event.ends_at or old.venue_id != values["venue_id"]
            )
            changed = moved or any(values[name] != getattr(old, name) for name in _EVENT_FIELDS)
            changed = changed or values["keywords"] != old.keywords
            if event.status is EventStatus.CANCELLED:
                status = EventStatus.CANCELLED
            elif moved:
                status = EventStatus.MOVED
            elif old.status == EventStatus.CANCELLED.value:
                status = EventStatus.SCHEDULED
            else:
                status = EventStatus(old.status)
            changed = changed or status.value != old.status
            if not changed:
                report.unchanged.append(event.code)
                continue
            if not by_admin and not take_file and old.admin_edited_at is not None:
                # Changed in the admin since: a file must not undo an organiser's decision
                # silently (a restart re-importing it moved events back and told people so).
                report.conflicts.append(event.code)
                continue
            values["status"] = status.value
            if moved:
                values["moved_at"] = now
                report.moved.append(event.code)
            if status is EventStatus.CANCELLED and old.status != EventStatus.CANCELLED.value:
                report.cancelled.append(event.code)
            else:
                report.updated.append(event.code)
            await conn.execute(update(t.event).where(t.event.c.id == old.id).values(**values))
        if not programme.complete:
            return
        for code, old in existing.items():
            if code not in seen and old.status != EventStatus.CANCELLED.value:
                if old.admin_edited_at is not None and not take_file:
                    report.conflicts.append(code)  # created or changed in the admin: kept
                    continue
                # Vanished from the source: cancelled, never deleted, so signups stay.
                await conn.execute(
                    update(t.event)
                    .where(t.event.c.id == old.id)
                    .values(status=EventStatus.CANCELLED.value, updated_at=now, admin_edited_at=None)
                )
                report.cancelled.append(code)

    async def _apply_faq(
        self,
        conn: AsyncConnection,
        festival_id: int,
        entries: Sequence[FaqEntry],
        complete: bool,
        report: ImportReport,
    ) -> None:
        rows = await conn.execute(
            select(t.faq_entry.c.id, t.faq_entry.c.key).where(t.faq_entry.c.festival_id == festival_id)
        )
        ids = {row.key: int(row.id) for row in rows}
        for entry in entries:
            values = {"questions": entry.questions, "answer": entry.answer}
            if entry.key in ids:
                await conn.execute(update(t.faq_entry).where(t.faq_entry.c.id == ids[entry.key]).values(**values))
            else:
                await conn.execute(insert(t.faq_entry).values(festival_id=festival_id, key=entry.key, **values))
            report.faq += 1
        if complete:
            gone = set(ids) - {entry.key for entry in entries}
            if gone:
                await conn.execute(delete(t.faq_entry).where(t.faq_entry.c.id.in_([ids[k] for k in gone])))

    async def imported_hash(self, name: str) -> str | None:
        """The SHA-256 of the file last imported under this name (its path) at a start."""
        async with self.database.reading() as conn:
            value = await conn.scalar(select(t.imported_file.c.sha256).where(t.imported_file.c.name == name))
            return None if value is None else str(value)

    async def remember_import(self, name: str, sha256: str, now: datetime) -> None:
        async with self.database.transaction() as conn:
            await conn.execute(delete(t.imported_file).where(t.imported_file.c.name == name))
            await conn.execute(insert(t.imported_file).values(name=name, sha256=sha256, imported_at=now))

    async def revision(self) -> int | None:
        async with self.database.reading() as conn:
            row = await _current_festival_row(conn)
            return None if row is None else int(row.revision)

    async def snapshot(self) -> ProgrammeSnapshot | None:
        async with self.database.snapshot() as conn:
            row = await _current_festival_row(conn)
            if row is None:
                return None
            festival = Festival(
                id=row.id,
                slug=row.slug,
                name=row.name,
                time_zone=row.time_zone,
                start_date=row.start_date,
                end_date=row.end_date,
            )
            venue_rows = (await conn.execute(select(t.venue).where(t.venue.c.festival_id == row.id))).all()
            venues = {v.key: _venue(v) for v in venue_rows}
            venue_keys = {v.id: v.key for v in venue_rows}
            event_rows = await conn.execute(
                select(t.event).where(t.event.c.festival_id == row.id).order_by(t.event.c.starts_at, t.event.c.code)
            )
            events = [_event(e, venue_keys) for e in event_rows]
            faq_rows = await conn.execute(
                select(t.faq_entry).where(t.faq_entry.c.festival_id == row.id).order_by(t.faq_entry.c.id)
            )
            faq = [FaqEntry(key=f.key, questions=f.questions, answer=f.answer) for f in faq_rows]
            glossary = await read_glossary(conn, row.id)
            return ProgrammeSnapshot(
                festival,
                int(row.revision),
                venues,
                events,
                faq,
                glossary,
                organisations_of=await organisations.links(conn),
                organisation_names=await organisations.names(conn),
            )

    async def event_id(self, code: str) -> int | None:
        async with self.database.reading() as conn:
            festival = await _current_festival_row(conn)
            if festival is None:
                return None
            value = await conn.scalar(
                select(t.event.c.id).where(t.event.c.festival_id == festival.id, t.event.c.code == code)
            )
            return None if value is None else int(value)


async def _current_festival_row(conn: AsyncConnection) -> Row[Any] | None:
    """The festival that is running or comes next: the one that ends last."""
    result = await conn.execute(
        select(t.festival).order_by(t.festival.c.end_date.desc(), t.festival.c.id.desc()).limit(1)
    )
    return result.first()


def _venue(row: Row[Any]) -> Venue:
    return Venue(
        id=row.id,
        key=row.key,
        name=row.name,
        address=row.address,
        accessibility=row.accessibility,
        capacity=row.capacity,
    )


def _event(row: Row[Any], venue_keys: dict[int, str]) -> Event:
    return Event(
        id=row.id,
        code=row.code,
        title=row.title,
        abstract=row.abstract,
        type=row.type,
        track=row.track,
        topics=row.topics,
        keywords=row.keywords,
        language=row.language,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        venue_key=venue_keys.get(row.venue_id) if row.venue_id is not None else None,
        capacity=row.capacity,
        signup_required=row.signup_required,
        audience=row.audience,
        organisation=row.organisation,
        status=EventStatus(row.status),
        url=row.url,
    )


async def count_events(database: Database) -> int:
    async with database.reading() as conn:
        return int(await conn.scalar(select(func.count()).select_from(t.event)) or 0)
