"""Which of the bot's six languages a message is written in, when that is clear.

lingua-language-detector ships its models in the wheel (nothing is fetched at run time) and
knows all six, Somali and Persian included. Short messages ("ok", "hej", "Nobel 21") say too
little, so only a long enough text with a clear winner counts.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

MIN_LETTERS = 10
CONFIDENT = 0.8
MARGIN = 0.5

_WORD = re.compile(r"\S+")
_CODES = {"SWEDISH": "sv", "ENGLISH": "en", "ARABIC": "ar", "FINNISH": "fi", "SOMALI": "so", "PERSIAN": "fa"}
_lock = threading.Lock()
_detector: LanguageDetector | None = None


def _get_detector() -> LanguageDetector:
    global _detector
    with _lock:
        if _detector is None:
            from lingua import Language, LanguageDetectorBuilder

            languages = [getattr(Language, name) for name in _CODES]
            # Loaded lazily, the models came in one by one with the first questions in each
            # language, each holding the event loop for a moment (5 % of the questions in
            # `bench/reply_cost.py` waited ~1 s). Loaded at once they take ~0.7 s and no more
            # memory than all of them lazily.
            builder = LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models()
            _detector = builder.build()
        return _detector


def load_language_models() -> None:
    """Loads the detector and its models now (motsbot does at start, in a thread)."""
    _get_detector()


def detect_language(text: str) -> str | None:
    """The language code of `text`, or None when it is short or unclear."""
    text = _without_names(text)
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return None
    values = _get_detector().compute_language_confidence_values(text)
    if not values:
        return None
    best = values[0]
    second = values[1].value if len(values) > 1 else 0.0
    if best.value < CONFIDENT or best.value - second < MARGIN:
        return None
    return _CODES.get(best.language.name)


def _without_names(text: str) -> str:
    """Leaves out capitalised words after the first and words with digits: names of venues,
    cities and events ("How do I get to Stadshuset?") say nothing about the writer's language."""
    words = _WORD.findall(text)
    kept = [
        word
        for i, word in enumerate(words)
        if not any(ch.isdigit() for ch in word) and not (i > 0 and word[:1].isupper())
    ]
    return " ".join(kept)
