"""Per-snapshot search index: built once per programme revision, shared by every message."""

from __future__ import annotations

import bisect
import math
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process

from bot.model import Event, EventStatus, FaqEntry, Venue
from bot.store.programme import ProgrammeSnapshot
from bot.understand import lexicon
from bot.understand.matcher import COMPOUND, INFLECTED, Match, Matcher, Tag
from bot.understand.normalize import base_forms, is_arabic_script, normalize, tokens
from bot.understand.translit import MIN_SKELETON, latin_skeletons, looks_foreign, skeleton

# How much a word counts by the field it is in: a word in the title says more about the event
# than one in a long abstract.
FIELD_WEIGHTS = {
    "title": 3.0,
    "keywords": 2.5,
    "type": 2.0,
    "topics": 1.5,
    "abstract": 1.0,
    "people": 1.0,
    # What the venue's notes say ("Utomhusscen") describes the event a little too.
    "venue": 0.5,
}
PREFIX_MATCH = 0.7
COGNATE_MATCH = 0.6
SAME_WORD_BONUS = 0.25

# A broader concept is implied by a narrower one: "rights" also finds human-rights events.
CONCEPT_PARENTS = {
    "human_rights": ("rights",),
    "online_hate": ("hate",),
    "afrophobia": ("racism",),
    "city_council": ("politics",),
    "poetry": ("culture",),
    "music": ("culture",),
}
# What a kind of event is always about.
TYPE_TOPICS = {"concert": ("music", "culture"), "performance": ("culture",)}
RANKING_KINDS = frozenset({"topic", "type"})
_TERM_CACHE_SIZE = 4096
_FUZZY_CACHE_SIZE = 4096


def static_entries() -> list[tuple[str, Tag]]:
    """The glossary as (phrase, tag) pairs, slots first so they win ties on the same phrase."""
    entries: list[tuple[str, Tag]] = []
    for offset, words in lexicon.RELATIVE_DAYS.items():
        entries += [(w, Tag("rel", str(offset))) for w in words]
    for weekday, words in lexicon.WEEKDAYS.items():
        entries += [(w, Tag("weekday", str(weekday))) for w in words]
    for month, words in lexicon.MONTHS.items():
        entries += [(w, Tag("month", str(month))) for w in words]
    for day, words in lexicon.FESTIVAL_DAYS.items():
        entries += [(w, Tag("festday", day)) for w in words]
    for period, words in lexicon.PERIODS.items():
        entries += [(w, Tag("period", period)) for w in words]
    for part, words in lexicon.PARTS_OF_DAY.items():
        entries += [(w, Tag("part", part)) for w in words]
    for part, words in lexicon.TODAY_PARTS.items():
        entries += [(w, Tag("today_part", part)) for w in words]
    entries += [(w, Tag("now", "")) for w in lexicon.NOW]
    entries += [(w, Tag("next", "")) for w in lexicon.NEXT]
    for code, words in lexicon.LANGUAGES.items():
        entries += [(w, Tag("lang", code)) for w in words]
    entries += [(w, Tag("mylang", "")) for w in lexicon.MY_LANGUAGE]
    entries += [(w, Tag("online", "")) for w in lexicon.ONLINE]
    entries += [(w, Tag("programme", "")) for w in lexicon.PROGRAMME]
    for concept, words in lexicon.EVENT_TYPES.items():
        entries += [(w, Tag("type", concept)) for w in words]
    for concept, words in lexicon.TOPICS.items():
        entries += [(w, Tag("topic", concept)) for w in words]
    for concept, words in lexicon.FAQ_TOPICS.items():
        entries += [(w, Tag("faq", concept)) for w in words]
    # A cue ("which languages", "interpreting") is also what the languages entry is about.
    entries += [(w, Tag("faqcue", "")) for w in lexicon.FAQ_CUES]
    entries += [(w, Tag("faq", "languages_question")) for w in lexicon.FAQ_CUES]
    entries += [(w, Tag("speak", "")) for w in lexicon.SPEAK]
    entries += [(w, Tag("offtopic", "")) for w in lexicon.OFF_TOPIC]
    entries += [(w, Tag("permission", "")) for w in lexicon.PERMISSION]
    entries += [(w, Tag("weak", "")) for w in lexicon.WEAK]
    entries += [(w, Tag("stop", "")) for w in lexicon.STOPWORDS]
    return entries


