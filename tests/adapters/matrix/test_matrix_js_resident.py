"""An Element-grade resident: matrix-js-sdk 43 with its Rust crypto, its own device
cross-signed, excluding devices their owner has not cross-signed (Element since 2026, MSC4153).

Against the real Synapse and a real `motsbot run` (subprocess, real engine, the demo festival):
an encrypted DM with two questions, a signup by numbered choice, a survey's poll and an event's
evaluation poll (MSC3381, answered as Element answers, counted once), all read with no
decryption failure and no shield; again after a restart, and after the bot's store was
lost (a new device, the old one gone). And in-process: a key withheld from an unsigned bot
device is counted, and the resident is told after the wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import shutil
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from js_resident import JsResident
from matrix_support import Bot, Synapse, number_of, wait_until

from adapters.matrix import texts as texts_module
from adapters.matrix.connector import cross_signing
from adapters.matrix.cross_signing import KEYS_FILE
from admin.metrics import Metrics
from bot.evaluation import START_RATE_PREFIX
from bot.messages import Incoming, Outgoing, Span
from bot.programme.loader import load_programme_file
from bot.store import Store
from bot.store.ratings import RatingStore
from bot.store.surveys import Kind, Question, SurveyStore
from scheduler.surveys import send_survey
from tests.conftest import FAQ, SCHEDULE

ROOT = Path(__file__).resolve().parents[3]
START = 90.0
"""Bounded wait for `motsbot run` to start on a shared 2-core machine."""
CHANNEL_STARTED = "matrix channel started"
CONCERT = "MM005"
POLL_START = "org.matrix.msc3381.poll.start"


def assert_trusted(events: list[dict[str, Any]]) -> None:
    """Every encrypted bot event decrypted, with no shield (Element draws none for a cross-signed
    device); the room's state events are not encrypted."""
    encrypted = [event for event in events if event["encrypted"]]
    assert encrypted
    for event in encrypted:
        assert event["decryption_failure"] is None, event
        assert event["shield"] == "NONE" and event["shield_reason"] is None, event


class Motsbot:
    """One `motsbot run` subprocess with Matrix configured; its log lines are collected."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        self.process: asyncio.subprocess.Process | None = None
        self.lines: list[str] = []
        self._reading: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.lines = []
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "from motsbot.cli import main; raise SystemExit(main(['run']))",
            cwd=self.cwd, env=self.env, stderr=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        self._reading = asyncio.create_task(self._read(self.process))
        deadline = time.monotonic() + START
        while not any(CHANNEL_STARTED in line for line in self.lines):
            if self.process.returncode is not None or time.monotonic() > deadline:
                raise AssertionError(f"motsbot did not start: {''.join(self.lines)[-3000:]}")
            await asyncio.sleep(0.05)

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stderr is not None
        async for line in process.stderr:
            self.lines.append(line.decode(errors="replace"))

    def said(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    async def stop(self) -> None:
        if self.process is None:
            return
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self._reading is not None:
            with contextlib.suppress(BaseException):
                await self._reading
        self.process = None


@pytest.fixture
async def motsbot(synapse: Synapse, tmp_path: Path) -> AsyncIterator[tuple[Motsbot, str, Path]]:
    user_id, password = synapse.register()
    store_path = tmp_path / "matrix-store"
    # The demo festival, with its opening concert (open entry) going on now: rated by the QR
    # code at the venue, which opens the same evaluation poll the scheduler sends afterwards.
    now = datetime.now(UTC)
    programme = load_programme_file(SCHEDULE)
    events = [
        event.model_copy(update={"starts_at": now - timedelta(minutes=30), "ends_at": now + timedelta(hours=1)})
        if event.code == CONCERT
        else event
        for event in programme.events
    ]
    store = await Store.open(str(tmp_path / "motsbot.sqlite3"))
    try:
        await store.programme.apply(programme.model_copy(update={"events": events}), now)
        await store.programme.apply(load_programme_file(FAQ), now)
    finally:
        await store.close()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MOTSBOT_DB": str(tmp_path / "motsbot.sqlite3"),
        "MOTSBOT_ADMIN_ENABLED": "false",
        "SCHEDULER_ENABLED": "false",
        "MOTSBOT_LOG_LEVEL": "INFO",
        "MATRIX_HOMESERVER": synapse.url,
        "MATRIX_USER": user_id,
        "MATRIX_PASSWORD": password,
        "MATRIX_STORE_PATH": str(store_path),
        "MATRIX_PICKLE_KEY": "a pickle key for the js resident test",
    }
    bot = Motsbot(env, tmp_path)
    yield bot, user_id, store_path
    await bot.stop()


class Talk:
    """The resident's side of the DM: says something, waits for the bot's next messages."""

    def __init__(self, resident: JsResident, bot_id: str, room: str) -> None:
        self.resident, self.bot_id, self.room = resident, bot_id, room
        self.exchange: list[tuple[str, list[str]]] = []
        """What was said and what came back, for the run's printed summary."""

    async def say(self, text: str, until: str, *, within: float = 60.0) -> list[str]:
        """What the bot answered, up to the message containing `until`."""
        seen = len(self.resident.texts_from(self.bot_id, self.room))
        await self.resident.say(self.room, text)
        await wait_until(
            lambda: any(until in body for body in self.resident.texts_from(self.bot_id, self.room)[seen:]),
            within,
            what=f"an answer to {text!r} with {until!r}: {self.resident.from_user(self.bot_id, self.room)[seen:]}",
        )
        answers = self.resident.texts_from(self.bot_id, self.room)[seen:]
        self.exchange.append((text, answers))
        return answers


