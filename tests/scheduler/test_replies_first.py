"""Replies never wait behind a broadcast: the scheduler's Telegram gate (25/s) stays below the
bot-wide bucket of the Telegram adapter's request limiter (30/s), through which replies go at
once, so the headroom between the two is always there for people who write to the bot."""

from __future__ import annotations

from adapters.telegram.limiter import ChatLimiter
from scheduler.config import telegram_limits
from scheduler.limits import Gate


class Time:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_a_reply_during_a_broadcast_goes_out_at_once() -> None:
    time = Time()
    adapter_limiter = ChatLimiter(clock=time.clock, sleep=time.sleep)
    gate = Gate(telegram_limits(), clock=time.clock, sleep=time.sleep)
    waits: list[float] = []
    for n in range(1000):
        chat = 10_000 + n
        await gate.acquire(str(chat))
        await adapter_limiter.acquire(chat)  # the broadcast message's request
        if n % 5 == 4:
            # Someone writes to the bot: 5 replies a second alongside 25 broadcast messages.
            before = time.now
            await adapter_limiter.acquire(500 + n)
            waits.append(time.now - before)
    assert len(waits) == 200 and max(waits) == 0.0
    assert time.now >= 1000 / 25 * 0.99, "the broadcast itself kept to 25/s"
