"""Replies that a Telegram outage holds up longer than the connector retries are not lost: the
scheduler's outbox sends them again, in order, while they are still useful."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from tg_fake_api import FakeBotApi
from tg_support import NOW, Bot, BotFactory, FakeTime

from bot.messages import Incoming, Outgoing, Span
from bot.store import Store
from scheduler import Scheduler, SchedulerConfig, connect
from scheduler.outbox import Item, Kind, Status


async def two_replies(incoming: Incoming, now: datetime) -> list[Outgoing]:
    return [
        Outgoing(spans=[Span(text=f"first answer to {incoming.text}")]),
        Outgoing(spans=[Span(text=f"second answer to {incoming.text}")]),
    ]


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


async def held_replies(scheduler: Scheduler, count: int) -> list[Item]:
    for _ in range(200):
        rows = await scheduler.outbox.items()
        if len(rows) >= count:
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {count} held replies, the outbox has {await scheduler.outbox.items()}")


async def start(make_bot: BotFactory, store: Store, fake_time: FakeTime, clock: Clock) -> tuple[Bot, Scheduler]:
    bot = await make_bot(two_replies)
    scheduler = Scheduler(
        store, bot.hub.connectors, SchedulerConfig(), clock=clock, monotonic=fake_time.clock, sleep=fake_time.sleep
    )
    connect(scheduler, bot.hub)
    return bot, scheduler


async def test_replies_an_outage_held_up_are_sent_later_in_order_and_then_forgotten(
    fake: FakeBotApi, make_bot: BotFactory, store: Store, fake_time: FakeTime
) -> None:
    clock = Clock()
    bot, scheduler = await start(make_bot, store, fake_time, clock)
    retries = bot.connector.limiter.limits.max_network_retries
    # Longer than the connector's own retries for the first answer.
    fake.fail("sendMessage", 502, times=retries + 1)
    fake.say(140, "vad händer i kväll?")

    rows = await held_replies(scheduler, 2)
    assert [r.kind for r in rows] == [Kind.REPLY, Kind.REPLY]
    assert [r.payload["message"]["spans"][0]["text"] for r in rows] == [
        "first answer to vad händer i kväll?",
        "second answer to vad händer i kväll?",
    ]
    assert all(r.status is Status.PENDING and r.user_id == "140" for r in rows)
    assert fake.chat(140) == [], "the second answer did not overtake the first"
    assert len(fake.calls_to("sendMessage")) == retries + 1

    clock.now += timedelta(seconds=1)
    report = await scheduler.tick()
    assert report.dispatch.sent == 0, "not before the first new try is due"

    clock.now += SchedulerConfig().reply_retry
    await scheduler.tick()
    assert [m.shown for m in fake.chat(140)] == [
        "first answer to vad händer i kväll?",
        "second answer to vad händer i kväll?",
    ]
    rows = await scheduler.outbox.items()
    assert [r.status for r in rows] == [Status.SENT, Status.SENT]
    assert [r.payload for r in rows] == [{}, {}], "the text is not kept once sent"


async def test_a_held_reply_past_its_use_is_expired_with_the_reason(
    fake: FakeBotApi, make_bot: BotFactory, store: Store, fake_time: FakeTime
) -> None:
    clock = Clock()
    bot, scheduler = await start(make_bot, store, fake_time, clock)
    fake.fail("sendMessage", 500, times=bot.connector.limiter.limits.max_network_retries + 1)
    fake.say(141, "hej")
    await held_replies(scheduler, 2)

    clock.now += SchedulerConfig().reply_useful
    await scheduler.tick()
    rows = await scheduler.outbox.items()
    assert [(r.status, r.reason) for r in rows] == [(Status.EXPIRED, "too late: the answer is no longer useful")] * 2
    assert [r.payload for r in rows] == [{}, {}]
    assert fake.chat(141) == []


async def test_a_person_who_blocked_the_bot_is_not_queued(
    fake: FakeBotApi, make_bot: BotFactory, store: Store, fake_time: FakeTime
) -> None:
    _bot, scheduler = await start(make_bot, store, fake_time, Clock())
    fake.blocked.add(142)
    fake.say(142, "hej")
    await fake.wait_for(lambda: len(fake.calls_to("sendMessage")) >= 1)
    await asyncio.sleep(0.2)
    assert len(fake.calls_to("sendMessage")) == 1, "a 403 is final: the second answer is not tried"
    assert await scheduler.outbox.items() == []
