"""The festival glossary and event keywords in the database: imported, exported, searched."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from bot.programme import load_programme_file
from bot.programme.csv_export import programme_csv
from bot.programme.demo import demo_files
from bot.programme.errors import ProgrammeFileError
from bot.programme.glossary import glossary_json
from bot.store import Store
from bot.understand import understand
from bot.understand.index import static_entries

MONDAY = datetime.fromisoformat("2027-05-10T08:00:00+02:00")
GLOSSARY = {
    "festival": "Malmö Möts 2027",
    "glossary": {
        "grassroots": {
            "sv": ["idéburna", "gräsrötter"],
            "en": ["grassroots", "grass-roots groups"],
            "ar": ["المبادرات الشعبية"],
            "so": "kooxaha hoose",
        }
    },
}


def _write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


async def _codes(store: Store, text: str, lang: str) -> list[str]:
    snapshot = await store.programme.snapshot()
    assert snapshot is not None
    return [e.code for e in understand(text, lang, MONDAY, snapshot).events]


async def test_a_glossary_from_the_database_joins_languages(store: Store, tmp_path: Path) -> None:
    assert "MM020" not in await _codes(store, "anything for grassroots?", "en")
    report = await store.programme.apply(load_programme_file(_write(tmp_path, "g.json", GLOSSARY)), MONDAY)
    assert report.glossary == 6 and "6 glossary phrases" in report.summary()
    assert (await _codes(store, "anything for grassroots?", "en"))[0] == "MM020"
    assert "MM020" in await _codes(store, "المبادرات الشعبية", "ar")
    assert "MM020" in await _codes(store, "kooxaha hoose", "so")


async def test_a_glossary_import_replaces_the_whole_glossary_and_exports_again(store: Store, tmp_path: Path) -> None:
    await store.programme.apply(load_programme_file(_write(tmp_path, "g.json", GLOSSARY)), MONDAY)
    smaller = {"glossary": {"grassroots": {"en": ["grassroots"]}}}
    await store.programme.apply(load_programme_file(_write(tmp_path, "g2.json", smaller)), MONDAY)
    snapshot = await store.programme.snapshot()
    assert snapshot is not None
    assert [(g.concept, g.language, g.phrase) for g in snapshot.glossary] == [("grassroots", "en", "grassroots")]
    exported = _write(tmp_path, "export.json", json.loads(glossary_json(snapshot)))
    again = load_programme_file(exported)
    assert [(g.concept, g.language, g.phrase) for g in again.glossary] == [("grassroots", "en", "grassroots")]


async def test_event_keywords_are_searched_and_go_through_a_csv_round_trip(store: Store, tmp_path: Path) -> None:
    snapshot = await store.programme.snapshot()
    assert snapshot is not None
    assert "MM022" not in await _codes(store, "zumba battle", "en")
    path = tmp_path / "programme.csv"
    path.write_text(programme_csv(snapshot), encoding="utf-8")
    programme = load_programme_file(path)
    slam = next(e for e in programme.events if e.code == "MM022")
    programme.events[programme.events.index(slam)] = slam.model_copy(update={"keywords": ["zumba battle", "رقص"]})
    await store.programme.apply(programme, MONDAY)
    assert (await _codes(store, "zumba battle", "en"))[0] == "MM022"
    snapshot = await store.programme.snapshot()
    assert snapshot is not None
    path.write_text(programme_csv(snapshot), encoding="utf-8")
    again = next(e for e in load_programme_file(path).events if e.code == "MM022")
    assert again.keywords == ["zumba battle", "رقص"]


async def test_the_demo_festival_ships_a_starter_glossary(store: Store) -> None:
    glossary_file = demo_files()[2]
    programme = load_programme_file(glossary_file)
    concepts = {g.concept for g in programme.glossary}
    assert {"online_hate", "human_rights", "racism", "youth", "workshop", "concert"} <= concepts
    languages = {g.language for g in programme.glossary if g.concept == "online_hate"}
    assert languages == {"sv", "en", "ar", "fi", "so", "fa"}
    # Seeded from the built-in glossary: the same concepts, so both agree on what a word means.
    built_in = {tag.value for _phrase, tag in static_entries() if tag.kind in ("topic", "type")}
    assert concepts <= built_in
    await store.programme.apply(programme, MONDAY)
    assert "MM007" in await _codes(store, "الكراهية الرقمية", "ar")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"glossary": {}}, "no phrases"),
        ({"glossary": {"x": {"en": ["a" * 301]}}}, "longer than 300"),
        ({"glossary": {"x": {"en": [3]}}}, ""),
    ],
)
def test_bad_glossary_files_say_why(tmp_path: Path, data: object, problem: str) -> None:
    with pytest.raises(ProgrammeFileError) as error:
        load_programme_file(_write(tmp_path, "bad.json", data))
    assert problem in str(error.value)
