"""Button payloads: short, versioned strings that fit Telegram's 64-byte `callback_data`.

Form: `<version>:<action>[:<arg>...]`. A payload of another version, or one that no longer
parses, is stale: the engine answers it politely instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass

VERSION = "1"
MAX_BYTES = 64


@dataclass(frozen=True)
class Action:
    name: str
    args: tuple[str, ...] = ()

    def arg(self, index: int = 0) -> str:
        return self.args[index] if len(self.args) > index else ""


def encode(name: str, *args: str | int) -> str:
    payload = ":".join((VERSION, name, *(str(arg) for arg in args)))
    if len(payload.encode()) > MAX_BYTES:
        raise ValueError(f"button payload over {MAX_BYTES} bytes: {payload!r}")
    return payload


def decode(payload: str) -> Action | None:
    """The action of a payload, or None when it is stale or not ours."""
    if len(payload.encode(errors="replace")) > MAX_BYTES:
        return None
    parts = payload.split(":")
    if len(parts) < 2 or parts[0] != VERSION or not parts[1]:
        return None
    return Action(parts[1], tuple(parts[2:]))
