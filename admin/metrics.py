"""Prometheus metrics: messages in and out per channel, outbox depth, send failures by reason,
and each channel's intake: whether it is up, when it last polled or synced, its restarts and
the updates it set aside."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from sqlalchemy import func, select

from adapters.base import Connector, Handler, IntakeHealth
from bot.messages import Incoming, Outgoing
from bot.store import schema as t
from bot.store.database import Database

READY_WITHIN = 120.0
"""Seconds since a channel's last successful poll or sync after which it is not ready."""


class Metrics:
    """One registry per app rather than the process-global one, so tests can build many apps."""

    def __init__(self, ready_within: float = READY_WITHIN) -> None:
        self.registry = CollectorRegistry()
        self.channels: dict[str, IntakeHealth] = {}
        """Each channel's intake, by channel name (`motsbot run` adds them)."""
        self.ready_within = ready_within
        self.intake_up = Gauge(
            "motsbot_intake_up",
            "1 when the channel's intake runs and last succeeded within the readiness time",
            ["channel"],
            registry=self.registry,
        )
        self.intake_last_success = Gauge(
            "motsbot_intake_last_success_timestamp_seconds",
            "Unix time of the channel's last successful poll or sync",
            ["channel"],
            registry=self.registry,
        )
        self.intake_restarts = Gauge(
            "motsbot_intake_restarts",
            "Times the channel's intake loop ended and was started again",
            ["channel"],
            registry=self.registry,
        )
        self.dead_letters = Gauge(
            "motsbot_dead_letters",
            "Updates the channel could not handle and set aside (kept a week)",
            ["channel"],
            registry=self.registry,
        )
        self.messages_in = Counter(
            "motsbot_messages_in", "Messages and button presses received", ["channel"], registry=self.registry
        )
        self.messages_out = Counter(
            "motsbot_messages_out", "Replies and notices the engine produced", ["channel"], registry=self.registry
        )
        self.outbox_depth = Gauge(
            "motsbot_outbox_depth", "Outbox messages by status", ["status"], registry=self.registry
        )
        self.send_failures = Gauge(
            "motsbot_send_failures", "Outbox messages that failed, by reason", ["reason"], registry=self.registry
        )
        self.outbox_sent = Gauge(
            "motsbot_outbox_sent",
            "Outbox messages sent (notices, reminders, polls, broadcasts)",
            ["channel"],
            registry=self.registry,
        )
        self.room_keys_withheld = Gauge(
            "motsbot_matrix_room_keys_withheld",
            "Room keys residents' Matrix clients withheld from the bot (m.room_key.withheld), by code",
            ["code"],
            registry=self.registry,
        )
        self.connectors: list[Connector] = []
        """Whose `counts()` are read at each scrape (`start_web` adds them)."""
        self.admin_requests = Counter(
            "motsbot_admin_requests", "Admin web requests by status class", ["status"], registry=self.registry
        )

    def metered(self, handler: Handler) -> Handler:
        """`handler` counted: wrap the engine's handle before giving it to the hub."""

        async def handle(incoming: Incoming, now: datetime) -> list[Outgoing]:
            self.messages_in.labels(incoming.channel).inc()
            replies = await handler(incoming, now)
            for reply in replies:
                channel = reply.recipient.channel if reply.recipient else incoming.channel
                self.messages_out.labels(channel).inc()
            return replies

        return handle

    async def render(self, database: Database) -> bytes:
        await self._read_outbox(database)
        await self._read_intake(database)
        self._read_connectors()
        return generate_latest(self.registry)

    async def _read_intake(self, database: Database) -> None:
        for channel, health in self.channels.items():
            self.intake_up.labels(channel).set(1 if health.fresh(self.ready_within) else 0)
            self.intake_last_success.labels(channel).set(health.last_success or 0)
            self.intake_restarts.labels(channel).set(health.restarts)
        async with database.reading() as conn:
            counts = await conn.execute(select(t.dead_letter.c.channel, func.count()).group_by(t.dead_letter.c.channel))
            self.dead_letters.clear()
            for channel in self.channels:
                self.dead_letters.labels(channel).set(0)
            for channel, count in counts:
                self.dead_letters.labels(channel).set(count)

    def _read_connectors(self) -> None:
        for connector in self.connectors:
            for code, count in connector.counts().get("room_keys_withheld", {}).items():
                self.room_keys_withheld.labels(code).set(count)

    async def _read_outbox(self, database: Database) -> None:
        outbox = getattr(t, "outbox", None)
        if outbox is None:
            return
        async with database.reading() as conn:
            statuses = await conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))
            self.outbox_depth.clear()
            for status, count in statuses:
                self.outbox_depth.labels(status).set(count)
            sent = await conn.execute(
                select(outbox.c.channel, func.count()).where(outbox.c.status == "sent").group_by(outbox.c.channel)
            )
            self.outbox_sent.clear()
            for channel, count in sent:
                self.outbox_sent.labels(channel).set(count)
            failures = await conn.execute(
                select(outbox.c.reason, func.count()).where(outbox.c.status == "failed").group_by(outbox.c.reason)
            )
            self.send_failures.clear()
            for reason, count in failures:
                # Reasons are short codes from the scheduler; cut long ones to keep label values bounded.
                self.send_failures.labels((reason or "unknown")[:60]).set(count)
