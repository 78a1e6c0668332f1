"""Encrypted and plain DMs against a real Synapse: greeting, rendering, numbered choices, and
restarts that neither lose nor repeat a message."""

from __future__ import annotations

import asyncio
import json
import stat
from collections.abc import Awaitable, Callable
from datetime import datetime

import pytest
from matrix_support import Bot, Resident, wait_until

from bot.messages import Button, Incoming, Outgoing, Span


class Killed(BaseException):
    """The process dying: not an error the bot could catch and handle."""


def echo(calls: list[Incoming]) -> Callable[[Incoming, datetime], Awaitable[list[Outgoing]]]:
    async def handle(incoming: Incoming, now: datetime) -> list[Outgoing]:
        calls.append(incoming)
        if incoming.text == "/start":
            return [
                Outgoing(spans=[Span(text="Hej! "), Span(text="<b>Möts</b>", bold=True)]),
                Outgoing(
                    spans=[Span(text="What now?")],
                    buttons=[[Button(label="Today", payload="today"), Button(label="Help", payload="help")]],
                ),
            ]
        return [Outgoing(spans=[Span(text=f"echo: {incoming.text}")])]

    return handle


@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "plain"])
async def test_dm_greeting_rendering_and_numbered_choices(
    bot: Bot, residents: Callable[[], Awaitable[Resident]], encrypted: bool
) -> None:
    calls: list[Incoming] = []
    connector = await bot.start(echo(calls))
    alice = await residents()
    room = await alice.open_dm(bot.user_id, encrypted=encrypted)

    greeting = await alice.wait_texts(bot.user_id, room, 2)
    assert greeting[0] == "Hej! <b>Möts</b>"
    assert greeting[1] == "What now?\n\n1. Today\n2. Help"
    events = alice.from_user(bot.user_id, room)
    assert events[0].source["content"]["formatted_body"] == "Hej! <strong>&lt;b&gt;Möts&lt;/b&gt;</strong>"
    assert events[1].source["content"]["formatted_body"] == 'What now?<ol start="1"><li>Today</li><li>Help</li></ol>'
    assert all(getattr(event, "decrypted", False) is encrypted for event in events)

    await alice.say(room, "2")
    assert (await alice.wait_texts(bot.user_id, room, 3))[2] == "echo: 2"
    assert calls[-1].text == "2" and calls[-1].user_id == alice.user_id and not calls[-1].in_group
    assert connector.rate_limited == 0


async def test_restart_keeps_the_device_and_neither_loses_nor_repeats(
    bot: Bot, residents: Callable[[], Awaitable[Resident]]
) -> None:
    calls: list[Incoming] = []
    first = await bot.start(echo(calls))
    assert first.session is not None
    device, token = first.session.device_id, first.session.access_token
    session_file = bot.config.store_path / "session.json"
    assert stat.S_IMODE(session_file.stat().st_mode) == 0o600
    assert json.loads(session_file.read_text())["device_id"] == device

    alice = await residents()
    room = await alice.open_dm(bot.user_id)
    await alice.wait_texts(bot.user_id, room, 2)
    await alice.say(room, "before")
    await alice.wait_texts(bot.user_id, room, 3)

    await bot.stop()
    await alice.say(room, "while down")
    second = await bot.start(echo(calls))
    assert second.session is not None
    assert (second.session.device_id, second.session.access_token) == (device, token)

    texts = await alice.wait_texts(bot.user_id, room, 4)
    await alice.say(room, "after")
    texts = await alice.wait_texts(bot.user_id, room, 5)
    assert texts[2:] == ["echo: before", "echo: while down", "echo: after"]
    assert [call.text for call in calls] == ["/start", "before", "while down", "after"]


async def test_killed_between_receiving_and_answering_answers_once(
    bot: Bot, residents: Callable[[], Awaitable[Resident]]
) -> None:
    calls: list[Incoming] = []
    stuck = asyncio.Event()
    answer = echo(calls)

    async def hangs_on_first_question(incoming: Incoming, now: datetime) -> list[Outgoing]:
        if incoming.text == "question":
            stuck.set()
            await asyncio.Event().wait()  # the process dies here
        return await answer(incoming, now)

    await bot.start(hangs_on_first_question)
    alice = await residents()
    room = await alice.open_dm(bot.user_id)
    await alice.wait_texts(bot.user_id, room, 2)
    await alice.say(room, "question")
    await asyncio.wait_for(stuck.wait(), 20)
    await bot.stop()

    await bot.start(answer)
    texts = await alice.wait_texts(bot.user_id, room, 3)
    await alice.say(room, "next")
    texts = await alice.wait_texts(bot.user_id, room, 4)
    assert texts[2:] == ["echo: question", "echo: next"]


async def test_crash_after_sending_does_not_send_twice(bot: Bot, residents: Callable[[], Awaitable[Resident]]) -> None:
    """The reply went out, then the process died before recording the event as handled: the
    next start handles it again and sends with the same transaction id, which Synapse ignores."""
    calls: list[Incoming] = []
    connector = await bot.start(echo(calls))
    alice = await residents()
    room = await alice.open_dm(bot.user_id)
    await alice.wait_texts(bot.user_id, room, 2)

    assert connector.loop is not None
    state = connector.loop.state
    original = state.mark_handled
    crashed = asyncio.Event()

    async def crash_once(event_id: str, now: datetime) -> None:
        if any(call.text == "once" for call in calls) and not crashed.is_set():
            crashed.set()
            raise Killed
        await original(event_id, now)

    state.mark_handled = crash_once  # type: ignore[method-assign]
    await alice.say(room, "once")
    await asyncio.wait_for(crashed.wait(), 20)
    # The sync loop died with it; its supervisor would start it again, but the process is gone.
    await wait_until(lambda: connector.health.restarts == 1, what="the crash")
    await bot.stop()

    await bot.start(echo(calls))
    await wait_until(lambda: [c.text for c in calls].count("once") == 2, what="the event handled again")
    await alice.say(room, "then")
    texts = await alice.wait_texts(bot.user_id, room, 4)
    assert texts[2:] == ["echo: once", "echo: then"]
