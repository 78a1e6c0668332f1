"""Broadcasts and delivery: audiences, languages, progress, cancel and resume, the platform's
rate (never above it in any 1-s window), 429 pauses, 403 unreachable, 5xx retried then failed."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from adapters.base import DeliveryError, NotConnected
from bot.store import Store
from scheduler import Audience
from scheduler.config import PlatformLimits, SchedulerConfig
from scheduler.dispatch import RateLimited
from scheduler.outbox import Status
from tests.scheduler.conftest import FakeClock, FakeConnector, Harness, local, transient

TELEGRAM_LIKE = PlatformLimits(per_second=25.0, per_recipient_seconds=1.0, group_per_minute=20.0)


@pytest.fixture
def config() -> SchedulerConfig:
    # One message in flight at a time, so the fake clock's sleeps add up as real time would.
    return SchedulerConfig(in_flight=1, limits={"console": TELEGRAM_LIKE})


async def _people(harness: Harness, count: int, lang: str = "sv") -> list[str]:
    users = [f"{lang}{n:04d}" for n in range(count)]
    for user in users:
        await harness.person(user, lang)
    return users


def _max_in_any_second(times: list[float]) -> int:
    times = sorted(times)
    best = 0
    start = 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_broadcast_in_each_persons_language_with_progress(harness: Harness) -> None:
    await _people(harness, 3, "sv")
    await _people(harness, 2, "ar")
    await _people(harness, 1, "fi")
    broadcast = await harness.scheduler.broadcast(
        {"sv": "Regn: invigningen flyttar inomhus.", "ar": "مطر: الافتتاح ينتقل إلى الداخل.", "en": "Rain: indoors."},
        Audience(everyone=True),
    )
    progress = await harness.scheduler.broadcasts.progress(broadcast)
    assert (progress.total, progress.sent, progress.pending) == (6, 0, 6)
    await harness.at(harness.clock.now())
    texts = {s.user_id: s.message.text for s in harness.connector.sent}
    assert (
        texts["sv0000"].startswith("Regn") and texts["ar0001"].startswith("مطر") and texts["fi0000"] == "Rain: indoors."
    )
    assert next(s.message for s in harness.connector.sent if s.user_id == "ar0000").rtl
    progress = await harness.scheduler.broadcasts.progress(broadcast)
    assert (progress.sent, progress.pending, progress.status, progress.done) == (6, 0, "done", True)


async def test_audiences_events_and_languages(harness: Harness) -> None:
    await harness.sign_up("att1", "MM007", "sv")
    await harness.sign_up("att2", "MM007", "en")
    await harness.sign_up("other", "MM009", "en")
    await harness.person("idle", "en")
    scheduler = harness.scheduler
    to_event = await scheduler.broadcast({"sv": "Hej"}, Audience(events=["MM007"]))
    to_english = await scheduler.broadcast({"en": "Hi"}, Audience(everyone=True, languages=["en"]))
    to_event_en = await scheduler.broadcast({"en": "Hi"}, Audience(events=["MM007"], languages=["en"]))
    await harness.at(harness.clock.now())
    by_broadcast = {}
    for broadcast in (to_event, to_english, to_event_en):
        rows = await scheduler.outbox.items()
        by_broadcast[broadcast] = sorted(r.user_id for r in rows if r.broadcast_id == broadcast)
    assert by_broadcast == {
        to_event: ["att1", "att2"],
        to_english: ["att2", "idle", "other"],
        to_event_en: ["att2"],
    }
    with pytest.raises(ValueError):
        await scheduler.broadcast({"en": "   "}, Audience(everyone=True))


async def test_scheduled_broadcast_waits_expires_and_can_be_cancelled_and_resumed(harness: Harness) -> None:
    await _people(harness, 60)
    at = harness.clock.now() + timedelta(hours=1)
    broadcast = await harness.scheduler.broadcast({"sv": "Snart"}, Audience(everyone=True), at=at)
    assert await harness.at(at - timedelta(seconds=1)) == []
    # Sending takes 60 × 1/25 s; cancel after the first ones went.
    harness.clock.set(at)
    harness.connector.failures["sv0010"] = [transient()]
    task_rows = await harness.scheduler.outbox.claim_due(harness.clock.now(), 5)
    assert len(task_rows) == 5  # five in flight when the organiser presses "cancel" …
    cancelled = await harness.scheduler.broadcasts.cancel(broadcast, harness.clock.now())
    assert cancelled == 55
    progress = await harness.scheduler.broadcasts.progress(broadcast)
    assert progress.status == "cancelled" and progress.not_sent == {"cancelled: broadcast cancelled": 55}
    resumed = await harness.scheduler.broadcasts.resume(broadcast, harness.clock.now())
    assert resumed == 55
    await harness.scheduler.outbox.recover(harness.clock.now())  # … and the process restarts
    await harness.at(harness.clock.now())
    await harness.at(harness.clock.now() + timedelta(minutes=1))  # sv0010's retry
    progress = await harness.scheduler.broadcasts.progress(broadcast)
    assert (progress.sent, progress.pending) == (60, 0)
    assert len({s.user_id for s in harness.connector.sent}) == 60 == len(harness.connector.sent)

    late = await harness.scheduler.broadcast(
        {"sv": "Bara i dag"}, Audience(everyone=True), at=at + timedelta(hours=1), expires_at=at + timedelta(hours=2)
    )
    await harness.at(at + timedelta(hours=3))
    progress = await harness.scheduler.broadcasts.progress(late)
    assert progress.not_sent == {"expired: too late: the broadcast's time is over": 60}


async def test_rate_never_exceeds_the_platform_ceiling_in_any_second(harness: Harness) -> None:
    await _people(harness, 200)
    start = harness.clock.monotonic()
    await harness.scheduler.broadcast({"sv": "Hej"}, Audience(everyone=True))
    await harness.at(harness.clock.now())
    times = [(s.at - harness.connector.sent[0].at).total_seconds() for s in harness.connector.sent]
    assert len(times) == 200
    assert _max_in_any_second(times) <= 25
    elapsed = harness.clock.monotonic() - start
    assert 200 / elapsed >= 0.97 * 25, f"sustained {200 / elapsed:.1f}/s"


async def test_per_person_and_per_group_gaps(store: Store) -> None:
    clock = FakeClock(local("2027-05-09 12:00"))
    connector = FakeConnector(clock)
    harness = Harness(store, clock, connector, SchedulerConfig(in_flight=1, limits={"console": TELEGRAM_LIKE}))
    await harness.person("solo")
    await harness.person("-100777")
    for n in range(3):
        await harness.scheduler.broadcast({"sv": f"#{n}"}, Audience(everyone=True))
    await harness.at(clock.now())
    solo = [s.at for s in connector.sent if s.user_id == "solo"]
    group = [s.at for s in connector.sent if s.user_id == "-100777"]
    assert [m.message.text for m in connector.sent if m.user_id == "solo"] == ["#0", "#1", "#2"], "in order"
    assert all((b - a).total_seconds() >= 1.0 for a, b in itertools.pairwise(solo))
    assert all((b - a).total_seconds() >= 3.0 for a, b in itertools.pairwise(group))


async def test_429_pauses_the_platform_and_does_not_use_up_attempts(harness: Harness) -> None:
    users = await _people(harness, 10)
    harness.connector.failures[users[3]] = [RateLimited("Too Many Requests: retry after 7", 7.0)] * 6
    await harness.scheduler.broadcast({"sv": "Hej"}, Audience(everyone=True))
    await harness.at(harness.clock.now())
    gate = harness.scheduler.dispatcher.gate("console")
    assert gate.pauses[0] == 7.0
    sent_times = [s.at for s in harness.connector.sent]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(sent_times)]
    assert max(gaps) >= 7.0, "nothing went out during the pause"
    for _ in range(6):
        await harness.at(harness.clock.now() + timedelta(seconds=8))
    row = next(r for r in await harness.scheduler.outbox.items() if r.user_id == users[3])
    assert gate.pauses == [7.0] * 6
    assert row.status is Status.SENT and row.attempts == 1, "six 429s, one counted attempt"


async def test_a_channel_not_connected_yet_does_not_use_up_attempts(harness: Harness) -> None:
    users = await _people(harness, 2)
    # Longer than the attempts a message has: the channel comes up only after eight tries.
    harness.connector.failures[users[0]] = [NotConnected("the connection is not up yet")] * 8
    await harness.scheduler.broadcast({"sv": "Hej"}, Audience(everyone=True))
    for _ in range(10):
        await harness.at(harness.clock.now() + timedelta(minutes=1))
    row = next(r for r in await harness.scheduler.outbox.items() if r.user_id == users[0])
    assert row.status is Status.SENT and row.attempts == 1, "eight waits for the connection, one counted attempt"


async def test_403_marks_unreachable_and_is_never_retried(harness: Harness) -> None:
    await _people(harness, 2)
    harness.connector.failures["sv0001"] = [DeliveryError("forbidden: bot was blocked by the user", permanent=True)]
    first = await harness.scheduler.broadcast({"sv": "Hej"}, Audience(everyone=True))
    await harness.at(harness.clock.now())
    await harness.at(harness.clock.now() + timedelta(hours=1))
    progress = await harness.scheduler.broadcasts.progress(first)
    assert progress.sent == 1
    assert progress.not_sent == {"failed: unreachable: forbidden: bot was blocked by the user": 1}
    assert not await harness.store.people.is_reachable("console", "sv0001")
    second = await harness.scheduler.broadcast({"sv": "Igen"}, Audience(everyone=True))
    assert (await harness.scheduler.broadcasts.progress(second)).total == 1


async def test_5xx_is_retried_with_backoff_then_failed_with_the_reason(harness: Harness) -> None:
    await _people(harness, 2)
    harness.connector.failures["sv0000"] = [transient(), transient()]
    harness.connector.failures["sv0001"] = [transient("NetworkError: 500 Internal Server Error")] * 9
    broadcast = await harness.scheduler.broadcast({"sv": "Hej"}, Audience(everyone=True))
    moments = [harness.clock.now() + timedelta(minutes=m) for m in (0, 1, 2, 4, 8, 16, 32)]
    for moment in moments:
        await harness.at(moment)
    rows = {r.user_id: r for r in await harness.scheduler.outbox.items()}
    assert rows["sv0000"].status is Status.SENT and rows["sv0000"].attempts == 3
    assert rows["sv0001"].status is Status.FAILED and rows["sv0001"].attempts == 5
    assert rows["sv0001"].reason == "gave up after 5 attempts: NetworkError: 500 Internal Server Error"
    progress = await harness.scheduler.broadcasts.progress(broadcast)
    assert progress.not_sent == {"failed: gave up after 5 attempts: NetworkError: 500 Internal Server Error": 1}
