"""Webhook mode: Telegram posts updates to motsbot's own web server.

Only the path of the configured webhook URL is served, and every request must carry the
secret token given to `setWebhook`: anyone else who finds the path is turned away before a
byte of their body reaches PTB.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response

from adapters.telegram.connector import TelegramConnector

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_PATH = "/telegram/webhook"


def webhook_path(url: str) -> str:
    return urlsplit(url).path or DEFAULT_PATH


def webhook_router(connector: TelegramConnector) -> APIRouter:
    if connector.webhook is None:
        raise ValueError("the connector is not in webhook mode")
    secret = connector.webhook.secret.encode()
    router = APIRouter()

    @router.post(webhook_path(connector.webhook.url), include_in_schema=False)
    async def telegram_update(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret):
            log.warning("telegram webhook: wrong or missing secret token from %s", request.client)
            return Response(status_code=403)
        if not connector.app.running:
            # Telegram keeps the update and tries again later.
            return Response(status_code=503)
        try:
            data: Any = await request.json()
        except ValueError:
            return Response(status_code=400)
        if not isinstance(data, dict) or "update_id" not in data:
            return Response(status_code=400)
        await connector.put_update(data)
        return Response(status_code=200)

    return router
