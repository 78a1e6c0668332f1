"""Cleaning what people type before anything else reads it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

MAX_MESSAGE_CHARS = 4000
# Residents sometimes write a phone number or an e-mail address into free text (a comment, a
# question to a panel, a survey answer); nobody who reads it later needs either.
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+|\+?\d[\d \-]{5,}\d")


def mask_contacts(text: str) -> str:
    """The text with phone numbers and e-mail addresses replaced by "…", before it is stored."""
    return _CONTACT.sub("…", text)


class Problem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_TEXT = "not_text"


@dataclass(frozen=True)
class CleanText:
    text: str
    problem: Problem | None = None


def clean(raw: str | None) -> CleanText:
    """Drops control and formatting characters (bidi overrides among them), folds whitespace.

    Text that is mostly unprintable (binary pasted in) is NOT_TEXT; an over-long message is
    TOO_LONG rather than cut, because a cut question would be answered wrongly.
    """
    if raw is None:
        return CleanText("", Problem.EMPTY)
    if len(raw) > MAX_MESSAGE_CHARS:
        return CleanText("", Problem.TOO_LONG)
    kept: list[str] = []
    dropped = 0
    for char in raw:
        category = unicodedata.category(char)
        if char in "\n\t ":
            kept.append(" ")
        elif category == "Cf":
            # Bidi overrides and zero-width characters are invisible formatting, not binary;
            # ZWNJ is kept because Persian words need it.
            if char == "\u200c":
                kept.append(char)
        elif category in ("Cc", "Cs", "Co", "Cn") or char == "\ufffd":
            dropped += 1
        else:
            kept.append(char)
    text = " ".join("".join(kept).split())
    if not text:
        return CleanText("", Problem.NOT_TEXT if dropped else Problem.EMPTY)
    if dropped > len(text):
        return CleanText("", Problem.NOT_TEXT)
    return CleanText(unicodedata.normalize("NFC", text))
