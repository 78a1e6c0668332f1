"""The Matrix connector: logs in (or restores the device), runs the sync loop, sends notices."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from nio.client.async_client import AsyncClient

from adapters.base import REPLY_KEY, Connector, DeliveryError, Hub, IntakeHealth, NotConnected
from adapters.matrix.conversation import Conversation
from adapters.matrix.cross_signing import CrossSigning, IdentityError, IdentityNotHeld, KeysFileError, Report
from adapters.matrix.late_keys import LateKeys
from adapters.matrix.sending import Sender
from adapters.matrix.session import DEVICE_NAME, MatrixConfig, Session, log_in, new_client
from adapters.matrix.state import MatrixState
from adapters.matrix.sync import SyncLoop
from adapters.supervise import Supervisor
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
    health: IntakeHealth

    def __init__(self, config: MatrixConfig, store: Store, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.client: AsyncClient | None = None
        self.session: Session | None = None
        self.sender: Sender | None = None
        self.conversation: Conversation | None = None
        self.loop: SyncLoop | None = None
        self.health = IntakeHealth()
        self.supervisor: Supervisor | None = None
        self.late_keys: LateKeys | None = None
        self.identity: Report | None = None
        """What the cross-signing check repaired; None until it could be done."""
        self._identity_retry: asyncio.Task[None] | None = None

    async def start(self, hub: Hub) -> None:
        """Logs in (the only step that needs the homeserver before returning) and starts
        syncing in the background; `ready` is set after the first batch was handled."""
        quiet_nio()
        client = self.client = new_client(self.config)
        self.session = await log_in(client, self.config)
        if client.should_upload_keys:
            await client.keys_upload()  # the device's keys must be on the server to be signed
        self.identity, again = await check_identity(client, self.config)
        if again:
            self._identity_retry = asyncio.create_task(self._retry_identity(client), name="matrix-identity")
        state = MatrixState(self.store, self.session.user_id)
        await state.prune_handled(self.clock())
        await self.store.dead_letters.prune(self.clock())
        self.sender = Sender(client)
        self.late_keys = LateKeys(client, wait=self.config.key_wait, keep=self.config.key_keep)
        self.conversation = Conversation(client, self.sender, state, self.store, self.clock, self.late_keys)
        self.conversation.hub = hub
        self.loop = SyncLoop(
            client,
            state,
            self.conversation,
            self.clock,
            timeout_ms=self.config.sync_timeout_ms,
            max_wait=self.config.max_reconnect_wait,
            health=self.health,
            dead_letters=self.store.dead_letters,
        )
        # Whatever ends the sync loop, it is started again (from the saved position).
        self.supervisor = Supervisor("matrix", self.loop.run, self.health, hub.channel_lost)
        self.supervisor.start()

    @property
    def ready(self) -> asyncio.Event:
        assert self.loop is not None, "start() first"
        return self.loop.ready

    async def stop(self, grace: float = 5.0) -> None:
        """Lets a batch being handled finish (up to `grace` seconds), then stops; whatever is
        still mid-way after that is handled again on the next start, as after a crash."""
        if self.loop is not None and self.supervisor is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.loop.idle.wait(), grace)
        if self._identity_retry is not None:
            self._identity_retry.cancel()
            with contextlib.suppress(BaseException):
                await self._identity_retry
            self._identity_retry = None
        if self.supervisor is not None:
            await self.supervisor.stop()
            self.supervisor = None
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

    async def _retry_identity(self, client: AsyncClient) -> None:
        """A check that failed on the way (the homeserver down or answering 5xx) is tried again
        while the bot runs, so the device does not stay unsigned until the next start."""
        wait = self.config.identity_retry
        while True:
            await asyncio.sleep(wait)
            self.identity, again = await check_identity(client, self.config)
            if not again:
                return
            wait = min(wait * 2, 900.0)

    def counts(self) -> dict[str, dict[str, int]]:
        return {"room_keys_withheld": dict(self.late_keys.withheld) if self.late_keys else {}}


def cross_signing(client: AsyncClient, config: MatrixConfig) -> CrossSigning:
    return CrossSigning(client, config.store_path, config.pickle_key, config.password, DEVICE_NAME)


async def check_identity(client: AsyncClient, config: MatrixConfig) -> tuple[Report | None, bool]:
    """Checks and repairs the cross-signing chain: (what was repaired, or None when it could
    not be done; whether to try again). A failure is logged and the bot runs on, as readable as
    before to residents whose clients do not exclude unsigned devices."""
    try:
        report = await cross_signing(client, config).ensure()
    except KeysFileError as error:
        log.error("%s: the bot's device stays unsigned until that is fixed and motsbot started again", error)
        return None, False
    except IdentityNotHeld as error:
        log.error(
            "%s. Residents whose Element excludes unsigned devices cannot read the bot. If those keys "
            "are lost, stop motsbot and run `motsbot matrix reset-identity` (see adapters/matrix/README.md).",
            error,
        )
        return None, False
    except IdentityError as error:
        log.error("the bot's cross-signing could not be checked or repaired: %s; trying again", error)
        return None, True
    if report.repairs:
        log.info("Matrix cross-signing repaired: %s", ", ".join(report.repairs))
    else:
        log.info("Matrix cross-signing in place (master key %s)", report.master_key)
    return report, False
