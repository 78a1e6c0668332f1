"""The admin's "try the bot" box: a chat channel whose client is a web page.

Thin like every adapter: text and button presses in, the engine's neutral messages out, rendered
to HTML with every span escaped here, in one place.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from adapters.base import Connector, Hub
from bot.messages import Channel, Incoming, Outgoing

TRANSCRIPT_LENGTH = 60


@dataclass(frozen=True)
class WebButton:
    label: str
    payload: str | None
    url: str | None


@dataclass(frozen=True)
class WebMessage:
    mine: bool
    """Typed or pressed by the person at the page (else: from the bot)."""
    html: Markup
    lang: str = "en"
    rtl: bool = False
    buttons: list[list[WebButton]] = field(default_factory=list)
    poll_question: str | None = None
    poll_options: list[str] = field(default_factory=list)
    attachment_name: str | None = None
    events: list[str] = field(default_factory=list)


def _safe_url(url: str | None) -> str | None:
    return url if url and url.startswith(("https://", "http://")) else None


def render(message: Outgoing) -> WebMessage:
    parts: list[Markup] = []
    for span in message.spans:
        text = escape(span.text)
        if span.bold:
            text = Markup("<strong>{}</strong>").format(text)
        url = _safe_url(span.url)
        if url:
            text = Markup('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>').format(url, text)
        parts.append(text)
    html = Markup("").join(parts).replace("\n", Markup("<br>"))
    buttons = [[WebButton(b.label, b.payload, _safe_url(b.url)) for b in row] for row in message.buttons]
    return WebMessage(
        mine=False,
        html=Markup(html),
        lang=message.lang,
        rtl=message.rtl,
        buttons=buttons,
        poll_question=message.poll.question if message.poll else None,
        poll_options=list(message.poll.options) if message.poll else [],
        attachment_name=message.attachment_name,
        events=list(message.events),
    )


class WebConnector(Connector):
    """Conversations held in memory per user id; the engine keeps their dialogue state as usual."""

    channel = Channel.WEB.value

    def __init__(self) -> None:
        self.hub: Hub | None = None
        self._transcripts: dict[str, deque[WebMessage]] = {}

    async def start(self, hub: Hub) -> None:
        self.hub = hub

    async def stop(self) -> None:
        self._transcripts.clear()

    async def send(self, user_id: str, message: Outgoing, *, key: str | None = None) -> str | None:
        self._log(user_id).append(render(message))
        return None

    def _log(self, user_id: str) -> deque[WebMessage]:
        return self._transcripts.setdefault(user_id, deque(maxlen=TRANSCRIPT_LENGTH))

    async def say(
        self,
        user_id: str,
        *,
        text: str | None = None,
        payload: str | None = None,
        label: str | None = None,
        lang: str | None = None,
    ) -> list[WebMessage]:
        """One turn: what the person typed or pressed, then the bot's replies."""
        if self.hub is None:
            raise RuntimeError("the web channel is not started")
        shown = text if text is not None else (label or "▸")
        self._log(user_id).append(WebMessage(mine=True, html=Markup(escape(shown))))
        replies = await self.hub.receive(
            Incoming(channel=self.channel, user_id=user_id, text=text, payload=payload, lang_hint=lang)
        )
        rendered = [render(reply) for reply in replies]
        self._log(user_id).extend(rendered)
        return rendered

    def transcript(self, user_id: str) -> list[WebMessage]:
        return list(self._transcripts.get(user_id, ()))

    def clear(self, user_id: str) -> None:
        self._transcripts.pop(user_id, None)


__all__ = ["WebButton", "WebConnector", "WebMessage", "render"]
