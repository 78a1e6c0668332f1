"""The shared limiter on an injected clock: per-chat, per-group and bot-wide limits, pauses."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from telegram.error import RetryAfter
from tg_support import FakeTime

from adapters.telegram.limiter import ChatLimiter, Limits


def limiter_on(fake_time: FakeTime, limits: Limits | None = None) -> tuple[ChatLimiter, list[tuple[object, float]]]:
    limiter = ChatLimiter(limits, clock=fake_time.clock, sleep=fake_time.sleep)
    sent: list[tuple[object, float]] = []
    return limiter, sent


async def send(limiter: ChatLimiter, sent: list[tuple[object, float]], chat_id: object, fake_time: FakeTime) -> Any:
    async def callback(endpoint: str, data: dict[str, Any]) -> dict[str, Any]:
        sent.append((data["chat_id"], fake_time.clock()))
        return {"ok": True}

    data = {"chat_id": chat_id, "text": "x"}
    return await limiter.process_request(callback, ("sendMessage", data), {}, "sendMessage", data, None)


def gaps(sent: list[tuple[object, float]], chat_id: object) -> list[float]:
    times = [at for chat, at in sent if chat == chat_id]
    return [round(b - a, 6) for a, b in itertools.pairwise(times)]


async def test_one_private_chat_gets_a_short_burst_then_one_a_second() -> None:
    fake_time = FakeTime()
    limiter, sent = limiter_on(fake_time)
    for _ in range(8):
        await send(limiter, sent, 5, fake_time)
    assert gaps(sent, 5) == [0, 0, 1, 1, 1, 1, 1]


async def test_a_group_gets_twenty_a_minute() -> None:
    fake_time = FakeTime()
    limiter, sent = limiter_on(fake_time)
    for _ in range(23):
        await send(limiter, sent, -100, fake_time)
    times = [at for _, at in sent]
    assert times[-1] - times[0] == pytest.approx(20 * 3.0)
    in_first_minute = [t for t in times if t - times[0] < 60]
    assert len(in_first_minute) <= 3 + 20


async def test_the_whole_bot_stays_under_thirty_a_second() -> None:
    fake_time = FakeTime()
    limiter, sent = limiter_on(fake_time)
    await asyncio.gather(*(send(limiter, sent, chat, fake_time) for chat in range(1, 121)))
    times = sorted(at for _, at in sent)
    start = times[0]
    for second in range(4):
        window = [t for t in times if start + second <= t < start + second + 1]
        assert len(window) <= 30 + (30 if second == 0 else 0)
    assert times[-1] - start >= (120 - 30) / 30 - 1e-6


async def test_a_pause_after_429_is_not_ended_by_other_requests() -> None:
    """PTB #5338: in AIORateLimiter another request finishing ends the pause early."""
    fake_time = FakeTime()
    limiter, sent = limiter_on(fake_time)
    floods = {"left": 1}

    async def flaky(endpoint: str, data: dict[str, Any]) -> dict[str, Any]:
        if data["chat_id"] == 7 and floods["left"]:
            floods["left"] -= 1
            raise RetryAfter(5)
        sent.append((data["chat_id"], fake_time.clock()))
        return {"ok": True}

    data = {"chat_id": 7, "text": "x"}
    started = fake_time.clock()
    flood = limiter.process_request(flaky, ("sendMessage", data), {}, "sendMessage", data, None)
    others = [send(limiter, sent, 8, fake_time) for _ in range(3)]
    await asyncio.gather(flood, *others)
    [(_, at)] = [s for s in sent if s[0] == 7]
    assert at - started >= 5
    assert limiter.flood_waits == [("7", 5.0)]


async def test_too_many_floods_give_up() -> None:
    fake_time = FakeTime()
    limiter = ChatLimiter(Limits(max_flood_retries=2), clock=fake_time.clock, sleep=fake_time.sleep)

    async def always(endpoint: str, data: dict[str, Any]) -> dict[str, Any]:
        raise RetryAfter(1)

    data = {"chat_id": 9, "text": "x"}
    with pytest.raises(RetryAfter):
        await limiter.process_request(always, ("sendMessage", data), {}, "sendMessage", data, None)
    assert len(limiter.flood_waits) == 3


async def test_requests_that_post_nothing_are_not_throttled() -> None:
    fake_time = FakeTime()
    limiter, _sent = limiter_on(fake_time)

    async def callback(endpoint: str, data: dict[str, Any]) -> bool:
        return True

    for _ in range(50):
        await limiter.process_request(callback, ("answerCallbackQuery", {}), {}, "answerCallbackQuery", {}, None)
    assert fake_time.slept == []
