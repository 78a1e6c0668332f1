"""What the first question would otherwise load while everyone waits is loaded before it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.store import Store
from bot.understand import language
from bot.understand.index import SnapshotIndex
from tests.conftest import FESTIVAL_MORNING, import_demo


def _index_of(engine: Engine) -> object:
    snapshot = engine._snapshot
    assert snapshot is not None
    return snapshot.__dict__.get("_search_index")


async def test_warm_up_loads_the_language_models_and_the_programmes_index(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(language, "_detector", None)  # as in a fresh process
    engine = Engine(store)
    await engine.warm_up()
    assert language._detector is not None
    assert isinstance(_index_of(engine), SnapshotIndex)
    assert language.detect_language("Vad händer på festivalen i kväll?") == "sv"


async def test_a_new_programme_revision_gets_its_index_before_anyone_asks(store: Store) -> None:
    engine = Engine(store)
    await engine.warm_up()
    first = engine._snapshot
    await import_demo(store, FESTIVAL_MORNING)  # every import is a new revision
    snapshot = await engine.programme()
    assert snapshot is not None and first is not None
    assert snapshot.revision > first.revision
    assert isinstance(_index_of(engine), SnapshotIndex), "built when the revision was read, not at a question"


def test_the_startup_heap_is_frozen_out_of_full_collections() -> None:
    import gc

    from motsbot.run import freeze_startup_heap

    loaded = [{"catalog": n} for n in range(10_000)]
    try:
        freeze_startup_heap()
        assert gc.get_freeze_count() >= len(loaded), "what was loaded before is out of the collector's sight"
        assert not any(item is loaded[0] for item in gc.get_objects(generation=2))
    finally:
        gc.unfreeze()


def test_a_restart_loads_no_migration_tool_or_web_framework_before_the_channels(tmp_path: Path) -> None:
    """After a crash residents wait for the restart: what the chat channels don't need waits
    until they run (the admin web's framework) or is not loaded at all (alembic, at a database
    already at the newest schema)."""
    db = tmp_path / "motsbot.sqlite3"
    start = (
        "import asyncio, sys\n"
        "import motsbot.run, adapters.telegram, adapters.matrix\n"
        "from bot.store import Store\n"
        "async def start():\n"
        f"    store = await Store.open({str(db)!r})\n"
        "    await store.close()\n"
        "asyncio.run(start())\n"
        "print(' '.join(sorted(m for m in ('alembic', 'fastapi', 'uvicorn') if m in sys.modules)))\n"
    )
    first = subprocess.run([sys.executable, "-c", start], capture_output=True, text=True, check=True)
    assert first.stdout.split() == ["alembic"], "a new database is migrated"
    again = subprocess.run([sys.executable, "-c", start], capture_output=True, text=True, check=True)
    assert again.stdout.split() == []
