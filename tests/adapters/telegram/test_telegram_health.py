"""Health that tells the truth: /readiness and /metrics follow the Telegram intake, turning
unready when polling stops succeeding and ready again when it is back."""

from __future__ import annotations

import asyncio

import httpx
from tg_fake_api import FakeBotApi
from tg_support import NOW, BotFactory, echo

from admin.app import create_admin_app
from admin.metrics import Metrics
from bot.store import Store


async def _until(client: httpx.AsyncClient, status: int, within: float = 30.0) -> httpx.Response:
    """Asks /readiness until it answers `status` (bounded)."""

    async def ask() -> httpx.Response:
        while True:
            response = await client.get("/readiness")
            if response.status_code == status:
                return response
            await asyncio.sleep(0.1)

    return await asyncio.wait_for(ask(), within)


async def test_readiness_turns_false_when_the_intake_dies_and_back(
    fake: FakeBotApi, make_bot: BotFactory, store: Store
) -> None:
    bot = await make_bot(echo)
    metrics = Metrics(ready_within=1.0)
    metrics.channels["telegram"] = bot.connector.health
    app = create_admin_app(store, clock=lambda: NOW, metrics=metrics)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://admin") as client:
        ready = await _until(client, 200)
        assert ready.json()["channels"]["telegram"]["ready"] is True
        assert 'motsbot_intake_up{channel="telegram"} 1.0' in (await client.get("/metrics")).text

        # The intake dies, and Telegram does not answer it when it comes back.
        outage = fake.fail("getUpdates", 502, times=10_000)
        assert bot.connector.supervisor is not None and bot.connector.supervisor.current is not None
        bot.connector.supervisor.current.cancel()
        down = await _until(client, 503)
        assert down.json()["status"] == "unavailable" and down.json()["channels"]["telegram"]["ready"] is False
        assert (await client.get("/api/health")).status_code == 503
        assert (await client.get("/health")).status_code == 503
        text = (await client.get("/metrics")).text
        assert 'motsbot_intake_up{channel="telegram"} 0.0' in text
        assert 'motsbot_dead_letters{channel="telegram"} 0.0' in text

        outage.times = 0
        back = await _until(client, 200)
        assert back.json()["channels"]["telegram"]["restarts"] == 1
        assert 'motsbot_intake_restarts{channel="telegram"} 1.0' in (await client.get("/metrics")).text
        fake.say(801, "hej")
        [reply] = await fake.wait_messages(801, 1)
        assert reply.shown == "reply to hej"
