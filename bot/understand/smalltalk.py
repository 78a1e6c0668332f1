"""Small talk: greetings, thanks, "ok", "are you a bot?", "can I talk to a person?".

These deserve a real answer, not "I didn't understand". A message is small talk when it holds
one of the lexicon's small-talk phrases and otherwise only function words and fillers, so that
"hej, vad händer idag?" is still a programme question. A programme or practical question's
words keep it a question even among greetings and weak words: "yo what even is malmö möts",
"شو في هلأ" (هلأ, "now", is spelled like the greeting هلا once normalised).
Asking for a person always counts.
"""

from __future__ import annotations

from functools import cache

from bot.understand import lexicon
from bot.understand.matcher import Matcher, Tag
from bot.understand.normalize import normalize, tokens

KINDS = ("human", "bot", "thanks", "greeting", "ok")
"""By precedence: in "okei kiitti" the thanks is what needs an answer."""
# A message of emoji alone is small talk too: 👍 is "ok", 🙏 and ❤️ are thanks, 👋 is hello.
_EMOJI = {"👍": "ok", "👌": "ok", "🙏": "thanks", "❤": "thanks", "♥": "thanks", "🥰": "thanks", "👋": "greeting"}


@cache
def _matcher() -> Matcher:
    entries = [(phrase, Tag("small", kind)) for kind, phrases in lexicon.SMALL_TALK.items() for phrase in phrases]
    entries += [(word, Tag("stop", "")) for word in (*lexicon.STOPWORDS, *lexicon.WEAK)]
    entries += [(phrase, Tag("content", "")) for phrases in lexicon.FAQ_TOPICS.values() for phrase in phrases]
    entries += [(phrase, Tag("content", "")) for phrase in lexicon.PROGRAMME]
    return Matcher(entries)


def small_talk(text: str) -> str | None:
    """The kind of small talk `text` is (one of KINDS), or None for anything else."""
    words = tokens(normalize(text))
    if not words:
        marks = {kind for mark, kind in _EMOJI.items() if mark in text}
        return next((kind for kind in KINDS if kind in marks), None)
    kinds: set[str] = set()
    covered: set[int] = set()
    asks_bot = False
    for match in _matcher().match(words):
        found = {tag.value for tag in match.tags if tag.kind == "small"} - {"filler"}
        if any(tag.kind == "content" for tag in match.tags) and not found:
            continue
        if match.tags:
            covered.update(range(match.start, match.end))
        kinds |= found
        asks_bot = asks_bot or ("bot" in found and match.end - match.start > 1)
    if "human" in kinds:
        return "human"
    if not asks_bot and len(kinds) > 1:
        # "شكرا يا بوت", "hej bot": the bot is only addressed; "tack, är du en bot?" asks about it.
        kinds.discard("bot")
    if not kinds or len(covered) < len(words):
        return None
    return next(kind for kind in KINDS if kind in kinds)
