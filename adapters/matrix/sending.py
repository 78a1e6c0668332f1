"""Putting events into rooms: stable transaction ids, 429s waited out, files, new DM rooms.

Synapse remembers `PUT /rooms/{room}/send/{type}/{txnId}` per access token and answers a repeat
with the first event's id, so a message whose transaction id is derived from what caused it
(the resident's event id and the reply's position) is sent at most once, even when the bot
crashed after sending and handles the same event again on its next start.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
from typing import Any

from aiohttp import ClientResponse
from nio import (
    ErrorResponse,
    KeysClaimResponse,
    LocalProtocolError,
    RoomCreateResponse,
    RoomSendResponse,
    SendRetryError,
    ShareGroupSessionError,
    ShareGroupSessionResponse,
    UploadResponse,
)
from nio.api import RoomPreset
from nio.client.async_client import AsyncClient
from nio.exceptions import EncryptionError, GroupEncryptionError

from adapters.base import DeliveryError

log = logging.getLogger(__name__)

ENCRYPTION_STATE: dict[str, Any] = {
    "type": "m.room.encryption",
    "state_key": "",
    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
}
PERMANENT_ERRORS = frozenset({"M_FORBIDDEN", "M_NOT_FOUND", "M_UNKNOWN_TOKEN", "M_USER_DEACTIVATED"})


class KeyShareFailed(Exception):
    """A room key did not reach every device it was meant for: sending now would post a message
    some of the room's devices can never decrypt."""


class Client(AsyncClient):
    """nio's client with one repair: a room key share that did not reach every device is not
    taken as done.

    nio 0.26 sends a new Megolm session to the room's devices in to-device requests and reads
    any answer to them as success, a 502 from a proxy while the homeserver restarts included;
    the session is marked shared, and every later message in the room is encrypted with a key
    those devices never got, until the session is rotated (a week, or a restart). Here such an
    answer is an error, and a share that missed devices leaves the session unshared and raises
    before anything is encrypted with it: the next send shares the same session (still at its
    first message) with the devices that missed it.
    """

    async def create_matrix_response(
        self,
        response_class: type,
        transport_response: ClientResponse,
        data: tuple[Any, ...] | None = None,
        save_to: os.PathLike[str] | None = None,
    ) -> Any:
        if response_class is ShareGroupSessionResponse and not 200 <= transport_response.status < 300:
            room_id, devices = data or ("", set())
            return ShareGroupSessionError(
                message=f"HTTP {transport_response.status}",
                status_code=str(transport_response.status),
                room_id=room_id,
                users_shared_with=devices,
            )
        return await super().create_matrix_response(response_class, transport_response, data, save_to)

    async def share_group_session(
        self, room_id: str, ignore_unverified_devices: bool = False
    ) -> ShareGroupSessionResponse:
        missing = self.get_missing_sessions(room_id)
        if missing:
            # nio skips devices whose one-time key it could not claim; a failed claim is
            # retried with the send, not taken as "the device has no keys".
            claimed = await self.keys_claim(missing)
            if not isinstance(claimed, KeysClaimResponse):
                raise KeyShareFailed(f"one-time keys for {room_id} not claimed: {claimed}")
        response = await super().share_group_session(room_id, ignore_unverified_devices)
        unshared = self.unshared_devices(room_id)
        if unshared:
            assert self.olm is not None
            self.olm.outbound_group_sessions[room_id].shared = False
            raise KeyShareFailed(f"the room key of {room_id} did not reach {len(unshared)} device(s)")
        return response  # type: ignore[no-any-return]

    def unshared_devices(self, room_id: str) -> set[tuple[str, str]]:
        """The room's devices that should hold its current outbound session and do not: not ours,
        not blacklisted, with an Olm session to carry the key (nio skips devices without one,
        which have published no key to start one)."""
        olm = self.olm
        room = self.rooms.get(room_id)
        session = olm.outbound_group_sessions.get(room_id) if olm is not None else None
        if olm is None or room is None or session is None:
            return set()
        unshared: set[tuple[str, str]] = set()
        for user_id in room.users:
            for device in self.device_store.active_user_devices(user_id):
                pair = (user_id, device.id)
                if (
                    device.id == self.device_id
                    or pair in session.users_shared_with
                    or pair in session.users_ignored
                    or olm.is_device_blacklisted(device)
                    or olm.session_store.get(device.curve25519) is None
                ):
                    continue
                unshared.add(pair)
        return unshared


def transaction_id(*parts: str) -> str:
    return "motsbot-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


class Sender:
    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self.rate_limited = 0
        """How many 429 answers nio waited out (by their retry_after_ms); for logs and tests."""
        # nio annotates the callback as a coroutine object, but calls it as a function.
        client.add_response_callback(self._on_error, ErrorResponse)  # type: ignore[arg-type]

    async def _on_error(self, response: ErrorResponse) -> None:
        if response.status_code == "M_LIMIT_EXCEEDED":
            self.rate_limited += 1
            log.warning("Matrix rate limit hit; waiting %s ms", getattr(response, "retry_after_ms", None))

    async def send(self, room_id: str, event_type: str, content: dict[str, Any], txn_id: str) -> str:
        """Sends one event; returns its id. Raises DeliveryError (permanent when retrying cannot
        help). Encrypts in encrypted rooms; devices nobody verified still get the keys, since
        nio has no cross-signing and residents cannot verify a bot."""
        try:
            response = await self.client.room_send(
                room_id, event_type, content, tx_id=txn_id, ignore_unverified_devices=True
            )
        except (LocalProtocolError, SendRetryError, KeyShareFailed, EncryptionError, GroupEncryptionError) as error:
            # KeyShareFailed: nothing was sent; the next try shares the room key again first.
            raise DeliveryError(f"cannot send to {room_id}: {error}") from error
        if isinstance(response, RoomSendResponse):
            return str(response.event_id)
        status = getattr(response, "status_code", None)
        raise DeliveryError(f"sending to {room_id} failed: {response}", permanent=status in PERMANENT_ERRORS)

    async def upload(self, name: str, data: bytes, encrypted: bool) -> dict[str, Any]:
        """The `url` (plain rooms) or `file` (encrypted rooms) part of an `m.file` event."""
        response, keys = await self.client.upload(
            io.BytesIO(data),
            content_type=_content_type(name),
            filename=name,
            encrypt=encrypted,
            filesize=len(data),
        )
        if not isinstance(response, UploadResponse):
            raise DeliveryError(f"upload of {name} failed: {response}")
        if encrypted:
            assert keys is not None
            return {"file": {**keys, "url": response.content_uri}}
        return {"url": response.content_uri}

    async def create_direct_room(self, user_id: str) -> str:
        """An encrypted DM with the person, as Element would create it."""
        response = await self.client.room_create(
            is_direct=True,
            invite=[user_id],
            preset=RoomPreset.trusted_private_chat,
            initial_state=[ENCRYPTION_STATE],
        )
        if not isinstance(response, RoomCreateResponse):
            raise DeliveryError(f"cannot open a direct room with a Matrix user: {response}")
        return str(response.room_id)


def _content_type(name: str) -> str:
    if name.endswith(".ics"):
        return "text/calendar"
    if name.endswith(".json"):
        return "application/json"
    if name.endswith(".png"):
        return "image/png"
    return "application/octet-stream"
