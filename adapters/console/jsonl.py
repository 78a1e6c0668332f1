"""`motsbot chat --jsonl`: one JSON object in per line, exactly one JSON object out per line.

The contract is `shared/eval/README.md`: input `{"user", "text", "lang"?, "now"?}`, output
`{"replies": [{"text", "events", "faq", "fallback", ...}]}`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, TextIO

from adapters.base import Hub
from bot.messages import Incoming, Outgoing, number_choices

CHANNEL = "console"


def reply_json(message: Outgoing, numbered: list[tuple[int, Any]]) -> dict[str, Any]:
    return {
        "text": message.text,
        "events": message.events,
        "faq": message.faq,
        "fallback": message.fallback,
        "buttons": [{"number": number, "label": button.label} for number, button in numbered],
        "lang": message.lang,
        "personal": message.personal,
        **({"attachment": message.attachment_name} if message.attachment_name else {}),
    }


def parse_line(line: str, clock: Callable[[], datetime]) -> tuple[Incoming, datetime]:
    """One input line as an incoming message and the moment it is asked; ValueError if bad."""
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("each line must be a JSON object")
    user, text = data.get("user"), data.get("text")
    if not isinstance(user, str) or not user:
        raise ValueError("'user' must be a non-empty string")
    if text is not None and not isinstance(text, str):
        raise ValueError("'text' must be a string")
    lang = data.get("lang")
    if lang is not None and not isinstance(lang, str):
        raise ValueError("'lang' must be a string")
    now = clock()
    if data.get("now") is not None:
        now = datetime.fromisoformat(str(data["now"]))
        if now.tzinfo is None:
            raise ValueError("'now' needs a time zone offset")
    return Incoming(channel=CHANNEL, user_id=user, text=text, lang_hint=lang), now


async def serve_jsonl(hub: Hub, source: TextIO, sink: TextIO, clock: Callable[[], datetime]) -> int:
    """Answers every line of `source`; returns how many lines were bad."""
    bad = 0
    for line in source:
        if not line.strip():
            continue
        try:
            incoming, now = parse_line(line, clock)
        except ValueError as error:
            bad += 1
            sink.write(json.dumps({"replies": [], "error": str(error)}, ensure_ascii=False) + "\n")
            sink.flush()
            continue
        replies = await hub.receive_at(incoming, now)
        numbered = number_choices(replies)
        out = {"replies": [reply_json(m, n) for m, n in zip(replies, numbered, strict=True)]}
        sink.write(json.dumps(out, ensure_ascii=False) + "\n")
        sink.flush()
    return bad
