"""Keeps a channel's intake loop running: whatever ends it (a bug, an update nobody foresaw, a
library's error) it is started again, after a pause that grows. A loop that keeps ending with
no success in between is given up: the hub is told, and `motsbot run` exits non-zero so that
systemd or a standby takes over, instead of running on deaf while health says ok."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from adapters.base import IntakeHealth

log = logging.getLogger(__name__)

RESTART_FIRST = 0.5
RESTART_MAX = 30.0
GIVE_UP_AFTER = 10
"""Restarts in a row with no successful poll or sync between them (about two and a half
minutes of pauses) before the channel is given up."""

Sleep = Callable[[float], Awaitable[None]]


class Supervisor:
    def __init__(
        self,
        name: str,
        life: Callable[[], Coroutine[Any, Any, None]],
        health: IntakeHealth,
        on_give_up: Callable[[str], None],
        *,
        first: float = RESTART_FIRST,
        most: float = RESTART_MAX,
        give_up_after: int = GIVE_UP_AFTER,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.name = name
        self.life = life
        """One life of the loop: runs until it fails (it should never return)."""
        self.health = health
        self.on_give_up = on_give_up
        self.first, self.most, self.give_up_after = first, most, give_up_after
        self.sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self.current: asyncio.Task[None] | None = None
        """The running life, for a test to kill."""
        self._stopping = False

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._supervise(), name=f"{self.name} supervisor")

    async def stop(self) -> None:
        self._stopping = True
        for task in (self.current, self._task):
            if task is not None:
                task.cancel()
                # `wait`: a life that died of its own error has been reported already.
                await asyncio.wait({task})
        self._task = self.current = None
        self.health.running = False

    async def _supervise(self) -> None:
        failures = 0
        while not self._stopping:
            success_before = self.health.last_success
            self.health.running = True
            self.current = asyncio.create_task(self.life(), name=self.name)
            # `wait`, not `await`: a life cancelled from outside must not cancel its supervisor.
            await asyncio.wait({self.current})
            self.health.running = False
            if self._stopping:
                return
            ended = self.current
            error = None if ended.cancelled() else ended.exception()
            if self.health.last_success != success_before:
                failures = 0
            failures += 1
            self.health.restarts += 1
            if failures > self.give_up_after:
                log.critical("the %s intake ended %d times in a row; giving up", self.name, failures)
                self.health.given_up = True
                self.on_give_up(self.name)
                return
            delay = min(self.most, self.first * 2 ** (failures - 1))
            reason = "it was cancelled" if error is None else f"{type(error).__name__}: {error}"
            log.error(
                "the %s intake stopped (%s); starting it again in %.1f s",
                self.name,
                reason,
                delay,
                exc_info=error,
            )
            await self.sleep(delay)
