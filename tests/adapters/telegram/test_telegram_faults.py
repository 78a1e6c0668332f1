"""Flood limits, server errors and people who block the bot, against the fake's scripted faults."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from tg_fake_api import FakeBotApi
from tg_support import NOW, BotFactory, FakeTime, echo, text

from adapters.base import DeliveryError
from bot.messages import Incoming, Outgoing
from bot.store import Store

STORM = 9


async def test_a_429_storm_delays_replies_but_each_arrives_exactly_once(
    fake: FakeBotApi, make_bot: BotFactory, fake_time: FakeTime
) -> None:
    bot = await make_bot(echo)
    # Fewer 429s than one message's flood retries (10): on the injected clock a pause takes no
    # real time, so one chat may meet the whole storm before the others reach Telegram (a
    # storm of 12 once held up chat 101's reply for the outbox, in one run of several).
    fake.fail("sendMessage", 429, times=STORM, retry_after=3)
    people = [101, 102, 103]
    for round_ in range(4):
        for person in people:
            fake.say(person, f"q{round_}")
    await fake.wait_for(lambda: all(len(fake.chat(p)) == 4 for p in people), within=10)
    for person in people:
        assert [m.shown for m in fake.chat(person)] == [f"reply to q{n}" for n in range(4)]
    assert len(fake.rejected) == STORM
    assert len(fake.calls_to("sendMessage")) == 12 + STORM
    assert len(bot.connector.limiter.flood_waits) == STORM
    assert all(seconds == 3 for _, seconds in bot.connector.limiter.flood_waits)
    assert sum(fake_time.slept) >= 3, "the retry_after was waited out (on the injected clock)"


async def test_retry_after_is_waited_out_in_real_time(fake: FakeBotApi, make_bot: BotFactory) -> None:
    await make_bot(echo, real_time=True)
    fake.fail("sendMessage", 429, times=1, retry_after=1)
    started = time.monotonic()
    fake.say(110, "now")
    [reply] = await fake.wait_messages(110, 1)
    first, second = fake.calls_to("sendMessage")
    assert second.at - first.at >= 0.99
    assert time.monotonic() - started < 5
    assert reply.shown == "reply to now"


async def test_a_5xx_burst_is_retried_with_backoff(fake: FakeBotApi, make_bot: BotFactory, fake_time: FakeTime) -> None:
    bot = await make_bot(echo)
    fake.fail("sendMessage", 502, times=3)
    fake.say(120, "hej")
    [reply] = await fake.wait_messages(120, 1)
    assert reply.shown == "reply to hej"
    assert [c.status for c in fake.calls_to("sendMessage")] == [502, 502, 502, 200]
    assert bot.connector.limiter.network_retries == 3
    backoffs = [s for s in fake_time.slept if s in (0.5, 1.0, 2.0)]
    assert backoffs == [0.5, 1.0, 2.0]


async def test_a_lasting_outage_gives_up_with_a_temporary_error(fake: FakeBotApi, make_bot: BotFactory) -> None:
    bot = await make_bot(echo)
    fake.fail("sendMessage", 500, times=100)
    with pytest.raises(DeliveryError) as raised:
        await bot.connector.send("130", text("reminder"))
    assert not raised.value.permanent
    assert len(fake.calls_to("sendMessage")) == 1 + bot.connector.limiter.limits.max_network_retries


async def test_slow_answers_do_not_hold_up_other_people(fake: FakeBotApi, make_bot: BotFactory) -> None:
    await make_bot(echo)
    # The slow chat's answer is held for 4 s; the quick one must not queue behind it. The margin
    # leaves room for a loaded CI machine.
    fake.slow("sendMessage", 4.0, chat_id=140)
    fake.say(140, "slow")
    fake.say(141, "quick")
    await fake.wait_messages(141, 1, within=3.5)
    assert fake.chat(140) == []
    await fake.wait_messages(140, 1)


async def test_a_person_who_blocks_the_bot_is_not_messaged_again(
    fake: FakeBotApi, make_bot: BotFactory, store: Store
) -> None:
    bot = await make_bot(echo)
    person = await store.people.create("telegram", "150", "sv", NOW)
    fake.say(150, "hej")
    await fake.wait_messages(150, 1)

    fake.block(150)
    await fake.wait_for(lambda: fake.pending_updates == 0)
    await _until_unreachable(store, "150")

    def requests_to_150() -> int:
        # Only requests about this chat: getUpdates goes on polling meanwhile.
        return len([c for c in fake.calls if c.params.get("chat_id") == 150])

    calls = requests_to_150()
    with pytest.raises(DeliveryError) as raised:
        await bot.connector.send("150", text("reminder"))
    assert raised.value.permanent
    assert requests_to_150() == calls, "no request for someone known to have blocked the bot"

    fake.unblock(150)
    await _until_reachable(store, "150")
    assert await bot.connector.send("150", text("welcome back")) is not None
    assert fake.last(150).shown == "welcome back"
    assert person.id is not None


async def test_a_403_marks_the_person_unreachable_even_without_a_block_update(
    fake: FakeBotApi, make_bot: BotFactory, store: Store
) -> None:
    bot = await make_bot(echo)
    await store.people.create("telegram", "160", "sv", NOW)
    await store.people.create("telegram", "161", "sv", NOW)
    fake.block(160, notify=False)
    fake.fail("sendMessage", 403, "Forbidden: user is deactivated", chat_id=161)
    for user in ("160", "161"):
        with pytest.raises(DeliveryError) as raised:
            await bot.connector.send(user, text("reminder"))
        assert raised.value.permanent
        assert not await store.people.is_reachable("telegram", user)
    # Writing to the bot again is coming back: the engine's part (test_telegram_engine.py).


async def test_blocking_mid_conversation_stops_the_rest_of_the_reply(
    fake: FakeBotApi, make_bot: BotFactory, store: Store
) -> None:
    async def three(incoming: Incoming, now: datetime) -> list[Outgoing]:
        return [text("one"), text("two"), text("three")]

    await make_bot(three)
    await store.people.create("telegram", "170", "sv", NOW)
    fake.fail("sendMessage", 403, chat_id=170)
    fake.say(170, "hej")
    await _until_unreachable(store, "170")
    await fake.wait_for(lambda: fake.pending_updates == 0)
    assert len([c for c in fake.calls_to("sendMessage") if c.params["chat_id"] == 170]) == 1


async def _until_unreachable(store: Store, user: str) -> None:
    for _ in range(200):
        if not await store.people.is_reachable("telegram", user):
            return
        await _tick()
    raise AssertionError(f"{user} was never marked unreachable")


async def _until_reachable(store: Store, user: str) -> None:
    for _ in range(200):
        if await store.people.is_reachable("telegram", user):
            return
        await _tick()
    raise AssertionError(f"{user} was never marked reachable again")


async def _tick() -> None:
    import asyncio

    await asyncio.sleep(0.01)
