"""The Matrix connector: logs in (or restores the device), runs the sync loop, sends notices."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from nio.client.async_client import AsyncClient

from adapters.base import REPLY_KEY, Connector, DeliveryError, Hub, NotConnected
from adapters.matrix.conversation import Conversation
from adapters.matrix.sending import Sender
from adapters.matrix.session import MatrixConfig, Session, log_in, new_client
from adapters.matrix.state import MatrixState
from adapters.matrix.sync import SyncLoop
from bot.messages import Channel, Outgoing, number_choices
from bot.store import Store

log = logging.getLogger(__name__)


def quiet_nio() -> None:
    """nio logs at INFO for every event and key it handles (half of all INFO lines of a busy
    hour), with residents' Matrix ids in its crypto lines: those are for debugging, and show
    only when motsbot logs at DEBUG."""
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        logging.getLogger("nio").setLevel(logging.WARNING)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class MatrixConnector(Connector):
    channel = Channel.MATRIX

    def __init__(self, config: MatrixConfig, store: Store, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.client: AsyncClient | None = None
        self.session: Session | None = None
        self.sender: Sender | None = None
        self.conversation: Conversation | None = None
        self.loop: SyncLoop | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, hub: Hub) -> None:
        """Logs in (the only step that needs the homeserver before returning) and starts
        syncing in the background; `ready` is set after the first batch was handled."""
        quiet_nio()
        client = self.client = new_client(self.config)
        self.session = await log_in(client, self.config)
        state = MatrixState(self.store, self.session.user_id)
        await state.prune_handled(self.clock())
        self.sender = Sender(client)
        self.conversation = Conversation(client, self.sender, state, self.store, self.clock)
        self.conversation.hub = hub
        self.loop = SyncLoop(
            client,
            state,
            self.conversation,
            self.clock,
            timeout_ms=self.config.sync_timeout_ms,
            max_wait=self.config.max_reconnect_wait,
        )
        self._task = asyncio.create_task(self._run(self.loop), name="matrix-sync")

    async def _run(self, loop: SyncLoop) -> None:
        try:
            await loop.run()
        except asyncio.CancelledError:
            raise
        except BaseException:
            log.exception("the Matrix sync loop stopped")
            raise

    @property
    def ready(self) -> asyncio.Event:
        assert self.loop is not None, "start() first"
        return self.loop.ready

    async def stop(self, grace: float = 5.0) -> None:
        """Lets a batch being handled finish (up to `grace` seconds), then stops; whatever is
        still mid-way after that is handled again on the next start, as after a crash."""
        if self.loop is not None and self._task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.loop.idle.wait(), grace)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
            self._task = None
        if self.client is not None:
            await self.client.close()  # type: ignore[no-untyped-call]

    async def send(self, user_id: str, message: Outgoing, *, key: str | None = None) -> str | None:
        """Sends to the person's DM (opening one if needed: then it waits for them to join and
        None is returned), or to a room when `user_id` is a room id (a group's answer the outbox
        held up). The transaction id comes from the outbox row's dedupe key when there is one,
        else from the person and the message, so the outbox retrying the same row after a crash
        does not post it twice — even when the row renders differently the second time (the
        event's title or time changed, the person switched language). A held-up answer's key
        is the one its first try had, so a try that reached the homeserver is not posted again."""
        if self.conversation is None or self.loop is None or not self.loop.ready.is_set():
            raise NotConnected("the Matrix connection is not up yet")
        if key is not None and key.startswith(REPLY_KEY):
            txn_key = key.removeprefix(REPLY_KEY)
        elif key is not None:
            txn_key = f"outbox:{user_id}:{key}"
        else:
            txn_key = f"notice:{user_id}:{message.model_dump_json()}"
        choices = number_choices([message])[0]
        if user_id.startswith("!") and ":" in user_id:
            return await self.conversation.to_room(user_id, message, choices, txn_key)
        if not user_id.startswith("@") or ":" not in user_id:
            raise DeliveryError(f"not a Matrix user id: {user_id!r}", permanent=True)
        return await self.conversation.to_person(user_id, message, choices, txn_key)

    async def close_poll(self, poll_id: str) -> None:
        """Ends the poll in every room it was sent to (`org.matrix.msc3381.poll.end`); later
        responses are ignored. Called by whoever owns the poll's closing time."""
        if self.conversation is None:
            raise DeliveryError("the Matrix connection is not up yet")
        await self.conversation.close_poll(poll_id)

    @property
    def rate_limited(self) -> int:
        return 0 if self.sender is None else self.sender.rate_limited
