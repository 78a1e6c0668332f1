"""Numbered choices: how a typed "2" or a button's words answer the buttons shown last.

Channels without buttons (Matrix, the console) show them as numbered lines; the numbering of
what was sent last is kept in the person's dialogue state, by the engine for its replies and by
the scheduler for what it sends on its own (seat offers, invitations).
"""

from __future__ import annotations

import re
from typing import Any

from bot.messages import Outgoing, number_choices

_NUMBER_PREFIX = re.compile(r"^\d+[.)]?\s+")


def label_key(label: str) -> str:
    """The words of a button label, to match a typed answer."""
    return label.strip(" ✓◀▶").casefold()


def choice_state(messages: list[Outgoing]) -> dict[str, list[str]]:
    """The dialogue-state entries that let a typed number or button text answer `messages`."""
    numbered = [button for message in number_choices(messages) for _, button in message if button.payload]
    return {
        "choices": [button.payload for button in numbered if button.payload],
        "choice_labels": [label_key(button.label) for button in numbered],
    }


def chosen(state: dict[str, Any], text: str) -> str | None:
    """The payload a typed number or button text picks from the last choices, if any."""
    choices: list[str] = state.get("choices", [])
    labels: list[str] = state.get("choice_labels", [])
    answer = text.strip().rstrip(".)").strip()
    # isdigit() alone lets "²" or "❶" through to int(), which refuses them.
    if answer.isascii() and answer.isdigit() and 1 <= int(answer) <= len(choices):
        return choices[int(answer) - 1]
    # "3. Lärandelunch" copied from a numbered list: the words decide, the number is noise.
    folded = _NUMBER_PREFIX.sub("", answer).casefold()
    for payload, label in zip(choices, labels, strict=False):
        if folded and folded == label:
            return payload
    return None
