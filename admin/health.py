"""Readiness: what /readiness, /health and /api/health say. Ready when the database answers
and every channel's intake (Telegram's polling or webhook check, Matrix's sync) has succeeded
within `MOTSBOT_READY_WITHIN` seconds. Cheap: one `SELECT 1` and a look at each channel's
`IntakeHealth`, nothing sent to any platform."""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import text

from admin.metrics import Metrics
from bot.store.database import Database

log = logging.getLogger(__name__)


async def readiness(database: Database, metrics: Metrics) -> tuple[bool, dict[str, Any]]:
    """(ready, details): the database, and per channel whether its intake runs and how many
    seconds ago it last succeeded."""
    try:
        async with database.reading() as conn:
            await conn.execute(text("SELECT 1"))
        database_ok = True
    except Exception as error:
        log.warning("readiness: the database does not answer: %s", error)
        database_ok = False
    now = time.time()
    channels: dict[str, Any] = {}
    for channel, health in metrics.channels.items():
        channels[channel] = {
            "ready": health.fresh(metrics.ready_within),
            "running": health.running,
            "seconds_since_success": None if health.last_success is None else round(now - health.last_success, 1),
            "restarts": health.restarts,
        }
    ready = database_ok and all(c["ready"] for c in channels.values())
    return ready, {"status": "ok" if ready else "unavailable", "database": database_ok, "channels": channels}
