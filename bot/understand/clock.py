"""Clock times in questions: "efter kl 18", "after 6pm", "klo 18 jälkeen", "بعد الساعة ٦",
"از ساعت ۶ به بعد", "saacadda 6 kadib", "at 14:30".

Works on normalised text (accents folded, Arabic-Indic digits made ASCII) and removes what it
read, so the numbers never reach the date rules or the ranking words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.understand import lexicon
from bot.understand.normalize import normalize, tokens

_WORD = re.compile(r"\w+|[:.@]")


def _folded(*words: str) -> frozenset[str]:
    return frozenset(normalize(word) for word in words)


# Words in front of the hour that say "this number is a time of day".
_MARKERS = _folded(
    "kl", "klockan", "klo", "kello", "at", "@", "around", "kring", "runt", "omkring", "ca", "الساعة", "ساعة",
    "ساعت", "saacadda", "saac", "saacada", "sa3a", "sa3ah", "bessa3a",
)  # fmt: skip
_AFTER_BEFORE = _folded("efter", "från", "from", "after", "since", "past", "بعد", "از", "alkaen", "gadaal")
# Arabic "من" is "from" only before "الساعة"; alone it is also Persian "I" ("من ۱۷ سالمه").
_FROM_MARKED = _folded("من")
_BEFORE_BEFORE = _folded("före", "innan", "before", "until", "till", "قبل", "ennen", "tähän", "تا")
_AFTER_AFTER = _folded("jälkeen", "alkaen", "eteenpäin", "kadib", "onwards", "onward", "framåt", "later")
_BEFORE_AFTER = _folded("ennen", "asti", "mennessä", "kahor")
# Two-word forms, in either place: "later than 6", "ka dib", "به بعد", "och framåt".
_AFTER_PAIRS = {
    tuple(normalize(w) for w in pair.split())
    for pair in ("later than", "بعد از", "ka dib", "به بعد", "och framåt", "and later")
}
_BEFORE_PAIRS = {tuple(normalize(w) for w in pair.split()) for pair in ("earlier than", "قبل از", "ka hor", "no later")}
# "från 10 maj" is a date, not ten o'clock.
_MONTH_WORDS = frozenset(
    word for names in lexicon.MONTHS.values() for name in names for word in tokens(normalize(name))
)
_AMPM = re.compile(r"^(\d{1,2})(am|pm)$")
# Finnish says "at three" in one word: "kolmelta", "kuudelta".
_FINNISH_HOURS = {
    normalize(word): hour
    for hour, word in enumerate(
        ("yhdeltä", "kahdelta", "kolmelta", "neljältä", "viideltä", "kuudelta", "seitsemältä", "kahdeksalta",
         "yhdeksältä", "kymmeneltä", "yhdeltätoista", "kahdeltatoista"),
        start=1,
    )
}  # fmt: skip
# A part of the day right after the hour says which half of the day it is: "۶ عصر", "7 bel lel".
_LATER_HALF = _folded(
    "pm", "عصر", "شب", "بعدازظهر", "مساء", "مساءا", "المسا", "المساء", "بالليل", "الليل", "illalla", "illal",
    "iltapäivällä", "kvällen", "kvall", "evening", "fiidkii", "fiidka", "galabta", "habeenkii", "lel", "masa",
)  # fmt: skip
_EARLIER_HALF = _folded("am", "صبح", "الصبح", "صباحا", "الصباح", "aamulla", "morgonen", "morning", "subaxnimo", "sob7")
# "efter skolan": when school is out.
_AFTER_SCHOOL = re.compile(
    r"\b(?:efter (?:skolan|skolan slutar|plugget)|after (?:school|class|classes)|بعد (?:المدرسه|الدوام|المدارس)"
    r"|koulun (?:jalkeen|jalkee)|dugsiga (?:ka ?dib|kadib)|بعد (?:از )?مدرسه"
    r"|ba3d (?:el |al |l )?(?:madrase|madrasa|madrase?h|dawam)|b3d (?:el )?madrase|bad az madrese|ba'?d az madrese)\b"
)
SCHOOL_OUT = time(15, 0)
# "om en timme", "in 2 hours", "بعد ساعتين", "۲ ساعت دیگه", "tunnin päästä", "saacad kadib".
_COUNTS = {
    "en": 1, "ett": 1, "an": 1, "a": 1, "one": 1, "tva": 2, "two": 2, "tre": 3, "three": 3, "ett par": 2, "par": 2,
    "a couple of": 2, "couple of": 2, "a couple": 2, "couple": 2, "a few": 3, "nagra": 3, "يه": 1, "يك": 1, "دو": 2,
    "سه": 3, "kahden": 2, "kahen": 2, "parin": 2, "kolmen": 3, "laba": 2, "saddex": 3,
}  # fmt: skip
_COUNT = r"(\d{1,2}|" + "|".join(sorted((re.escape(word) for word in _COUNTS), key=len, reverse=True)) + r")"
_FILLER = r"(?:(?:typ|ungefar|ca|cirka|like|about|around|roughly|approx|n|noin|takriban|تقريبا|حدود) )*"
_RELATIVE = (
    (re.compile(r"\b(?:om|in) " + _FILLER + _COUNT + r" (timme|timmar|tim|hours?|hrs?|h|minuter|minutes|mins?)\b"), 1),
    (re.compile(r"\b(?:om|in) " + _FILLER + r"(en halvtimme|halvtimme|half an hour|a half hour)\b"), 0),
    (re.compile(r"(?:بعد|خلال|كمان) " + _FILLER + r"(ساعه|ساعتين|نص ساعه|(\d{1,2}) (?:ساعات|ساعه))"), 0),
    (re.compile(_COUNT + r" (ساعت|دقيقه) (?:ديگه|ديگر|بعد)"), 1),
    (re.compile(r"(?:" + _COUNT + r" )?(tunnin|tunti|minuutin) (?:paasta|kuluttua|sisalla)"), 1),
    (re.compile(r"(?:" + _COUNT + r" )?(saacad|saacadood|daqiiqo) (?:kadib|ka dib|gudahood)"), 1),
)
_MINUTE_WORDS = frozenset({"minuter", "minutes", "min", "mins", "دقيقه", "minuutin", "daqiiqo"})
_HALF_HOUR = frozenset({"en halvtimme", "halvtimme", "half an hour", "a half hour", "نص ساعه"})
# A festival's events run from morning to late evening: "at 7" means seven in the evening.
_EVENING_UNTIL = 7


@dataclass(frozen=True)
class ClockTime:
    relation: str
    """"after", "before" or "at"."""
    at: time


def read_relative(text: str, now: datetime) -> tuple[datetime | None, str]:
    """The moment a relative time in normalised `text` names ("in 2 hours" at `now`), and the text
    without it."""
    for pattern, group in _RELATIVE:
        m = pattern.search(text)
        if m is None:
            continue
        minutes = _relative_minutes(m, group)
        if minutes is None:
            continue
        return now + timedelta(minutes=minutes), text[: m.start()] + " " + text[m.end() :]
    return None, text


def _relative_minutes(m: re.Match[str], group: int) -> int | None:
    whole = m.group(0)
    if any(half in whole for half in _HALF_HOUR):
        return 30
    if "ساعتين" in whole:
        return 120
    digits = re.search(r"\d{1,2}", whole)
    count = int(digits.group()) if digits else None
    if count is None and group and m.group(group):
        count = _COUNTS.get(m.group(group))
    if count is None:
        count = 1  # "tunnin päästä", "بعد ساعه", "saacad kadib": one hour
    unit_minutes = 1 if any(word in whole.split() for word in _MINUTE_WORDS) else 60
    if count * unit_minutes > 12 * 60:
        return None
    return count * unit_minutes


def read_clock(text: str) -> tuple[list[ClockTime], str]:
    """The clock times in normalised `text`, and the text without them."""
    found_school: list[ClockTime] = []
    if _AFTER_SCHOOL.search(text):
        found_school.append(ClockTime("after", SCHOOL_OUT))
        text = _AFTER_SCHOOL.sub(" ", text)
    clocks, text = _read_clock(text)
    return found_school + clocks, text


def _read_clock(text: str) -> tuple[list[ClockTime], str]:
    spans = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
    words = [word for word, _s, _e in spans]
    found: list[ClockTime] = []
    used: set[int] = set()
    i = 0
    while i < len(words):
        hit = _clock_at(words, i)
        if hit is None:
            i += 1
            continue
        clock, first, last = hit
        found.append(clock)
        used.update(range(first, last + 1))
        i = last + 1
    if not used:
        return [], text
    chars = list(text)
    for index in used:
        _word, start, end = spans[index]
        chars[start:end] = " " * (end - start)
    return found, "".join(chars)


def _clock_at(words: list[str], i: int) -> tuple[ClockTime, int, int] | None:
    word = words[i]
    suffix = None
    ampm = _AMPM.match(word)
    if ampm:
        hour, suffix = int(ampm[1]), ampm[2]
    elif word.isascii() and word.isdigit() and len(word) <= 2:  # "፩" is a digit int() refuses
        hour = int(word)
    elif word in _FINNISH_HOURS:
        hour = _FINNISH_HOURS[word]
    else:
        return None
    spoken = word in _FINNISH_HOURS
    first, last = i, i
    minute = 0
    colon = False
    if suffix is None and i + 2 < len(words) and words[i + 1] in (":", ".") and _two_digits(words[i + 2]):
        minute, colon, last = int(words[i + 2]), words[i + 1] == ":", i + 2
    if suffix is None and last + 1 < len(words) and words[last + 1] in _LATER_HALF | _EARLIER_HALF:
        suffix, last = ("pm" if words[last + 1] in _LATER_HALF else "am"), last + 1
    elif suffix is None and last + 2 < len(words) and words[last + 2] in _LATER_HALF | _EARLIER_HALF:
        suffix, last = ("pm" if words[last + 2] in _LATER_HALF else "am"), last + 2  # "7 bel lel", "6 på kvällen"
    if first > 1 and words[first - 1] == "." and words[first - 2] in _MARKERS:
        first -= 1  # "kl. 18"
    marked = first > 0 and words[first - 1] in _MARKERS
    if marked:
        first -= 1
    # "before 12", "efter 19": a bare hour right after a word for before/after is a time too.
    directed = (first > 0 and words[first - 1] in _AFTER_BEFORE | _BEFORE_BEFORE) or (
        first > 1 and (words[first - 2], words[first - 1]) in _AFTER_PAIRS | _BEFORE_PAIRS
    )
    if not (marked or colon or suffix or directed or spoken):
        return None
    if last + 1 < len(words) and words[last + 1] in _MONTH_WORDS:
        return None
    if hour > 23 or minute > 59:
        return None
    if suffix == "pm" and hour < 12:
        hour += 12
    elif suffix == "am" and hour == 12:
        hour = 0
    elif suffix is None and 1 <= hour <= _EVENING_UNTIL:
        hour += 12
    relation = "at"
    if first >= 2 and (words[first - 2], words[first - 1]) in _AFTER_PAIRS:
        relation, first = "after", first - 2
    elif first >= 2 and (words[first - 2], words[first - 1]) in _BEFORE_PAIRS:
        relation, first = "before", first - 2
    elif first >= 1 and (words[first - 1] in _AFTER_BEFORE or (marked and words[first - 1] in _FROM_MARKED)):
        relation, first = "after", first - 1
    elif first >= 1 and words[first - 1] in _BEFORE_BEFORE:
        relation, first = "before", first - 1
    if last + 2 < len(words) and (words[last + 1], words[last + 2]) in _AFTER_PAIRS:
        relation, last = "after", last + 2
    elif last + 2 < len(words) and (words[last + 1], words[last + 2]) in _BEFORE_PAIRS:
        relation, last = "before", last + 2
    elif last + 1 < len(words) and words[last + 1] in _AFTER_AFTER:
        relation, last = "after", last + 1
    elif last + 1 < len(words) and words[last + 1] in _BEFORE_AFTER:
        relation, last = "before", last + 1
    return ClockTime(relation, time(hour, minute)), first, last


def _two_digits(word: str) -> bool:
    return len(word) == 2 and word.isascii() and word.isdigit()
