"""Telegram: python-telegram-bot 22 inside motsbot's event loop (long polling or webhook)."""

from __future__ import annotations

import os

# PTB 22 is moving time periods (`RetryAfter.retry_after`, poll `open_period`) from int
# seconds to timedelta and warns on every use until one opts in; our code reads both.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from typing import TYPE_CHECKING

from adapters.base import Connector
from adapters.telegram.connector import TelegramConnector, WebhookConfig, new_webhook_secret
from bot.store import Store
from motsbot.settings import Settings

if TYPE_CHECKING:
    from fastapi import APIRouter


def from_settings(settings: Settings, store: Store) -> TelegramConnector | None:
    """The connector `motsbot run` starts when `TELEGRAM_TOKEN` is set; None otherwise.

    In webhook mode (`TELEGRAM_WEBHOOK_URL`), mount `routers(connector)` on motsbot's web app.
    """
    if settings.telegram_token is None or not settings.telegram_token.get_secret_value():
        return None
    webhook = None
    if settings.telegram_webhook_url:
        secret = settings.telegram_webhook_secret
        # Without a configured secret a fresh one is made per start; setWebhook hands it to
        # Telegram again each time, so nothing else needs to know it.
        webhook = WebhookConfig(
            settings.telegram_webhook_url, secret.get_secret_value() if secret else new_webhook_secret()
        )
    return TelegramConnector(
        settings.telegram_token.get_secret_value(),
        store,
        base_url=settings.telegram_api_url,
        webhook=webhook,
    )


def routers(connector: Connector) -> list[APIRouter]:
    """The web routes a Telegram connector needs: the webhook, if it uses one."""
    if isinstance(connector, TelegramConnector) and connector.webhook is not None:
        # The web framework is imported when a webhook needs it, not at every start: a restart
        # answers residents sooner.
        from adapters.telegram.webhook import webhook_router

        return [webhook_router(connector)]
    return []


__all__ = ["TelegramConnector", "WebhookConfig", "from_settings", "routers"]
