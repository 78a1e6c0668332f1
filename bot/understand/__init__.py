"""Free text -> what the person wants: programme events, an FAQ answer, or "not understood".

Pure: no I/O; the per-snapshot index is built on first use and cached on the snapshot.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.model import FaqEntry

# The module, not the function: bot.programme.search imports this package's submodules, so
# either package may be imported first.
from bot.programme import search as _search
from bot.store.programme import ProgrammeSnapshot
from bot.understand.faq import CLEAR_MARGIN, PLAUSIBLE, FaqScore, is_confident, rank_faq
from bot.understand.index import SnapshotIndex, index_for
from bot.understand.parse import Parsed, parse
from bot.understand.query import PARTS_OF_DAY, ProgrammeQuery, Understanding
from bot.understand.smalltalk import small_talk

__all__ = ["PARTS_OF_DAY", "ProgrammeQuery", "Understanding", "understand"]

_MIN_FAQ_COVERAGE = 0.5
_VENUE_CONCEPTS = frozenset({"directions", "accessibility"})
_DOMINANT_CONCEPTS = frozenset({"cost", "signup", "accessibility", "food", "age", "privacy"})


def understand(text: str, lang: str, now: datetime, snapshot: ProgrammeSnapshot) -> Understanding:
    """What `text`, written in `lang` at `now`, asks of this programme."""
    kind = small_talk(text)
    if kind is not None:
        return Understanding("small_talk", small_talk=kind)
    index = index_for(snapshot)
    parsed = parse(text, lang, now, index)
    if not parsed.words and not parsed.clock:
        return Understanding("fallback")
    features = index.features(parsed.matches, parsed.words)
    ranked = rank_faq(index, parsed.words, features)
    known, ignored = _search.known_terms(snapshot, tuple(parsed.terms))
    query = _query(parsed, known)
    strong = parsed.has_time or bool(parsed.languages) or parsed.online
    medium = bool(query.types or query.type_concepts or query.venue_keys or known)
    exact = bool(ranked) and ranked[0].score >= 1.0
    about_programme = parsed.has_time or parsed.online or parsed.programme or bool(query.types or query.type_concepts)
    topical = any(tag.kind == "topic" for m in parsed.matches for tag in m.tags)
    if parsed.off_topic and not (topical or query.types or query.type_concepts or query.venue_keys):
        # "Who wins the derby on Sunday?": a day, but nothing the festival can answer.
        return Understanding("fallback", ignored=ignored)
    if parsed.young and parsed.permission and not (query.types or query.type_concepts or parsed.has_time):
        # "ja e 16 får ja komma?": the age the festival is for, not a list of youth events.
        age = _about(index, "age")
        if age is not None:
            return Understanding("faq", faq=[(age, 1.0)])

    if parsed.speak and parsed.languages and not (about_programme or known or query.venue_keys):
        return Understanding("language", languages=tuple(sorted(parsed.languages)))
    if parsed.venues and parsed.faq_concepts & _VENUE_CONCEPTS and not (about_programme or known or strong):
        return _venue(parsed, ranked)
    practical = _practical_answer(index, parsed, features)
    if practical is not None and _asks_only(parsed, query, "languages_question"):
        # "Do I need to speak Swedish?": the language is what the question is about, not a filter.
        return _faq("faq", [practical])
    if practical is not None and (strong or medium):
        # "Is the Arabic workshop free?": the answer, and the events it is about.
        found = _events(snapshot, query, now, ignored)
        return replace(found, faq=[(practical.entry, practical.score)])
    if practical is not None:
        return _faq("faq", [practical])
    if exact and not strong:
        return _faq("faq", ranked[:1])
    if only_time(parsed, query) and len(ignored) > 1 and not parsed.programme:
        # "Vem vann matchen igår?": a date, but nothing we know about that day was asked. One
        # word we don't know ("bror vad händer ikväll") does not undo the rest.
        return Understanding("fallback", ignored=ignored)
    if strong or (medium and not _faq_explains(ranked)):
        return _events(snapshot, query, now, ignored)
    if _faq_explains(ranked):
        return _faq("faq", ranked[:1])
    if parsed.programme:
        if ignored:
            # "Events about climate" when nothing is about climate: say so, list nothing.
            return Understanding("events", query=query, events=[], ignored=ignored)
        return _events(snapshot, replace(query, upcoming=True), now, ignored)
    if ranked and ranked[0].score >= PLAUSIBLE and parsed.faq_concepts:
        # Only for a practical question; words in common alone are guesses ("vem vann matchen").
        return _faq("faq_unsure", ranked[:2])
    return Understanding("fallback", ignored=ignored)


def _about(index: SnapshotIndex, concept: str) -> FaqEntry | None:
    """The FAQ entry about a practical concept ("age"), when the festival has one."""
    wanted = f"faq:{concept}"
    return next((item.entry for item in index.faq if wanted in item.features), None)


def _venue(parsed: Parsed, ranked: list[FaqScore]) -> Understanding:
    """Where a venue is and how to get in; an FAQ entry that answers it for this venue wins."""
    keys = tuple(sorted(parsed.venues))
    if _faq_explains(ranked):
        if "directions" in parsed.faq_concepts:
            return _faq("faq", ranked[:1])
        return Understanding("venue", venue_keys=keys, faq=[(ranked[0].entry, ranked[0].score)])
    return Understanding("venue", venue_keys=keys)


def _practical_answer(index: SnapshotIndex, parsed: Parsed, features: dict[str, float]) -> FaqScore | None:
    """The FAQ entry a practical question asks for even when it also names a language or a day.

    Only for concepts whose answer does not depend on the event ("is it free?", "interpreting")
    and only when the best entry is confident and is about that very concept.
    """
    concepts = parsed.faq_concepts & _DOMINANT_CONCEPTS
    if parsed.faq_cue:
        concepts |= parsed.faq_concepts & {"languages_question"}
    if not concepts:
        return None
    # The events listed answer the event's kind, subject, day and place ("the youth workshop on
    # Sunday, where exactly, and is it free?"), so they do not dilute the practical part.
    practical = {name: weight for name, weight in features.items() if not name.startswith(_EVENT_FEATURES)}
    ranked = rank_faq(index, parsed.words, practical)
    wanted = {f"faq:{concept}" for concept in concepts}
    about = {item.entry.key for item in index.faq if wanted & set(item.features)}
    candidates = [score for score in ranked if score.entry.key in about]
    if not candidates or candidates[0].score < PLAUSIBLE:
        return None
    # Slots and event words dilute the score, so the concept decides, unless two entries
    # about it are about equally close: then the more particular need wins ("free food" asks
    # about the food, "my little brother in a wheelchair" about access), or nothing does.
    if len(candidates) > 1 and candidates[0].score - candidates[1].score < CLEAR_MARGIN:
        close = [c for c in candidates if candidates[0].score - c.score < CLEAR_MARGIN]
        ranks = sorted((_particular(index, c), i) for i, c in enumerate(close))
        if len(ranks) < 2 or ranks[0][0] == ranks[1][0]:
            return None
        return close[ranks[0][1]]
    return candidates[0]


_EVENT_FEATURES = ("type:", "topic:", "datatype:", "slot:", "venue:")

_PARTICULAR = ("accessibility", "food", "privacy", "signup", "age", "cost")
"""Practical concepts from the most to the least particular."""


def _particular(index: SnapshotIndex, score: FaqScore) -> int:
    item = next((item for item in index.faq if item.entry.key == score.entry.key), None)
    features = set(item.features) if item is not None else set()
    return next((rank for rank, concept in enumerate(_PARTICULAR) if f"faq:{concept}" in features), len(_PARTICULAR))


def _asks_only(parsed: Parsed, query: ProgrammeQuery, concept: str) -> bool:
    """The practical question is about `concept` and names no time, place, kind or topic."""
    return (
        parsed.faq_concepts & _DOMINANT_CONCEPTS == set()
        and concept in parsed.faq_concepts
        and not (parsed.has_time or parsed.online or query.types or query.type_concepts or query.venue_keys)
        and not any(tag.kind == "topic" for m in parsed.matches for tag in m.tags)
    )


def only_time(parsed: Parsed, query: ProgrammeQuery) -> bool:
    """The question names a time and nothing else the programme knows."""
    return (
        parsed.has_time
        and not parsed.programme
        and not (query.languages or query.online or query.types or query.type_concepts)
        and not (query.venue_keys or query.terms)
    )


def _faq_explains(ranked: list[FaqScore]) -> bool:
    return is_confident(ranked) and ranked[0].coverage >= _MIN_FAQ_COVERAGE


def _faq(intent: str, scores: list[FaqScore]) -> Understanding:
    return Understanding(intent, faq=[(s.entry, s.score) for s in scores])


def _query(parsed: Parsed, terms: tuple[str, ...]) -> ProgrammeQuery:
    date_from = min((d[0] for d in parsed.dates), default=None)
    date_to = max((d[1] for d in parsed.dates), default=None)
    return ProgrammeQuery(
        date_from=date_from,
        date_to=date_to,
        part_of_day=parsed.part_of_day,
        running_now=parsed.now,
        # "Next Saturday" is a date, not "what comes next".
        upcoming=parsed.next and not parsed.now and not parsed.dates,
        languages=frozenset(parsed.languages),
        exclude_languages=frozenset(parsed.not_languages),
        types=frozenset(parsed.data_types),
        venue_keys=frozenset(parsed.venues),
        terms=terms,
        online=parsed.online,
        type_concepts=frozenset(parsed.type_concepts),
        after=max((c.at for c in parsed.clock if c.relation == "after"), default=None),
        before=min((c.at for c in parsed.clock if c.relation == "before"), default=None),
        at=next((c.at for c in parsed.clock if c.relation == "at"), None),
    )


def _events(
    snapshot: ProgrammeSnapshot, query: ProgrammeQuery, now: datetime, ignored: tuple[str, ...]
) -> Understanding:
    events = _search.find_events(snapshot, query, now)
    if events:
        return Understanding("events", query=query, events=events, ignored=ignored)
    if query.running_now:
        upcoming = replace(query, running_now=False, upcoming=True)
        later = _search.find_events(snapshot, upcoming, now)
        if later:
            return Understanding("events", query=query, events=later, note="nothing_now", ignored=ignored)
    specific = bool(query.languages or query.online or query.venue_keys or query.terms)
    if (query.types or query.type_concepts) and specific:
        # "Online workshop" when the only online event is a webinar: the language, place or
        # subject says more about what is wanted than the kind of event does.
        other = replace(query, types=frozenset(), type_concepts=frozenset())
        others = _search.find_events(snapshot, other, now)
        if others:
            return Understanding("events", query=other, events=others, note="other_kinds", ignored=ignored)
    ended = _search.find_events(snapshot, replace(query, include_past=True), now)
    if ended:
        note = "ended" if query.date_from is not None else "past_only"
        return Understanding("events", query=query, note=note, ended=ended, ignored=ignored)
    return Understanding("events", query=query, ignored=ignored)
