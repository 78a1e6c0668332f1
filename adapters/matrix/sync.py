"""The sync loop: fetch a batch, do nio's key chores, handle every event, then save the position.

The position is saved only after the batch is handled (conference-bot #92 lost messages by
saving first), and each handled event id is recorded, so a batch seen again after a crash is
answered only where it was not answered before.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from nio import SyncError, SyncResponse
from nio.client.async_client import AsyncClient

from adapters.base import DeliveryError, IntakeHealth
from adapters.matrix.conversation import Conversation
from adapters.matrix.state import MatrixState
from bot.store.dead_letters import DeadLetterStore, reason_of

log = logging.getLogger(__name__)

SYNC_FILTER: dict[str, Any] = {
    "room": {"timeline": {"limit": 100}},
    "presence": {"types": []},
}
ATTEMPTS = 3
"""Tries for one event a send failed on before it is given up (set aside), so one bad event
cannot stall the bot. An event the bot itself fails on is set aside at once: trying again
would fail again, and hold up everyone behind it."""
NAME_KEYS = ("displayname", "avatar_url")


class SyncLoop:
    def __init__(
        self,
        client: AsyncClient,
        state: MatrixState,
        conversation: Conversation,
        clock: Callable[[], datetime],
        *,
        timeout_ms: int,
        max_wait: float,
        health: IntakeHealth | None = None,
        dead_letters: DeadLetterStore | None = None,
    ) -> None:
        self.health = health or IntakeHealth()
        self.dead_letters = dead_letters
        self.client = client
        self.state = state
        self.conversation = conversation
        self.clock = clock
        self.timeout_ms = timeout_ms
        self.max_wait = max_wait
        self.ready = asyncio.Event()
        self.idle = asyncio.Event()
        """Set while no batch is being handled: a graceful stop waits for it."""
        self.idle.set()
        self.batches = 0
        self._failures: dict[str, int] = {}

    async def run(self) -> None:
        token = await self.state.sync_token()
        fresh = token is None
        full_state = True
        pause = 0.5
        while True:
            # Full state on the first sync of a run: nio keeps rooms only in memory and can
            # send (and encrypt) only to rooms it has seen.
            response = await self.client.sync(
                timeout=0 if full_state else self.timeout_ms,
                sync_filter=SYNC_FILTER,
                since=token,
                full_state=full_state,
            )
            if isinstance(response, SyncError):
                log.warning("Matrix sync failed: %s; retrying in %.1f s", response, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, self.max_wait)
                continue
            pause = 0.5
            self.health.succeeded()
            self.idle.clear()
            try:
                await self._key_chores()
                await self._handle(response, skip_timeline=fresh)
                await self._answer_late()
                await self.state.save_sync_token(response.next_batch, self.clock())
            finally:
                self.idle.set()
            token = response.next_batch
            fresh = full_state = False
            self.batches += 1
            self.ready.set()

    async def _key_chores(self) -> None:
        """What `sync_forever` does between syncs; we run our own loop to control the token."""
        client = self.client
        await client.send_to_device_messages()
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())

    async def _answer_late(self) -> None:
        """Messages whose keys came since are handled now, as if they had just arrived (once:
        the engine's outcome and the replies' transaction ids come from their event ids); a
        DM's resident hears about a message whose key did not come in time."""
        opened, gave_up = self.conversation.late_keys.check()
        for late in opened:
            room = self.client.rooms.get(late.room_id)
            if room is not None:
                await self._handle_event(room, late.event, late.event.event_id)
        for missing in gave_up:
            try:
                await self.conversation.tell_unreadable(missing.room_id, missing.event)
            except Exception:  # a courtesy: never stops the loop
                log.exception("telling a resident their message could not be read failed")

    async def _handle(self, response: SyncResponse, *, skip_timeline: bool) -> None:
        await self.conversation.on_to_device(response.to_device_events)
        for room_id, invite in response.rooms.invite.items():
            await self.conversation.on_invite(room_id, list(invite.invite_state))
        if skip_timeline:
            # The very first start: what happened before the bot existed is not for it.
            return
        for room_id, joined in response.rooms.join.items():
            room = self.client.rooms.get(room_id)
            if room is None:
                continue
            # A room just joined always comes "limited"; only a gap in a known room loses events.
            fresh_room = any(
                getattr(event, "state_key", None) == self.client.user_id
                and getattr(event, "membership", None) == "join"
                for event in joined.timeline.events
            )
            if joined.timeline.limited and not fresh_room:
                log.warning("Matrix sync for %s was limited: older events in the gap are not answered", room_id)
            for event in joined.timeline.events:
                event_id = getattr(event, "event_id", None)
                if not event_id or await self.state.is_handled(event_id):
                    continue
                await self._handle_event(room, event, event_id)

    async def _handle_event(self, room: Any, event: Any, event_id: str) -> None:
        while True:
            try:
                await self.conversation.on_event(room, event)
                break
            except DeliveryError as error:
                if error.permanent:
                    log.warning("reply to %s in %s not delivered: %s", event_id, room.room_id, error)
                    break
                await self._failed(event_id, error)
                if self._failures.get(event_id, 0) >= ATTEMPTS:
                    await self._set_aside(event, event_id, error, f"not delivered after {ATTEMPTS} attempts")
                    break
            except Exception as error:
                await self._set_aside(event, event_id, error, "failed in the bot")
                break
        self._failures.pop(event_id, None)
        await self.state.mark_handled(event_id, self.clock())

    async def _set_aside(self, event: Any, event_id: str, error: Exception, what: str) -> None:
        """Logs the event with its id and keeps it as a dead letter (names taken out); it is
        then marked handled like any other, so the sync goes on past it."""
        log.error("Matrix event %s %s; set aside: %s", event_id, what, reason_of(error), exc_info=error)
        if self.dead_letters is None:
            return
        source = getattr(event, "source", None)
        sender = getattr(event, "sender", None)
        try:
            await self.dead_letters.add(
                "matrix",
                event_id,
                f"{what}: {reason_of(error)}",
                _without_names(source) if isinstance(source, dict) else None,
                self.clock(),
                user_id=sender if isinstance(sender, str) else None,
            )
        except Exception:
            log.exception("Matrix event %s could not be set aside", event_id)

    async def _failed(self, event_id: str, error: Exception) -> None:
        attempts = self._failures[event_id] = self._failures.get(event_id, 0) + 1
        if attempts < ATTEMPTS:
            wait = min(0.5 * 2**attempts, self.max_wait)
            log.warning("retrying Matrix event %s in %.1f s: %s", event_id, wait, error)
            await asyncio.sleep(wait)


def _without_names(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_names(item) for key, item in value.items() if key not in NAME_KEYS}
    if isinstance(value, list):
        return [_without_names(item) for item in value]
    return value
