"""Our own question set (`questions.jsonl`), asked through the real engine and store, scored
the way ../shared/eval/score.py scores the dev set, with a floor that fails the build.

The questions are written the way young residents write: typos, slang, no punctuation, mixed
languages, a little Arabizi. Each is the first message of a new person, as in the shared eval.
Besides the scorer's `all`/`any`/`none`/`faq`/`fallback`, an expectation may say `text`: a
reply (or one of its buttons) must contain it, e.g. a venue's street for "where is …".
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.engine import Engine
from bot.messages import Incoming, Outgoing

QUESTIONS = Path(__file__).with_name("questions.jsonl")
FLOOR = 0.97
"""Measured 99.2 % (1246/1256: our own, and the blind batches of issue 21, fresh1-*, fresh2-* and
fresh3-*, each added after it was scored first-try; fresh3's ten first-try misses are still
misses, kept so that fixing them shows); the margin leaves room for a deliberate trade-off, not
for drift."""
LANGUAGE_FLOOR = 0.9


def load_questions() -> list[dict[str, Any]]:
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def judge(expect: dict[str, Any], replies: list[Outgoing]) -> list[str]:
    """Why the replies fail the expectation; empty when they pass (score.py's rules, plus `text`)."""
    events: list[str] = []
    faqs: list[str] = []
    fallback = False
    for reply in replies:
        events += [code for code in reply.events if code not in events]
        faqs += reply.faq
        fallback = fallback or reply.fallback
    why: list[str] = []
    if "all" in expect and (missing := [e for e in expect["all"] if e not in events[:10]]):
        why.append(f"missing {missing}")
    if "any" in expect and not set(expect["any"]) & set(events[:5]):
        why.append(f"none of {expect['any']} in first five")
    if "none" in expect and (wrong := [e for e in expect["none"] if e in events]):
        why.append(f"should not list {wrong}")
    if "faq" in expect and expect["faq"] not in faqs:
        why.append(f"faq {expect['faq']} not given (got {faqs})")
    if expect.get("fallback") and not (fallback and not events):
        why.append("expected an honest 'I don't know' fallback")
    if expect.get("fallback") is False and fallback:
        why.append("answered 'I did not understand' where a real answer was due")
    if "text" in expect:
        shown = [r.text for r in replies] + [b.label for r in replies for row in r.buttons for b in row]
        if not any(expect["text"] in part for part in shown):
            why.append(f"no reply says {expect['text']!r}")
    return why


async def ask_all(engine: Engine, questions: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Failures by question id (empty list when right)."""
    results: dict[str, list[str]] = {}
    for q in questions:
        incoming = Incoming(channel="console", user_id=f"own-{q['id']}", text=q["text"], lang_hint=q["lang"])
        replies = await engine.handle(incoming, datetime.fromisoformat(q["now"]))
        results[q["id"]] = judge(q["expect"], replies)
    return results


def test_the_set_is_broad() -> None:
    questions = load_questions()
    assert len(questions) >= 150
    per_language: dict[str, int] = defaultdict(int)
    for q in questions:
        per_language[q["lang"]] += 1
    assert set(per_language) == {"sv", "en", "ar", "fi", "so", "fa"}
    assert min(per_language.values()) >= 20
    assert len({q["id"] for q in questions}) == len(questions)
    # The same words at another moment are another question ("what's next" on Tuesday or Thursday).
    assert len({(q["text"].casefold(), q["now"]) for q in questions}) == len(questions)


async def test_own_questions_score_above_the_floor(engine: Engine) -> None:
    questions = load_questions()
    results = await ask_all(engine, questions)
    by_language: dict[str, list[bool]] = defaultdict(list)
    for q in questions:
        by_language[q["lang"]].append(not results[q["id"]])
    failures = [f"{q['id']} [{q['lang']}] {q['text']!r}: {'; '.join(results[q['id']])}" for q in questions]
    failures = [line for line, q in zip(failures, questions, strict=True) if results[q["id"]]]
    breakdown = {lang: f"{sum(ok)}/{len(ok)}" for lang, ok in sorted(by_language.items())}
    score = sum(not why for why in results.values()) / len(questions)
    report = f"score {score:.1%}, by language {breakdown}\n" + "\n".join(failures)
    print(report)
    assert score >= FLOOR, report
    for lang, ok in by_language.items():
        assert sum(ok) / len(ok) >= LANGUAGE_FLOOR, f"{lang}: {report}"
