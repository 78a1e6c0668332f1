"""Sends counted the way a platform counts them: at most `count` in any window of `width`
seconds (Telegram: 30 messages in any second). A token bucket alone does not promise that: a
full bucket of 30 plus a second's refill lets 60 through within one second."""

from __future__ import annotations

from collections import deque

MARGIN = 0.02
"""A ceiling's window is kept this much longer than 1 s. The platform counts arrivals, not our
sends: two sends 30 apart can arrive closer than they left (the event loop, the network), and
one 429 costs a whole second of sending, 50 times this margin."""


class SlidingWindow:
    def __init__(self, count: int, width: float) -> None:
        self.count = max(1, count)
        self.width = width
        self._times: deque[float] = deque(maxlen=self.count)
        """When the last `count` sends were counted."""

    @classmethod
    def per_second(cls, rate: float) -> SlidingWindow:
        """`rate` sends in any second, with MARGIN."""
        return cls(int(rate), 1.0 + MARGIN)

    def wait(self, now: float) -> float:
        """Seconds until one more send fits (0 if now)."""
        if len(self._times) < self.count:
            return 0.0
        return max(0.0, self._times[0] + self.width - now)

    def add(self, at: float) -> None:
        self._times.append(at)


def most_in_window(times: list[float], width: float = 1.0) -> int:
    """The most of `times` in any half-open window [t, t + width): how a platform sees a rate
    (for tests and benchmarks)."""
    ordered = sorted(times)
    best = start = 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= width:
            start += 1
        best = max(best, end - start + 1)
    return best
