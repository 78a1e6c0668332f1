"""The engine's neutral output as Telegram HTML and inline keyboards.

This is the one place where text reaches Telegram markup: every span, whoever wrote it
(organisers, residents, translators), is escaped here and nowhere else.
"""

from __future__ import annotations

import html
import logging
import re
from urllib.parse import urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.messages import Button, Span

log = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64
MAX_ROW = 8
MAX_BUTTONS = 100
LINK_SCHEMES = {"http", "https", "tg"}
START_ARGUMENT = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What Telegram takes as a deep link's `start` argument; another is left out (a plain start)."""


def _clean(text: str) -> str:
    # A lone surrogate cannot be encoded as UTF-8 and would make the whole request fail;
    # NUL is rejected by Telegram. Both can only come from broken input, so replace them.
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


def escape(text: str) -> str:
    """Text for Telegram HTML: only `<`, `>` and `&` are special there."""
    return html.escape(_clean(text), quote=False)


def safe_url(url: str | None) -> str | None:
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not (parts.netloc or parts.scheme.lower() == "tg"):
        return None
    return url.strip()


def render_spans(spans: list[Span]) -> str:
    parts: list[str] = []
    for span in spans:
        piece = escape(span.text)
        url = safe_url(span.url)
        if url is not None:
            piece = f'<a href="{html.escape(_clean(url), quote=True)}">{piece}</a>'
        if span.bold:
            piece = f"<b>{piece}</b>"
        parts.append(piece)
    return "".join(parts)


def utf16_len(text: str) -> int:
    """Telegram measures text in UTF-16 code units: an emoji counts twice."""
    return len(text.encode("utf-16-le")) // 2


def _cut_point(text: str, start: int, limit: int) -> int:
    """The end of the longest piece from `start` within `limit`, preferring a paragraph, line
    or word boundary."""
    units = 0
    end = start
    while end < len(text):
        units += 2 if ord(text[end]) > 0xFFFF else 1
        if units > limit:
            break
        end += 1
    if end >= len(text):
        return len(text)
    window = text[start:end]
    for separator in ("\n\n", "\n", " "):
        at = window.rfind(separator)
        if at > len(window) // 4:
            return start + at + len(separator)
    return end


def split_spans(spans: list[Span], limit: int = MAX_TEXT) -> list[list[Span]]:
    """Splits spans into pieces whose visible text fits `limit`; a span that crosses a cut is
    cut too, so that no piece ever holds half a tag."""
    text = "".join(span.text for span in spans)
    if utf16_len(text) <= limit:
        return [spans] if text.strip() else []
    cuts: list[int] = []
    start = 0
    while start < len(text):
        start = _cut_point(text, start, limit)
        cuts.append(start)
    pieces: list[list[Span]] = []
    piece: list[Span] = []
    position = 0
    bounds = iter(cuts)
    bound = next(bounds)
    for span in spans:
        offset = 0
        while offset < len(span.text):
            take = min(len(span.text) - offset, bound - position)
            if take > 0:
                piece.append(span.model_copy(update={"text": span.text[offset : offset + take]}))
                offset += take
                position += take
            if position == bound:
                pieces.append(piece)
                piece = []
                bound = next(bounds, len(text))
    if piece:
        pieces.append(piece)
    return [p for p in pieces if "".join(s.text for s in p).strip()]


def render_text(spans: list[Span], limit: int = MAX_TEXT) -> list[str]:
    """The message's HTML, one string for each Telegram message it needs."""
    return [render_spans(piece) for piece in split_spans(spans, limit)]


def _button(button: Button, bot_username: str) -> InlineKeyboardButton | None:
    label = _clean(button.label) or "…"
    if button.start is not None:
        # Telegram's deep link: opens the private chat; "Start" sends `/start <argument>`.
        argument = f"?start={button.start}" if START_ARGUMENT.fullmatch(button.start) else ""
        return InlineKeyboardButton(label, url=f"https://t.me/{bot_username}{argument}")
    url = safe_url(button.url)
    if url is not None:
        return InlineKeyboardButton(label, url=url)
    if button.payload is None:
        log.error("button %r has neither payload nor usable url; left out", button.label)
        return None
    if not 1 <= len(button.payload.encode()) <= MAX_CALLBACK_BYTES:
        # The engine promises short payloads; a longer one is our bug, and Telegram would
        # reject the whole message for it, so the message goes out without that button.
        log.error("button payload over %d bytes left out: %r", MAX_CALLBACK_BYTES, button.payload)
        return None
    return InlineKeyboardButton(label, callback_data=button.payload)


def keyboard(rows: list[list[Button]], bot_username: str = "") -> InlineKeyboardMarkup | None:
    """Rows of buttons as an inline keyboard, rows over eight buttons wrapped, at most 100."""
    result: list[list[InlineKeyboardButton]] = []
    count = 0
    for row in rows:
        rendered = [b for b in (_button(button, bot_username) for button in row) if b is not None]
        for start in range(0, len(rendered), MAX_ROW):
            chunk = rendered[start : start + MAX_ROW][: MAX_BUTTONS - count]
            if chunk:
                result.append(chunk)
                count += len(chunk)
    if count >= MAX_BUTTONS:
        log.warning("keyboard cut to %d buttons", MAX_BUTTONS)
    return InlineKeyboardMarkup(result) if result else None
