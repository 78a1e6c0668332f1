"""From a question's words to slots: dates, part of day, now/next, language, type, venue, terms."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from bot.model import LANGUAGES
from bot.understand import lexicon
from bot.understand.clock import ClockTime, read_clock, read_relative
from bot.understand.index import SnapshotIndex
from bot.understand.matcher import Match, Tag
from bot.understand.normalize import normalize, tokens

_ISO_DATE = re.compile(r"\b(20\d\d)-(\d{1,2})-(\d{1,2})\b")
_NUMERIC_DATE = re.compile(r"(?<![\d.:/])(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?\.?(?![\d:])")
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th|:e|:a)\b")
_DAY_WORDS = frozenset({"den", "the", "on"})
# "för 16-åringar", "17 years old", "15 jir", "١٦ سنة", "۱۷ ساله" (after normalising): a young
# person's age asks for what is meant for young people, theirs or a sibling's ("my lil bro is 13").
_YOUNG_AGE = re.compile(
    r"\b(?:1[0-9]|2[0-5])\s*-?\s*(?:ar|aring|aringar|arig|arsaldern|years?|yrs|yo|vuotia\w*|jir|sano|سنه|عاما|عام|ساله|سالمه|سالم)\b"
    r"|\b(?:jag|ja|som|i'?m|i am|olen|oon|ana|انا|عمري|من|han|hon|he'?s|she'?s|is|عمره|عمرها|wuxuu)"
    r"\s+(?:e|ar|är|on)?\s*(?:1[0-9]|2[0-5])\b(?!\s*[:./])"
)
# The youth concept's word in each language, so the reply's heading reads naturally.
_YOUTH_TERMS = {"sv": "unga", "en": "youth", "ar": "شباب", "fi": "nuoret", "so": "dhalinyaro", "fa": "جوانان"}

TIME_KINDS = frozenset({"rel", "weekday", "period", "part", "today_part", "now", "next", "date", "festday"})


@dataclass
class Parsed:
    words: list[str]
    matches: list[Match]
    dates: list[tuple[date, date]] = field(default_factory=list)
    part_of_day: str | None = None
    today_part: bool = False
    now: bool = False
    next: bool = False
    languages: set[str] = field(default_factory=set)
    online: bool = False
    type_concepts: set[str] = field(default_factory=set)
    data_types: set[str] = field(default_factory=set)
    venues: set[str] = field(default_factory=set)
    terms: list[str] = field(default_factory=list)
    programme: bool = False
    clock: list[ClockTime] = field(default_factory=list)
    faq_concepts: set[str] = field(default_factory=set)
    """Practical concepts asked about ("cost", "directions"): they point to FAQ entries."""
    faq_cue: bool = False
    """A word (interpreting) that makes the question practical even with a language or day in it."""
    speak: bool = False
    """"Do you speak …": a question about the bot's own language."""
    young: bool = False
    """The writer gives a young age ("ja e 16", "oon 15")."""
    not_languages: set[str] = field(default_factory=set)
    """Event languages the writer says they do not want or speak ("en puhu ruotsii")."""
    origins: list[str] = field(default_factory=list)
    """Topic terms right after "från"/"from": where someone is from, unless nothing else is asked."""
    youth_term: str | None = None
    """The youth concept's word, when a young age added it to `terms`."""
    permission: bool = False
    """"Får jag komma?", "can I join?": asking whether one may come."""
    off_topic: bool = False
    """A word about something the festival has nothing to do with (the weather, a football match)."""

    @property
    def has_time(self) -> bool:
        return bool(self.dates or self.part_of_day or self.now or self.next or self.clock)