async def test_an_element_grade_resident_talks_with_motsbot_run_after_restarts_and_a_lost_store(
    motsbot: tuple[Motsbot, str, Path],
    js_residents: Callable[[], Awaitable[JsResident]],
    synapse: Synapse,
    tmp_path: Path,
) -> None:
    bot, bot_id, store_path = motsbot
    await bot.start()
    assert bot.said("Matrix cross-signing repaired: cross-signing keys uploaded, device signed"), bot.lines
    alice = await js_residents()

    began = time.monotonic()
    room = await alice.open_dm(bot_id)
    try:
        await alice.wait_texts(bot_id, room, 2, within=START)  # the greeting: welcome and menu
    except AssertionError:
        raise AssertionError("".join(bot.lines)[-5000:]) from None
    greeted = time.monotonic() - began
    talk = Talk(alice, bot_id, room)

    began = time.monotonic()
    cost = await talk.say("Kostar det något att delta?", "gratis")
    first_answer = time.monotonic() - began
    assert cost[-1] == "Kostar det något att delta?\nAlla aktiviteter under Malmö Möts är gratis.", cost
    access = await talk.say("Är lokalerna tillgängliga med rullstol?", "hörslinga")
    assert "Alla inomhuslokaler har entré i markplan eller hiss." in access[-1], access

    listing = await talk.say("workshop", "Workshop: så påverkar du din stad")
    card = await talk.say(number_of(listing, "Workshop: så påverkar"), "Anmäl")
    signed = await talk.say(number_of(card, "Anmäl"), "anmäld")
    assert any("anmäld" in text.lower() for text in signed), signed

    # An MSC3381 poll in the encrypted DM: the first question of a survey the resident opted into.
    optin = await talk.say("/surveys", "13 eller äldre")
    await talk.say(number_of(optin, "13 eller äldre"), "enkät")
    store = await Store.open(str(tmp_path / "motsbot.sqlite3"), migrate=False)
    try:
        surveys = SurveyStore(store.database)
        now = datetime.now(UTC)
        survey_id = await surveys.create(
            {"sv": "Ungas röst"},
            {"sv": "Två frågor."},
            [
                Question(Kind.SINGLE, {"sv": "Hur kom du hit?"}, [{"sv": "Cykel"}, {"sv": "Buss"}]),
                Question(Kind.TEXT, {"sv": "Vad ska staden göra först?"}),
            ],
            now + timedelta(days=2),
            now,
        )
        await send_survey(store, survey_id, now)
    finally:
        await store.close()
    poll = await answer_poll(alice, bot_id, room, "/surveys", "Buss", "Vad ska staden göra först?")
    assert poll["question"]["org.matrix.msc1767.text"] == "Hur kom du hit?", poll
    assert await survey_counts(tmp_path, survey_id) == {1: 1}
    done = await talk.say("Fler mötesplatser för unga", "sista frågan")
    assert any("sista frågan" in text for text in done), done

    # The evaluation poll (MSC3381) of the concert going on now, opened by its QR code's link.
    concert = await evaluation_of(tmp_path)
    rating = await answer_poll(
        alice, bot_id, room, f"/start {START_RATE_PREFIX}{CONCERT}", "helt och hållet", "kommentar"
    )
    assert "förväntningar" in rating["question"]["org.matrix.msc1767.text"], rating
    await talk.say(number_of(alice.texts_from(bot_id, room), "Ingen kommentar"), "")
    assert sum((await ratings(tmp_path, concert)).values()) == 1
    assert_trusted(alice.from_user(bot_id, room))

    # A restart: the same device, still trusted; the poll answer is not counted again.
    await bot.stop()
    await bot.start()
    assert bot.said("Matrix cross-signing in place"), bot.lines
    again = await talk.say("Kostar det något att delta?", "gratis")
    assert again[-1].endswith("Alla aktiviteter under Malmö Möts är gratis."), again
    assert await survey_counts(tmp_path, survey_id) == {1: 1}
    assert sum((await ratings(tmp_path, concert)).values()) == 1

    # The store lost, the cross-signing keys put back from a backup: a new device, signed by
    # the same identity; the old one deleted.
    old_devices = [device["device_id"] for device in await alice.devices(bot_id)]
    await bot.stop()
    backup = (store_path / KEYS_FILE).read_bytes()
    shutil.rmtree(store_path)
    store_path.mkdir()
    (store_path / KEYS_FILE).write_bytes(backup)
    await bot.start()
    assert bot.said("stale devices deleted"), bot.lines
    listing_now = synapse.request(
        "POST", "/_matrix/client/v3/keys/query", {"device_keys": {bot_id: []}}, synapse.admin_token
    )
    devices_now = list(listing_now["device_keys"][bot_id])
    assert len(devices_now) == 1 and devices_now != old_devices, (devices_now, old_devices)
    after = await talk.say("Är lokalerna tillgängliga med rullstol?", "hörslinga")
    assert "Alla inomhuslokaler" in after[-1], after
    assert_trusted(alice.from_user(bot_id, room))
    assert await signed_devices(alice, bot_id) == devices_now
    for said, answers in talk.exchange:
        print(f"\n> {said}\n" + "\n".join("< " + answer.replace("\n", " | ")[:160] for answer in answers))
    print(
        f"\njs resident: greeting {greeted:.2f} s after opening the DM, first answer {first_answer:.2f} s "
        f"after the question; {len(alice.readable(bot_id, room))} bot events read, all with no shield"
    )


