"""What the admin can do, with who may do it and the audit entry it leaves: one place for pages
and API alike, so a rule cannot be enforced on one and forgotten on the other."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import delete, func, insert, select, update

from admin.i18n import N_, Explained
from admin.store import Account, AdminStore, Role
from bot.model import LANGUAGES, Event, EventStatus, FaqEntry, Programme, SignupStatus, Venue, pick
from bot.programme import spreadsheet
from bot.store import Store
from bot.store import schema as t
from bot.store.checkins import CheckIn
from bot.store.organisations import organisation_key, set_links, split_names
from bot.store.programme import ImportReport, ProgrammeError, ProgrammeSnapshot
from bot.store.signups import Occupancy, SignupError

EXCLUDED = {"code", "organisation", "organisation_ids"}
"""EventInput fields that are not Event fields as they are."""

MANUAL_CHANNEL = "manual"
"""People an organiser added by hand (walk-ins, phone signups): no chat behind them."""


class Refused(Exception):
    """The account may not do this."""


class NotFound(Explained):
    pass


class Invalid(Explained):
    """The request cannot be carried out; the message says why, for an organiser."""


def may_manage(account: Account, event: Event, snapshot: ProgrammeSnapshot) -> bool:
    """Admins manage every event; an organiser those linked to their organisation's record."""
    if account.role is Role.ADMIN:
        return True
    if account.role is Role.ORGANISER and account.organisation_id is not None:
        return account.organisation_id in snapshot.organisation_ids(event)
    return False


EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def check_time(value: datetime) -> datetime:
    """An aware time a festival can have: far-off years would overflow on conversion to UTC."""
    if value.tzinfo is None:
        raise Invalid(N_("times need a time zone"))
    try:
        within = EARLIEST <= value.astimezone(UTC) < LATEST
    except OverflowError:
        within = False
    if not within:
        raise Invalid(N_("the time must be between the years 2000 and 2100"))
    return value


def require(account: Account, *roles: Role) -> None:
    if account.role not in roles:
        raise Refused()


class EventInput(BaseModel):
    """An event as the admin form and the API send it."""

    code: str = Field(default="", max_length=100, pattern=r"^[A-Za-z0-9_.-]*$")
    title: dict[str, str]
    abstract: dict[str, str] = Field(default_factory=dict)
    type: str = Field(default="", max_length=100)
    track: str = Field(default="", max_length=200)
    topics: list[str] = Field(default_factory=list, max_length=50)
    keywords: list[str] = Field(default_factory=list, max_length=100)
    language: str = Field(default="sv", max_length=16)
    starts_at: datetime
    ends_at: datetime
    venue_key: str | None = Field(default=None, max_length=200)
    capacity: int | None = Field(default=None, ge=0, le=1_000_000)
    signup_required: bool = False
    audience: dict[str, str] = Field(default_factory=dict)
    organisation: str = Field(default="", max_length=300)
    """Organisation names as an import has them (pretalx joins them with commas); an organiser
    may name only existing organisations. `organisation_ids` is the way to choose."""
    organisation_ids: list[int] | None = Field(default=None, max_length=50)
    """The organisations that run the event, the lead one first; None: as `organisation` says."""
    url: str | None = Field(default=None, max_length=1000)

    @field_validator("title", "abstract", "audience")
    @classmethod
    def _languages(cls, value: dict[str, str]) -> dict[str, str]:
        cleaned = {k.strip().lower(): v.strip() for k, v in value.items() if v and v.strip()}
        unknown = sorted(set(cleaned) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"unknown language {', '.join(unknown)}")
        if any(len(v) > 5000 for v in cleaned.values()):
            raise ValueError("a text is longer than 5000 characters")
        return cleaned

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("https://", "http://")):
            # Anything else (javascript:) would become a link in the bot and the admin.
            raise ValueError("the link must start with https://")
        return value

    @model_validator(mode="after")
    def _check(self) -> EventInput:
        if not self.title:
            raise ValueError("the event needs a title in at least one language")
        for value in (self.starts_at, self.ends_at):
            try:
                check_time(value)
            except Invalid as error:
                raise ValueError(str(error)) from None
        if self.ends_at <= self.starts_at:
            raise ValueError("the event must end after it starts")
        return self


