"""The scheduler's gate on an injected clock: never more than the rate in any 1-s window, even
when senders wake late, and close to the rate all the same."""

from __future__ import annotations

import asyncio
import random

from adapters.pacing import MARGIN, most_in_window
from scheduler.config import PlatformLimits
from scheduler.limits import CARRY, Gate


class LateWakingTime:
    """A monotonic clock that moves only when someone sleeps; every sleeper wakes up to
    `late` seconds after the moment it asked for, as an event loop under load does."""

    def __init__(self, late: float, seed: int = 7) -> None:
        self.now = 1000.0
        self.late = late
        self.random = random.Random(seed)

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0) + self.random.uniform(0, self.late)
        await asyncio.sleep(0)


async def send_through(gate: Gate, time: LateWakingTime, count: int) -> list[float]:
    sent: list[float] = []
    for n in range(count):
        await gate.acquire(str(10_000 + n))
        sent.append(time.clock())
    return sent


async def test_late_wake_ups_neither_break_the_ceiling_nor_slow_the_rate_down() -> None:
    time = LateWakingTime(late=0.004)
    gate = Gate(PlatformLimits(per_second=30.0), clock=time.clock, sleep=time.sleep)
    sent = await send_through(gate, time, 3000)
    assert most_in_window(sent, 1.0) == 30
    # Room for the jitter between a send and its arrival at the platform.
    assert most_in_window(sent, 1.0 + MARGIN - CARRY) <= 30
    rate = (len(sent) - 1) / (sent[-1] - sent[0])
    assert 30 / (1 + MARGIN) * 0.995 <= rate <= 30


async def test_a_wake_up_later_than_the_carry_is_not_made_up_for() -> None:
    time = LateWakingTime(late=0.05)
    gate = Gate(PlatformLimits(per_second=30.0), clock=time.clock, sleep=time.sleep)
    sent = await send_through(gate, time, 600)
    assert most_in_window(sent, 1.0 + MARGIN - CARRY) <= 30
    rate = (len(sent) - 1) / (sent[-1] - sent[0])
    assert rate < 30 / (1 + MARGIN) * 0.7, "wake-ups 25 ms late on average cost rate, never the ceiling"


async def test_senders_in_flight_take_turns_in_order() -> None:
    time = LateWakingTime(late=0.0)
    gate = Gate(PlatformLimits(per_second=10.0), clock=time.clock, sleep=time.sleep)
    order: list[int] = []

    async def sender(n: int) -> None:
        await gate.acquire(str(n))
        order.append(n)

    await asyncio.gather(*(sender(n) for n in range(50)))
    assert order == list(range(50))
    assert time.now - 1000.0 >= 49 * (1 + MARGIN) / 10 - 1e-9


async def test_a_person_waiting_for_their_own_gap_does_not_hold_up_others() -> None:
    time = LateWakingTime(late=0.0)
    gate = Gate(PlatformLimits(per_second=30.0, per_recipient_seconds=1.0), clock=time.clock, sleep=time.sleep)
    await gate.acquire("7")
    before = time.now
    await gate.acquire("8")
    assert time.now - before < 0.1
    await gate.acquire("7")
    assert time.now - before >= 1.0
