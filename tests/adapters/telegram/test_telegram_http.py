"""PTB's requests on aiohttp (`adapters/telegram/http.py`): what the Bot API not answering
becomes. Answers, errors with a body, forms and files are covered through the Bot API fake."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter
from tg_fake_api import TOKEN, FakeBotApi

from adapters.telegram.http import AiohttpRequest


@pytest.fixture
async def request_() -> AsyncIterator[AiohttpRequest]:
    made = AiohttpRequest(2, read_timeout=0.3, connect_timeout=0.3, pool_timeout=0.3)
    await made.initialize()
    yield made
    await made.shutdown()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_nothing_listening_is_a_network_error(request_: AiohttpRequest) -> None:
    with pytest.raises(NetworkError):
        await request_.post(f"http://127.0.0.1:{_free_port()}/botTOKEN/getMe")


async def test_a_server_that_never_answers_is_a_timeout(request_: AiohttpRequest) -> None:
    held: list[asyncio.StreamWriter] = []

    async def accept_and_say_nothing(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept_and_say_nothing, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        data = RequestData([RequestParameter.from_input("chat_id", 1), RequestParameter.from_input("text", "hej")])
        with pytest.raises(TimedOut):
            await request_.post(f"http://127.0.0.1:{port}/botTOKEN/sendMessage", data)
        assert held, "the request reached the server"
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_request_after_shutdown_is_refused_not_sent() -> None:
    made = AiohttpRequest(1)
    await made.initialize()
    await made.shutdown()
    with pytest.raises(NetworkError, match="not initialized"):
        await made.post(f"http://127.0.0.1:{_free_port()}/botTOKEN/getMe")


async def test_a_form_carries_any_text_unchanged(fake: FakeBotApi) -> None:
    """Form-encoded by us, not aiohttp: characters that mean something in a form, and odd Unicode,
    arrive as they were sent."""
    text = "a&b=c+d%20e?f#g ü 😀 \u202eevil\u202c مرحبا"
    async with Bot(TOKEN, base_url=fake.base_url, request=AiohttpRequest(2)) as bot:
        await bot.send_message(
            170, text, reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="1:x&y")]])
        )
    [sent] = fake.chat(170)
    assert sent.text == text
    assert sent.buttons[0]["callback_data"] == "1:x&y"
