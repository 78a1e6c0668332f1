"""Paths and the clock the programme tests share."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SCHEDULE = FIXTURES / "malmo-mots-2027.schedule.json"
FAQ = FIXTURES / "malmo-mots-2027.faq.json"
# Before the festival, so every event can still take signups.
NOW = datetime(2027, 4, 1, 12, 0, tzinfo=UTC)
