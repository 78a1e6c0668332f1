"""What makes a repeat after a crash harmless where the platform allows it: the dispatcher hands
each outbox row's dedupe key to the connector, and Matrix builds its transaction id from it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from adapters.matrix.connector import MatrixConnector
from adapters.matrix.session import MatrixConfig
from bot.messages import Button, Outgoing, Span
from bot.store import Store
from scheduler import Audience
from tests.scheduler.conftest import FakeConnector, Harness


@dataclass
class KeyedConnector(FakeConnector):
    keys: list[tuple[str, str | None]] = field(default_factory=list)

    async def send(self, user_id: str, message: Outgoing, *, key: str | None = None) -> str | None:
        self.keys.append((user_id, key))
        return await super().send(user_id, message, key=key)


async def test_the_dispatcher_passes_each_rows_dedupe_key(harness: Harness) -> None:
    connector = KeyedConnector(harness.clock)
    harness.scheduler.dispatcher.connectors = {"console": connector}
    people = [await harness.person(user) for user in ("anna", "bo")]
    broadcast = await harness.scheduler.broadcast({"sv": "Hej"}, Audience(everyone=True))
    await harness.at(harness.clock.now())
    assert sorted(connector.keys) == [
        ("anna", f"broadcast:{broadcast}:{people[0].id}"),
        ("bo", f"broadcast:{broadcast}:{people[1].id}"),
    ]


class Posts:
    """Stands in for the Matrix conversation: records the key each message's transaction ids
    are derived from (`Sender.send` gets `transaction_id(key, part)`)."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    async def to_person(self, user_id: str, message: Outgoing, choices: list[tuple[int, Button]], key: str) -> str:
        self.keys.append(key)
        return f"$event{len(self.keys)}"


class Ready:
    def __init__(self) -> None:
        self.ready = asyncio.Event()
        self.ready.set()


async def test_matrix_derives_the_transaction_id_from_the_outbox_key(tmp_path: Path) -> None:
    store = await Store.open(str(tmp_path / "db.sqlite3"))
    try:
        config = MatrixConfig("http://127.0.0.1:1", "@motsbot:test", "secret", tmp_path, "pickle")
        connector = MatrixConnector(config, store)
        posts = Posts()
        connector.conversation = posts  # type: ignore[assignment]
        connector.loop = Ready()  # type: ignore[assignment]
        before = Outgoing(spans=[Span(text="Jazz i parken börjar kl. 18")])
        # The same row rendered again after a restart, once the event had moved.
        after = Outgoing(spans=[Span(text="Jazz i parken börjar kl. 19")])
        for message in (before, after):
            await connector.send("@anna:test", message, key="reminder:7:PT1H")
        await connector.send("@bo:test", before, key="reminder:8:PT1H")
        await connector.send("@anna:test", before)
        await connector.send("@anna:test", after)
        first, again, other, plain_before, plain_after = posts.keys
        assert first == again, "a repeat of the row reuses its transaction id"
        assert len({first, other, plain_before, plain_after}) == 4
    finally:
        await store.close()
