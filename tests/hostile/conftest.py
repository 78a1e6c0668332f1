"""A store with the demo festival opened on a private event loop: hypothesis calls its test
function synchronously, many times, so the async store cannot come from a per-test fixture."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.store import Store
from tests.conftest import import_demo


@dataclass
class LoopStore:
    runner: asyncio.Runner
    store: Store


@pytest.fixture
def loop_store(tmp_path: Path) -> Iterator[LoopStore]:
    with asyncio.Runner() as runner:
        store = runner.run(Store.open(str(tmp_path / "hostile.sqlite3")))
        runner.run(import_demo(store))
        try:
            yield LoopStore(runner, store)
        finally:
            runner.run(store.close())
