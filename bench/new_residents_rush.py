"""Benchmark, not a test: a rush of new residents (a poster's QR code at the opening) through the
real engine, the real PTB 22 and the loopback Bot API fake at Telegram's ceiling of 30 sends in
any second (429 above it).

    .venv/bin/python bench/new_residents_rush.py [--residents 600] [--seconds 6] [--ceiling 30]

Each resident is new and writes one question ("vad händer idag?"), all within `--seconds`,
spread evenly. Reported: the time from a resident's message reaching the Bot API until the last
message of its answer was accepted there (p50, p95, max), messages per first answer, 429s, and
residents left without an answer. Every first answer waits its turn under the ceiling, so the
number of messages per first answer sets how long the last resident waits.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests" / "adapters" / "telegram"), str(HERE.parent)]

from tg_fake_api import TOKEN, FakeBotApi  # noqa: E402

from adapters.base import Hub  # noqa: E402
from adapters.telegram.connector import TelegramConnector  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.conftest import FESTIVAL_MORNING, import_demo  # noqa: E402

FIRST_USER = 60_000_000
QUESTION = "vad händer idag?"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def rush(residents: int, seconds: float, ceiling: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(str(Path(tmp) / "rush.sqlite3"))
        await import_demo(store)
        engine = Engine(store)
        await engine.warm_up()
        fake = FakeBotApi(ceiling=ceiling)
        await fake.start()
        connector = TelegramConnector(TOKEN, store, base_url=fake.base_url, poll_timeout=1)
        hub = Hub(engine.handle, lambda: FESTIVAL_MORNING)
        hub.add(connector)
        await connector.start(hub)
        try:
            asked: dict[int, float] = {}
            began = time.monotonic()
            for n in range(residents):
                delay = began + n * seconds / residents - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                user = FIRST_USER + n
                fake.say(user, QUESTION)
                asked[user] = time.monotonic()
            await fake.wait_for(lambda: connector.handled >= residents, within=600)
            took = time.monotonic() - began
        finally:
            await connector.stop()
            await fake.stop()
            await store.close()
    answered: dict[int, float] = {}
    per_person: Counter[int] = Counter()
    for call in fake.calls:
        chat = call.params.get("chat_id")
        if call.method.startswith("send") and call.status == 200 and isinstance(chat, int) and chat in asked:
            answered[chat] = max(answered.get(chat, 0.0), call.at)
            per_person[chat] += 1
    waits = [answered[user] - asked[user] for user in asked if user in answered]
    print(f"{residents} new residents in {seconds:.0f} s, Bot API ceiling {ceiling:.0f}/s; all handled in {took:.1f} s")
    print(
        f"time to the whole first answer: p50 {statistics.median(waits):.1f} s, "
        f"p95 {percentile(waits, 0.95):.1f} s, max {max(waits):.1f} s"
    )
    print(
        f"messages per first answer: {statistics.mean(per_person.values()):.2f} "
        f"(min {min(per_person.values())}, max {max(per_person.values())}); "
        f"429s from the fake: {fake.floods}; unanswered: {residents - len(answered)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=600)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--ceiling", type=float, default=30.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(rush(args.residents, args.seconds, args.ceiling))


if __name__ == "__main__":
    main()
