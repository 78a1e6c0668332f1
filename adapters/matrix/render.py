"""Outgoing messages as Matrix `m.text` content: a plain `body` and an HTML `formatted_body`.

All organiser and resident text is escaped here, in `_html`, and nowhere else.
"""

from __future__ import annotations

import html
from typing import Any

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


def text_content(message: Outgoing, choices: list[tuple[int, Button]]) -> Content:
    """`choices` are this message's payload buttons with their numbers across the reply set;
    link buttons are shown as links after them."""
    body = "".join(_span_text(span) for span in message.spans)
    formatted = "".join(_span_html(span) for span in message.spans)
    links = [button for button in message.numbered_choices() if button.payload is None and button.url]
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
