"""Operator commands for the Matrix account (`motsbot matrix …`)."""

from __future__ import annotations

import logging

from adapters.matrix.connector import cross_signing
from adapters.matrix.cross_signing import IdentityError
from adapters.matrix.session import LoginFailed, MatrixConfig, log_in, new_client

log = logging.getLogger(__name__)


async def reset_identity(config: MatrixConfig) -> str:
    """Replaces the account's cross-signing identity with a new one held by the bot, signs
    this device with it and deletes the bot's other devices. Returns what was done; raises
    IdentityError or LoginFailed. Meant to run while motsbot is stopped: it opens the same store."""
    client = new_client(config)
    try:
        await log_in(client, config)
        if client.should_upload_keys:
            await client.keys_upload()
        report = await cross_signing(client, config).reset()
    finally:
        await client.close()  # type: ignore[no-untyped-call]
    deleted = f"; deleted stale devices {', '.join(report.deleted_devices)}" if report.deleted_devices else ""
    return f"new cross-signing identity (master key {report.master_key}) for device {client.device_id}{deleted}"


__all__ = ["IdentityError", "LoginFailed", "reset_identity"]
