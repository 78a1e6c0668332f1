"""One rate limiter for everything the bot sends: replies now, the scheduler's bulk sends later.

Why our own and not PTB's `AIORateLimiter`: it limits groups (20/min) and the whole bot
(30/s) but has no limit per private chat (Telegram allows about one message a second there),
re-raises a 429 unless `max_retries` is set, and in 22.8 a pause after a 429 is released early
when another request finishes (PTB #5338). `aiolimiter` is pinned below 1.3 by PTB and offers
no pause either. What we need is small: a token bucket per chat plus one for the bot, a pause
that only the clock ends, retries for 429 and network errors, and an injectable clock so that
tests never wait for real time.

It plugs into PTB as the bot's `rate_limiter`, so every request through the one `ExtBot` —
whoever makes it — shares these buckets (`getUpdates` is never limited by PTB's design).
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from adapters.pacing import SlidingWindow

log = logging.getLogger(__name__)

MonotonicClock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# Requests that put something in a chat and so count against Telegram's flood limits.
EPSILON = 1e-6

LIMITED_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage", "stopPoll")


@dataclass
class Bucket:
    """A token bucket with a pause: `capacity` messages at once, then `rate` per second."""

    capacity: float
    rate: float
    tokens: float
    updated: float
    paused_until: float = 0.0

    def _refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now

    def wait(self, now: float) -> float:
        """Seconds until a token is available (0 if now)."""
        self._refill(now)
        if self.paused_until > now:
            return self.paused_until - now
        # The epsilon absorbs float rounding: without it a wait too small to move the clock
        # could be asked for again and again.
        if self.tokens >= 1 - EPSILON:
            return 0.0
        return (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1

    def pause(self, until: float) -> None:
        self.paused_until = max(self.paused_until, until)


@dataclass(frozen=True)
class Limits:
    private_per_second: float = 1.0
    private_burst: float = 3.0
    """A reply of two or three messages goes out at once; Telegram tolerates such bursts."""
    group_per_minute: float = 20.0
    group_burst: float = 3.0
    total_per_second: float = 30.0
    total_burst: float = 30.0
    max_flood_retries: int = 10
    max_network_retries: int = 5
    backoff_first: float = 0.5
    backoff_max: float = 30.0


def retry_seconds(error: RetryAfter) -> float:
    # PTB 22 warns on every read of `retry_after` while it moves from int to timedelta.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def is_group(chat_id: object) -> bool:
    """Group, supergroup and channel ids are negative; '@name' addresses only those."""
    if isinstance(chat_id, int):
        return chat_id < 0
    if isinstance(chat_id, str):
        return chat_id.startswith("@") or chat_id.startswith("-")
    return False


class ChatLimiter(BaseRateLimiter[dict[str, Any]]):
    """Per-chat and bot-wide token buckets, 429s waited out, network errors retried."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        clock: MonotonicClock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.limits = limits or Limits()
        self.clock = clock
        self.sleep = sleep
        self._total = self._bucket(self.limits.total_burst, self.limits.total_per_second)
        self._window = SlidingWindow.per_second(self.limits.total_per_second)
        """Telegram's rule as it counts: the bucket alone would let its burst and a second's
        refill through within one second. Checked here, right before the request, so that
        whatever delayed messages on their way (database reads, the event loop) cannot bunch
        them past the ceiling."""
        self._chats: dict[str, Bucket] = {}
        self.flood_waits: list[tuple[str, float]] = []
        """(chat, seconds) of every 429 met: for tests and the operator's log."""
        self.network_retries = 0

    def _bucket(self, capacity: float, rate: float) -> Bucket:
        return Bucket(capacity, rate, capacity, self.clock())

    def _chat(self, chat_id: object) -> Bucket:
        key = str(chat_id)
        bucket = self._chats.get(key)
        if bucket is None:
            if len(self._chats) > 50_000:
                self._forget_idle()
            if is_group(chat_id):
                bucket = self._bucket(self.limits.group_burst, self.limits.group_per_minute / 60)
            else:
                bucket = self._bucket(self.limits.private_burst, self.limits.private_per_second)
            self._chats[key] = bucket
        return bucket

    def _forget_idle(self) -> None:
        now = self.clock()
        for key, bucket in list(self._chats.items()):
            # A full, unpaused bucket is the same as a new one, so it need not be kept.
            if bucket.wait(now) == 0 and bucket.tokens >= bucket.capacity:
                del self._chats[key]

    async def acquire(self, chat_id: object | None) -> None:
        """Waits until one message may go to `chat_id` (None: only the bot-wide limit)."""
        chat = self._chat(chat_id) if chat_id is not None else None
        while True:
            now = self.clock()
            wait = max(self._total.wait(now), self._window.wait(now), chat.wait(now) if chat else 0.0)
            if wait <= 0:
                self._total.take(now)
                self._window.add(now)
                if chat is not None:
                    chat.take(now)
                return
            await self.sleep(wait)

    def pause(self, chat_id: object | None, seconds: float) -> None:
        # Only the chat that met the 429 is paused: a bot-wide flood shows as 429s in many
        # chats, and each pauses itself, while one chatty person does not stall everybody.
        until = self.clock() + seconds
        (self._chat(chat_id) if chat_id is not None else self._total).pause(until)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        limited = endpoint.startswith(LIMITED_PREFIXES)
        chat_id = data.get("chat_id") if limited else None
        floods = 0
        failures = 0
        while True:
            if limited:
                await self.acquire(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                # A 429 means Telegram did not take the message, so sending it again cannot
                # double it.
                floods += 1
                seconds = retry_seconds(error)
                self.flood_waits.append((str(chat_id), seconds))
                log.warning("429 on %s to %s: waiting %.1f s (%d)", endpoint, chat_id, seconds, floods)
                if floods > self.limits.max_flood_retries:
                    raise
                self.pause(chat_id, seconds)
                if not limited:
                    await self.sleep(seconds)
            except BadRequest:
                raise
            except NetworkError as error:
                # 5xx, a lost connection or a timeout. After a timeout Telegram may have taken
                # the message after all; a rare double beats a lost reply or reminder.
                failures += 1
                self.network_retries += 1
                if failures > self.limits.max_network_retries:
                    raise
                delay = min(self.limits.backoff_max, self.limits.backoff_first * 2 ** (failures - 1))
                log.warning("%s on %s: retry %d in %.1f s", error, endpoint, failures, delay)
                await self.sleep(delay)
