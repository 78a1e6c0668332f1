"""What Element and other clients send and expect, against the real Synapse: rich replies with
their quoted fallback, threads, `!` commands and media in a DM, `m.mentions`, menus and personal
texts kept out of groups, one numbered list per message, no tables, and a quiet log."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest
from matrix_support import ENCRYPTION, Bot, Resident, wait_until
from nio import RoomCreateResponse
from nio.api import RoomPreset
from nio.crypto.attachments import encrypt_attachment

from adapters.matrix import texts as texts_module
from bot.engine import Engine
from bot.i18n import Translator
from bot.messages import Incoming, Outgoing, Span
from bot.store.ratings import RatingStore
from tests.conftest import FESTIVAL_MORNING


def echo(calls: list[Incoming]) -> Callable[[Incoming, datetime], Awaitable[list[Outgoing]]]:
    async def handle(incoming: Incoming, now: datetime) -> list[Outgoing]:
        calls.append(incoming)
        return [Outgoing(spans=[Span(text=f"echo: {incoming.text}")])]

    return handle


async def test_replies_threads_commands_media_and_emotes_in_a_dm(
    bot: Bot, residents: Callable[[], Awaitable[Resident]]
) -> None:
    calls: list[Incoming] = []
    await bot.start(echo(calls))
    alice = await residents()
    room = await alice.open_dm(bot.user_id)
    await alice.wait_texts(bot.user_id, room, 1)
    greeting = alice.from_user(bot.user_id, room)[0]

    # A rich reply to the bot's message, as Element sends it: the quote is not the question.
    await alice.say(
        room,
        f"> <{bot.user_id}> echo: /start\n\nwhat about tomorrow?",
        format="org.matrix.custom.html",
        formatted_body=f"<mx-reply><blockquote>{bot.user_id} echo: /start</blockquote></mx-reply>what about tomorrow?",
        **{"m.relates_to": {"m.in_reply_to": {"event_id": greeting.event_id}}},
    )
    await alice.wait_texts(bot.user_id, room, 2)
    assert calls[-1].text == "what about tomorrow?"

    # A reply in a thread is answered in that thread, as a reply to the message.
    root = await alice.say(room, "a thread starts here")
    await alice.wait_texts(bot.user_id, room, 3)
    asked = await alice.say(
        room,
        "in the thread",
        **{"m.relates_to": {"rel_type": "m.thread", "event_id": root, "is_falling_back": True}},
    )
    await alice.wait_texts(bot.user_id, room, 4)
    answer = alice.from_user(bot.user_id, room)[-1]
    assert answer.source["content"]["body"] == "echo: in the thread"
    assert answer.source["content"]["m.relates_to"] == {
        "rel_type": "m.thread",
        "event_id": root,
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": asked},
    }

    # `!help` works in a DM too (Element takes a leading slash as its own command).
    await alice.say(room, "!help")
    await alice.wait_texts(bot.user_id, room, 5)
    assert calls[-1].text == "/help"
    await alice.say(room, "! nothing to see")
    await alice.wait_texts(bot.user_id, room, 6)
    assert calls[-1].text == "! nothing to see", "only a word right after ! is a command"

    # An image, a file and an emote are answered, not met with silence.
    # (In an encrypted room a file's keys travel in the event, as Element sends them.)
    _data, keys = encrypt_attachment(b"not really a photo")
    image = {"msgtype": "m.image", "body": "photo.jpg", "file": {**keys, "url": "mxc://mots.test/a"}}
    await alice.send(room, "m.room.message", image)
    cv = {"msgtype": "m.file", "body": "cv.pdf", "file": {**keys, "url": "mxc://mots.test/b"}}
    await alice.send(room, "m.room.message", cv)
    await alice.send(room, "m.room.message", {"msgtype": "m.emote", "body": "waves"})
    texts = await alice.wait_texts(bot.user_id, room, 9)
    assert [call.text for call in calls[-3:]] == ["", "", "waves"]
    assert texts[-3:] == ["echo: ", "echo: ", "echo: waves"]

    events = alice.from_user(bot.user_id, room)
    assert all(event.source["content"]["m.mentions"] == {} for event in events), "a DM mentions nobody"
    assert alice.undecryptable_from(bot.user_id) == []
    assert all(getattr(event, "decrypted", False) for event in events)


def numbered_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"^\d+\. ", line)]


async def test_the_real_engine_in_a_group_and_a_dm(
    bot: Bot, residents: Callable[[], Awaitable[Resident]], engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """A newcomer's first words to the bot are in a group: the welcome and the list go to a DM,
    the group sees a short hint that mentions them. In the DM each list is numbered once."""
    caplog.set_level(logging.INFO)
    calls: list[Incoming] = []

    async def handle(incoming: Incoming, now: datetime) -> list[Outgoing]:
        calls.append(incoming)
        return await engine.handle(incoming, now)

    await bot.start(handle, clock=lambda: FESTIVAL_MORNING)
    alice, bob = await residents(), await residents()
    created = await alice.client.room_create(
        name="Möts volunteers", invite=[bot.user_id, bob.user_id], preset=RoomPreset.private_chat,
        initial_state=[ENCRYPTION],
    )  # fmt: skip
    assert isinstance(created, RoomCreateResponse), created
    group = created.room_id
    await wait_until(lambda: group in bob.client.invited_rooms, what="bob's invite")
    await bob.client.join(group)
    await wait_until(lambda: group in alice.client.rooms, what="the room in alice's sync")

    await alice.say(group, "!today")
    hint = await alice.wait_texts(bot.user_id, group, 1)
    assert hint == [texts_module.answered_in_direct_message("sv")]
    in_group = alice.from_user(bot.user_id, group)[0]
    assert in_group.source["content"]["m.mentions"] == {"user_ids": [alice.user_id]}

    dm = await wait_until(
        lambda: next(iter(r for r in alice.client.invited_rooms if r != group), None), what="the bot's DM invite"
    )
    await alice.client.join(dm)
    private = await alice.wait_texts(bot.user_id, dm, 2)
    assert any("Workshop: så påverkar du din stad" in text for text in private), private
    assert any("Integritet" in text for text in private), "the welcome went to the DM"
    for text in private:
        numbers = [line.split(".")[0] for line in numbered_lines(text)]
        assert len(numbers) == len(set(numbers)), f"one numbered list per message: {text}"
    listing = next(text for text in private if "Workshop" in text)
    assert [line for line in listing.splitlines() if "Workshop" in line] == [
        next(line for line in numbered_lines(listing) if "Workshop" in line)
    ], "each event is listed once, not again as a numbered choice"

    # The list is answered by its numbers, in the DM.
    workshop = next(line for line in numbered_lines(listing) if "Workshop" in line).split(".")[0]
    seen = len(alice.texts_from(bot.user_id, dm))
    await alice.say(dm, workshop)
    card = (await alice.wait_texts(bot.user_id, dm, seen + 1))[seen:]
    assert any("20 platser kvar av 20" in text for text in card), card

    await alice.say(group, "!mydata")
    await alice.wait_texts(bot.user_id, group, 2)
    for resident in (alice, bob):
        group_texts = resident.texts_from(bot.user_id, group)
        assert all(not numbered_lines(text) for text in group_texts), "no menu in the group"
        assert all("Integritet" not in text and alice.user_id not in text for text in group_texts)

    everything = [event for resident in (alice, bob) for event in resident.from_user(bot.user_id)]
    assert all("<table" not in str(event.source["content"].get("formatted_body", "")) for event in everything)
    assert alice.undecryptable_from(bot.user_id) == [] and bob.undecryptable_from(bot.user_id) == []

    info = [record for record in caplog.records if record.levelno == logging.INFO]
    assert info, "the adapter logs at INFO"
    assert not [record for record in info if record.name.startswith("nio")], "nio's per-event lines are DEBUG"
    mentions = re.compile(r"@[^\s:]+:mots\.test")
    leaked = [record.getMessage() for record in info if mentions.search(record.getMessage())]
    assert leaked == [], "no Matrix user id at INFO"


async def test_in_a_thread_of_a_group_the_answer_mentions_the_asker(
    bot: Bot, residents: Callable[[], Awaitable[Resident]]
) -> None:
    calls: list[Incoming] = []
    await bot.start(echo(calls))
    alice = await residents()
    created = await alice.client.room_create(name="Möts crew", invite=[bot.user_id], preset=RoomPreset.private_chat)
    assert isinstance(created, RoomCreateResponse), created
    group = created.room_id
    await wait_until(lambda: bot.user_id in alice.client.rooms.get(group, Any).users, what="the bot to join")  # type: ignore[arg-type]
    root = await alice.say(group, "volunteers, read this thread")
    asked = await alice.say(
        group, "!today", **{"m.relates_to": {"rel_type": "m.thread", "event_id": root, "is_falling_back": True}}
    )
    await alice.wait_texts(bot.user_id, group, 1)
    answer = alice.from_user(bot.user_id, group)[0].source["content"]
    assert answer["body"] == "echo: /today"
    assert answer["m.mentions"] == {"user_ids": [alice.user_id]}
    assert answer["m.relates_to"]["rel_type"] == "m.thread" and answer["m.relates_to"]["event_id"] == root
    assert answer["m.relates_to"]["m.in_reply_to"] == {"event_id": asked}


async def test_a_typed_button_label_presses_it_and_a_typed_number_changes_the_vote(
    bot: Bot, residents: Callable[[], Awaitable[Resident]], engine: Engine
) -> None:
    """An evaluation poll in a DM, answered by number: "Ingen kommentar" typed after the vote is
    the button, not a comment; a number typed after the comment offer changes the vote."""
    after_the_event = datetime.fromisoformat("2027-05-11T16:00:00+02:00")
    await bot.start(engine.handle, clock=lambda: after_the_event)
    alice, bob = await residents(), await residents()
    votes: dict[str, str] = {}
    for resident in (alice, bob):
        room = await resident.open_dm(bot.user_id)
        seen = len(await resident.wait_texts(bot.user_id, room, 2))
        await resident.say(room, "/start rate_MM007")
        await wait_until(
            lambda resident=resident, room=room: any(  # type: ignore[misc]
                event.source["type"] == "org.matrix.msc3381.poll.start"
                for event in resident.from_user(bot.user_id, room)
            ),
            what="the evaluation poll",
        )
        seen = len(resident.texts_from(bot.user_id, room))
        await resident.say(room, "4")
        offer = (await resident.wait_texts(bot.user_id, room, seen + 1))[seen:]
        assert any("kommentar" in text and "1. Ingen kommentar" in text for text in offer), offer
        seen = len(resident.texts_from(bot.user_id, room))
        typed = "Ingen kommentar" if resident is alice else "2"
        await resident.say(room, typed)
        votes[resident.user_id] = (await resident.wait_texts(bot.user_id, room, seen + 1))[-1]

    swedish = Translator("sv").gettext
    assert votes[alice.user_id] == swedish("OK. Thanks again for your answer!")
    assert votes[bob.user_id] == swedish("Your answer is changed. Thank you!")
    snapshot = await engine.store.programme.snapshot()
    assert snapshot is not None
    mm007 = snapshot.event("MM007")
    assert mm007 is not None and mm007.id is not None
    results = await RatingStore(engine.store.database).results(mm007.id)
    assert results.comments == [], "neither the button's words nor a number became a comment"
    assert results.votes == {4: 1, 2: 1}
