"""`from_settings`: Matrix starts only when configured, and never with nio's default pickle key."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from adapters.matrix import MatrixConnector, from_settings
from bot.store import Store
from motsbot.settings import Settings


async def test_from_settings(store: Store, tmp_path: Path) -> None:
    assert from_settings(Settings(_env_file=None), store) is None  # type: ignore[call-arg]
    configured = {
        "matrix_homeserver": "https://matrix.example.org/",
        "matrix_user": "@motsbot:example.org",
        "matrix_password": SecretStr("pw"),
        "matrix_store_path": str(tmp_path / "store"),
    }
    with pytest.raises(ValueError, match="MATRIX_PICKLE_KEY"):
        from_settings(Settings(_env_file=None, **configured), store)  # type: ignore[call-arg]
    connector = from_settings(
        Settings(_env_file=None, matrix_pickle_key=SecretStr("k"), **configured),  # type: ignore[call-arg]
        store,
    )
    assert isinstance(connector, MatrixConnector)
    assert connector.config.homeserver == "https://matrix.example.org"
    assert connector.config.pickle_key == "k"
