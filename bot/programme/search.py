"""Programme search: filters (dates, part of day, language, type, venue, online) and ranking."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.model import Event
from bot.store.programme import ProgrammeSnapshot
from bot.understand.index import SnapshotIndex, index_for
from bot.understand.query import ProgrammeQuery

UPCOMING_LIMIT = 5
RELATIVE_CUT = 0.3
"""Ranked results keep events scoring at least this share of the best: a question with three
words should not list every event that shares one common word with it."""

# Local hours that bound the parts of a day; an event belongs to every part it overlaps.
_PARTS = {"morning": (5, 12), "afternoon": (12, 17), "evening": (17, 29)}


def find_events(snapshot: ProgrammeSnapshot, query: ProgrammeQuery, now: datetime) -> list[Event]:
    """Events matching `query` at `now`: chronological when browsing, best first with terms.

    Cancelled events never appear. Events that have already ended are left out unless the
    query asks for past dates only or sets `include_past`; so "today" asked in the evening
    lists what is still to come or running.
    """
    index = index_for(snapshot)
    return [index.events[i] for i in _search(index, query, now)]


def _search(index: SnapshotIndex, query: ProgrammeQuery, now: datetime) -> list[int]:
    local_now = now.astimezone(index.zone)
    today = local_now.date()
    keep_past = query.include_past or (query.date_to is not None and query.date_to < today)
    types = {t.casefold() for t in query.types}
    candidates: list[int] = []
    for i, event in enumerate(index.events):
        if index.cancelled[i]:
            continue
        start, end = index.start_local[i], index.end_local[i]
        if query.date_from is not None and start.date() < query.date_from:
            continue
        if query.date_to is not None and start.date() > query.date_to:
            continue
        if query.part_of_day is not None and not _in_part(start, end, query.part_of_day):
            continue
        if not _at_clock(start, end, query):
            continue
        if query.running_now and not (event.starts_at <= now < event.ends_at):
            continue
        if query.upcoming and event.starts_at <= now:
            continue
        if not keep_past and event.ends_at <= now:
            continue
        if query.languages and event.language not in query.languages:
            continue
        if event.language in query.exclude_languages:
            continue
        if (types or query.type_concepts) and not (
            event.type.casefold() in types or index.event_type_concepts[i] & query.type_concepts
        ):
            continue
        if query.venue_keys and event.venue_key not in query.venue_keys:
            continue
        if query.online and not index.online[i]:
            continue
        candidates.append(i)
    ranked = _rank(index, query.terms, candidates)
    if ranked is None or query.upcoming:
        # Browsing, and "what comes next" even with words: time order is what people expect.
        ordered = sorted(ranked if ranked is not None else candidates, key=lambda i: index.start_local[i])
    else:
        ordered = ranked
    limit = query.limit if query.limit is not None else (UPCOMING_LIMIT if query.upcoming else None)
    return ordered[:limit] if limit is not None else ordered


def _rank(index: SnapshotIndex, terms: tuple[str, ...], candidates: list[int]) -> list[int] | None:
    """Candidates that match the terms, best first; None when no term is known to the programme.

    Words that appear nowhere in the programme cannot tell events apart, so they are left out
    instead of emptying the result; the engine can say which words it did not find.
    """
    units = [unit for term in terms for unit in index.term_units(term)]
    if not units:
        return None
    allowed = set(candidates)
    scores: dict[int, float] = {}
    for unit in units:
        idf = index.idf(unit)
        for event, strength in unit.items():
            if event in allowed:
                scores[event] = scores.get(event, 0.0) + idf * strength
    if not scores:
        return []
    best = max(scores.values())
    kept = [i for i, score in scores.items() if score >= RELATIVE_CUT * best]
    return sorted(kept, key=lambda i: (-scores[i], index.start_local[i]))


def known_terms(snapshot: ProgrammeSnapshot, terms: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(terms that occur in the programme, terms that occur nowhere)."""
    index = index_for(snapshot)
    known = tuple(t for t in terms if index.term_units(t))
    return known, tuple(t for t in terms if t not in known)


def _at_clock(start: datetime, end: datetime, query: ProgrammeQuery) -> bool:
    """Local clock-time filters: start after, start before, or on at ("kl 15": running then or
    starting within the hour)."""
    if query.after is not None and start.time() < query.after:
        return False
    if query.before is not None and start.time() >= query.before:
        return False
    if query.at is not None:
        moment = datetime.combine(start.date(), query.at, tzinfo=start.tzinfo)
        if not (start < moment + timedelta(hours=1) and end > moment):
            return False
    return True


def _in_part(start: datetime, end: datetime, part: str) -> bool:
    bounds = _PARTS.get(part)
    if bounds is None:
        return True
    if end <= start:
        end = start + timedelta(minutes=1)
    midnight = datetime.combine(start.date(), time(0), tzinfo=start.tzinfo)
    lo, hi = midnight + timedelta(hours=bounds[0]), midnight + timedelta(hours=bounds[1])
    overlap = min(end, hi) - max(start, lo)
    # A talk that runs ten minutes into the evening is not an evening event.
    return overlap > timedelta(0) and overlap >= min(timedelta(minutes=30), (end - start) / 2)
