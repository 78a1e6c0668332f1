"""Outgoing messages as Matrix `m.text` content: a plain `body` and an HTML `formatted_body`.

All organiser and resident text is escaped here, in `_html`, and nowhere else.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from bot import buttons
from bot.messages import Button, Outgoing, Span

Content = dict[str, Any]


def _html(text: str) -> str:
    """The one escaping place: text becomes HTML that shows exactly that text."""
    return html.escape(text, quote=True).replace("\n", "<br>")


def _span_html(span: Span) -> str:
    inner = _html(span.text)
    if span.bold:
        inner = f"<strong>{inner}</strong>"
    if span.url:
        inner = f'<a href="{_html(span.url)}">{inner}</a>'
    return inner


def _span_text(span: Span) -> str:
    if span.url and span.url != span.text:
        return f"{span.text} ({span.url})"
    return span.text


def _button_text(button: Button) -> str:
    return f"{button.label}: {button.url}" if button.url else button.label


def _button_html(button: Button) -> str:
    if button.url:
        return f'<a href="{_html(button.url)}">{_html(button.label)}</a>'
    return _html(button.label)


@dataclass(frozen=True)
class Context:
    """Where a reply goes in its room: whom it mentions (`m.mentions`: a reply in a group names
    the person who asked; a DM mentions nobody, so no client highlights it as a mention) and the
    thread it continues (`m.thread`, falling back to a plain reply for clients without threads)."""

    mentions: tuple[str, ...] = ()
    thread_root: str | None = None
    in_reply_to: str | None = None

    def apply(self, content: Content) -> Content:
        content = {**content, "m.mentions": {"user_ids": list(self.mentions)} if self.mentions else {}}
        if self.thread_root is not None:
            relation: dict[str, Any] = {"rel_type": "m.thread", "event_id": self.thread_root, "is_falling_back": True}
            if self.in_reply_to is not None:
                relation["m.in_reply_to"] = {"event_id": self.in_reply_to}
            content["m.relates_to"] = relation
        return content


def listed_in_text(message: Outgoing, choices: list[tuple[int, Button]]) -> set[int]:
    """Numbers of the choices the text already shows as its own numbered list: an event list
    numbers its events 1, 2, 3 … and each has a button opening it. Listed once, not twice."""
    lines = "".join(span.text for span in message.spans).splitlines()
    listed: set[int] = set()
    for number, button in choices:
        action = buttons.decode(button.payload or "")
        if (
            action is not None
            and action.name == "ev"
            and number <= len(message.events)
            and message.events[number - 1] == action.arg()
            and any(line.startswith(f"{number}. ") for line in lines)
        ):
            listed.add(number)
    return listed


def text_content(message: Outgoing, choices: list[tuple[int, Button]]) -> Content:
    """`choices` are this message's payload buttons with their numbers across the reply set
    (those the text lists already are left out); link buttons are shown as links after them."""
    body = "".join(_span_text(span) for span in message.spans)
    formatted = "".join(_span_html(span) for span in message.spans)
    links = [button for button in message.numbered_choices() if button.payload is None and button.url]
    listed = listed_in_text(message, choices)
    choices = [(number, button) for number, button in choices if number not in listed]
    if choices:
        body += "\n\n" + "\n".join(f"{number}. {_button_text(button)}" for number, button in choices)
        items = "".join(f"<li>{_button_html(button)}</li>" for _number, button in choices)
        formatted += f'<ol start="{choices[0][0]}">{items}</ol>'
    if links:
        body += "\n\n" + "\n".join(_button_text(button) for button in links)
        formatted += "<ul>" + "".join(f"<li>{_button_html(button)}</li>" for button in links) + "</ul>"
    if message.rtl:
        formatted = f'<div dir="rtl">{formatted}</div>'
    return {
        "msgtype": "m.text",
        "body": body.strip("\n"),
        "format": "org.matrix.custom.html",
        "formatted_body": formatted,
    }


def plain_content(text: str) -> Content:
    return {
        "msgtype": "m.text",
        "body": text,
        "format": "org.matrix.custom.html",
        "formatted_body": _html(text),
    }


def has_text(message: Outgoing) -> bool:
    return bool(message.spans) or bool(message.buttons)
