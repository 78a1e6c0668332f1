"""Per-platform sending gates for the outbox: a steady rate for the whole platform, a minimum
gap per recipient (longer for groups), and a pause that only the clock ends.

The gate is the scheduler's own and sits below the platform's real ceiling (Telegram: 25 of 30
messages/s by default), so that replies, which the adapters send at once and never through the
outbox, always find room: a person's answer never waits behind a broadcast.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from adapters.pacing import MARGIN, SlidingWindow
from scheduler.config import PlatformLimits

MonotonicClock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
CARRY = 0.005
"""A sender woken this much after its moment still counts as sent at that moment, so that the
event loop's wake-up delays do not add up into a slower rate. It comes out of MARGIN: any
`per_second` + 1 sends still span at least 1 s + MARGIN - CARRY."""


def is_group_chat(user_id: str) -> bool:
    """Telegram groups and channels have negative ids (or '@name')."""
    return user_id.startswith("-") or user_id.startswith("@")


class Gate:
    """Two rules: an even pace (a message every `interval`, `burst` allowed at once) and, as a
    hard backstop, at most `per_second` sends in any window of 1 s + MARGIN. One sender waits
    for the platform at a time (a fair lock), so 50 messages in flight are not 50 timers racing
    for each slot."""

    def __init__(
        self,
        limits: PlatformLimits,
        *,
        clock: MonotonicClock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        is_group: Callable[[str], bool] = is_group_chat,
    ) -> None:
        self.limits = limits
        self.clock = clock
        self.sleep = sleep
        self.is_group = is_group
        self._window = SlidingWindow.per_second(limits.per_second)
        self._interval = (1.0 + MARGIN) / limits.per_second
        self._tat = 0.0
        """Theoretical arrival time of the next message at the steady rate."""
        self._turn = asyncio.Lock()
        self._recipients: dict[str, float] = {}
        self.paused_until = 0.0
        self.pauses: list[float] = []
        """Length of every pause (429s): for tests and the operator's log."""

    def _gap(self, recipient: str) -> float:
        return self.limits.for_group() if self.is_group(recipient) else self.limits.per_recipient_seconds

    def _recipient_wait(self, recipient: str, now: float) -> float:
        return self._recipients.get(recipient, 0.0) - now

    def wait_time(self, recipient: str, now: float) -> float:
        if self.paused_until > now:
            return self.paused_until - now
        tolerance = (self.limits.burst - 1) * self._interval
        return max(0.0, self._tat - tolerance - now, self._recipient_wait(recipient, now), self._window.wait(now))

    async def acquire(self, recipient: str) -> None:
        # The recipient's own gap is waited out first, outside the line: a person who just got
        # a message holds up only their own next one.
        while (wait := self._recipient_wait(recipient, self.clock())) > 0:
            await self.sleep(wait)
        async with self._turn:
            due = self.clock()
            while (wait := self.wait_time(recipient, self.clock())) > 0:
                due = self.clock() + wait
                await self.sleep(wait)
            now = self.clock()
            self._count_send(max(due, now - CARRY))
            self._recipients[recipient] = now + self._gap(recipient)
            if len(self._recipients) > 50_000:
                self._forget(now)

    def _count_send(self, at: float) -> None:
        self._tat = max(self._tat, at) + self._interval
        self._window.add(at)

    def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.paused_until = max(self.paused_until, self.clock() + seconds)

    def reserve(self) -> None:
        """Counts a message that goes out without `acquire`: one the connector sends again by
        itself once a pause ends (Telegram's limiter waits out a 429 and retries). Without this
        the retry and the gate's next message share the first slot after the pause, which puts
        that second over the rate and can earn the next 429.
        """
        self._count_send(max(self.paused_until, self.clock()))

    def _forget(self, now: float) -> None:
        for key, until in list(self._recipients.items()):
            if until <= now:
                del self._recipients[key]
