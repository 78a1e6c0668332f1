"""Helpers for admin tests: people signed up through the real store."""

from __future__ import annotations

from datetime import datetime

from bot.store import Store
from tests.conftest import FESTIVAL_MORNING


async def sign_up(store: Store, code: str, user: str, now: datetime = FESTIVAL_MORNING, lang: str = "sv") -> int:
    """Signs a Telegram resident up for `code`; returns their person id."""
    event_id = await store.programme.event_id(code)
    assert event_id is not None
    person = await store.people.create("telegram", user, lang, now)
    await store.signups.sign_up(event_id, person.id, now)
    return person.id


def event_payload(**overrides: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "code": "NEW1",
        "title": {"sv": "Nytt evenemang", "en": "New event"},
        "starts_at": "2027-05-12T10:00:00+02:00",
        "ends_at": "2027-05-12T11:00:00+02:00",
        "capacity": 10,
        "signup_required": True,
    }
    payload.update(overrides)
    return payload
