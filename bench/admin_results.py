"""Admin results page time: a festival of 200 events with 20,000 ratings, store on SQLite.

Run: .venv/bin/python bench/admin_results.py [--events 200] [--ratings 20000] [--requests 200]
Signs in, then times GET /results (the festival-wide page), GET /results/<code> and GET /report
through the whole ASGI app (session, CSRF, templates, queries). Prints p50/p95/p99 per page.
A benchmark, not a test: figures go into notes, never into assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert

from admin.app import create_admin_app
from admin.auth import make_hasher
from admin.store import Role
from bot.model import Event, Festival, Programme, Venue
from bot.store import Store
from bot.store import schema as t

PASSWORD = "benchmark password"
ORGANISATIONS = [f"Förening {i}" for i in range(30)]


def programme(events: int) -> Programme:
    start = date(2027, 5, 10)
    venues = [Venue(key=f"v{i}", name=f"Lokal {i}") for i in range(15)]
    items = [
        Event(
            code=f"R{i:04d}",
            title={"sv": f"Evenemang {i}", "en": f"Event {i}"},
            starts_at=datetime(2027, 5, 10 + i % 7, 8 + i % 12, tzinfo=UTC),
            ends_at=datetime(2027, 5, 10 + i % 7, 9 + i % 12, tzinfo=UTC),
            venue_key=f"v{i % 15}",
            capacity=40,
            signup_required=True,
            organisation=ORGANISATIONS[i % len(ORGANISATIONS)],
        )
        for i in range(events)
    ]
    festival = Festival(slug="bench", name={"sv": "Bänk"}, start_date=start, end_date=start + timedelta(days=6))
    return Programme(festival=festival, venues=venues, events=items)


async def seed(store: Store, events: int, ratings: int) -> None:
    now = datetime(2027, 5, 9, tzinfo=UTC)
    await store.programme.apply(programme(events), now)
    snapshot = await store.programme.snapshot()
    assert snapshot is not None
    ids = [e.id for e in snapshot.events if e.id is not None]
    rng = random.Random(11)
    tallies: dict[tuple[int, int], int] = {}
    comments = []
    for _ in range(ratings):
        event_id = rng.choice(ids)
        choice = rng.choices([0, 1, 2, 3, 4, 5], weights=[1, 1, 2, 4, 6, 5])[0]
        tallies[(event_id, choice)] = tallies.get((event_id, choice), 0) + 1
        if rng.random() < 0.1:
            comments.append({"id": secrets.token_hex(16), "event_id": event_id, "text": "Bra, ring 0701234567"})
    async with store.database.transaction() as conn:
        await conn.execute(
            insert(t.rating_tally),
            [{"event_id": e, "choice": c, "votes": n} for (e, c), n in tallies.items()],
        )
        await conn.execute(insert(t.rating_comment), comments)
        people = [
            {"channel": "telegram", "channel_user_id": str(i), "language": "sv", "created_at": now} for i in range(4000)
        ]
        await conn.execute(insert(t.person), people)
        await conn.execute(
            insert(t.signup),
            [
                {
                    "event_id": ids[i % len(ids)],
                    "person_id": i + 1,
                    "status": "confirmed",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(4000)
            ],
        )


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100)
    return f"p50 {q[49] * 1000:.1f} ms · p95 {q[94] * 1000:.1f} ms · p99 {q[98] * 1000:.1f} ms"


async def main(events: int, ratings: int, requests: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(str(Path(tmp) / "bench.sqlite3"))
        try:
            await seed(store, events, ratings)
            clock = lambda: datetime(2027, 5, 20, tzinfo=UTC)  # noqa: E731 - after the festival
            app = create_admin_app(store, clock=clock, hasher=make_hasher(fast=True))
            await app.state.admin.auth.create_account("ada", PASSWORD, Role.VIEWER, None, clock())
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                login = await client.post("/api/login", json={"username": "ada", "password": PASSWORD})
                assert login.status_code == 200
                for path in ("/results", "/results/R0007", "/report"):
                    assert (await client.get(path)).status_code == 200  # warm caches and templates
                    samples = []
                    for _ in range(requests):
                        began = time.perf_counter()
                        response = await client.get(path)
                        samples.append(time.perf_counter() - began)
                        assert response.status_code == 200
                    print(f"GET {path:<16} {events} events, {ratings} ratings: {percentiles(samples)}")
        finally:
            await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--ratings", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.ratings, args.requests))
