"""QR codes for posters: a deep link that opens one event's card in the bot."""

from __future__ import annotations

import re
from pathlib import Path

import segno

PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def deep_link(bot_username: str, code: str) -> str:
    """`https://t.me/<bot>?start=ev_<code>`; Telegram allows 64 characters of A–Z, a–z, 0–9,
    `_` and `-` in the start payload, so other event codes cannot be linked."""
    payload = f"ev_{code}"
    if not PAYLOAD.match(payload):
        raise ValueError(f"event code {code!r} cannot be a Telegram start payload (A-Z a-z 0-9 _ -, ≤ 61)")
    return f"https://t.me/{bot_username.lstrip('@')}?start={payload}"


def write_event_qr(bot_username: str, code: str, out_dir: str | Path) -> tuple[Path, Path]:
    """Writes `<code>.png` and `<code>.svg` into `out_dir`; returns their paths."""
    url = deep_link(bot_username, code)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # Error correction "M" survives a poster's scuffs; the quiet zone of 4 modules is the
    # standard's and scanners need it.
    qr = segno.make_qr(url, error="m")
    png, svg = out / f"{code}.png", out / f"{code}.svg"
    qr.save(str(png), scale=10, border=4)
    qr.save(str(svg), scale=10, border=4, title=url)
    return png, svg
