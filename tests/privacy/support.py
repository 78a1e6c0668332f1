"""A realistic stretch of festival for the privacy audit: residents on Telegram, Matrix and the
console sign up, wait, take offered seats, cancel, get reminders and polls, rate, comment, ask
what the bot cannot answer, look at /mydata and /forget themselves; organisers broadcast and
check people in at the door; the channel adapters keep their technical rows. Driven through
the engine, the scheduler (under an injected clock) and the adapters' state stores."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from adapters.matrix.state import MatrixState
from adapters.telegram.polls import TelegramPolls
from admin.store import AdminStore
from bot import buttons
from bot.engine import Engine
from bot.evaluation import poll_id_of
from bot.messages import Incoming, Outgoing
from bot.store import Store
from bot.store import schema as t
from scheduler.broadcasts import Audience
from scheduler.config import PlatformLimits, SchedulerConfig
from scheduler.service import Scheduler
from tests.scheduler.conftest import FakeClock, FakeConnector, local

CHANNELS = ("telegram", "matrix", "console")
# MM007: Tue 11 May 13:00–15:00 local; its poll goes at 15:10 and closes on 18 May at 15:10.
POLL_CLOSES = local("2027-05-18 15:10")
FESTIVAL_ENDS = local("2027-05-17 00:00")
"""Midnight after the last day (16 May), festival time."""
COMMENT_TYPED = "The room was too warm but the talk was great, call me 0701234567 or a.b@example.org"
COMMENT = "The room was too warm but the talk was great, call me … or …"
"""As stored: phone numbers and e-mail addresses are masked before the comment is written."""


@dataclass
class Resident:
    channel: str
    user_id: str
    lang: str


@dataclass
class Run:
    store: Store
    clock: FakeClock
    scheduler: Scheduler
    engine: Engine
    residents: list[Resident]
    connectors: dict[str, FakeConnector]
    forgotten: list[Resident] = field(default_factory=list)

    @property
    def user_ids(self) -> list[str]:
        return [r.user_id for r in self.residents]

    async def say(self, who: Resident, text: str | None = None, **fields: Any) -> list[Outgoing]:
        incoming = Incoming.model_validate(
            {"channel": who.channel, "user_id": who.user_id, "text": text, "lang_hint": who.lang, **fields}
        )
        replies = await self.engine.handle(incoming, self.clock.now())
        assert replies or incoming.poll_id is not None
        return replies

    async def at(self, moment: datetime) -> None:
        self.clock.set(moment)
        await self.scheduler.tick()

    def sent_to(self, who: Resident) -> list[Outgoing]:
        return self.connectors[who.channel].to(who.user_id)


def _payload(messages: list[Outgoing], action: str) -> str | None:
    for message in messages:
        for button in message.numbered_choices():
            decoded = buttons.decode(button.payload or "")
            if decoded is not None and decoded.name == action:
                return button.payload
    return None


async def rehearse(store: Store) -> Run:
    clock = FakeClock(local("2027-05-09 12:00"))
    connectors = {channel: FakeConnector(clock, channel=channel) for channel in CHANNELS}
    fast = PlatformLimits(per_second=1000.0, per_recipient_seconds=0.0)
    config = SchedulerConfig(limits={channel: fast for channel in CHANNELS})
    scheduler = Scheduler(
        store, dict(connectors), config, clock=clock.now, monotonic=clock.monotonic, sleep=clock.sleep
    )
    run = Run(store, clock, scheduler, Engine(store), [], connectors)
    langs = ["sv", "en", "ar", "fi", "so", "fa"]
    # Ids unique enough to be found anywhere in a dump of the database.
    for n in range(9):
        channel = CHANNELS[n % 3]
        user = {"telegram": f"7{n}0451{n}23", "matrix": f"@resident{n}x:example.org", "console": f"local-{n}-zq"}[
            channel
        ]
        run.residents.append(Resident(channel, user, langs[n % 6]))

    # MM007 takes three: the rest wait, and a cancellation offers a seat.
    programme = await _programme_with(store, "MM007", capacity=3, signup_required=True)
    assert programme
    for who in run.residents:
        await run.say(who, "/start")
        await run.say(who, payload=buttons.encode("su", "MM007"))
    await run.say(run.residents[0], "/mydata")
    await run.say(run.residents[4], "is there karaoke with llamas on the roof?")
    await run.say(run.residents[5], "call me on 0701234567 about the zebra parade")

    await run.at(local("2027-05-10 09:00"))
    await run.say(run.residents[1], payload=buttons.encode("cx", "MM007"))
    await run.at(local("2027-05-10 09:01"))
    offer = _payload(run.sent_to(run.residents[3]), "offer")
    assert offer is not None, "the first on the waiting list is offered the seat"
    await run.say(run.residents[3], payload=offer.replace(":no", ":yes"))
    await scheduler.broadcast({"sv": "Välkommen!", "en": "Welcome!"}, Audience(everyone=True))
    await run.at(local("2027-05-10 09:02"))

    # The organisers' door: codes for every signup; those with seats arrive (once check-ins
    # exist for an event, only those checked in get its poll).
    admin = AdminStore(store.database)
    async with store.database.engine.connect() as conn:
        signups = (await conn.execute(select(t.signup.c.id, t.signup.c.status))).all()
    await admin.checkins([int(s.id) for s in signups])
    for signup in signups:
        if signup.status == "confirmed":
            await admin.check_in(int(signup.id), "door-volunteer", local("2027-05-11 12:55"))

    # The adapters' own rows: a Matrix DM and poll message, a handled event, a Telegram poll.
    matrix = MatrixState(store, "@motsbot:example.org")
    telegram = TelegramPolls(store.database)
    for who in run.residents:
        if who.channel == "matrix":
            room = f"!dm{who.user_id[9]}:example.org"
            await matrix.save_room(room, who.user_id, True, clock.now())
            await matrix.mark_handled(f"$ev-{who.user_id[9]}", clock.now())
        elif who.channel == "telegram":
            await telegram.remember(f"tgpoll-{who.user_id}", "rate:1", int(who.user_id), 1, clock.now())
    await matrix.save_sync_token("s123_456", clock.now())

    await run.at(local("2027-05-11 12:00"))  # 1-h reminders
    await run.at(local("2027-05-11 15:10"))  # evaluation polls
    event_id = (await store.programme.snapshot()).event("MM007").id  # type: ignore[union-attr]
    assert event_id is not None
    for room_user in [r for r in run.residents if r.channel == "matrix"]:
        await matrix.save_poll(
            f"$poll-{room_user.user_id[9]}",
            f"!dm{room_user.user_id[9]}:example.org",
            poll_id_of(event_id),
            ["1", "2"],
            clock.now(),
        )
    clock.set(local("2027-05-11 16:00"))
    voters = [r for r in run.residents if any(m.poll for m in run.sent_to(r))]
    assert len(voters) >= 3, "the three with seats were sent the poll"
    await run.say(voters[0], poll_id=poll_id_of(event_id), poll_options=(4,))
    await run.say(voters[0], COMMENT_TYPED)
    await run.say(voters[1], poll_id=poll_id_of(event_id), poll_options=(2,))
    await run.say(voters[1], payload=buttons.encode("rc"))
    await run.say(voters[2], poll_id=poll_id_of(event_id), poll_options=(5,))  # didn't attend

    # Two updates a channel could not handle, one from the resident who is about to leave.
    leaving = run.residents[8]
    for number, who in enumerate((leaving, run.residents[0])):
        await store.dead_letters.add(
            who.channel,
            f"update-{number}",
            "unreadable: TypeError: a shape the library does not know",
            {"message": {"from": {"id": who.user_id}, "text": "ring 0707654321"}},
            clock.now(),
            user_id=who.user_id,
        )

    # One resident leaves: /forget, confirmed.
    await run.say(leaving, "/forget")
    await run.say(leaving, payload=buttons.encode("forget", "yes"))
    run.forgotten.append(leaving)

    await run.at(local("2027-05-12 15:10"))  # the nudge
    await run.at(POLL_CLOSES)
    return run


async def _programme_with(store: Store, code: str, **changes: Any) -> bool:
    from bot.programme.loader import load_programme_file
    from tests.conftest import FAQ, SCHEDULE

    programme = load_programme_file(SCHEDULE)
    events = [e.model_copy(update=changes) if e.code == code else e for e in programme.events]
    now = local("2027-05-09 12:00")
    await store.programme.apply(programme.model_copy(update={"events": events}), now)
    await store.programme.apply(load_programme_file(FAQ), now)
    return True


async def dump(store: Store) -> dict[str, list[dict[str, Any]]]:
    async with store.database.engine.connect() as conn:
        return {
            name: [dict(row._mapping) for row in await conn.execute(select(table))]
            for name, table in t.metadata.tables.items()
        }