_STATIC_ENTRIES: list[tuple[str, Tag]] | None = None


def _static() -> list[tuple[str, Tag]]:
    global _STATIC_ENTRIES
    if _STATIC_ENTRIES is None:
        _STATIC_ENTRIES = static_entries()
    return _STATIC_ENTRIES


@dataclass(frozen=True)
class FaqVariant:
    text: str
    words: tuple[str, ...]
    features: dict[str, float]


@dataclass(frozen=True)
class FaqItem:
    entry: FaqEntry
    variants: tuple[FaqVariant, ...]
    features: dict[str, float]


class SnapshotIndex:
    """Everything about one programme revision that matching needs, computed once."""

    def __init__(self, snapshot: ProgrammeSnapshot) -> None:
        self.snapshot = snapshot
        self.zone = ZoneInfo(snapshot.festival.time_zone)
        self.events: list[Event] = list(snapshot.events)
        self.start_local = [e.starts_at.astimezone(self.zone) for e in self.events]
        self.end_local = [e.ends_at.astimezone(self.zone) for e in self.events]
        self.cancelled = [e.status is EventStatus.CANCELLED for e in self.events]
        online_words = {w for phrase in lexicon.ONLINE for w in tokens(normalize(phrase))}
        self.online_venues = frozenset(
            key for key, venue in snapshot.venues.items() if set(tokens(normalize(venue.name))) & online_words
        )
        self.matcher = Matcher(
            _static()
            + self._venue_entries(snapshot.venues)
            + self._type_entries(self.events)
            + self._glossary_entries(snapshot)
        )
        self.type_concepts_of_type: dict[str, frozenset[str]] = {}
        self.types_of_concept: dict[str, set[str]] = {}
        for event in self.events:
            self._learn_type(event.type)
        self.postings: dict[str, dict[int, float]] = {}
        self.concepts: dict[str, dict[int, float]] = {}
        self.event_type_concepts: list[frozenset[str]] = []
        for i, event in enumerate(self.events):
            self._index_event(i, event)
        self.online = [
            (e.venue_key in self.online_venues) or ("webinar" in self.event_type_concepts[i])
            for i, e in enumerate(self.events)
        ]
        self.vocab = sorted(self.postings)
        self.reversed_vocab = sorted(word[::-1] for word in self.postings)
        self.base_index: dict[str, set[str]] = {}
        for word in self.postings:
            for form in base_forms(word):
                self.base_index.setdefault(form, set()).add(word)
        self.faq = [self._faq_item(entry) for entry in snapshot.faq]
        faq_words = {w for item in self.faq for v in item.variants for w in v.words}
        self.known_words = frozenset(self.matcher.words | set(self.postings) | faq_words)
        self._fuzzy_choices = sorted(w for w in self.known_words if len(w) >= 4 and not w.isdigit())
        self._skeletons = latin_skeletons(_names(snapshot))
        self._lock = threading.Lock()
        self._term_cache: dict[str, list[dict[int, float]]] = {}
        self._fuzzy_cache: dict[str, str | None] = {}

    # -- building -------------------------------------------------------------------------

    @staticmethod
    def _venue_entries(venues: dict[str, Venue]) -> list[tuple[str, Tag]]:
        """Venue names, their parts ("Nobel 21", "Verkstaden") and the glossary's aliases."""
        entries: list[tuple[str, Tag]] = []
        segment_owners: dict[str, set[str]] = {}
        for key, venue in venues.items():
            name = normalize(venue.name)
            segments = {" ".join(tokens(part)) for part in _split_name(name)} | {" ".join(tokens(name))}
            for segment in segments:
                if segment and segment not in _GENERIC_VENUE_WORDS:
                    segment_owners.setdefault(segment, set()).add(key)
            where = " " + " ".join(tokens(name + " " + normalize(venue.address))) + " "
            for group in lexicon.VENUE_ALIASES:
                normalised = [" ".join(tokens(normalize(alias))) for alias in group]
                if any(f" {alias} " in where for alias in normalised):
                    entries += [(alias, Tag("venue", key)) for alias in normalised]
        for segment, keys in segment_owners.items():
            entries += [(segment, Tag("venue", key)) for key in keys]
        return entries

    @staticmethod
    def _glossary_entries(snapshot: ProgrammeSnapshot) -> list[tuple[str, Tag]]:
        """The festival's own glossary from the database, on top of the built-in one: a concept
        the built-in glossary knows as a kind of event or a practical question keeps that role."""
        entries: list[tuple[str, Tag]] = []
        for term in snapshot.glossary:
            if term.concept in lexicon.EVENT_TYPES:
                kind = "type"
            elif term.concept in lexicon.FAQ_TOPICS:
                kind = "faq"
            else:
                kind = "topic"
            entries.append((term.phrase, Tag(kind, term.concept)))
        return entries

    @staticmethod
    def _type_entries(events: Iterable[Event]) -> list[tuple[str, Tag]]:
        """Every type in the data is a word for itself, even one the glossary never heard of."""
        return [(event.type, Tag("datatype", event.type)) for event in events if event.type.strip()]

    def _learn_type(self, event_type: str) -> None:
        if not event_type or event_type in self.type_concepts_of_type:
            return
        words = tokens(normalize(event_type))
        found = {t.value for t, _ in self._tags_in(words, frozenset({"type"}))}
        self.type_concepts_of_type[event_type] = frozenset(found)
        for concept in found:
            self.types_of_concept.setdefault(concept, set()).add(event_type)

    def _tags_in(self, words: Sequence[str], kinds: frozenset[str]) -> list[tuple[Tag, float]]:
        """Glossary tags of the given kinds in a text, including parts of compounds."""
        found: list[tuple[Tag, float]] = []
        covered: set[int] = set()
        for m in self.matcher.match(words):
            hits = [(t, m.quality) for t in m.tags if t.kind in kinds]
            if hits:
                found += hits
                covered.update(range(m.start, m.end))
        for i, word in enumerate(words):
            if i in covered:
                continue
            for form in (word, *base_forms(word)):
                found += self.matcher.compound_tags(form, kinds)
        return found

    def _index_event(self, i: int, event: Event) -> None:
        fields: dict[str, list[str]] = {
            "title": list(event.title.values()),
            "abstract": list(event.abstract.values()),
            "type": [event.type],
            "topics": [*event.topics, event.track],
            "keywords": list(event.keywords),
            "people": [event.organisation],
            "venue": self._venue_texts(event),
        }
        type_concepts: set[str] = set()
        for name, texts in fields.items():
            weight = FIELD_WEIGHTS[name]
            for text in texts:
                words = tokens(normalize(text))
                for word in words:
                    if word.isdigit() and len(word) > 2:
                        continue
                    _raise(self.postings.setdefault(word, {}), i, weight)
                for tag, quality in self._tags_in(words, RANKING_KINDS):
                    for concept in (tag.value, *CONCEPT_PARENTS.get(tag.value, ())):
                        key = _concept_key(tag.kind, concept)
                        _raise(self.concepts.setdefault(key, {}), i, weight * quality)
                    if tag.kind == "type" and name in ("title", "type"):
                        type_concepts.add(tag.value)
        type_concepts |= self.type_concepts_of_type.get(event.type, frozenset())
        for concept in type_concepts:
            for topic in TYPE_TOPICS.get(concept, ()):
                # A concert is music even when its title only says "Öppningskonsert".
                _raise(self.concepts.setdefault(_concept_key("topic", topic), {}), i, FIELD_WEIGHTS["type"])
        self.event_type_concepts.append(frozenset(type_concepts))

    def _venue_texts(self, event: Event) -> list[str]:
        venue = self.snapshot.venues.get(event.venue_key) if event.venue_key else None
        if venue is None:
            return []
        # Only the notes: the name and address are venue slots already, and "Malmö" is everywhere.
        return list(venue.accessibility.values())

    def _faq_item(self, entry: FaqEntry) -> FaqItem:
        variants = tuple(
            FaqVariant(text, tuple(words), self.features(self.matcher.match(words), words))
            for texts in entry.questions.values()
            for text in texts
            for words in [tokens(normalize(text))]
        )
        merged: dict[str, float] = {}
        for variant in variants:
            for feature, weight in variant.features.items():
                merged[feature] = max(weight, merged.get(feature, 0.0))
        return FaqItem(entry, tuple(v for v in variants if v.text), merged)

    # -- features for FAQ matching ----------------------------------------------------------

    def features(self, matches: list[Match], words: Sequence[str]) -> dict[str, float]:
        """What a question is about, with weights: glossary concepts say most, plain words less."""
        found: dict[str, float] = {}
        covered: set[int] = set()

        def add(feature: str, weight: float) -> None:
            found[feature] = max(weight, found.get(feature, 0.0))

        for m in matches:
            covered.update(range(m.start, m.end))
            kinds = {t.kind for t in m.tags}
            concept_tags = [t for t in m.tags if t.kind in ("topic", "faq", "type")]
            if concept_tags:
                for tag in concept_tags:
                    add(_concept_key(tag.kind, tag.value), 2.0)
            elif "venue" in kinds:
                add("venue:" + ",".join(sorted(t.value for t in m.tags if t.kind == "venue")), 1.0)
            elif "datatype" in kinds:
                add("datatype:" + next(t.value for t in m.tags if t.kind == "datatype"), 2.0)
            elif kinds & {"rel", "weekday", "period", "part", "today_part", "now", "next", "festday"}:
                add("slot:time", 1.0)
            elif kinds & {"lang", "mylang"}:
                add("slot:lang", 1.0)
            elif "online" in kinds:
                add("slot:online", 1.0)
            elif "programme" in kinds:
                add("slot:programme", 0.5)
            elif "weak" in kinds:
                add("word:" + " ".join(words[m.start : m.end]), 0.5)
        for i, word in enumerate(words):
            if i in covered:
                continue
            if word.isdigit():
                add("word:" + word, 0.5)
            elif len(word) > 1:
                add("word:" + word, 1.0)
        return found

    # -- query-time helpers -----------------------------------------------------------------

    def correct(self, word: str) -> str | None:
        """The known word a typo most likely meant, or None; only for words seen nowhere."""
        if word in self.known_words or len(word) < 5 or word.isdigit():
            return None
        with self._lock:
            if word in self._fuzzy_cache:
                return self._fuzzy_cache[word]
        # Arabic script writes few vowels, so one letter apart is often another word
        # ("المكان", the place, and "الامان", safety).
        cutoff = 88.0 if len(word) == 5 or is_arabic_script(word) else 82.0
        best = process.extractOne(word, self._fuzzy_choices, scorer=fuzz.ratio, score_cutoff=cutoff)
        result = best[0] if best is not None else None
        with self._lock:
            if len(self._fuzzy_cache) >= _FUZZY_CACHE_SIZE:
                self._fuzzy_cache.clear()
            self._fuzzy_cache[word] = result
        return result

    def transliterated(self, word: str) -> str | None:
        """The programme's Latin word that an unknown Arabic-script word spells ("روتردام")."""
        if not is_arabic_script(word) or word in self.known_words or not looks_foreign(word):
            return None
        if any(form in self.known_words for form in base_forms(word)):
            return None
        key = skeleton(word)
        return self._skeletons.get(key) if len(key) >= MIN_SKELETON else None

    def term_units(self, term: str) -> list[dict[int, float]]:
        """Postings (event -> strength) of each unit of a ranking term; empty units are dropped.

        A unit is a glossary concept (all its words in every language) or one plain word.
        """
        with self._lock:
            cached = self._term_cache.get(term)
        if cached is not None:
            return cached
        words = tokens(normalize(term))
        units: list[dict[int, float]] = []
        covered: set[int] = set()
        for m in self.matcher.match(words):
            # Kinds of event are filters, not ranking words; only topics rank.
            topics = [t for t in m.tags if t.kind == "topic"]
            if topics:
                covered.update(range(m.start, m.end))
                merged: dict[int, float] = {}
                for tag in topics:
                    for event, strength in self.concepts.get(_concept_key(tag.kind, tag.value), {}).items():
                        _raise(merged, event, strength * m.quality)
                # The very words asked for count a little more than their translations.
                literal = self._word_postings(" ".join(words[m.start : m.end]))
                for event, strength in literal.items():
                    merged[event] = max(merged.get(event, 0.0), strength) + SAME_WORD_BONUS * strength
                units.append(merged)
            elif any(t.kind in ("stop", "weak", "programme") for t in m.tags):
                covered.update(range(m.start, m.end))
        for i, word in enumerate(words):
            if i not in covered and not word.isdigit():
                units.append(self._word_postings(word))
        units = [u for u in units if u]
        with self._lock:
            if len(self._term_cache) >= _TERM_CACHE_SIZE:
                self._term_cache.clear()
            self._term_cache[term] = units
        return units

    def _word_postings(self, word: str) -> dict[int, float]:
        if " " in word:
            parts = word.split()
            # A phrase counts where all its words are; its strength is that of its weakest word.
            each = [self._word_postings(p) for p in parts]
            common = set.intersection(*(set(p) for p in each)) if each else set()
            return {e: min(p[e] for p in each) for e in common}
        found: dict[int, float] = {}
        for event, weight in self.postings.get(word, {}).items():
            _raise(found, event, weight)
        for other in self.base_index.get(word, ()):
            for event, weight in self.postings[other].items():
                _raise(found, event, weight * INFLECTED)
        for form in base_forms(word):
            for other in (form, *self.base_index.get(form, ())):
                for event, weight in self.postings.get(other, {}).items():
                    _raise(found, event, weight * INFLECTED * 0.95)
        if len(word) >= 5 and not is_arabic_script(word):
            for other in _with_prefix(self.vocab, word):
                for event, weight in self.postings[other].items():
                    _raise(found, event, weight * PREFIX_MATCH)
            for other in _with_prefix(self.reversed_vocab, word[::-1]):
                if len(other) - len(word) >= 3:
                    for event, weight in self.postings[other[::-1]].items():
                        _raise(found, event, weight * COMPOUND * PREFIX_MATCH)
            for other in _with_prefix(self.vocab, word[:5]):
                # Related forms across languages ("minorities", "minoriteter"), not a short word
                # that merely starts a long one.
                similar_length = abs(len(word) - len(other)) <= 4
                if similar_length and _common_prefix(word, other) >= 0.7 * min(len(word), len(other)):
                    for event, weight in self.postings[other].items():
                        _raise(found, event, weight * COGNATE_MATCH)
        return found

    def idf(self, postings: dict[int, float]) -> float:
        return math.log(1.0 + len(self.events) / max(1, len(postings)))

    def local_start(self, i: int) -> datetime:
        return self.start_local[i]