class VenueInput(BaseModel):
    key: str = Field(default="", max_length=200)
    name: str = Field(min_length=1, max_length=300)
    address: str = Field(default="", max_length=500)
    accessibility: dict[str, str] = Field(default_factory=dict)
    capacity: int | None = Field(default=None, ge=0, le=1_000_000)


class FaqInput(BaseModel):
    key: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    questions: dict[str, list[str]] = Field(default_factory=dict)
    answer: dict[str, str]

    @model_validator(mode="after")
    def _check(self) -> FaqInput:
        self.answer = {k: v.strip() for k, v in self.answer.items() if v and v.strip()}
        self.questions = {k: [q.strip() for q in v if q.strip()] for k, v in self.questions.items()}
        self.questions = {k: v for k, v in self.questions.items() if v}
        if not self.answer:
            raise ValueError("the answer needs at least one language")
        if set(self.answer) - set(LANGUAGES) or set(self.questions) - set(LANGUAGES):
            raise ValueError("unknown language")
        return self


@dataclass(frozen=True)
class Attendee:
    signup_id: int
    person_id: int
    status: SignupStatus
    channel: str
    label: str
    language: str
    signed_up_at: datetime
    position: int | None
    checkin: CheckIn

    def as_dict(self) -> dict[str, Any]:
        return {
            "signup_id": self.signup_id,
            "status": self.status.value,
            "channel": self.channel,
            "label": self.label,
            "language": self.language,
            "signed_up_at": self.signed_up_at.isoformat(),
            "waiting_list_position": self.position,
            "code": self.checkin.code,
            "checked_in_at": self.checkin.checked_in_at.isoformat() if self.checkin.checked_in_at else None,
        }


@dataclass(frozen=True)
class EventPeople:
    event: Event
    occupancy: Occupancy
    attendees: list[Attendee]

    @property
    def confirmed(self) -> list[Attendee]:
        return [a for a in self.attendees if a.status is SignupStatus.CONFIRMED]

    @property
    def waiting(self) -> list[Attendee]:
        return [a for a in self.attendees if a.status is SignupStatus.WAITLISTED]

    @property
    def seats_left(self) -> int | None:
        cap = self.occupancy.capacity
        return None if cap is None else max(cap - self.occupancy.confirmed, 0)

    @property
    def checked_in(self) -> int:
        return sum(1 for a in self.confirmed if a.checkin.checked_in_at is not None)


@dataclass(frozen=True)
class CheckInResult:
    attendee: Attendee
    event: Event
    first_time: bool
    checked_in: int = 0
    """People of this event checked in so far, this one included."""
    expected: int = 0
    """Confirmed signups of this event."""


def _label(channel: str, user_id: str) -> str:
    if channel == MANUAL_CHANNEL:
        return user_id.split(":", 1)[-1]
    # Chat ids are personal data the door does not need: the code identifies the signup.
    return {"telegram": "Telegram", "matrix": "Matrix", "web": "Try the bot"}.get(channel, channel)