def parse(text: str, lang: str, now: datetime, index: SnapshotIndex) -> Parsed:
    today = now.astimezone(index.zone).date()
    festival = index.snapshot.festival
    text = normalize(text)
    explicit: list[date] = []
    # "om en timme", "۲ ساعت دیگه": a clock time today, read before bare numbers are.
    relative, text = read_relative(text, now.astimezone(index.zone))
    clock, text = read_clock(text)
    if relative is not None:
        clock.append(ClockTime("at", relative.time()))
        explicit.append(relative.date())
    young, text = _YOUNG_AGE.search(text) is not None, _YOUNG_AGE.sub(" ", text)
    text = _ORDINAL.sub(r"\1", text)
    text = _ISO_DATE.sub(lambda m: _take(explicit, int(m[1]), int(m[2]), int(m[3])), text)
    text = _NUMERIC_DATE.sub(lambda m: _numeric(explicit, m, today), text)
    words = [index.transliterated(w) or index.correct(w) or w for w in tokens(text)]
    matches = [_in_language(m, words, lang) for m in index.matcher.match(words)]
    parsed = Parsed(words, matches, dates=[(d, d) for d in explicit], clock=clock, young=young)
    covered: set[int] = set()
    for m in matches:
        covered.update(range(m.start, m.end))
        if _negated(words, m, lang):
            parsed.not_languages |= {t.value for t in m.tags if t.kind == "lang"}
            continue
        _apply(parsed, m, words, today, festival.start_date, festival.end_date, lang)
    parsed.not_languages -= parsed.languages
    if parsed.languages:
        # "nåt på engelska för min kompis från spanien": English events, not events about Spain.
        parsed.terms = [term for term in parsed.terms if term not in parsed.origins]
    for i, word in enumerate(words):
        if i in covered or word.isdigit() or len(word) < 2:
            continue
        # "ungdomsworkshop": a kind of event at the end of a compound still filters by kind.
        compound = index.matcher.compound_tags(word, frozenset({"type"}))
        types = {tag.value for tag, _ in compound}
        if types:
            parsed.type_concepts |= types
        # "ihmisoikeustapahtuma", "kvällsevenemang": an event, and what its first part says.
        head = index.matcher.compound_head(word, _PROGRAMME_KINDS) if not types else None
        head_matches = index.matcher.match([head]) if head is not None else []
        if head_matches:
            parsed.programme = True
            for m in head_matches:
                _apply(parsed, m, [head or word], today, festival.start_date, festival.end_date, lang)
            continue
        # The rest of a compound ("öppnings-konsert") still says which one.
        parsed.terms.append(word)
    youth = _YOUTH_TERMS.get(lang, "youth")
    if young and "age" not in parsed.faq_concepts and youth not in parsed.terms:
        parsed.terms.append(youth)
        parsed.youth_term = youth
    if not parsed.dates:
        days = day_of_month_dates(words, festival.start_date, festival.end_date)
        parsed.dates += [(d, d) for d in days]
    today_part = any(t.kind == "today_part" for m in matches for t in m.tags)
    during = festival.start_date <= today <= festival.end_date
    if (today_part or (clock and during)) and not parsed.dates:
        # "efter kl 18" during the festival means today's evening, not every evening.
        parsed.dates.append((today, today))
    return parsed


_NEGATIONS = {
    lang: {tuple(tokens(normalize(phrase))) for phrase in phrases} for lang, phrases in lexicon.NEGATIONS.items()
}
_NEGATION_REACH = 3
"""How many words before a language a negation may stand ("snackar inte så bra svenska")."""


def _negated(words: list[str], m: Match, lang: str) -> bool:
    """An event language the writer says they don't want: "inte svenska", "than Swedish"."""
    if not any(t.kind == "lang" for t in m.tags):
        return False
    negations = _NEGATIONS.get(lang, set())
    before = words[max(0, m.start - _NEGATION_REACH) : m.start]
    after = tuple(words[m.end : m.end + 2])
    for phrase in negations:
        size = len(phrase)
        if any(tuple(before[i : i + size]) == phrase for i in range(len(before) - size + 1)):
            return True
        # Persian says it after the language: "سوئدی بلد نیستم".
        if lang == "fa" and after[:size] == phrase:
            return True
    return False


_HOMOGRAPHS = {
    lang: {normalize(word): kinds for word, kinds in words.items()} for lang, words in lexicon.HOMOGRAPHS.items()
}


def _in_language(m: Match, words: list[str], lang: str) -> Match:
    """The match without meanings its word does not have in the writer's language."""
    if m.end - m.start != 1:
        return m
    dropped = _HOMOGRAPHS.get(lang, {}).get(words[m.start])
    if not dropped:
        return m
    return replace(m, tags=tuple(t for t in m.tags if t.kind not in dropped))


_PROGRAMME_KINDS = frozenset({"programme"})
_NOT_SLOTS = frozenset({"stop", "weak", "programme", "faq", "month", "faqcue", "speak", "offtopic", "permission"})


