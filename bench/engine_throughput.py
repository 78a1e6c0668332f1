"""Messages per second through the engine, store on SQLite: 1,000 events, 10,000 persons.

Run: .venv/bin/python bench/engine_throughput.py [--messages 3000] [--concurrency 1]
Prints throughput and the p50/p95/p99 time per message. A benchmark, not a test: figures go
into notes, never into assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bot import buttons
from bot.engine import Engine
from bot.messages import Incoming
from bot.model import Event, Festival, Programme, Venue
from bot.store import Store
from bot.store import schema as t

TYPES = ["Workshop", "Seminarium", "Paneldiskussion", "Konsert", "Lärandelunch", "Dialogforum"]
TOPICS = ["demokrati", "antirasism", "mänskliga rättigheter", "kultur", "unga", "hållbara städer"]
QUESTIONS = [
    "Vad händer idag?",
    "What's on tomorrow?",
    "workshops in English",
    "هل هناك فعاليات باللغة العربية؟",
    "någon konsert i helgen?",
    "kostar det något?",
    "Mitä tapahtuu tänään?",
    "anything about democracy?",
    "vad händer ikväll?",
    "blorf snargle",
]


def synthetic_programme(events: int) -> Programme:
    start = date(2027, 5, 10)
    venues = [Venue(key=f"v{i}", name=f"Lokal {i}", address=f"Gatan {i}", capacity=50 + i) for i in range(20)]
    rng = random.Random(7)
    items = []
    for i in range(events):
        day = start + timedelta(days=i % 7)
        begins = datetime(day.year, day.month, day.day, 8 + (i % 12), 0, tzinfo=UTC)
        kind = TYPES[i % len(TYPES)]
        topic = TOPICS[rng.randrange(len(TOPICS))]
        items.append(
            Event(
                code=f"B{i:05d}",
                title={"sv": f"{kind} om {topic} nr {i}"},
                abstract={"sv": f"Ett samtal om {topic} i Malmö, del {i}."},
                type=kind,
                track=topic,
                topics=[topic],
                language=rng.choice(["sv", "sv", "sv", "en", "ar"]),
                starts_at=begins,
                ends_at=begins + timedelta(hours=1, minutes=30),
                venue_key=f"v{i % 20}",
                capacity=rng.choice([None, 20, 40, 100]),
                signup_required=True,
            )
        )
    festival = Festival(
        slug="bench", name={"sv": "Benchfestivalen"}, start_date=start, end_date=start + timedelta(days=6)
    )
    return Programme(festival=festival, venues=venues, events=items)


async def main(messages: int, concurrency: int, persons: int, events: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(str(Path(tmp) / "bench.sqlite3"))
        now = datetime(2027, 5, 10, 7, tzinfo=UTC)
        await store.programme.apply(synthetic_programme(events), now)
        async with store.database.transaction() as conn:
            await conn.execute(
                insert(t.person),
                [
                    {"channel": "bench", "channel_user_id": f"u{i}", "language": "sv", "created_at": now}
                    for i in range(persons)
                ],
            )
        engine = Engine(store)
        rng = random.Random(11)

        def incoming(n: int) -> Incoming:
            user = f"u{rng.randrange(persons)}"
            roll = n % 10
            if roll < 6:
                return Incoming(channel="bench", user_id=user, text=rng.choice(QUESTIONS))
            if roll < 8:
                return Incoming(
                    channel="bench",
                    user_id=user,
                    payload=buttons.encode("ev", f"B{rng.randrange(events):05d}"),
                )
            if roll < 9:
                return Incoming(
                    channel="bench",
                    user_id=user,
                    payload=buttons.encode("su", f"B{rng.randrange(events):05d}"),
                )
            return Incoming(channel="bench", user_id=user, text="/today")

        batch = [incoming(n) for n in range(messages)]
        await engine.handle(batch[0], now)  # warm the programme cache and the understanding indexes
        latencies: list[float] = []
        queue = iter(batch)

        async def worker() -> None:
            for item in queue:
                began = time.perf_counter()
                await engine.handle(item, now)
                latencies.append(time.perf_counter() - began)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
        await store.close()
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    print(f"events={events} persons={persons} messages={messages} concurrency={concurrency}")
    print(f"throughput {messages / elapsed:.0f} messages/s")
    print(f"per message p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000)
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.concurrency, args.persons, args.events))
