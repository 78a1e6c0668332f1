"""MSC3381 polls: the start and end events we send, and the responses we accept.

We send the unstable `org.matrix.msc3381.*` types because that is what Element shows; responses
arrive in either form. The start carries a numbered plain-text fallback so that clients without
polls show the options, and a typed number answers the poll (see `number_answer`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.messages import Poll

START = "org.matrix.msc3381.poll.start"
END = "org.matrix.msc3381.poll.end"
RESPONSE_TYPES = frozenset({"org.matrix.msc3381.poll.response", "m.poll.response"})
TEXT = "org.matrix.msc1767.text"


def answer_ids(count: int) -> list[str]:
    return [str(index + 1) for index in range(count)]


def fallback_text(poll: Poll) -> str:
    lines = [poll.question, ""]
    lines += [f"{index + 1}. {option}" for index, option in enumerate(poll.options)]
    return "\n".join(lines)


def start_content(poll: Poll) -> dict[str, Any]:
    fallback = fallback_text(poll)
    return {
        START: {
            "question": {TEXT: poll.question, "body": poll.question},
            "kind": "org.matrix.msc3381.poll.disclosed",
            "max_selections": 1,
            "answers": [
                {"id": answer_id, TEXT: option}
                for answer_id, option in zip(answer_ids(len(poll.options)), poll.options, strict=True)
            ],
        },
        TEXT: fallback,
        "body": fallback,
        "msgtype": "m.text",
    }


def end_content(start_event_id: str, text: str) -> dict[str, Any]:
    return {
        "m.relates_to": {"rel_type": "m.reference", "event_id": start_event_id},
        END: {},
        TEXT: text,
        "body": text,
    }


@dataclass(frozen=True)
class Response:
    start_event_id: str
    answers: list[str]


def parse_response(event_type: str, content: dict[str, Any]) -> Response | None:
    """A poll response in the unstable form, the spec's stable form (`m.selections`) or the
    MSC's earlier stable naming (`m.poll.response.answers`); None when it is none of them."""
    if event_type not in RESPONSE_TYPES:
        return None
    relation = content.get("m.relates_to")
    if not isinstance(relation, dict) or not isinstance(relation.get("event_id"), str):
        return None
    answers: Any = None
    for key in ("org.matrix.msc3381.poll.response", "m.poll.response"):
        block = content.get(key)
        if isinstance(block, dict):
            answers = block.get("answers")
    if answers is None:
        answers = content.get("m.selections")
    if not isinstance(answers, list):
        return None
    return Response(relation["event_id"], [answer for answer in answers if isinstance(answer, str)])


def options_of(answers: list[str], valid: list[str], max_selections: int = 1) -> tuple[int, ...]:
    """Option indexes of a response. MSC3381 counts a response naming unknown answers as
    spoiled and keeps only the first `max_selections`: both become no vote or fewer."""
    chosen = [valid.index(answer) for answer in answers if answer in valid]
    if len(chosen) != len(answers):
        return ()
    return tuple(chosen[:max_selections])


def number_answer(text: str, options: list[str]) -> int | None:
    """The option index a typed reply names: its number, or its exact words."""
    typed = text.strip().rstrip(".").strip()
    if typed.isascii() and typed.isdigit():
        number = int(typed)
        return number - 1 if 1 <= number <= len(options) else None
    folded = typed.casefold()
    for index, option in enumerate(options):
        if option.casefold() == folded:
            return index
    return None