_GENERIC_VENUE_WORDS = frozenset({"online", "salen", "stora salen", "aula", "scenen", "malmo", "stora"})


_CAPITALISED = re.compile(r"(?<![\w-])[^\W\d_a-zß-ÿ][\w-]*")


def _names(snapshot: ProgrammeSnapshot) -> set[str]:
    """Capitalised words of the programme (cities, venues, organisations): what residents may
    spell in Arabic script. Only these, because plain words would meet Arabic words by chance."""
    texts = [venue.name for venue in snapshot.venues.values()]
    for event in snapshot.events:
        texts += [*event.title.values(), *event.abstract.values(), event.organisation]
    return {word for text in texts for name in _CAPITALISED.findall(text) for word in tokens(normalize(name))}


def _split_name(name: str) -> list[str]:
    for dash in ("–", "—", " - ", ",", ":", "(", ")"):
        name = name.replace(dash, "|")
    return [part.strip() for part in name.split("|") if part.strip()]


def _concept_key(kind: str, value: str) -> str:
    return f"{kind}:{value}"


def _raise(target: dict[int, float], key: int, value: float) -> None:
    if value > target.get(key, 0.0):
        target[key] = value


def _with_prefix(sorted_words: list[str], prefix: str) -> list[str]:
    start = bisect.bisect_left(sorted_words, prefix)
    found: list[str] = []
    for word in sorted_words[start:]:
        if not word.startswith(prefix):
            break
        found.append(word)
    return found


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


_BUILD_LOCK = threading.Lock()


def index_for(snapshot: ProgrammeSnapshot) -> SnapshotIndex:
    """The index of this snapshot, built on first use and kept on the snapshot itself.

    A new revision is a new snapshot object, so the cache can never serve stale data, and it
    is freed together with the snapshot.
    """
    cached = snapshot.__dict__.get("_search_index")
    if isinstance(cached, SnapshotIndex):
        return cached
    with _BUILD_LOCK:
        cached = snapshot.__dict__.get("_search_index")
        if isinstance(cached, SnapshotIndex):
            return cached
        index = SnapshotIndex(snapshot)
        object.__setattr__(snapshot, "_search_index", index)
        return index
