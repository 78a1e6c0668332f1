"""Every bad file is refused with its name, the place and the problem, and nothing is written."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.programme import ProgrammeFileError, load_programme_file
from bot.store import Store

from .support import FAQ, NOW, SCHEDULE, fixture_json, table_counts, talks, write_json

NIAGARA = 'schedule.conference.days[0].rooms["Malmö universitet – Niagara aula"][0]'


@dataclass(frozen=True)
class Bad:
    name: str
    content: Callable[[], bytes]
    place: str
    problem: str


def _schedule(change: Callable[[dict[str, Any]], None]) -> Callable[[], bytes]:
    def build() -> bytes:
        data = fixture_json()
        change(data)
        return json.dumps(data, ensure_ascii=False).encode()

    return build


def _talk(which: str, **fields: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        talk = talks(data)[which]
        for name, value in fields.items():
            if value is None:
                del talk[name]
            else:
                talk[name] = value

    return change


def _faq(change: Callable[[dict[str, Any]], None]) -> Callable[[], bytes]:
    def build() -> bytes:
        data = json.loads(FAQ.read_text(encoding="utf-8"))
        change(data)
        return json.dumps(data, ensure_ascii=False).encode()

    return build


def _zone(data: dict[str, Any]) -> None:
    data["schedule"]["conference"]["time_zone_name"] = "Europe/Malmo"


def _no_answer(data: dict[str, Any]) -> None:
    data["entries"][2]["answer"] = {"sv": " "}


def _twice(data: dict[str, Any]) -> None:
    data["entries"][4]["id"] = "cost"


def _text(text: str) -> Callable[[], bytes]:
    return lambda: text.encode()


ICS_HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:A1\r\nSUMMARY:Dans\r\n"
ICS_TAIL = "END:VEVENT\r\nEND:VCALENDAR\r\n"
CSV_HEAD = "code,title_sv,start,end,venue,capacity\n"

BAD_FILES = [
    Bad("latin1.json", lambda: '{"schedule": "Malmö"}'.encode("latin-1"), "line 1, byte 18", "not UTF-8"),
    Bad("empty.json", _text("  \n"), "", "the file is empty"),
    Bad("broken.json", _text('{"schedule": {"conference": '), "line 1, column 29", "not valid JSON"),
    Bad("other.json", _text('{"talks": []}'), "", "unknown JSON format"),
    Bad("notes.txt", _text("Programmet kommer snart!\n"), "", "unknown format"),
    Bad("schedule.json", _schedule(_talk("MM001", date=None)), f"{NIAGARA}.date", "missing"),
    Bad(
        "schedule.json",
        _schedule(_talk("MM001", date="2027-05-10T09:30:00")),
        f"{NIAGARA}.date",
        "not a date with a time zone (found '2027-05-10T09:30:00')",
    ),
    Bad(
        "schedule.json",
        _schedule(_talk("MM003", capacity=-5)),
        'schedule.conference.days[0].rooms["Nobel 21 – Stora salen"][0].capacity',
        "must not be negative",
    ),
    Bad("schedule.json", _schedule(_talk("MM001", duration="1h")), f"{NIAGARA}.duration", "not a duration"),
    Bad(
        "schedule.json",
        _schedule(_talk("MM002", code="MM001")),
        f"{NIAGARA[:-3]}[1].code",
        f"code 'MM001' appears twice (first at {NIAGARA}.code)",
    ),
    Bad(
        "schedule.json",
        _schedule(_talk("MM002", code="MM/002")),
        f"{NIAGARA[:-3]}[1].code",
        "code 'MM/002' may not contain / \\ ? # % or spaces",
    ),
    Bad(
        "program.csv",
        _text(CSV_HEAD + "A?1,Dans,2027-05-10 18:00,2027-05-10 19:00,,\n"),
        "line 2, column code",
        "code 'A?1' may not contain",
    ),
    Bad("schedule.json", _schedule(_zone), "schedule.conference.time_zone_name", "unknown time zone"),
    Bad("faq.json", _faq(_no_answer), "entries[2].answer", "no answer in any language"),
    Bad("faq.json", _faq(_twice), "entries[4].id", "id 'cost' appears twice (first at entries[0].id)"),
    Bad(
        "dans.ics",
        _text(ICS_HEAD + "DTSTART:20270510T200000\r\nDTEND:20270510T190000\r\n" + ICS_TAIL),
        "VEVENT 1 (UID A1), DTEND",
        "ends before it starts",
    ),
    Bad(
        "dans.ics",
        _text(ICS_HEAD + "DTSTART:20270510T200000\r\nX-MOTSBOT-CAPACITY:-3\r\n" + ICS_TAIL),
        "VEVENT 1 (UID A1), X-MOTSBOT-CAPACITY",
        "must not be negative",
    ),
    Bad("dans.ics", _text(ICS_HEAD + ICS_TAIL), "VEVENT 1 (UID A1), DTSTART", "missing or not a date"),
    Bad(
        "program.csv",
        _text(CSV_HEAD + "K1,Dans,2027-05-10 18:00,2027-05-10 20:00,Parken,\nK2,Sång,i morgon,,Parken,\n"),
        "line 3, column start",
        "not a date and time",
    ),
    Bad(
        "program.csv",
        _text(CSV_HEAD + "K1,Dans,2027-05-10 18:00,2027-05-10 20:00,Parken,-10\n"),
        "line 2, column capacity",
        "must not be negative",
    ),
    Bad(
        "program.csv",
        _text(CSV_HEAD + "K1,Dans,2027-05-10 18:00,2027-05-10 17:00,Parken,\n"),
        "line 2, column end",
        "ends before it starts",
    ),
    Bad(
        "program.csv",
        _text("code,titel_sv,start,end\nK1,Dans,2027-05-10 18:00,2027-05-10 20:00\n"),
        "line 1",
        "unknown column 'titel_sv'",
    ),
    Bad(
        "program.csv",
        _text(
            CSV_HEAD
            + "K1,Dans,2027-05-10 18:00,2027-05-10 20:00,Parken,\n"
            + "k1,Sång,2027-05-11 18:00,2027-05-11 19:00,,\n"
        ),
        "line 3, column code",
        "code 'k1' appears twice (first at line 2, column code)",
    ),
]


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda bad: f"{bad.name}:{bad.problem[:30]}")
async def test_bad_file_is_refused_and_nothing_is_written(store: Store, tmp_path: Path, bad: Bad) -> None:
    await store.programme.apply(load_programme_file(SCHEDULE), NOW)
    await store.programme.apply(load_programme_file(FAQ), NOW)
    before = await table_counts(store)
    revision = await store.programme.revision()
    snapshot = await store.programme.snapshot()
    path = tmp_path / bad.name
    path.write_bytes(bad.content())

    with pytest.raises(ProgrammeFileError) as caught:
        await store.programme.apply(load_programme_file(path), NOW)

    error = caught.value
    assert isinstance(error, ValueError)
    assert (error.file, error.place) == (bad.name, bad.place)
    assert error.problem.startswith(bad.problem)
    expected = f"{bad.name}: {bad.place}: " if bad.place else f"{bad.name}: "
    assert str(error).startswith(expected + bad.problem)
    assert await table_counts(store) == before
    assert await store.programme.revision() == revision
    assert await store.programme.snapshot() == snapshot


def test_the_message_names_the_upload_not_the_temporary_file(tmp_path: Path) -> None:
    path = write_json(tmp_path / "tmpa8f3k2", {"entries": [{"id": "x"}]})
    with pytest.raises(ProgrammeFileError) as caught:
        load_programme_file(path, name="faq-2027.json")
    assert str(caught.value) == "faq-2027.json: entries[0].question: missing"


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProgrammeFileError, match=r"^nowhere\.json: cannot be read"):
        load_programme_file(tmp_path / "nowhere.json")


def test_a_calendar_without_events_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tom.ics"
    path.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:Tom\r\nEND:VCALENDAR\r\n")
    with pytest.raises(ProgrammeFileError, match=r"^tom\.ics: no events \(VEVENT\) in the calendar$"):
        load_programme_file(path)
