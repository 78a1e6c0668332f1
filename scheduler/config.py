"""The scheduler's settings: reminder times, quiet hours, polls, offers, retries, rate limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta

from bot.evaluation import PollTimes
from bot.store.retention import DEFAULT_RETENTION_DAYS

TELEGRAM_MAX_PER_SECOND = 30.0
TELEGRAM_PAID_MAX_PER_SECOND = 1000.0


@dataclass(frozen=True)
class PlatformLimits:
    """One platform's ceilings for what the scheduler sends (replies are not counted here: they
    use the headroom left between these and the platform's real limit)."""

    per_second: float = 25.0
    burst: int = 1
    """Messages allowed at once above the steady rate; 1 keeps every 1-s window at the rate."""
    per_recipient_seconds: float = 1.0
    group_per_minute: float = 20.0

    def for_group(self) -> float:
        return 60.0 / self.group_per_minute


def telegram_limits(per_second: float = 25.0, *, paid_broadcasts: bool = False) -> PlatformLimits:
    """Telegram's limits; above 30/s only with paid broadcasts switched on (they cost Stars)."""
    ceiling = TELEGRAM_PAID_MAX_PER_SECOND if paid_broadcasts else TELEGRAM_MAX_PER_SECOND
    if not 0 < per_second <= ceiling:
        raise ValueError(f"telegram rate must be in (0, {ceiling:g}] messages/s, not {per_second:g}")
    return PlatformLimits(per_second=per_second)


def default_limits() -> dict[str, PlatformLimits]:
    return {
        "telegram": telegram_limits(),
        # Synapse's default rc_message is 0.2/s with a burst of 10; a bot account is normally
        # exempted (see notes/platforms.md), so this is the homeserver operator's choice.
        "matrix": PlatformLimits(per_second=10.0, per_recipient_seconds=0.5),
        "console": PlatformLimits(per_second=1000.0, per_recipient_seconds=0.0),
    }


@dataclass(frozen=True)
class SchedulerConfig:
    reminder_leads: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
    """Before an event's start; an event can have its own (`reminder_override`)."""
    quiet_start: time = time(22, 0)
    quiet_end: time = time(8, 0)
    """Local time: a reminder due in between is moved earlier, to before `quiet_start`."""
    polls: PollTimes = field(default_factory=PollTimes)
    offer_expiry: timedelta = timedelta(hours=2)
    offer_min: timedelta = timedelta(minutes=10)
    offer_before_start: timedelta = timedelta(minutes=15)
    """An offer expires this long before the event at the latest, so a seat never waits for
    someone who cannot make it anyway."""
    max_attempts: int = 5
    retry_first: timedelta = timedelta(seconds=30)
    retry_max: timedelta = timedelta(minutes=15)
    reply_useful: timedelta = timedelta(hours=6)
    """How long an answer a platform outage kept from a person is still sent: a signup's
    confirmation or tonight's list matters hours later, yesterday's does not."""
    reply_retry: timedelta = timedelta(seconds=5)
    """The first new try of such an answer (the connector has retried for a while already)."""
    in_flight: int = 50
    """Messages claimed but not yet recorded as sent: after a crash at most these can repeat
    on a platform with no idempotency key (Telegram)."""
    plan_every: timedelta = timedelta(seconds=30)
    retention_days: int | None = DEFAULT_RETENTION_DAYS
    """Days after the festival until the retention purge (`bot.store.retention`); None: never."""
    limits: dict[str, PlatformLimits] = field(default_factory=default_limits)

    def limits_for(self, channel: str) -> PlatformLimits:
        return self.limits.get(channel) or PlatformLimits()
