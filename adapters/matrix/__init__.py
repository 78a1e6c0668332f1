"""The Matrix channel: matrix-nio 0.26 with end-to-end encryption (vodozemac)."""

from __future__ import annotations

from pathlib import Path

from adapters.base import Connector
from adapters.matrix.connector import MatrixConnector
from adapters.matrix.session import MatrixConfig
from bot.store import Store
from motsbot.settings import Settings


def from_settings(settings: Settings, store: Store) -> Connector | None:
    """The connector when homeserver, user and password are configured, else None."""
    config = config_from_settings(settings)
    return None if config is None else MatrixConnector(config, store)


def config_from_settings(settings: Settings) -> MatrixConfig | None:
    """None when Matrix is not configured. A pickle key is required with homeserver, user and
    password: without it nio would encrypt the key store with a well-known default, which is
    no protection at all (and the cross-signing keys are encrypted with it too)."""
    if not (settings.matrix_homeserver and settings.matrix_user and settings.matrix_password):
        return None
    if settings.matrix_pickle_key is None or not settings.matrix_pickle_key.get_secret_value():
        raise ValueError("MATRIX_PICKLE_KEY must be set to protect the bot's encryption keys")
    return MatrixConfig(
        homeserver=settings.matrix_homeserver.rstrip("/"),
        user=settings.matrix_user,
        password=settings.matrix_password.get_secret_value(),
        store_path=Path(settings.matrix_store_path),
        pickle_key=settings.matrix_pickle_key.get_secret_value(),
    )


__all__ = ["MatrixConfig", "MatrixConnector", "config_from_settings", "from_settings"]
