"""Benchmark, not a test: `.venv/bin/python tests/adapters/telegram/bench_telegram.py [N]`.

1. Reply time end to end (fake Bot API → PTB getUpdates → engine on SQLite with the demo
   festival → PTB sendMessage → fake), one message at a time from N different people, p50/p99.
   The bot-wide 30/s cap is raised for this part: it is a throughput limit, measured in 2.
2. Sends per second through the shared limiter with Telegram's limits, to 300 chats at once.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[2])]

from tg_fake_api import TOKEN, FakeBotApi  # noqa: E402

from adapters.base import Hub  # noqa: E402
from adapters.telegram.connector import TelegramConnector  # noqa: E402
from adapters.telegram.limiter import ChatLimiter, Limits  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.messages import Outgoing, Span  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.conftest import FESTIVAL_MORNING, import_demo  # noqa: E402


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(str(Path(tmp) / "bench.sqlite3"))
        await import_demo(store)
        fake = FakeBotApi()
        await fake.start()
        engine = Engine(store)
        connector = TelegramConnector(
            TOKEN,
            store,
            base_url=fake.base_url,
            limiter=ChatLimiter(Limits(total_per_second=10_000, total_burst=10_000)),
        )
        hub = Hub(engine.handle, lambda: FESTIVAL_MORNING)
        await connector.start(hub)
        latencies: list[float] = []
        texts = ["/today", "Vad händer imorgon?", "/start ev_MM004", "konsert", "/help"]
        try:
            for n in range(count):
                user = 1_000_000 + n
                started = time.monotonic()
                fake.say(user, texts[n % len(texts)])
                await fake.wait_for(lambda user=user: bool(fake.chat(user)), within=10)
                # The fake stamps each request as it arrives: the first reply's stamp ends the turn.
                first = next(c for c in fake.calls if c.method.startswith("send") and c.params.get("chat_id") == user)
                latencies.append(first.at - started)
        finally:
            await connector.stop()
        latencies.sort()
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
        print(
            f"reply time over {count} messages: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1] * 1000:.1f} ms"
        )

        limited = TelegramConnector(TOKEN, store, base_url=fake.base_url)
        await limited.start(Hub(engine.handle, lambda: FESTIVAL_MORNING))
        try:
            message = Outgoing(spans=[Span(text="Påminnelse: Jazz i parken börjar om en timme.")])
            started = time.perf_counter()
            await asyncio.gather(*(limited.send(str(2_000_000 + n), message) for n in range(300)))
            elapsed = time.perf_counter() - started
            print(f"300 sends to 300 chats through the limiter: {elapsed:.2f} s, {300 / elapsed:.1f} msg/s")
            started = time.perf_counter()
            for _ in range(6):
                await limited.send("3000000", message)
            print(f"6 sends to one private chat: {time.perf_counter() - started:.2f} s")
        finally:
            await limited.stop()
            await fake.stop()
            await store.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
