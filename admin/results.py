"""Evaluation results and the city board's follow-up report, read in a few grouped queries.

Counts only: the ratings store keeps no link from an answer to a person once a poll closes, and
nothing is shown for an event with fewer than `MIN_ANSWERS` answers, so that a small group's
answers cannot be told apart.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from babel.numbers import format_decimal, format_percent
from sqlalchemy import func, select

from admin.i18n import N_
from bot.model import Event, EventStatus, SignupStatus, pick
from bot.programme import spreadsheet
from bot.store import Store
from bot.store import schema as t
from bot.store.programme import ProgrammeSnapshot
from bot.store.ratings import DID_NOT_ATTEND

MIN_ANSWERS = 5
SCALE = (1, 2, 3, 4, 5)
LOCALE = "sv_SE"
"""The city reports in Swedish number formats: "4,3 av 5", "62 %"."""

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w])\+?\d[\d\s().-]{5,}\d(?![\w])")


def mask(comment: str) -> str:
    """The comment with e-mail addresses and phone numbers replaced: comments are shown to
    organisers, and a resident who wrote their number did not mean to publish it."""
    comment = _EMAIL.sub("[e-post]", comment)
    return _PHONE.sub(lambda m: "[telefon]" if sum(c.isdigit() for c in m.group()) >= 6 else m.group(), comment)


def average_text(average: float | None) -> str:
    return "–" if average is None else f"{format_decimal(average, format='0.0', locale=LOCALE)} av 5"


def percent_text(value: float | None) -> str:
    return "–" if value is None else format_percent(value, format="0 %", locale=LOCALE)


@dataclass
class Tally:
    votes: dict[int, int] = field(default_factory=dict)

    def add(self, choice: int, n: int) -> None:
        self.votes[choice] = self.votes.get(choice, 0) + n

    @property
    def answers(self) -> int:
        return sum(self.votes.values())

    @property
    def scored(self) -> int:
        return sum(n for choice, n in self.votes.items() if choice != DID_NOT_ATTEND)

    @property
    def did_not_attend(self) -> int:
        return self.votes.get(DID_NOT_ATTEND, 0)

    @property
    def average(self) -> float | None:
        if not self.scored:
            return None
        return sum(c * n for c, n in self.votes.items() if c != DID_NOT_ATTEND) / self.scored

    @property
    def shown(self) -> bool:
        return self.answers >= MIN_ANSWERS

    def distribution(self) -> list[tuple[int, int]]:
        return [(choice, self.votes.get(choice, 0)) for choice in SCALE]


@dataclass
class EventResult:
    event: Event
    tally: Tally
    signups: int
    attended: int
    comments: int

    @property
    def held(self) -> bool:
        return self.event.status is not EventStatus.CANCELLED

    @property
    def response_rate(self) -> float | None:
        return _rate(self.tally.answers, self.signups)

    @property
    def title(self) -> str:
        return pick(self.event.title, "sv")


@dataclass
class Summary:
    label: str
    events: int = 0
    held: int = 0
    signups: int = 0
    attended: int = 0
    tally: Tally = field(default_factory=Tally)

    def add(self, result: EventResult, ended: bool) -> None:
        self.events += 1
        self.held += int(result.held and ended)
        self.signups += result.signups
        self.attended += result.attended
        for choice, n in result.tally.votes.items():
            self.tally.add(choice, n)

    @property
    def response_rate(self) -> float | None:
        return _rate(self.tally.answers, self.signups)


def _rate(answers: int, signups: int) -> float | None:
    """Answers per person signed up. None where that says nothing: without signups (open
    entry), or with more answers than signups (people also rated through the venue's QR code)."""
    if not signups or answers > signups:
        return None
    return answers / signups


async def event_results(store: Store, events: list[Event]) -> list[EventResult]:
    ids = [e.id for e in events if e.id is not None]
    tallies: dict[int, Tally] = defaultdict(Tally)
    signups: dict[int, int] = {}
    attended: dict[int, int] = {}
    comments: dict[int, int] = {}
    async with store.database.snapshot() as conn:
        for event_id, choice, votes in await conn.execute(
            select(t.rating_tally.c.event_id, t.rating_tally.c.choice, t.rating_tally.c.votes).where(
                t.rating_tally.c.event_id.in_(ids)
            )
        ):
            if votes:
                tallies[int(event_id)].add(int(choice), int(votes))
        for event_id, n in await conn.execute(
            select(t.signup.c.event_id, func.count())
            .where(t.signup.c.event_id.in_(ids), t.signup.c.status == SignupStatus.CONFIRMED.value)
            .group_by(t.signup.c.event_id)
        ):
            signups[int(event_id)] = int(n)
        for event_id, n in await conn.execute(
            select(t.signup.c.event_id, func.count())
            .join(t.checkin, t.checkin.c.signup_id == t.signup.c.id)
            .where(t.signup.c.event_id.in_(ids), t.checkin.c.checked_in_at.is_not(None))
            .group_by(t.signup.c.event_id)
        ):
            attended[int(event_id)] = int(n)
        for event_id, n in await conn.execute(
            select(t.rating_comment.c.event_id, func.count())
            .where(t.rating_comment.c.event_id.in_(ids))
            .group_by(t.rating_comment.c.event_id)
        ):
            comments[int(event_id)] = int(n)
    return [
        EventResult(
            e,
            tallies[e.id] if e.id in tallies else Tally(),
            signups.get(e.id or 0, 0),
            attended.get(e.id or 0, 0),
            comments.get(e.id or 0, 0),
        )
        for e in events
    ]


async def comments_of(store: Store, event_id: int) -> list[str]:
    async with store.database.reading() as conn:
        rows = await conn.execute(select(t.rating_comment.c.text).where(t.rating_comment.c.event_id == event_id))
        # Sorted by text: the order must not tell who wrote first.
        return sorted(mask(str(r.text)) for r in rows)


def festival_summary(results: list[EventResult], now: datetime) -> Summary:
    summary = Summary("Festival")
    for result in results:
        summary.add(result, result.event.ends_at <= now)
    return summary


def organiser_names(event: Event, snapshot: ProgrammeSnapshot) -> list[str]:
    """The names of the organisation records that run an event, lead first."""
    return [
        snapshot.organisation_names[i] for i in snapshot.organisation_ids(event) if i in snapshot.organisation_names
    ]


NO_ORGANISER = N_("(no organiser)")
"""The row of events without an organisation: the page translates it, the CSV keeps the English."""


def by_organiser(results: list[EventResult], now: datetime, snapshot: ProgrammeSnapshot) -> list[Summary]:
    """One row per organisation record: spellings of one name, and records merged, are one row."""
    groups: dict[int, Summary] = {}
    for result in results:
        ids = [i for i in snapshot.organisation_ids(result.event) if i in snapshot.organisation_names] or [0]
        for organisation_id in ids:
            name = snapshot.organisation_names.get(organisation_id, NO_ORGANISER)
            groups.setdefault(organisation_id, Summary(name)).add(result, result.event.ends_at <= now)
    return sorted(groups.values(), key=lambda s: s.label.casefold())


def report_csv(
    results: list[EventResult], organisers: list[Summary], total: Summary, now: datetime, snapshot: ProgrammeSnapshot
) -> str:
    out = io.StringIO()
    writer = spreadsheet.writer(out)
    writer.writerow(
        [
            "level",
            "code",
            "activity",
            "organiser",
            "events",
            "held",
            "signups",
            "attended",
            "answers",
            "average",
            "response_rate",
        ]
    )

    def numbers(tally: Tally) -> list[str]:
        if not tally.shown:
            return [str(tally.answers) if tally.answers == 0 else f"<{MIN_ANSWERS}", "", ""]
        average = tally.average
        return [str(tally.answers), "" if average is None else f"{average:.2f}", ""]

    for r in results:
        row = numbers(r.tally)
        if r.tally.shown and r.response_rate is not None:
            row[2] = f"{r.response_rate:.3f}"
        writer.writerow(
            [
                "activity",
                r.event.code,
                r.title,
                "; ".join(organiser_names(r.event, snapshot)),
                1,
                int(r.held and r.event.ends_at <= now),
                r.signups,
                r.attended,
                *row,
            ]
        )
    for s in [*organisers, total]:
        row = numbers(s.tally)
        if s.tally.shown and s.response_rate is not None:
            row[2] = f"{s.response_rate:.3f}"
        level = "festival" if s is total else "organiser"
        writer.writerow([level, "", "", s.label, s.events, s.held, s.signups, s.attended, *row])
    return out.getvalue()


def bars(distribution: list[tuple[int, int]], width: int = 320) -> list[tuple[int, int, int, int]]:
    """(choice, votes, bar length, y) for the SVG chart; lengths relative to the largest bar."""
    top = max((n for _, n in distribution), default=0) or 1
    return [(choice, n, round(width * n / top), 28 * i) for i, (choice, n) in enumerate(distribution)]
