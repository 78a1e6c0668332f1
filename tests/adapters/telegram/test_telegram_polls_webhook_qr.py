"""Native polls and their answers, webhook mode behind motsbot's web server, poster QR codes."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import httpx
import zxingcpp
from PIL import Image
from tg_fake_api import BOT_USERNAME, TOKEN, FakeBotApi
from tg_support import NOW, BotFactory

from adapters.base import Hub
from adapters.telegram import from_settings, routers
from adapters.telegram.connector import TelegramConnector, WebhookConfig
from adapters.telegram.qr import deep_link, write_event_qr
from bot.messages import Incoming, Outgoing, Poll, Span
from bot.store import Store
from motsbot.settings import Settings
from motsbot.web import WebServer, create_app

SCALE = ["1 ★", "2 ★★", "3 ★★★", "4 ★★★★", "5 ★★★★★", "I didn't attend"]


async def answers_only(incoming: Incoming, now: datetime) -> list[Outgoing]:
    if incoming.poll_id is not None:
        return []
    return [Outgoing(spans=[Span(text="ok")])]


async def test_a_poll_is_sent_answered_changed_and_retracted(
    fake: FakeBotApi, make_bot: BotFactory, store: Store
) -> None:
    bot = await make_bot(answers_only)
    poll = Poll(
        poll_id="eval:MM001", question="How was “Jazz i parken”?", options=SCALE, closes_at=NOW + timedelta(days=2)
    )
    message_id = await bot.connector.send("201", Outgoing(poll=poll))
    [sent] = fake.chat(201)
    assert sent.kind == "poll" and str(sent.message_id) == message_id
    [call] = fake.calls_to("sendPoll")
    assert call.params["is_anonymous"] is False, "only named polls send poll_answer updates"
    assert [option["text"] for option in call.params["options"]] == SCALE
    assert call.params["close_date"] == int((NOW + timedelta(days=2)).timestamp())
    assert sent.poll is not None
    telegram_poll_id = sent.poll["id"]

    fake.vote(201, telegram_poll_id, [3])
    fake.vote(201, telegram_poll_id, [4])
    fake.vote(201, telegram_poll_id, [])
    await fake.wait_for(lambda: len(bot.received) == 3)
    assert [(i.poll_id, i.poll_options, i.user_id) for i in bot.received] == [
        ("eval:MM001", (3,), "201"),
        ("eval:MM001", (4,), "201"),
        ("eval:MM001", (), "201"),
    ]

    # The mapping survives a restart: a new connector on the same store understands the vote.
    await bot.connector.stop()
    received: list[Incoming] = []

    async def recording(incoming: Incoming, now: datetime) -> list[Outgoing]:
        received.append(incoming)
        return []

    again = TelegramConnector(TOKEN, store, base_url=fake.base_url, poll_timeout=1)
    await again.start(Hub(recording, lambda: NOW))
    try:
        fake.vote(201, telegram_poll_id, [5])
        fake.vote(201, "999", [1])  # a poll this bot never sent
        await fake.wait_for(lambda: fake.pending_updates == 0 and len(received) >= 1)
        assert [(i.poll_id, i.poll_options) for i in received] == [("eval:MM001", (5,))]
    finally:
        await again.stop()


async def _webhook_bot(fake: FakeBotApi, make_bot: BotFactory) -> tuple[WebServer, str]:
    config = WebhookConfig("https://bot.example.org/telegram/hook-5f3a", "s3cret-token_1")
    bot = await make_bot(answers_only, webhook=config)
    server = WebServer(create_app(routers(bot.connector)), port=0)
    await server.start()
    return server, f"http://127.0.0.1:{server.port}/telegram/hook-5f3a"


async def test_webhook_accepts_only_the_right_secret(fake: FakeBotApi, make_bot: BotFactory) -> None:
    server, url = await _webhook_bot(fake, make_bot)
    try:
        assert fake.webhook is not None
        assert fake.webhook["url"] == "https://bot.example.org/telegram/hook-5f3a"
        assert fake.webhook["secret_token"] == "s3cret-token_1"
        assert not fake.calls_to("getUpdates"), "no long polling in webhook mode"
        async with httpx.AsyncClient() as client:
            wrong = await client.post(
                url,
                json={"update_id": 1, **fake.message_update(301, "hej")},
                headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
            )
            missing = await client.post(url, json={"update_id": 2, **fake.message_update(301, "hej")})
            assert (wrong.status_code, missing.status_code) == (403, 403)
            right = await client.post(
                url,
                json={"update_id": 3, **fake.message_update(302, "hej")},
                headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token_1"},
            )
            assert right.status_code == 200
            garbage = await client.post(
                url, content=b"not json", headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token_1"}
            )
            assert garbage.status_code == 400
        [reply] = await fake.wait_messages(302, 1)
        assert reply.shown == "ok"
        assert fake.chat(301) == []
    finally:
        await server.stop()


async def test_from_settings(store: Store) -> None:
    assert from_settings(Settings(telegram_token=None), store) is None
    polling = from_settings(Settings(telegram_token="1:abc", telegram_api_url="http://127.0.0.1:1/bot"), store)
    assert polling is not None and polling.webhook is None and routers(polling) == []
    hooked = from_settings(
        Settings(telegram_token="1:abc", telegram_webhook_url="https://x.example/tg/abc", telegram_webhook_secret="zz"),
        store,
    )
    assert hooked is not None and hooked.webhook == WebhookConfig("https://x.example/tg/abc", "zz")
    assert len(routers(hooked)) == 1


def test_qr_codes_for_posters(tmp_path: Path) -> None:
    png, svg = write_event_qr(BOT_USERNAME, "MM001", tmp_path / "qr")
    link = f"https://t.me/{BOT_USERNAME}?start=ev_MM001"
    assert deep_link("@" + BOT_USERNAME, "MM001") == link
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert b"<svg" in svg.read_bytes()[:500]
    [code] = zxingcpp.read_barcodes(Image.open(png))
    assert code.text == link
    assert code.format == zxingcpp.BarcodeFormat.QRCode


def test_event_codes_that_cannot_be_a_start_payload_are_refused(tmp_path: Path) -> None:
    import pytest

    with pytest.raises(ValueError):
        write_event_qr(BOT_USERNAME, "MM 001/å", tmp_path)
    with pytest.raises(ValueError):
        deep_link(BOT_USERNAME, "x" * 62)
