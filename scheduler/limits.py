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

from scheduler.config import PlatformLimits

MonotonicClock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
SAFETY = 1e-3


def is_group_chat(user_id: str) -> bool:
    """Telegram groups and channels have negative ids (or '@name')."""
    return user_id.startswith("-") or user_id.startswith("@")


class Gate:
    """GCRA (a token bucket kept as one timestamp): at most `burst` at once, then `per_second`."""

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
        # A hair slower than the rate, so that float rounding never fits rate + 1 messages into
        # a 1-s window.
        self._interval = (1.0 + SAFETY) / limits.per_second
        self._tat = 0.0
        """Theoretical arrival time of the next message at the steady rate."""
        self._recipients: dict[str, float] = {}
        self.paused_until = 0.0
        self.pauses: list[float] = []
        """Length of every pause (429s): for tests and the operator's log."""

    def _gap(self, recipient: str) -> float:
        return self.limits.for_group() if self.is_group(recipient) else self.limits.per_recipient_seconds

    def wait_time(self, recipient: str, now: float) -> float:
        if self.paused_until > now:
            return self.paused_until - now
        tolerance = (self.limits.burst - 1) * self._interval
        wait = max(0.0, self._tat - tolerance - now)
        return max(wait, self._recipients.get(recipient, 0.0) - now)

    async def acquire(self, recipient: str) -> None:
        while True:
            now = self.clock()
            wait = self.wait_time(recipient, now)
            if wait <= 0:
                self._tat = max(self._tat, now) + self._interval
                self._recipients[recipient] = now + self._gap(recipient)
                if len(self._recipients) > 50_000:
                    self._forget(now)
                return
            await self.sleep(wait)

    def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.paused_until = max(self.paused_until, self.clock() + seconds)

    def reserve(self) -> None:
        """Counts a message that goes out without `acquire`: one the connector sends again by
        itself once a pause ends (Telegram's limiter waits out a 429 and retries). Without this
        the retry and the gate's next message share the first slot after the pause, which puts
        that second over the rate and can earn the next 429.
        """
        self._tat = max(self._tat, self.paused_until, self.clock()) + self._interval

    def _forget(self, now: float) -> None:
        for key, until in list(self._recipients.items()):
            if until <= now:
                del self._recipients[key]
