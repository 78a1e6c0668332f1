"""`motsbot chat`: a terminal chat; buttons are shown as numbered choices."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from adapters.base import Hub
from bot.messages import Incoming, Outgoing, number_choices

CHANNEL = "console"


def render(messages: list[Outgoing], attachments: Path) -> str:
    lines: list[str] = []
    for message, numbered in zip(messages, number_choices(messages), strict=True):
        lines.append(message.text)
        for number, button in numbered:
            lines.append(f"  [{number}] {button.label}")
        if message.attachment is not None and message.attachment_name:
            path = attachments / Path(message.attachment_name).name
            path.write_bytes(message.attachment)
            lines.append(f"  (file: {path})")
        lines.append("")
    return "\n".join(lines)


async def chat(hub: Hub, user: str, lang: str | None, out: TextIO = sys.stdout) -> None:
    attachments = Path(tempfile.mkdtemp(prefix="motsbot-"))
    out.write("motsbot – type a question or /help; a number picks a choice; Ctrl-D quits.\n\n")
    replies = await hub.receive(Incoming(channel=CHANNEL, user_id=user, text="/start", lang_hint=lang))
    out.write(render(replies, attachments))
    while True:
        out.write("> ")
        out.flush()
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            out.write("\n")
            return
        replies = await hub.receive(Incoming(channel=CHANNEL, user_id=user, text=line.rstrip("\n"), lang_hint=lang))
        out.write(render(replies, attachments))