class AdminService:
    def __init__(self, store: Store, admin: AdminStore) -> None:
        self.store = store
        self.admin = admin
        self._cached: ProgrammeSnapshot | None = None

    def changed(self) -> None:
        # The engine in this process re-reads the programme at once when this count moves.
        self.store.programme.local_changes += 1

    async def current(self) -> ProgrammeSnapshot | None:
        """The programme, re-read only when its revision moved: one small query per request
        instead of loading every event, venue and FAQ entry each time."""
        revision = await self.store.programme.revision()
        if revision is None:
            return None
        if self._cached is None or self._cached.revision != revision:
            self._cached = await self.store.programme.snapshot()
        return self._cached

    async def snapshot(self) -> ProgrammeSnapshot:
        snapshot = await self.current()
        if snapshot is None:
            raise NotFound(N_("there is no programme yet: import one first"))
        return snapshot

    # Programme

    async def events(self, actor: Account) -> list[Event]:
        require(actor, Role.ADMIN, Role.ORGANISER)
        snapshot = await self.current()
        if snapshot is None:
            return []
        return [e for e in snapshot.events if may_manage(actor, e, snapshot)]

    async def event(self, actor: Account, code: str) -> Event:
        require(actor, Role.ADMIN, Role.ORGANISER)
        snapshot = await self.snapshot()
        event = snapshot.event(code)
        if event is None:
            raise NotFound(N_("no event {code}"), code=code)
        if not may_manage(actor, event, snapshot):
            raise Refused()
        return event

    async def _organisations(
        self, actor: Account, data: EventInput, old: tuple[int, ...] | None, now: datetime
    ) -> tuple[list[int], str]:
        """The organisation records that will run the event, lead first, and their names as the
        event's text.

        The rule: an admin chooses any. An organiser creating an event leads it. Only an admin
        adds a co-organiser, since that opens the event's attendee list to another organisation.
        The lead organisation's organisers may remove co-organisers; a co-organiser changes none
        (it could otherwise remove the lead and take the event).
        """
        records = {o.id: o.name for o in await self.admin.organisations()}
        if data.organisation_ids is not None:
            wanted = list(dict.fromkeys(data.organisation_ids))
            unknown = [i for i in wanted if i not in records]
            if unknown:
                raise Invalid(N_("choose organisations from the list"))
        elif data.organisation.strip():
            if actor.role is Role.ADMIN:
                wanted = [(await self.admin.ensure_organisation(name, now)).id for name in self._names(data, records)]
                records = {o.id: o.name for o in await self.admin.organisations()}
            else:
                by_key = {organisation_key(name): i for i, name in records.items()}
                names = self._names(data, records)
                missing = [n for n in names if organisation_key(n) not in by_key]
                if missing:
                    raise Invalid(
                        N_("unknown organisation {name}: choose organisations from the list"), name=missing[0]
                    )
                wanted = [by_key[organisation_key(n)] for n in names]
            wanted = list(dict.fromkeys(wanted))
        else:
            wanted = list(old) if old is not None else []
        if actor.role is Role.ORGANISER:
            mine = actor.organisation_id
            assert mine is not None
            before = set(old or ()) | {mine}
            if old and old[0] != mine:
                if set(wanted) != set(old):
                    raise Invalid(N_("only the lead organisation or an admin changes the organisations of this event"))
                wanted = list(old)
            else:
                if set(wanted) - before:
                    raise Invalid(N_("only an admin adds a co-organiser: ask one"))
                # Their organisation leads, and stays: an organiser who gave the event away
                # would lose it and could not undo that.
                wanted = [mine, *[i for i in wanted if i != mine]]
        return wanted, ", ".join(records[i] for i in wanted if i in records)

    @staticmethod
    def _names(data: EventInput, records: dict[int, str]) -> list[str]:
        return split_names(data.organisation, {organisation_key(n) for n in records.values()})

    async def _link(self, code: str, organisation_ids: list[int]) -> None:
        event_id = await self.store.programme.event_id(code)
        assert event_id is not None
        async with self.store.database.transaction() as conn:
            await set_links(conn, event_id, organisation_ids)
            await _bump_revision(conn, (await self.snapshot()).festival.id)
        self.changed()

    async def _apply(self, programme: Programme, now: datetime) -> ImportReport:
        try:
            return await self.store.programme.apply(programme, now, by_admin=True)
        except ProgrammeError as error:
            raise Invalid(str(error)) from None

    async def create_event(self, actor: Account, data: EventInput, now: datetime) -> Event:
        require(actor, Role.ADMIN, Role.ORGANISER)
        snapshot = await self.snapshot()
        code = data.code.strip() or f"A{secrets.token_hex(3).upper()}"
        if snapshot.event(code) is not None:
            raise Invalid(N_("there is already an event with the code {code}"), code=code)
        self._check_venue(snapshot, data.venue_key)
        ids, organisation = await self._organisations(actor, data, None, now)
        event = Event(**data.model_dump(exclude=EXCLUDED), code=code, organisation=organisation)
        await self._apply(Programme(events=[event], complete=False), now)
        await self._link(code, ids)
        await self.admin.audit(actor, "event.create", code, {"title": event.title, "organisations": ids}, now)
        return await self.event(actor, code)

    def _check_venue(self, snapshot: ProgrammeSnapshot, venue_key: str | None) -> None:
        if venue_key and venue_key not in snapshot.venues:
            raise Invalid(N_("unknown venue"))

    async def update_event(self, actor: Account, code: str, data: EventInput, now: datetime) -> Event:
        old = await self.event(actor, code)
        snapshot = await self.snapshot()
        self._check_venue(snapshot, data.venue_key)
        ids, organisation = await self._organisations(actor, data, snapshot.organisation_ids(old), now)
        new = old.model_copy(update={**data.model_dump(exclude=EXCLUDED), "organisation": organisation})
        report = await self._apply(Programme(events=[new], complete=False), now)
        await self._link(code, ids)
        changes = _diff(old, new)
        await self.admin.audit(actor, "event.update", code, {"changes": changes, "moved": bool(report.moved)}, now)
        return await self.event(actor, code)

    async def move_event(
        self, actor: Account, code: str, starts_at: datetime, ends_at: datetime, venue_key: str | None, now: datetime
    ) -> Event:
        old = await self.event(actor, code)
        check_time(starts_at)
        check_time(ends_at)
        if ends_at <= starts_at:
            raise Invalid(N_("the event must end after it starts"))
        self._check_venue(await self.snapshot(), venue_key)
        new = old.model_copy(update={"starts_at": starts_at, "ends_at": ends_at, "venue_key": venue_key})
        await self._apply(Programme(events=[new], complete=False), now)
        await self.admin.audit(actor, "event.move", code, {"changes": _diff(old, new)}, now)
        return await self.event(actor, code)

    async def set_cancelled(self, actor: Account, code: str, cancelled: bool, now: datetime) -> Event:
        old = await self.event(actor, code)
        status = EventStatus.CANCELLED if cancelled else EventStatus.SCHEDULED
        await self._apply(Programme(events=[old.model_copy(update={"status": status})], complete=False), now)
        await self.admin.audit(actor, "event.cancel" if cancelled else "event.reinstate", code, {}, now)
        return await self.event(actor, code)

    # Venues and FAQ: the whole festival's, so admins only.

    async def save_venue(self, actor: Account, data: VenueInput, now: datetime) -> Venue:
        require(actor, Role.ADMIN)
        snapshot = await self.snapshot()
        key = data.key.strip() or data.name.strip()
        values = data.model_dump(exclude={"key"})
        async with self.store.database.transaction() as conn:
            festival_id = snapshot.festival.id
            if key in snapshot.venues:
                await conn.execute(
                    update(t.venue).where(t.venue.c.festival_id == festival_id, t.venue.c.key == key).values(**values)
                )
                action = "venue.update"
            else:
                await conn.execute(insert(t.venue).values(festival_id=festival_id, key=key, **values))
                action = "venue.create"
            await _bump_revision(conn, festival_id)
            await self.admin.audit(actor, action, key, {"name": data.name}, now, conn)
        self.changed()
        venue = (await self.snapshot()).venues[key]
        return venue

    async def save_faq(self, actor: Account, data: FaqInput, now: datetime) -> FaqEntry:
        require(actor, Role.ADMIN)
        entry = FaqEntry(key=data.key, questions=data.questions, answer=data.answer)
        await self._apply(Programme(faq=[entry], complete=False), now)
        await self.admin.audit(actor, "faq.save", data.key, {"answer": data.answer}, now)
        return entry

    async def delete_faq(self, actor: Account, key: str, now: datetime) -> None:
        require(actor, Role.ADMIN)
        snapshot = await self.snapshot()
        async with self.store.database.transaction() as conn:
            result = await conn.execute(
                delete(t.faq_entry).where(t.faq_entry.c.festival_id == snapshot.festival.id, t.faq_entry.c.key == key)
            )
            if result.rowcount == 0:
                raise NotFound(N_("no FAQ entry {key}"), key=key)
            await _bump_revision(conn, snapshot.festival.id)
            await self.admin.audit(actor, "faq.delete", key, {}, now, conn)
        self.changed()

    async def signup_counts(self, event_ids: list[int]) -> dict[tuple[int, SignupStatus], int]:
        """Signups per event and status in one query, for lists of many events."""
        async with self.store.database.reading() as conn:
            rows = await conn.execute(
                select(t.signup.c.event_id, t.signup.c.status, func.count())
                .where(t.signup.c.event_id.in_(event_ids))
                .group_by(t.signup.c.event_id, t.signup.c.status)
            )
            return {(int(event_id), SignupStatus(status)): int(n) for event_id, status, n in rows}

    async def told_counts(self, event_ids: list[int]) -> dict[int, int]:
        """Per event, the people a move or a cancellation messages: signed up or waiting through
        a chat (people added by hand have none)."""
        if not event_ids:
            return {}
        async with self.store.database.reading() as conn:
            rows = await conn.execute(
                select(t.signup.c.event_id, func.count())
                .join(t.person, t.person.c.id == t.signup.c.person_id)
                .where(
                    t.signup.c.event_id.in_(event_ids),
                    t.signup.c.status.in_([SignupStatus.CONFIRMED.value, SignupStatus.WAITLISTED.value]),
                    t.person.c.channel != MANUAL_CHANNEL,
                )
                .group_by(t.signup.c.event_id)
            )
            return {int(event_id): int(n) for event_id, n in rows}

    # People at events

    async def people(self, actor: Account, code: str) -> EventPeople:
        event = await self.event(actor, code)
        assert event.id is not None
        async with self.store.database.reading() as conn:
            rows = (
                await conn.execute(
                    select(
                        t.signup.c.id,
                        t.signup.c.person_id,
                        t.signup.c.status,
                        t.signup.c.created_at,
                        t.person.c.channel,
                        t.person.c.channel_user_id,
                        t.person.c.language,
                    )
                    .join(t.person, t.person.c.id == t.signup.c.person_id)
                    .where(t.signup.c.event_id == event.id, t.signup.c.status != SignupStatus.CANCELLED.value)
                    .order_by(t.signup.c.created_at, t.signup.c.id)
                )
            ).all()
        checkins = await self.admin.checkins([int(r.id) for r in rows])
        attendees: list[Attendee] = []
        waiting = 0
        for r in rows:
            status = SignupStatus(r.status)
            position = None
            if status is SignupStatus.WAITLISTED:
                waiting += 1
                position = waiting
            attendees.append(
                Attendee(
                    int(r.id),
                    int(r.person_id),
                    status,
                    r.channel,
                    _label(r.channel, r.channel_user_id),
                    r.language,
                    r.created_at,
                    position,
                    checkins[int(r.id)],
                )
            )
        occupancy = await self.store.signups.occupancy(event.id)
        return EventPeople(event, occupancy, attendees)

    async def add_person(self, actor: Account, code: str, name: str, language: str, now: datetime) -> Attendee:
        event = await self.event(actor, code)
        assert event.id is not None
        name = " ".join(name.split())
        if not name or len(name) > 100:
            raise Invalid(N_("give the person's name (at most 100 characters)"))
        if language not in LANGUAGES:
            raise Invalid(N_("unknown language"))
        user_id = f"{secrets.token_hex(4)}:{name}"
        person = await self.store.people.create(MANUAL_CHANNEL, user_id, language, now)
        # No chat behind this person: marked unreachable, so broadcasts and notices skip them.
        await self.store.people.set_unreachable(MANUAL_CHANNEL, user_id, now)
        try:
            outcome = await self.store.signups.sign_up(event.id, person.id, now)
        except SignupError as error:
            raise Invalid(N_("cannot sign up: the event is {reason}"), reason=error) from None
        await self.admin.audit(actor, "signup.add", code, {"name": name, "status": outcome.status.value}, now)
        people = await self.people(actor, code)
        return next(a for a in people.attendees if a.person_id == person.id)

    async def remove_signup(self, actor: Account, code: str, signup_id: int, now: datetime) -> None:
        people = await self.people(actor, code)
        attendee = next((a for a in people.attendees if a.signup_id == signup_id), None)
        if attendee is None:
            raise NotFound(N_("no such signup at this event"))
        assert people.event.id is not None
        outcome = await self.store.signups.cancel(people.event.id, attendee.person_id, now)
        details: dict[str, Any] = {"signup": signup_id, "label": attendee.label}
        if outcome.promoted is not None:
            details["promoted_person"] = outcome.promoted.id
        await self.admin.audit(actor, "signup.remove", code, details, now)

    async def check_in(self, actor: Account, raw_code: str, now: datetime) -> CheckInResult:
        require(actor, Role.ADMIN, Role.ORGANISER)
        found = await self.admin.checkin_by_code(raw_code)
        if found is None:
            raise NotFound(N_("no signup has this code"))
        checkin, event_id = found
        snapshot = await self.snapshot()
        event = next((e for e in snapshot.events if e.id == event_id), None)
        if event is None:
            raise NotFound(N_("no signup has this code"))
        if not may_manage(actor, event, snapshot):
            # Same answer as an unknown code: codes of other organisations' events stay secret.
            raise NotFound(N_("no signup has this code"))
        people = await self.people(actor, event.code)
        attendee = next((a for a in people.attendees if a.signup_id == checkin.signup_id), None)
        if attendee is None:
            raise Invalid(N_("this signup was cancelled"))
        if attendee.status is not SignupStatus.CONFIRMED:
            raise Invalid(
                N_("this person is on the waiting list (number {position}), not confirmed"), position=attendee.position
            )
        first = await self.admin.check_in(checkin.signup_id, actor.username, now)
        if first:
            await self.admin.audit(actor, "checkin", event.code, {"signup": checkin.signup_id}, now)
        people = await self.people(actor, event.code)
        attendee = next(a for a in people.attendees if a.signup_id == checkin.signup_id)
        return CheckInResult(attendee, event, first, people.checked_in, len(people.confirmed))

    async def undo_check_in(self, actor: Account, code: str, signup_id: int, now: datetime) -> EventPeople:
        """A door volunteer's slip (the wrong person, a double tap) taken back."""
        people = await self.people(actor, code)
        if not any(a.signup_id == signup_id for a in people.attendees):
            raise NotFound(N_("no such signup"))
        await self.admin.undo_check_in(signup_id)
        await self.admin.audit(actor, "checkin.undo", code, {"signup": signup_id}, now)
        return await self.people(actor, code)

    async def people_csv(self, actor: Account, code: str, now: datetime) -> str:
        people = await self.people(actor, code)
        out = io.StringIO()
        writer = spreadsheet.writer(out)
        # Only what the door and the follow-up need: no chat ids.
        writer.writerow(["event", "status", "waiting_list_position", "name", "language", "code", "checked_in_at"])
        for a in people.attendees:
            writer.writerow(
                [
                    people.event.code,
                    a.status.value,
                    a.position or "",
                    a.label if a.channel == MANUAL_CHANNEL else "",
                    a.language,
                    a.checkin.code,
                    a.checkin.checked_in_at.isoformat() if a.checkin.checked_in_at else "",
                ]
            )
        await self.admin.audit(actor, "signups.export", code, {"rows": len(people.attendees)}, now)
        return out.getvalue()


async def _bump_revision(conn: Any, festival_id: int | None) -> None:
    # The engine re-reads the programme when the revision changes (see Engine.programme).
    await conn.execute(
        update(t.festival).where(t.festival.c.id == festival_id).values(revision=t.festival.c.revision + 1)
    )


def _diff(old: Event, new: Event) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in type(new).model_fields:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes[name] = [_plain(before), _plain(after)]
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, EventStatus):
        return value.value
    return value


def title(event: Event, lang: str = "sv") -> str:
    return pick(event.title, lang)
