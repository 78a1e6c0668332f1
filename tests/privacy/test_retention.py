"""The retention purge: `motsbot_retention_days` after the festival's last day, residents'
data goes and only counts and anonymous comments stay. Run by the scheduler's periodic job
and by `motsbot purge`."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.retention import DEFAULT_RETENTION_DAYS, purge_cutoff, purge_if_due
from motsbot.cli import main
from motsbot.settings import Settings
from scheduler import config_from_settings
from tests.privacy.support import COMMENT, FESTIVAL_ENDS, Run, dump, rehearse

PERSONAL = [
    "person",
    "signup",
    "dialogue",
    "waitlist_offer",
    "checkin",
    "outbox",
    "matrix_room",
    "matrix_poll",
    "matrix_handled_event",
    "telegram_poll",
    "telegram_update",
    "dead_letter",
    "rating_ballot",
]
KEPT = ["event_tally", "rating_tally", "rating_comment", "rating_poll", "broadcast", "unanswered_question"]


def _assert_purged(
    run: Run, before: dict[str, list[dict[str, object]]], after: dict[str, list[dict[str, object]]]
) -> None:
    for table in PERSONAL:
        assert after[table] == [], f"{table} still has rows after the purge"
    for table in KEPT:
        assert after[table] == before[table], f"{table} must be kept as it was"
    assert [r["text"] for r in after["rating_comment"]] == [COMMENT]
    everything = json.dumps(after, default=str, ensure_ascii=False)
    for user in run.user_ids:
        assert user not in everything, f"{user} is still somewhere in the database"
    for table in ("festival", "event", "venue", "faq_entry", "glossary_term"):
        assert after[table] == before[table], "the programme stays"


async def test_the_cutoff_is_the_retention_days_after_the_festivals_last_day(store: Store) -> None:
    assert await purge_cutoff(store.database, 30) == FESTIVAL_ENDS + timedelta(days=30)
    assert await purge_cutoff(store.database, 0) == FESTIVAL_ENDS
    assert DEFAULT_RETENTION_DAYS == Settings().motsbot_retention_days == 30


async def test_purge_removes_people_and_keeps_aggregates(store: Store) -> None:
    run = await rehearse(store)
    cutoff = FESTIVAL_ENDS + timedelta(days=30)
    before = await dump(store)
    assert before["person"] and before["outbox"] and before["matrix_room"] and before["telegram_poll"]

    assert await purge_if_due(store.database, cutoff - timedelta(seconds=1), 30) is None
    assert await dump(store) == before, "nothing goes before the cutoff"

    report = await purge_if_due(store.database, cutoff, 30)
    assert report is not None and report.cutoff == cutoff
    assert report.removed["person"] == len(before["person"]) and report.removed["signup"] == len(before["signup"])
    _assert_purged(run, before, await dump(store))

    again = await purge_if_due(store.database, cutoff + timedelta(days=1), 30)
    assert again is not None and again.total == 0 and again.summary() == "nothing to remove"


async def test_someone_who_first_writes_after_the_cutoff_is_kept(store: Store) -> None:
    run = await rehearse(store)
    cutoff = FESTIVAL_ENDS + timedelta(days=30)
    await purge_if_due(store.database, cutoff, 30)
    run.clock.set(cutoff + timedelta(days=2))
    late = run.residents[0]
    await run.say(late, "/start")
    await purge_if_due(store.database, cutoff + timedelta(days=3), 30)
    assert await store.people.find(late.channel, late.user_id) is not None, "not wiped by every later run"


async def test_the_scheduler_purges_as_a_periodic_job(store: Store) -> None:
    run = await rehearse(store)
    before = await dump(store)
    cutoff = FESTIVAL_ENDS + timedelta(days=30)
    run.clock.set(cutoff - timedelta(minutes=1))
    report = await run.scheduler.maintain()
    assert report.purge is None and (await dump(store))["person"]
    run.clock.set(cutoff + timedelta(seconds=30))
    report = await run.scheduler.maintain()
    assert report.purge is not None and report.purge.removed["person"] == len(before["person"])
    _assert_purged(run, before, await dump(store))


async def test_the_scheduler_takes_the_days_from_the_settings(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTSBOT_RETENTION_DAYS", "90")
    assert config_from_settings(Settings()).retention_days == 90
    run = await rehearse(store)
    run.scheduler.config = config_from_settings(Settings())
    run.clock.set(FESTIVAL_ENDS + timedelta(days=31))
    assert (await run.scheduler.maintain()).purge is None, "30 days is not 90"
    run.clock.set(FESTIVAL_ENDS + timedelta(days=90))
    assert (await run.scheduler.maintain()).purge is not None


async def test_motsbot_purge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cli.sqlite3")
    store = await Store.open(db)
    try:
        run = await rehearse(store)
        before = await dump(store)
    finally:
        await store.close()

    early = (FESTIVAL_ENDS + timedelta(days=10)).isoformat()
    assert await _cli(["purge", "--db", db, "--now", early]) == 0
    assert "not yet" in capsys.readouterr().out
    assert await _cli(["purge", "--db", db, "--now", early, "--days", "7"]) == 0
    out = capsys.readouterr().out
    assert "removed" in out and f"{len(before['person'])} person" in out

    store = await Store.open(db)
    try:
        _assert_purged(run, before, await dump(store))
    finally:
        await store.close()
    assert await _cli(["purge", "--db", db, "--now", "2027-07-01T12:00"]) == 2, "a time without a zone is refused"


async def test_motsbot_purge_without_a_festival(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert await _cli(["purge", "--db", str(tmp_path / "empty.sqlite3")]) == 0
    assert "no festival" in capsys.readouterr().out


async def _cli(argv: list[str]) -> int:
    # main() runs its own event loop (asyncio.run), so it runs in a thread of its own here.
    return await asyncio.to_thread(main, argv)
