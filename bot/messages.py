"""The neutral message model: the only language that adapters and the engine speak.

Outgoing text is a list of spans rather than a markup string, so that each adapter escapes
organiser and resident text in exactly one place while rendering (Telegram HTML, Matrix
`formatted_body`, plain console text).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Channel(StrEnum):
    CONSOLE = "console"
    TELEGRAM = "telegram"
    MATRIX = "matrix"
    WEB = "web"


class Incoming(BaseModel):
    """One thing a person did: typed text, pressed a button or answered a poll."""

    model_config = ConfigDict(frozen=True)

    channel: str
    user_id: str
    text: str | None = None
    payload: str | None = None
    """Opaque data of a pressed button (see `bot.buttons`)."""
    lang_hint: str | None = None
    """The client's language (Telegram `language_code`, Matrix none), used only as a default."""
    poll_id: str | None = None
    """Set when this is an answer to a poll the bot sent (`Poll.poll_id`)."""
    poll_options: tuple[int, ...] = ()
    """Chosen option indexes of a poll answer; empty means the vote was retracted."""
    in_group: bool = False
    """From a group room: the adapter passes on only what was addressed to the bot."""
    can_write_first: bool = True
    """Whether the channel can open a private chat with this person by itself (Matrix: a DM).
    False for a Telegram group: a bot can write only to people who have started it."""
    platform_event_id: str | None = None


class Recipient(BaseModel):
    model_config = ConfigDict(frozen=True)

    channel: str
    user_id: str


class Span(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    bold: bool = False
    url: str | None = None


class Button(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    payload: str | None = None
    url: str | None = None
    start: str | None = None
    """Opens the person's private chat with the bot and starts it with this argument (a
    Telegram deep link, `/start <start>`); "" starts it plainly."""


class Poll(BaseModel):
    model_config = ConfigDict(frozen=True)

    poll_id: str
    question: str
    options: list[str]
    closes_at: datetime | None = None


class Outgoing(BaseModel):
    """One message to show. Adapters turn it into platform calls; they decide nothing."""

    recipient: Recipient | None = None
    """Someone other than the sender (e.g. a person promoted from the waiting list)."""
    spans: list[Span] = Field(default_factory=list)
    buttons: list[list[Button]] = Field(default_factory=list)
    events: list[str] = Field(default_factory=list)
    """Source codes of the events this message presents, in the order shown."""
    faq: list[str] = Field(default_factory=list)
    poll: Poll | None = None
    fallback: bool = False
    lang: str = "en"
    rtl: bool = False
    personal: bool = False
    """Holds personal data (signups, /mydata): never to be shown in a group chat."""
    replace_previous: bool = False
    """Replaces the message whose button was pressed (list paging), where the channel can edit."""
    attachment_name: str | None = None
    attachment: bytes | None = None
    """A file to send along, e.g. an event's `.ics` calendar entry."""

    @property
    def text(self) -> str:
        return "".join(span.text for span in self.spans)

    def numbered_choices(self) -> list[Button]:
        """Buttons in reading order, for channels that show them as numbered choices."""
        return [button for row in self.buttons for button in row]


def number_choices(messages: list[Outgoing]) -> list[list[tuple[int, Button]]]:
    """Numbers the payload buttons of a reply set 1, 2, 3 … across all its messages.

    The engine keeps the same numbering in the dialogue state, so a person on a channel
    without buttons can answer with the number (or the button's words).
    """
    numbered: list[list[tuple[int, Button]]] = []
    number = 0
    for message in messages:
        current: list[tuple[int, Button]] = []
        for button in message.numbered_choices():
            if button.payload is not None:
                number += 1
                current.append((number, button))
        numbered.append(current)
    return numbered


class TextBuilder:
    """Collects spans line by line; the engine's only way to compose a message."""

    def __init__(self) -> None:
        self.spans: list[Span] = []

    def add(self, text: str, *, bold: bool = False, url: str | None = None) -> TextBuilder:
        if text:
            self.spans.append(Span(text=text, bold=bold, url=url))
        return self

    def line(self, text: str = "", *, bold: bool = False) -> TextBuilder:
        self.add(text, bold=bold)
        self.spans.append(Span(text="\n"))
        return self

    def build(self) -> list[Span]:
        spans = list(self.spans)
        while spans and spans[-1].text == "\n":
            spans.pop()
        return spans
