"""Longest-phrase matching of normalised tokens against tagged lexicon entries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.understand.normalize import LATIN_SUFFIXES, base_forms, is_arabic_script, normalize, tokens

INFLECTED = 0.9
COMPOUND = 0.75
# Endings long enough to say a word was inflected; single letters would turn "val" into "vale".
LONGER_FORMS = tuple(suffix for suffix in LATIN_SUFFIXES if len(suffix) >= 2)


@dataclass(frozen=True, slots=True)
class Tag:
    """What a phrase means: `kind` is the slot ("weekday", "topic", "venue", …), `value` its value."""

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    tags: tuple[Tag, ...]
    quality: float


class Matcher:
    """Finds lexicon phrases in token lists, longest first, tolerating inflected endings."""

    def __init__(self, entries: Iterable[tuple[str, Tag]]) -> None:
        phrases: dict[tuple[str, ...], list[Tag]] = {}
        for text, tag in entries:
            key = tuple(tokens(normalize(text)))
            if not key:
                continue
            tags = phrases.setdefault(key, [])
            if tag not in tags:
                tags.append(tag)
        self._phrases: dict[tuple[str, ...], tuple[Tag, ...]] = {k: tuple(v) for k, v in phrases.items()}
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for key in self._phrases:
            by_first.setdefault(key[0], []).append(key)
        for keys in by_first.values():
            keys.sort(key=len, reverse=True)
        self._by_first = by_first
        self.words: frozenset[str] = frozenset(word for key in self._phrases for word in key)
        """Every word of every phrase: the vocabulary typos are corrected towards."""
        self._single = {key[0]: tags for key, tags in self._phrases.items() if len(key) == 1}

    def tags_of(self, phrase: Sequence[str]) -> tuple[Tag, ...]:
        return self._phrases.get(tuple(phrase), ())

    def match(self, words: Sequence[str]) -> list[Match]:
        """Non-overlapping matches, scanning left to right and taking the longest at each place."""
        found: list[Match] = []
        i = 0
        while i < len(words):
            best = self._longest_at(words, i)
            if best is None:
                i += 1
                continue
            found.append(best)
            i = best.end
        return found

    def _longest_at(self, words: Sequence[str], i: int) -> Match | None:
        best: Match | None = None
        for first, quality in _variants(words[i]):
            for key in self._by_first.get(first, ()):
                end = i + len(key)
                if end > len(words) or (best is not None and len(key) < best.end - best.start):
                    continue
                q = quality
                for offset in range(1, len(key)):
                    step = _equal(words[i + offset], key[offset])
                    if not step:
                        q = 0.0
                        break
                    q = min(q, step)
                if q and (best is None or len(key) > best.end - best.start or q > best.quality):
                    best = Match(i, end, self._phrases[key], q)
        return best

    def compound_head(self, word: str, kinds: frozenset[str]) -> str | None:
        """The first part of a compound whose last part is a lexicon word of `kinds`
        ("ihmisoikeus|tapahtumaan", "runo|tapahtuma"): what the compound is about."""
        if is_arabic_script(word) or len(word) < 9:
            return None
        for cut in range(4, len(word) - 4):
            tail = word[cut:]
            # Finnish illative doubles the vowel: "tapahtumaan" is "tapahtuma".
            illative = [tail[:-2]] if len(tail) > 6 and tail[-1] == "n" and tail[-2] == tail[-3] else []
            for form in (tail, *base_forms(tail), *illative):
                if any(tag.kind in kinds for tag in self._single.get(form, ())):
                    return word[:cut]
        return None

    def compound_tags(self, word: str, kinds: frozenset[str]) -> list[tuple[Tag, float]]:
        """Tags of lexicon words that end or begin a Swedish/Finnish compound ("antirasism")."""
        if is_arabic_script(word) or len(word) < 8:
            return []
        found: list[tuple[Tag, float]] = []
        for cut in range(3, len(word) - 4):
            for tag in self._single.get(word[cut:], ()):
                if tag.kind in kinds:
                    found.append((tag, COMPOUND))
        for cut in range(5, len(word) - 2):
            for tag in self._single.get(word[:cut], ()):
                if tag.kind in kinds:
                    found.append((tag, COMPOUND))
        return found


def _variants(word: str) -> list[tuple[str, float]]:
    found = [(word, 1.0)] + [(form, INFLECTED) for form in base_forms(word)]
    if len(word) >= 5 and not is_arabic_script(word):
        # The other way round: "parks" is the base of the entry "parkser"... and "fotboll" of
        # "fotbollen". Not for four letters: "last" would be Finnish "lasten" and "even" "evening".
        found += [(word + suffix, INFLECTED) for suffix in LONGER_FORMS]
    return found


def _equal(word: str, entry: str) -> float:
    if word == entry:
        return 1.0
    return INFLECTED if entry in base_forms(word) else 0.0
