"""No update stops the channel: one PTB cannot read and one the bot fails on are set aside as
dead letters, confirmed to Telegram, and the messages after them are answered, in long polling
and in webhook mode; a polling loop that ends is started again; the Bot API unreachable at
start is waited for."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from tg_fake_api import TOKEN, FakeBotApi
from tg_support import NOW, BotFactory, text

from adapters.base import Hub
from adapters.telegram import routers
from adapters.telegram.connector import TelegramConnector, WebhookConfig
from adapters.telegram.intake import UpdateLog
from adapters.telegram.limiter import ChatLimiter, Limits
from adapters.telegram.webhook import SECRET_HEADER
from bot.messages import Incoming, Outgoing
from bot.store import Store
from motsbot.web import WebServer, create_app

SORRY_SV = "Förlåt, något gick fel hos oss. Försök igen."
"""The apology, in the language of the person's client (the fake's people write Swedish)."""


def old_poll_answer(fake: FakeBotApi, user_id: int) -> dict[str, Any]:
    """A poll answer in the shape of Bot API 9.5 and before: no `option_persistent_ids`,
    which PTB 22 requires (it raises TypeError reading it)."""
    return {"poll_answer": {"poll_id": "123", "user": fake.user(user_id), "option_ids": [0]}}


async def fails_on_boom(incoming: Incoming, now: datetime) -> list[Outgoing]:
    if incoming.text == "boom":
        raise RuntimeError("the engine broke on this one")
    return [text(f"reply to {incoming.text}")]


async def test_polling_sets_poisoned_updates_aside_and_answers_the_next(
    fake: FakeBotApi, make_bot: BotFactory, store: Store
) -> None:
    bot = await make_bot(fails_on_boom)
    unreadable = fake.push(old_poll_answer(fake, 401))
    failing = fake.say(401, "boom")
    fake.say(401, "hej")
    fake.say(402, "hallå")

    messages = await fake.wait_messages(401, 2)
    assert [m.shown for m in messages] == [
        SORRY_SV,
        "reply to hej",
    ]
    [other] = await fake.wait_messages(402, 1)
    assert other.shown == "reply to hallå"
    # Confirmed to Telegram: the next getUpdates' offset is past all of them.
    await fake.wait_for(lambda: fake.pending_updates == 0)

    letters = {letter.platform_id: letter for letter in await store.dead_letters.recent()}
    assert set(letters) == {str(unreadable["update_id"]), str(failing["update_id"])}
    assert letters[str(unreadable["update_id"])].reason.startswith("unreadable: TypeError")
    assert "option_persistent_ids" in letters[str(unreadable["update_id"])].reason
    assert letters[str(failing["update_id"])].reason == "failed in the bot: RuntimeError: the engine broke on this one"
    body = letters[str(unreadable["update_id"])].body
    assert body["poll_answer"]["user"]["id"] == 401 and body["poll_answer"]["user"]["first_name"] == ""
    assert await store.dead_letters.counts() == {"telegram": 2}
    assert bot.connector.health.restarts == 0, "the loop went on, it was not restarted"
    assert await UpdateLog(store.database).waiting() == []

    # Telegram brings the unreadable one again (a crash before it was confirmed): skipped.
    await bot.connector.intake.take_json([unreadable])
    await bot.connector.stop()
    again = await make_bot(fails_on_boom)
    await again.connector.intake.take_json([unreadable])
    fake.say(401, "igen")
    await fake.wait_messages(401, 3)
    assert fake.last(401).shown == "reply to igen"
    assert await store.dead_letters.counts() == {"telegram": 2}


async def test_the_webhook_sets_poisoned_updates_aside_and_answers_the_next(
    fake: FakeBotApi, make_bot: BotFactory, store: Store
) -> None:
    config = WebhookConfig("https://bot.example.org/telegram/hook", "s3cret")
    bot = await make_bot(fails_on_boom, webhook=config)
    server = WebServer(create_app(routers(bot.connector)), port=0)
    await server.start()
    url = f"http://127.0.0.1:{server.port}/telegram/hook"
    headers = {SECRET_HEADER: "s3cret"}
    try:
        async with httpx.AsyncClient() as client:
            statuses = []
            for number, body in enumerate(
                [old_poll_answer(fake, 501), fake.message_update(501, "boom"), fake.message_update(501, "hej")],
                start=1,
            ):
                response = await client.post(url, json={"update_id": number, **body}, headers=headers)
                statuses.append(response.status_code)
        # "200" for each: Telegram would otherwise send the unreadable one again and again.
        assert statuses == [200, 200, 200]
        messages = await fake.wait_messages(501, 2)
        assert [m.shown for m in messages] == [
            SORRY_SV,
            "reply to hej",
        ]
        letters = await store.dead_letters.recent()
        assert sorted(letter.platform_id for letter in letters) == ["1", "2"]
        assert bot.connector.health.last_success is not None
    finally:
        await server.stop()


async def test_a_polling_loop_that_ends_is_started_again(fake: FakeBotApi, make_bot: BotFactory) -> None:
    bot = await make_bot(fails_on_boom)
    fake.say(601, "före")
    await fake.wait_messages(601, 1)
    supervisor = bot.connector.supervisor
    assert supervisor is not None and supervisor.current is not None
    supervisor.current.cancel()  # whatever ends it: a bug, an error nobody foresaw
    await fake.wait_for(lambda: bot.connector.health.restarts == 1)
    fake.say(601, "efter")
    await fake.wait_messages(601, 2)
    assert fake.last(601).shown == "reply to efter"


async def test_the_bot_api_unreachable_at_start_is_waited_for(fake: FakeBotApi, store: Store) -> None:
    lost: list[str] = []
    hub = Hub(fails_on_boom, lambda: NOW)
    hub.channel_lost = lost.append
    # Telegram is down at start (5xx; the limiter's own retries are off, or it would wait them
    # out first): start returns, and the connector keeps trying.
    fake.fail("getMe", 502, times=2)
    limiter = ChatLimiter(Limits(max_network_retries=0))
    connector = TelegramConnector(TOKEN, store, base_url=fake.base_url, limiter=limiter, poll_timeout=1)
    hub.add(connector)
    try:
        await connector.start(hub)
        assert not connector.app.running
        fake.say(701, "är du där?")
        [reply] = await fake.wait_messages(701, 1, within=30)
        assert reply.shown == "reply to är du där?"
        assert len(fake.calls_to("getMe")) == 3
        assert lost == []
    finally:
        await connector.stop()