def _apply(parsed: Parsed, m: Match, words: list[str], today: date, start: date, end: date, lang: str) -> None:
    kinds = {t.kind for t in m.tags}
    meaningful = [t for t in m.tags if t.kind not in _NOT_SLOTS]
    parsed.faq_concepts.update(t.value for t in m.tags if t.kind == "faq")
    parsed.off_topic = parsed.off_topic or "offtopic" in kinds
    parsed.permission = parsed.permission or "permission" in kinds
    parsed.faq_cue = parsed.faq_cue or "faqcue" in kinds
    # "kan du" is also two plain function words; it asks about the bot only before a language.
    parsed.speak = parsed.speak or "speak" in kinds
    if "programme" in kinds and not meaningful:
        parsed.programme = True
    if "month" in kinds:
        day = _day_next_to(words, m)
        if day is not None:
            month = int(next(t.value for t in m.tags if t.kind == "month"))
            found = _safe_date(_year_for(today, start), month, day)
            if found is not None:
                parsed.dates.append((found, found))
                return
    if "topic" in kinds and _ORIGIN.intersection(_before(words, m.start)):
        parsed.origins.append(" ".join(words[m.start : m.end]))
    for tag in meaningful:
        _apply_tag(parsed, tag, words[m.start : m.end], today, start, end, lang)


_ORIGIN = frozenset(" ".join(tokens(normalize(phrase))) for phrase in lexicon.ORIGIN)


def _before(words: list[str], start: int) -> set[str]:
    """The one and two words right before `start`, as phrases."""
    return {" ".join(words[max(0, start - size) : start]) for size in (1, 2) if start - size >= 0}


def _apply_tag(parsed: Parsed, tag: Tag, phrase: list[str], today: date, start: date, end: date, lang: str) -> None:
    kind, value = tag.kind, tag.value
    if kind == "rel":
        day = today + timedelta(days=int(value))
        parsed.dates.append((day, day))
    elif kind == "weekday":
        day = _weekday(int(value), today, start)
        parsed.dates.append((day, day))
    elif kind == "festday":
        day = start if value == "first" else end
        parsed.dates.append((day, day))
    elif kind == "period":
        parsed.dates.append(_period(value, today))
    elif kind == "part":
        parsed.part_of_day = parsed.part_of_day or value
    elif kind == "today_part":
        parsed.part_of_day = parsed.part_of_day or value
    elif kind == "now":
        parsed.now = True
    elif kind == "next":
        parsed.next = True
    elif kind == "lang":
        parsed.languages.add(value)
    elif kind == "mylang":
        if lang in LANGUAGES:
            parsed.languages.add(lang)
    elif kind == "online":
        parsed.online = True
    elif kind == "type":
        parsed.type_concepts.add(value)
    elif kind == "datatype":
        parsed.data_types.add(value)
    elif kind == "venue":
        parsed.venues.add(value)
    elif kind == "topic":
        term = " ".join(phrase)
        if term not in parsed.terms:
            parsed.terms.append(term)


def _weekday(weekday: int, today: date, festival_start: date) -> date:
    # Before the festival, "on Wednesday" means the festival's Wednesday.
    anchor = max(today, festival_start) if today < festival_start else today
    return anchor + timedelta(days=(weekday - anchor.weekday()) % 7)


def _period(name: str, today: date) -> tuple[date, date]:
    weekday = today.weekday()
    if name == "weekend":
        saturday = today + timedelta(days=max(0, 5 - weekday))
        sunday = today + timedelta(days=6 - weekday)
        return (min(saturday, sunday), sunday)
    if name == "next_week":
        monday = today + timedelta(days=7 - weekday)
        return (monday, monday + timedelta(days=6))
    return (today, today + timedelta(days=6 - weekday))


def _day_next_to(words: list[str], m: Match) -> int | None:
    for i in (m.start - 1, m.end):
        if 0 <= i < len(words) and words[i].isascii() and words[i].isdigit() and 1 <= int(words[i]) <= 31:
            return int(words[i])
    return None


def _year_for(today: date, festival_start: date) -> int:
    # "12 maj" means this year's, or the festival's year when that is ahead.
    return festival_start.year if festival_start.year >= today.year else today.year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _take(found: list[date], year: int, month: int, day: int) -> str:
    value = _safe_date(year, month, day)
    if value is None:
        return f" {year} {month} {day} "
    found.append(value)
    return " "


def _numeric(found: list[date], m: re.Match[str], today: date) -> str:
    day, month = int(m[1]), int(m[2])
    year = int(m[3]) if m[3] else today.year
    if year < 100:
        year += 2000
    if not (1 <= month <= 12):
        return m[0]
    return _take(found, year, month, day)


def day_of_month_dates(words: list[str], start: date, end: date) -> list[date]:
    """ "den 14": the festival day with that number, when there is one."""
    found: list[date] = []
    for previous, word in itertools.pairwise(words):
        # isdigit() alone lets "²" or "፩" through to int(), which refuses them.
        if previous in _DAY_WORDS and word.isascii() and word.isdigit():
            day = start
            while day <= end:
                if day.day == int(word):
                    found.append(day)
                day += timedelta(days=1)
    return found
