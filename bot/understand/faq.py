"""Scoring FAQ entries against a question, across languages and phrasings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.model import FaqEntry
from bot.understand.index import SnapshotIndex
from bot.understand.normalize import base_forms

CONFIDENT = 0.6
CLEAR_MARGIN = 0.1
SURE = 0.85
PLAUSIBLE = 0.35
UNSURE_CAP = 0.5
OTHER_VENUE = 0.6
"""An entry about another venue than the one asked about is worth less (the getting-there
entry for Nobel 21 does not say how to get to the City Hall)."""
_PERIPHERAL = ("venue:", "slot:")


@dataclass(frozen=True)
class FaqScore:
    entry: FaqEntry
    score: float
    """0..1; 1 for the question itself."""
    coverage: float
    """How much of the question this entry explains (0..1)."""


def rank_faq(index: SnapshotIndex, words: Sequence[str], features: dict[str, float]) -> list[FaqScore]:
    """Every FAQ entry with its score, best first."""
    text = " ".join(words)
    scores: list[FaqScore] = []
    for item in index.faq:
        coverage = _coverage(features, item.features)
        best_variant = 0.0
        whole = 0.0
        for variant in item.variants:
            best_variant = max(best_variant, _coverage(variant.features, features))
            variant_text = " ".join(variant.words)
            if variant_text == text:
                whole = 1.0
            elif text:
                # Near-identical wording with a typo or two: trust it as a whole.
                ratio = fuzz.ratio(text, variant_text) / 100.0
                if ratio >= 0.9:
                    whole = max(whole, ratio)
        score = (coverage**0.6) * (best_variant**0.4) if coverage and best_variant else 0.0
        if not _shares_core(features, item.features):
            # Only a place or a time in common: "what's on at Nobel 21" is not "how do I get there".
            score = min(score, UNSURE_CAP)
        if _other_venue(features, item.features):
            score *= OTHER_VENUE
        if whole:
            score, coverage = max(score, whole), max(coverage, whole)
        scores.append(FaqScore(item.entry, round(score, 4), coverage))
    scores.sort(key=lambda s: -s.score)
    return scores


def is_confident(ranked: list[FaqScore]) -> bool:
    if not ranked or ranked[0].score < CONFIDENT:
        return False
    second = ranked[1].score if len(ranked) > 1 else 0.0
    return ranked[0].score >= SURE or ranked[0].score - second >= CLEAR_MARGIN


def _shares_core(wanted: dict[str, float], offered: dict[str, float]) -> bool:
    for feature in wanted:
        if feature.startswith(_PERIPHERAL):
            continue
        if _coverage({feature: 1.0}, offered) > 0.0:
            return True
    return False


def _other_venue(wanted: dict[str, float], offered: dict[str, float]) -> bool:
    asked = {f for f in wanted if f.startswith("venue:")}
    answered = {f for f in offered if f.startswith("venue:")}
    return bool(asked and answered and not asked & answered)


def _coverage(wanted: dict[str, float], offered: dict[str, float]) -> float:
    """Share of `wanted`'s weight that `offered` has (plain words may match approximately)."""
    total = sum(wanted.values())
    if not total:
        return 0.0
    offered_words = [f[5:] for f in offered if f.startswith("word:")]
    got = 0.0
    for feature, weight in wanted.items():
        if feature in offered:
            got += weight
        elif feature.startswith("word:"):
            got += weight * max((_similar(feature[5:], w) for w in offered_words), default=0.0)
    return got / total


def _similar(a: str, b: str) -> float:
    if a == b:
        return 1.0
    forms_a, forms_b = {a, *base_forms(a)}, {b, *base_forms(b)}
    if forms_a & forms_b:
        return 0.9
    shortest = min(len(a), len(b))
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    if common >= 5 and common >= 0.7 * shortest:
        return 0.7
    return 0.0