async def signed_devices(resident: JsResident, user_id: str) -> list[str]:
    """The user's devices once the resident's client sees them all signed by their owner (it
    learns of a new signature from its next sync and key query)."""
    for _ in range(600):
        devices = await resident.devices(user_id)
        if devices and all(device["signed_by_owner"] for device in devices):
            return [device["device_id"] for device in devices]
        await asyncio.sleep(0.1)
    raise AssertionError(f"the resident never saw {user_id}'s devices signed: {devices}")


async def answer_poll(
    resident: JsResident, bot_id: str, room: str, ask: str, option_part: str, then: str
) -> dict[str, Any]:
    """Asks for a poll, answers it as Element does (`org.matrix.msc3381.poll.response`) with
    the option whose text contains `option_part`, waits for the bot's next text containing
    `then`; returns the poll's content."""
    before = {e["event_id"] for e in resident.readable(bot_id, room) if e["type"] == POLL_START}
    await resident.say(room, ask)
    polls = await wait_until(
        lambda: [e for e in resident.readable(bot_id, room) if e["type"] == POLL_START and e["event_id"] not in before],
        60,
        what=f"the poll {ask!r} opens",
    )
    start = polls[-1]
    poll: dict[str, Any] = start["content"][POLL_START]
    option = next(answer["id"] for answer in poll["answers"] if option_part in answer["org.matrix.msc1767.text"])
    seen = len(resident.texts_from(bot_id, room))
    await resident.send(
        room,
        "org.matrix.msc3381.poll.response",
        {
            "m.relates_to": {"rel_type": "m.reference", "event_id": start["event_id"]},
            "org.matrix.msc3381.poll.response": {"answers": [option]},
        },
    )
    await wait_until(
        lambda: any(then in text for text in resident.texts_from(bot_id, room)[seen:]),
        60,
        what=f"the bot's answer to the poll ({then!r}): {resident.texts_from(bot_id, room)[seen:]}",
    )
    return poll


