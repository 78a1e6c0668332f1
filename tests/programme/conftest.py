from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Store


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """An empty store: overrides the suite's `store`, which already holds the demo festival,
    because these tests are about importing it."""
    opened = await Store.open(str(tmp_path / "motsbot.sqlite3"))
    try:
        yield opened
    finally:
        await opened.close()
