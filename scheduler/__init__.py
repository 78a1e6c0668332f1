"""The scheduler owns time: APScheduler wakes the durable outbox (reminders, evaluation polls,
waiting-list offers, broadcasts), which sends at each platform's ceiling; see `service.py`."""

from __future__ import annotations

import logging
from dataclasses import replace

from adapters.base import Connector, Hub
from bot.store import Store
from motsbot.settings import Settings
from scheduler.broadcasts import Audience, Progress
from scheduler.config import PlatformLimits, SchedulerConfig, default_limits, telegram_limits
from scheduler.limits import Gate
from scheduler.service import Scheduler

log = logging.getLogger(__name__)


def config_from_settings(settings: Settings) -> SchedulerConfig:
    limits = default_limits()
    limits["telegram"] = telegram_limits(
        settings.scheduler_telegram_per_second, paid_broadcasts=settings.telegram_paid_broadcasts
    )
    limits["matrix"] = replace(limits["matrix"], per_second=settings.scheduler_matrix_per_second)
    return SchedulerConfig(limits=limits, retention_days=settings.motsbot_retention_days)


def share_flood_pauses(connector: Connector, gate: Gate) -> bool:
    """Makes a 429 met by the connector's own request limiter (Telegram's, which waits it out
    for that chat and then retries) pause all of the scheduler's sending on that platform as
    well, and keep a slot of the gate for the retry."""
    limiter = getattr(connector, "limiter", None)
    original = getattr(limiter, "pause", None)
    if limiter is None or original is None:
        return False

    def pause(chat_id: object | None, seconds: float) -> None:
        original(chat_id, seconds)
        gate.pause(seconds)
        # The limiter sends the message again when the pause ends, past the gate: keep its slot.
        gate.reserve()

    vars(limiter)["pause"] = pause
    return True


def connect(scheduler: Scheduler, hub: Hub) -> None:
    """Joins a scheduler to the hub's connectors: their 429s pause its sending, and what they
    could not deliver comes back through its outbox."""
    for channel, connector in hub.connectors.items():
        share_flood_pauses(connector, scheduler.dispatcher.gate(channel))
    hub.later = scheduler.later
    hub.holding = scheduler.holding


async def start_scheduler(settings: Settings, store: Store, hub: Hub) -> Scheduler | None:
    if not settings.scheduler_enabled:
        return None
    scheduler = Scheduler(store, hub.connectors, config_from_settings(settings), clock=hub.clock)
    connect(scheduler, hub)
    await scheduler.start()
    log.info("scheduler started")
    return scheduler


__all__ = [
    "Audience",
    "PlatformLimits",
    "Progress",
    "Scheduler",
    "SchedulerConfig",
    "config_from_settings",
    "connect",
    "start_scheduler",
]