async def evaluation_of(tmp_path: Path) -> int:
    store = await Store.open(str(tmp_path / "motsbot.sqlite3"), migrate=False)
    try:
        event_id = await store.programme.event_id(CONCERT)
    finally:
        await store.close()
    assert event_id is not None
    return event_id


async def ratings(tmp_path: Path, event_id: int) -> dict[int, int]:
    store = await Store.open(str(tmp_path / "motsbot.sqlite3"), migrate=False)
    try:
        return (await RatingStore(store.database).results(event_id)).votes
    finally:
        await store.close()


async def survey_counts(tmp_path: Path, survey_id: int) -> dict[int, int]:
    store = await Store.open(str(tmp_path / "motsbot.sqlite3"), migrate=False)
    try:
        results = await SurveyStore(store.database).results(survey_id)
    finally:
        await store.close()
    assert results is not None
    return dict(results.counts[0])


async def echo(incoming: Incoming, now: datetime) -> list[Outgoing]:
    return [Outgoing(spans=[Span(text=f"echo: {incoming.text}")])]


async def test_a_withheld_key_is_counted_and_the_resident_told_after_the_wait(
    bot: Bot, js_residents: Callable[[], Awaitable[JsResident]]
) -> None:
    """What Element does to a device its owner has not cross-signed, and what the bot makes of
    it: the key is withheld (`m.unverified`, counted for /metrics), the message waits for a key
    that never comes (the Rust SDK does not share a withheld session later, even once the device
    is signed), and the resident hears so after the wait; their next message, on a new session,
    is answered."""
    bot.config = dataclasses.replace(bot.config, key_wait=5.0)
    await bot.start(echo)
    await bot.stop()
    shutil.rmtree(bot.config.store_path)  # store and cross-signing keys lost: an unsigned device
    connector = await bot.start(echo)
    assert connector.identity is None and connector.client is not None

    alice = await js_residents()
    room = await alice.open_dm(bot.user_id)
    # Element's "exclude insecure devices" at work: the greeting from the unsigned device is refused.
    [refused] = await wait_until(
        lambda: [e for e in alice.from_user(bot.user_id, room) if e["encrypted"]], 60, what="the bot's greeting"
    )
    assert refused["decryption_failure"] == "UNSIGNED_SENDER_DEVICE", refused

    await alice.say(room, "first")
    await wait_until(
        lambda: connector.counts()["room_keys_withheld"].get("m.unverified", 0) >= 1, 60, what="a withheld key"
    )
    late = connector.late_keys
    assert late is not None
    await wait_until(lambda: len(late.waiting) == 1, 60, what="the message waiting for its key")
    metrics = Metrics()
    metrics.connectors = [connector]
    scraped = (await metrics.render(bot.store.database)).decode()
    assert 'motsbot_matrix_room_keys_withheld{code="m.unverified"} 1.0' in scraped, scraped

    # The operator's reset signs the device (in-process here: the running connector's client).
    report = await cross_signing(connector.client, bot.config).reset()
    assert report.master_key
    await signed_devices(alice, bot.user_id)
    await alice.call("discard_session", room=room)
    await alice.say(room, "second")
    sorry = texts_module.undecryptable("sv")
    texts = await wait_until(
        lambda: sorted(alice.texts_from(bot.user_id, room)) if len(alice.texts_from(bot.user_id, room)) >= 2 else None,
        60,
        what="the answer and the apology",
    )
    assert texts == sorted(["echo: second", sorry]), texts
    await alice.say(room, "third")  # answered after anything the earlier ones caused
    await alice.wait_texts(bot.user_id, room, 3)
    assert sorted(alice.texts_from(bot.user_id, room)) == sorted(["echo: second", sorry, "echo: third"])
    assert_trusted([e for e in alice.from_user(bot.user_id, room) if e["event_id"] != refused["event_id"]])
