"""The connector contract: what every channel adapter provides, and the hub they talk through."""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.messages import Incoming, Outgoing

log = logging.getLogger(__name__)

Handler = Callable[[Incoming, datetime], Awaitable[list[Outgoing]]]
Clock = Callable[[], datetime]
Later = Callable[[Outgoing, str | None], Awaitable[None]]
Holding = Callable[[str, str], Awaitable[bool]]
REPLY_KEY = "reply:"
"""The outbox key's prefix of a held-up answer (`Hub.undelivered`); the rest is the connector's."""


class DeliveryError(Exception):
    """A message could not be delivered; `permanent` when retrying cannot help (blocked bot)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class NotConnected(DeliveryError):
    """The channel is not connected (yet, or for now): nothing was tried, so a retry later does
    not count against the message's attempts."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)


@dataclass
class IntakeHealth:
    """How a channel's intake (long polling, the webhook, the Matrix sync) is doing: what
    readiness and /metrics tell."""

    last_success: float | None = None
    """Wall-clock time (`time.time()`) of the last successful poll or sync; None before the first."""
    running: bool = False
    restarts: int = 0
    """Times the intake loop ended and was started again."""
    given_up: bool = False
    """The loop could not be brought back: motsbot exits (non-zero) for another to take over."""

    def succeeded(self) -> None:
        self.last_success = time.time()

    def fresh(self, within: float) -> bool:
        """Whether the intake runs and last succeeded at most `within` seconds ago."""
        return (
            self.running
            and not self.given_up
            and self.last_success is not None
            and time.time() - self.last_success <= within
        )


class Connector(ABC):
    """One channel. Thin: platform events in, `Hub.receive` called, engine output rendered."""

    channel: str
    health: IntakeHealth | None = None
    """Set by channels that take updates in by a loop of their own (Telegram, Matrix)."""

    @abstractmethod
    async def start(self, hub: Hub) -> None:
        """Connects and begins receiving; returns once running."""

    @abstractmethod
    async def stop(self) -> None: ...

    @abstractmethod
    async def send(self, user_id: str, message: Outgoing, *, key: str | None = None) -> str | None:
        """Sends one message to a person outside a conversation turn (notices, reminders).

        `key` is the outbox row's dedupe key: a platform with idempotent sends (Matrix's
        transaction ids) uses it so that sending the same row again after a crash is a no-op;
        a platform without them (Telegram) ignores it. Returns the platform's message id;
        raises DeliveryError.
        """

    def counts(self) -> dict[str, dict[str, int]]:
        """Running counts for /metrics beyond messages in and out: name -> label -> count."""
        return {}


class Hub:
    """Routes between connectors and the engine. Replies for the sender go back to the caller;
    messages for other people (waiting-list promotions) go out through their channel."""

    def __init__(self, handle: Handler, clock: Clock) -> None:
        self._handle = handle
        self.clock = clock
        self.connectors: dict[str, Connector] = {}
        self.channel_lost: Callable[[str], None] = self._channel_lost
        """Called by a channel whose intake cannot be brought back; `motsbot run` then stops
        with a non-zero exit status, for systemd or a standby to take over."""
        self.later: Later | None = None
        """Set by the scheduler: keeps a message that could not go out now in the durable
        outbox, to be sent again shortly. Without a scheduler such a message is logged and lost."""
        self.holding: Holding | None = None
        """Set by the scheduler: whether answers for (channel, recipient) still wait in the outbox,
        so that a connector sends newer ones after them, not ahead."""

    @staticmethod
    def _channel_lost(channel: str) -> None:
        log.critical("the %s channel stopped and could not be brought back", channel)

    def add(self, connector: Connector) -> None:
        self.connectors[connector.channel] = connector

    async def receive(self, incoming: Incoming) -> list[Outgoing]:
        return await self.receive_at(incoming, self.clock())

    async def receive_at(self, incoming: Incoming, now: datetime) -> list[Outgoing]:
        """As `receive`, at a given moment (the evaluation asks questions at set times)."""
        outgoing = await self._handle(incoming, now)
        replies = [message for message in outgoing if message.recipient is None]
        for message in outgoing:
            if message.recipient is not None:
                await self.deliver(message)
        return replies

    async def deliver(self, message: Outgoing) -> str | None:
        assert message.recipient is not None
        connector = self.connectors.get(message.recipient.channel)
        if connector is None:
            log.warning("no connector for %s; message not delivered", message.recipient.channel)
            return None
        try:
            return await connector.send(message.recipient.user_id, message)
        except DeliveryError as error:
            await self.undelivered(message, error)
            return None

    async def undelivered(self, message: Outgoing, error: DeliveryError, *, key: str | None = None) -> None:
        """A message (with its recipient) that a connector could not deliver, its own retries
        spent: a platform outage (5xx, a long 429 storm) outlasted them. Such a message is
        handed to the outbox; one that can never go (a blocked bot) is only logged. `key`, when
        the connector gives one, names the message for good: kept twice it is one outbox row,
        and the outbox hands it back to the connector's `send` (Matrix makes its transaction id
        of it, so a try that did reach the homeserver is not posted again)."""
        assert message.recipient is not None
        channel = message.recipient.channel
        if error.permanent or self.later is None:
            log.warning("message to a %s user not delivered: %s", channel, error)
            return
        log.warning("message to a %s user not delivered now (%s): the outbox sends it again", channel, error)
        try:
            await self.later(message, key)
        except Exception:
            log.exception("message to a %s user could not be kept for later; it is lost", channel)
