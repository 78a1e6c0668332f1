"""The supervisor starts an intake loop again whatever ended it, with a growing pause, and
gives the channel up (so that motsbot exits non-zero) only when it keeps ending with no
success in between."""

from __future__ import annotations

import asyncio

from adapters.base import IntakeHealth
from adapters.supervise import Supervisor


async def test_a_loop_that_keeps_failing_is_given_up_and_one_that_works_between_is_not() -> None:
    health = IntakeHealth()
    lost: list[str] = []
    pauses: list[float] = []
    lives = 0
    given_up = asyncio.Event()

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        await asyncio.sleep(0)

    async def life() -> None:
        nonlocal lives
        lives += 1
        if lives == 3:
            health.succeeded()  # the third life polled once before it failed
        raise RuntimeError(f"failure {lives}")

    def give_up(channel: str) -> None:
        lost.append(channel)
        given_up.set()

    supervisor = Supervisor("telegram", life, health, give_up, first=0.5, most=4.0, give_up_after=3, sleep=sleep)
    supervisor.start()
    await asyncio.wait_for(given_up.wait(), 5)
    await supervisor.stop()

    assert lost == ["telegram"] and health.given_up and not health.running
    # Lives 1-2 fail (pauses 0.5, 1); life 3 succeeds once, so the count starts again (0.5, 1,
    # 2); lives 4-6 fail with no success, and the fourth failure in a row is given up.
    assert pauses == [0.5, 1.0, 0.5, 1.0, 2.0]
    assert lives == 6 and health.restarts == 6
    assert not health.fresh(60), "given up is not ready, however recent its last success"
