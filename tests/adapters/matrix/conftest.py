"""Fixtures for the Matrix adapter tests: one real Synapse per session, residents, the bot.

Helpers live in `matrix_support` (a unique module name: other test folders have a
`conftest` of their own, so tests must not import from this file).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from js_resident import JsResident, install_modules
from matrix_support import Bot, Resident, Synapse

from bot.store import Store


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    server = Synapse(tmp_path_factory.mktemp("synapse"))
    server.start()
    try:
        server.register("admin", admin=True)
        yield server
    finally:
        server.stop()


@pytest.fixture
async def residents(synapse: Synapse, tmp_path: Path) -> AsyncIterator[Callable[[], Awaitable[Resident]]]:
    made: list[Resident] = []

    async def make() -> Resident:
        resident = Resident(synapse, tmp_path / f"resident{len(made)}")
        made.append(resident)
        await resident.start()
        return resident

    yield make
    for resident in made:
        await resident.stop()


@pytest.fixture
async def bot(synapse: Synapse, store: Store, tmp_path: Path) -> AsyncIterator[Bot]:
    made = Bot(synapse, store, tmp_path)
    yield made
    await made.stop()


@pytest.fixture(scope="session")
def js_modules() -> None:
    install_modules()


@pytest.fixture
async def js_residents(synapse: Synapse, js_modules: None) -> AsyncIterator[Callable[[], Awaitable[JsResident]]]:
    made: list[JsResident] = []

    async def make() -> JsResident:
        resident = JsResident(synapse)
        made.append(resident)
        await resident.start()
        return resident

    yield make
    for resident in made:
        await resident.stop()
