"""The bot's Matrix login: a password login once, then the same device and token on every start.

A new device on every start would lose the Olm/Megolm keys and make residents' clients distrust
the bot, so the access token and device id are kept in `session.json` in the store path, which
also holds nio's encrypted key store.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from nio import LoginResponse, WhoamiResponse
from nio.client.async_client import AsyncClient, AsyncClientConfig

from adapters.matrix.sending import Client

log = logging.getLogger(__name__)

SESSION_FILE = "session.json"
DEVICE_NAME = "motsbot"


class LoginFailed(Exception):
    pass


@dataclass(frozen=True)
class MatrixConfig:
    homeserver: str
    user: str
    password: str
    store_path: Path
    pickle_key: str
    sync_timeout_ms: int = 30_000
    max_reconnect_wait: float = 30.0
    """Longest pause between attempts while the homeserver cannot be reached."""
    max_rate_limited: int = 50
    """429 answers one request may meet before it is given up (each waited out by retry_after_ms)."""
    key_wait: float = 60.0
    """Seconds an undecryptable message waits for its room key before the resident is told."""
    key_keep: float = 3600.0
    """Seconds such a message is still answered if its key comes after all."""
    identity_retry: float = 30.0
    """First pause before a cross-signing check that failed on the way is tried again (doubling)."""


@dataclass(frozen=True)
class Session:
    homeserver: str
    user_id: str
    device_id: str
    access_token: str


def read_session(store_path: Path) -> Session | None:
    try:
        data = json.loads((store_path / SESSION_FILE).read_text())
        return Session(data["homeserver"], data["user_id"], data["device_id"], data["access_token"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        log.warning("ignoring an unreadable %s in %s", SESSION_FILE, store_path)
        return None


def write_session(store_path: Path, session: Session) -> None:
    """Written to a temporary file first, so a crash never leaves half a token behind."""
    path = store_path / SESSION_FILE
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(session.__dict__, file)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def new_client(config: MatrixConfig) -> AsyncClient:
    config.store_path.mkdir(parents=True, exist_ok=True)
    os.chmod(config.store_path, 0o700)
    client_config = AsyncClientConfig(
        encryption_enabled=True,
        pickle_key=config.pickle_key,
        store_sync_tokens=False,  # ours is saved only after handling, in the bot's database
        max_limit_exceeded=config.max_rate_limited,
        max_timeout_retry_wait_time=config.max_reconnect_wait,
        backoff_factor=0.25,
        request_timeout=60,
    )
    return Client(config.homeserver, config.user, store_path=str(config.store_path), config=client_config)


async def log_in(client: AsyncClient, config: MatrixConfig) -> Session:
    """Restores the saved session when it is still valid; otherwise logs in with the password,
    reusing the saved device id so that the device (and its keys) stays the same."""
    saved = read_session(config.store_path)
    if saved is not None and saved.homeserver == config.homeserver and _same_user(saved.user_id, config.user):
        client.restore_login(saved.user_id, saved.device_id, saved.access_token)
        whoami = await client.whoami()
        if isinstance(whoami, WhoamiResponse):
            log.info("restored the Matrix session on device %s", saved.device_id)
            return saved
        log.warning("saved Matrix token no longer valid (%s); logging in again on the same device", whoami)
        client.access_token = ""
    if saved is not None:
        client.device_id = saved.device_id
    response = await client.login(config.password, device_name=DEVICE_NAME)
    if not isinstance(response, LoginResponse):
        raise LoginFailed(f"Matrix login of {config.user} failed: {response}")
    session = Session(config.homeserver, response.user_id, response.device_id, response.access_token)
    write_session(config.store_path, session)
    log.info("logged in to Matrix on device %s", session.device_id)
    return session


def _same_user(saved_user_id: str, configured: str) -> bool:
    """`configured` may be a full user id or just the localpart."""
    if configured.startswith("@"):
        return saved_user_id == configured
    return saved_user_id[1:].split(":", 1)[0] == configured
