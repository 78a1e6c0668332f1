"""Names from the programme written in Arabic script find the events that name them."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.understand import understand
from bot.understand.index import index_for
from bot.understand.normalize import normalize, tokens
from bot.understand.translit import skeleton
from tests.understand.support import fixture_snapshot

MONDAY = datetime.fromisoformat("2027-05-10T08:00:00+02:00")


@pytest.mark.parametrize(
    ("arabic", "latin"),
    [
        ("روتردام", "rotterdam"),
        ("غلاسكو", "glasgow"),
        ("گلاسگو", "glasgow"),
        ("فرايبورغ", "freiburg"),
        ("بازل", "basel"),
    ],
)
def test_skeletons_meet_across_scripts(arabic: str, latin: str) -> None:
    assert skeleton(normalize(arabic)) == skeleton(latin)


@pytest.mark.parametrize(
    ("text", "lang", "code"),
    [("روتردام", "ar", "MM006"), ("ندوة عن غلاسكو", "ar", "MM012"), ("فرايبورغ", "fa", "MM019")],
)
def test_a_name_in_arabic_script_finds_its_event(text: str, lang: str, code: str) -> None:
    assert code in [e.code for e in understand(text, lang, MONDAY, fixture_snapshot()).events][:3]


def test_ordinary_arabic_and_persian_words_are_left_alone() -> None:
    index = index_for(fixture_snapshot())
    text = (
        "أريد أن أذهب إلى فعالية ممتعة مع أصدقائي بدون تسجيل كيف حالك شكرا جزيلا الطقس "
        "میخواهم با دوستانم به یک برنامه جالب بروم حالت چطوره سینما تئاتر آشپزی"
    )
    assert [w for w in tokens(normalize(text)) if index.transliterated(w)] == []
