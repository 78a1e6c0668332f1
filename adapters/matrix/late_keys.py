"""Messages the bot could not decrypt yet, and room keys that residents' clients withheld.

A Megolm key often arrives after the message it opens: the resident's client shares it late,
shares it only once it trusts the bot's device, or answers the bot's key request. So an
undecryptable message is kept (in memory) and tried again after every sync; when it opens it
is answered then, once (its event id gives the reply's transaction id). Only after `wait`
seconds does the resident hear that their message could not be read; the message is still
answered if its key comes within `keep` seconds.

matrix-nio 0.26 parses `m.room_key.withheld` as an unknown to-device event and drops it. It is
the one sign of why a key never came (Element withholds keys from devices their owner has not
cross-signed: code `m.unverified`), so it is logged for the operator and counted by code.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from nio import MatrixRoom, MegolmEvent, UnknownToDeviceEvent
from nio.client.async_client import AsyncClient

log = logging.getLogger(__name__)

WITHHELD_TYPES = frozenset({"m.room_key.withheld", "org.matrix.room_key.withheld"})
MAX_WAITING = 1000
"""A flood of undecryptable messages cannot grow memory without bound: the oldest go first."""


@dataclass
class _Waiting:
    room_id: str
    event: MegolmEvent
    since: float
    apologised: bool = False
    withheld: str | None = None


@dataclass(frozen=True)
class Opened:
    """A waiting message that can now be read: handle `event` as if it had just arrived."""

    room_id: str
    event: Any


@dataclass(frozen=True)
class GaveUp:
    """A waiting message whose key did not come within the wait: tell the resident."""

    room_id: str
    event: MegolmEvent


class LateKeys:
    def __init__(
        self, client: AsyncClient, *, wait: float, keep: float, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.client = client
        self.wait = wait
        self.keep = keep
        self.now = now
        self.waiting: dict[str, _Waiting] = {}
        self.withheld: Counter[str] = Counter()
        """`m.room_key.withheld` received, by code (`m.unverified`, `m.blacklisted`, …)."""

    def hold(self, room: MatrixRoom, event: MegolmEvent) -> None:
        if event.event_id in self.waiting:
            return
        if len(self.waiting) >= MAX_WAITING:
            self.waiting.pop(next(iter(self.waiting)))
        self.waiting[event.event_id] = _Waiting(room.room_id, event, self.now())

    def on_to_device(self, events: Iterable[Any]) -> None:
        for event in events:
            if isinstance(event, UnknownToDeviceEvent) and event.type in WITHHELD_TYPES:
                self._withheld(event.source.get("content", {}))

    def _withheld(self, content: dict[str, Any]) -> None:
        code = str(content.get("code", "unknown"))[:40]
        self.withheld[code] += 1
        session_id = content.get("session_id")
        held = [waiting for waiting in self.waiting.values() if waiting.event.session_id == session_id]
        for waiting in held:
            waiting.withheld = code
        # The reason is the sending client's own words; no Matrix ids at INFO.
        log.info(
            "a resident's client withheld a room key from the bot: %s (%s)%s",
            code,
            str(content.get("reason", ""))[:200],
            f"; {len(held)} message(s) waiting for it" if held else "",
        )
        log.debug("withheld key: room %s session %s", content.get("room_id"), session_id)

    def check(self) -> tuple[list[Opened], list[GaveUp]]:
        """Tries every waiting message again. Returns those that opened (no longer waiting) and
        those whose wait just ran out (still kept, in case their key comes later)."""
        opened: list[Opened] = []
        gave_up: list[GaveUp] = []
        now = self.now()
        for event_id, waiting in list(self.waiting.items()):
            decrypted = self._decrypt(waiting.event)
            if decrypted is not None:
                del self.waiting[event_id]
                opened.append(Opened(waiting.room_id, decrypted))
                log.info("a message that waited %.0f s for its room key could be read", now - waiting.since)
            elif now - waiting.since >= self.keep:
                del self.waiting[event_id]
            elif not waiting.apologised and now - waiting.since >= self.wait:
                waiting.apologised = True
                gave_up.append(GaveUp(waiting.room_id, waiting.event))
                log.warning(
                    "no room key for a message after %.0f s%s",
                    now - waiting.since,
                    f" (withheld: {waiting.withheld})" if waiting.withheld else "",
                )
        return opened, gave_up

    def _decrypt(self, event: MegolmEvent) -> Any | None:
        try:
            decrypted = self.client.decrypt_event(event)
        except Exception:  # nio raises EncryptionError while the session is unknown
            return None
        if isinstance(decrypted, MegolmEvent) or getattr(decrypted, "event_id", None) is None:
            return None
        return decrypted
