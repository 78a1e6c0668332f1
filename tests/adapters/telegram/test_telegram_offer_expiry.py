"""Every change to a person's place is told: a seat offer not answered in time says so, and
where the person stands now, through the real engine, the scheduler, real PTB and the fake."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from tg_fake_api import FakeBotApi
from tg_support import Person

from adapters.telegram.connector import TelegramConnector
from bot.model import SignupStatus
from bot.store import Store
from bot.store import schema as t
from scheduler import Scheduler
from tests.conftest import FESTIVAL_MORNING


async def test_an_expired_offer_says_so_and_that_the_person_left_the_waiting_list(
    fake: FakeBotApi, engine_bot: TelegramConnector, store: Store
) -> None:
    event_id = await store.programme.event_id("MM007")
    assert event_id is not None
    async with store.database.transaction() as conn:
        await conn.execute(update(t.event).where(t.event.c.id == event_id).values(capacity=1))
    now = FESTIVAL_MORNING

    def clock() -> datetime:
        return now

    scheduler = Scheduler(store, {"telegram": engine_bot}, clock=clock)  # offers from now on
    anna, bo, cai = (Person(fake, engine_bot, user, "sv") for user in (830, 831, 832))
    for person in (anna, bo, cai):
        await person.say("/start ev_MM007")
        await person.press(fake.last(person.user_id), "1:su:MM007")
    assert "väntelista" in fake.last(bo.user_id).shown.lower()
    await anna.press(fake.last(anna.user_id), "1:cx:MM007")  # a seat frees up: offered to bo

    await scheduler.tick()
    offer = fake.last(bo.user_id)
    assert "1:offer:" in str(offer.buttons)
    # bo does not answer; the offer expires and goes to cai.
    now = FESTIVAL_MORNING + timedelta(hours=2, minutes=5)
    await scheduler.tick()
    told = fake.last(bo.user_id)
    assert "gick till nästa person" in told.shown and "inte längre på väntelistan" in told.shown
    assert [b["callback_data"] for b in told.buttons] == ["1:su:MM007", "1:my"]
    assert "1:offer:" in str(fake.last(cai.user_id).buttons)
    bo_person = await store.people.find("telegram", str(bo.user_id))
    assert bo_person is not None
    assert await store.signups.status_of(event_id, bo_person.id) is SignupStatus.CANCELLED
    assert not fake.rejected
