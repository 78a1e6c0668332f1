"""Two `motsbot run` on one database (motsbot/serving.py): the second waits as a standby, with no
channel started, and takes over when the first is killed (-9) or stopped. Real processes, the
Bot API fake on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.store import Store
from bot.store.database import alembic_config
from motsbot.run import Standby
from motsbot.serving import ServingTurn, turn_file
from tests.adapters.telegram.tg_fake_api import TOKEN, FakeBotApi

ROOT = Path(__file__).resolve().parents[1]
START = 90.0
"""Bounded wait for a start (imports, language models) on a shared 2-core machine."""
STANDBY_WAITS = "waits as its standby"
SERVES_NOW = "serves"
CHANNEL_STARTED = "telegram channel started"
FIRST_ANSWER = 1
"""Messages answering a new person's "hej": the answer, with the welcome folded in."""


class Motsbot:
    """One `motsbot run` subprocess; its log lines are collected as they come."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._reading = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            self.lines.append(line.decode(errors="replace"))

    def said(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    async def until_said(self, text: str) -> None:
        async def poll() -> None:
            while not self.said(text):
                if self.process.returncode is not None:
                    raise AssertionError(f"motsbot ended before saying {text!r}: {''.join(self.lines)[-3000:]}")
                await asyncio.sleep(0.05)

        try:
            await asyncio.wait_for(poll(), START)
        except TimeoutError:
            raise AssertionError(f"motsbot did not say {text!r}: {''.join(self.lines)[-3000:]}") from None

    async def end(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reading


@pytest.fixture(autouse=True)
def unfrozen_heap() -> Iterator[None]:
    """`Standby.prepare` freezes the heap (`freeze_startup_heap`): not the test process's."""
    yield
    gc.unfreeze()


async def test_a_second_motsbot_waits_as_standby_and_takes_over_after_a_kill_and_a_stop(tmp_path: Path) -> None:
    fake = FakeBotApi()
    await fake.start()
    db = tmp_path / "motsbot.sqlite3"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MOTSBOT_DB": str(db),
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_API_URL": fake.base_url,
        "MOTSBOT_ADMIN_ENABLED": "false",
        "MOTSBOT_LOG_LEVEL": "INFO",
    }

    async def start() -> Motsbot:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "from motsbot.cli import main; raise SystemExit(main(['run']))",
            cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        return Motsbot(process)

    async def answered(chat: int) -> None:
        # Answered and crossed off in the inbox before the next step: a motsbot killed before
        # that gives the answer again when the next one takes over (at least once).
        fake.say(chat, "hej")
        await fake.wait_messages(chat, FIRST_ANSWER, within=START)
        await asyncio.wait_for(all_handled(), START)

    async def all_handled() -> None:
        while True:
            with contextlib.closing(sqlite3.connect(db)) as conn:
                waiting = conn.execute("SELECT count(*) FROM telegram_update WHERE handled_at IS NULL").fetchone()[0]
            if waiting == 0:
                return
            await asyncio.sleep(0.05)

    bots: list[Motsbot] = []
    try:
        first = await start()
        bots.append(first)
        await first.until_said(CHANNEL_STARTED)
        await answered(1)

        second = await start()
        bots.append(second)
        await second.until_said(STANDBY_WAITS)
        await answered(2)
        # The standby polls nothing and answers nothing: only the first answered.
        assert not second.said(CHANNEL_STARTED), "".join(second.lines)

        first.process.send_signal(signal.SIGKILL)
        await first.process.wait()
        await second.until_said(CHANNEL_STARTED)
        await answered(3)

        third = await start()
        bots.append(third)
        await third.until_said(STANDBY_WAITS)
        # A graceful stop (an upgrade) hands over too, once the second has finished.
        second.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.process.wait(), START) == 0
        await third.until_said(CHANNEL_STARTED)
        await answered(4)
        # Each "hej" answered once, the same way, whichever motsbot answered it.
        answer = [sent.text for sent in fake.chat(1)]
        assert len(answer) == FIRST_ANSWER
        for chat in (2, 3, 4):
            assert [sent.text for sent in fake.chat(chat)] == answer
    finally:
        for bot in bots:
            await bot.end()
        await fake.stop()


async def test_the_turn_is_taken_at_once_when_nobody_serves_and_waits_while_somebody_does(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'motsbot.sqlite3'}"
    serving = ServingTurn(url)
    await serving.take()
    assert not serving.waited
    standby = ServingTurn(url)
    loaded: list[str] = []

    async def load() -> None:
        loaded.append("models")

    waiting = asyncio.create_task(standby.take(while_waiting=load))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    assert loaded == ["models"]
    await serving.give_back()
    await asyncio.wait_for(waiting, 5)
    assert standby.waited
    await standby.give_back()


def test_only_a_database_file_has_a_turn() -> None:
    assert turn_file("sqlite+aiosqlite:////srv/motsbot/motsbot.sqlite3") == Path("/srv/motsbot/motsbot.sqlite3-serving")
    assert turn_file("sqlite+aiosqlite:///:memory:") is None
    assert turn_file("postgresql+asyncpg://motsbot@db/motsbot") is None


async def test_a_standby_changes_nothing_and_the_schema_is_migrated_once_it_serves(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    path = tmp_path / "motsbot.sqlite3"
    older = create_engine(f"sqlite:///{path}")
    with older.begin() as connection:
        command.upgrade(alembic_config(connection), "0008")
    older.dispose()

    standby = Standby(str(path), Engine)
    await standby.prepare()
    # The schema is older than this code's: no migration while another motsbot may serve, and
    # no engine reading tables before it.
    assert standby.engine is None
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0008"

    store = await standby.open_store()
    try:
        assert await store.database.schema_is_current()
    finally:
        await store.close()


async def test_a_standby_on_a_current_database_has_its_engine_ready(tmp_path: Path) -> None:
    path = tmp_path / "motsbot.sqlite3"
    store = await Store.open(str(path))
    await store.close()

    standby = Standby(str(path), Engine)
    await standby.prepare()
    try:
        assert standby.engine is not None
        assert standby.store is not None and standby.engine.store is standby.store
    finally:
        assert standby.store is not None
        await standby.store.close()
