"""Clock times in six languages, read from the question and used as filters (clock injected)."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from bot.understand import understand
from bot.understand.clock import read_clock
from bot.understand.normalize import normalize
from tests.understand.support import fixture_snapshot

MONDAY = datetime.fromisoformat("2027-05-10T08:00:00+02:00")


@pytest.mark.parametrize(
    ("text", "relation", "at"),
    [
        ("vad händer efter kl 18", "after", time(18)),
        ("nåt från kl. 18.30?", "after", time(18, 30)),
        ("före kl 12", "before", time(12)),
        ("kl 15", "at", time(15)),
        ("after 6pm", "after", time(18)),
        ("anything before 12", "before", time(12)),
        ("at 2:30 pm", "at", time(14, 30)),
        ("later than 7", "after", time(19)),
        ("بعد الساعة ٦", "after", time(18)),
        ("قبل الساعة 12", "before", time(12)),
        ("من الساعة 6", "after", time(18)),
        ("klo 18 jälkeen", "after", time(18)),
        ("ennen klo 12", "before", time(12)),
        ("saacadda 6 kadib", "after", time(18)),
        ("saacadda 12 ka hor", "before", time(12)),
        ("بعد از ساعت ۶", "after", time(18)),
        ("از ساعت ۶ به بعد", "after", time(18)),
    ],
)
def test_clock_times_in_six_languages(text: str, relation: str, at: time) -> None:
    found, rest = read_clock(normalize(text))
    assert [(c.relation, c.at) for c in found] == [(relation, at)]
    assert not any(ch.isdigit() for ch in rest)


@pytest.mark.parametrize(
    "text", ["den 14.5", "workshops för 15-25 år", "från 10 maj", "Nobel 21", "MM021", "من ۱۷ سالمه"]
)
def test_numbers_that_are_not_clock_times(text: str) -> None:
    assert read_clock(normalize(text))[0] == []


@pytest.mark.parametrize(
    ("text", "lang", "codes"),
    [
        ("vad händer efter kl 18 idag", "sv", ["MM005"]),
        ("something after 6pm today", "en", ["MM005"]),
        ("بعد الساعة ٦ اليوم", "ar", ["MM005"]),
        ("klo 18 jälkeen tänään", "fi", ["MM005"]),
        ("maxaa dhacaya maanta saacadda 6 kadib", "so", ["MM005"]),
        ("بعد از ساعت ۶ امروز", "fa", ["MM005"]),
        ("va händer kl 15 idag", "sv", ["MM004"]),
        ("anything before 12 on friday", "en", ["MM019"]),
        ("what's on at 2pm on wednesday", "en", ["MM012"]),
    ],
)
def test_clock_times_filter_events(text: str, lang: str, codes: list[str]) -> None:
    understood = understand(text, lang, MONDAY, fixture_snapshot())
    assert understood.intent == "events"
    assert [e.code for e in understood.events] == codes


def test_a_clock_time_during_the_festival_means_today() -> None:
    tuesday_noon = datetime.fromisoformat("2027-05-11T12:00:00+02:00")
    understood = understand("after 5pm", "en", tuesday_noon, fixture_snapshot())
    assert [e.code for e in understood.events] == ["MM009"]
