"""Outbox rows become messages only when they are sent: in the person's language of the day,
with the event's title and time as they are then — and a last check that the message is still
wanted (the event not cancelled since, the signup still there, the poll not answered)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot import buttons
from bot.cards import title_of
from bot.evaluation import poll_message
from bot.i18n import Translator
from bot.messages import Button, Outgoing, TextBuilder
from bot.model import Event, EventStatus, SignupStatus, pick
from bot.store import Store
from bot.store import schema as t
from bot.store.offers import OfferStatus
from bot.store.programme import ProgrammeSnapshot
from bot.store.ratings import RatingStore
from scheduler.config import SchedulerConfig
from scheduler.outbox import Item, Kind, Status
from scheduler.surveys import render_survey


@dataclass(frozen=True)
class Skip:
    """The row is not sent: `status` (cancelled or expired) with the reason kept."""

    status: Status
    reason: str


class Renderer:
    def __init__(self, store: Store, config: SchedulerConfig) -> None:
        self.store = store
        self.config = config
        self.ratings = RatingStore(store.database)
        self._snapshot: ProgrammeSnapshot | None = None
        self._by_id: dict[int, Event] = {}

    async def refresh(self) -> None:
        revision = await self.store.programme.revision()
        if revision is not None and (self._snapshot is None or self._snapshot.revision != revision):
            self._snapshot = await self.store.programme.snapshot()
            events = self._snapshot.events if self._snapshot else []
            self._by_id = {e.id: e for e in events if e.id is not None}

    def _translator(self, lang: str) -> Translator:
        zone = self._snapshot.festival.time_zone if self._snapshot else "Europe/Stockholm"
        return Translator(lang, zone)

    def _event(self, event_id: int | None) -> Event | None:
        return None if event_id is None else self._by_id.get(event_id)

    async def render(self, item: Item, lang: str, now: datetime) -> Outgoing | Skip:
        t = self._translator(lang)
        if item.kind is Kind.REPLY:
            return Outgoing.model_validate(item.payload["message"])
        if item.kind is Kind.BROADCAST:
            texts: dict[str, str] = item.payload.get("texts", {})
            text = pick(texts, t.lang)
            if not text:
                return Skip(Status.CANCELLED, "no text in any language")
            return Outgoing.model_validate({"spans": [{"text": text}], "lang": t.lang, "rtl": t.rtl})
        if item.kind is Kind.ANSWER:
            answer = TextBuilder()
            answer.line(
                t.gettext("An organiser answers your question “{question}”:").format(
                    question=t.isolate(item.payload.get("question", ""))
                ),
                bold=True,
            )
            answer.line(t.isolate(item.payload.get("answer", "")))
            return Outgoing(spans=answer.build(), lang=t.lang, rtl=t.rtl)
        if item.kind in (Kind.SURVEY, Kind.SURVEY_OPTIN):
            survey = await render_survey(self.store, t, item, now)
            return survey if isinstance(survey, Outgoing) else Skip(survey.status, survey.reason)
        event = self._event(item.event_id)
        if event is None or event.id is None:
            return Skip(Status.CANCELLED, "event removed")
        if item.kind is Kind.CANCELLED:
            if event.status is not EventStatus.CANCELLED:
                return Skip(Status.CANCELLED, "event no longer cancelled")
            return self._cancelled(t, event)
        if event.status is EventStatus.CANCELLED:
            return Skip(Status.CANCELLED, "event cancelled")
        if item.kind in (Kind.REMINDER, Kind.MOVED):
            if await self._signup_status(event.id, item.person_id) is not SignupStatus.CONFIRMED:
                return Skip(Status.CANCELLED, "signup cancelled")
            if item.kind is Kind.MOVED:
                return self._moved(t, event)
            if await self._superseded(item, now):
                return Skip(Status.EXPIRED, "superseded by a later reminder")
            return self._reminder(t, event)
        if item.kind in (Kind.POLL, Kind.POLL_NUDGE):
            polls = self.config.polls
            poll = await self.ratings.ensure_poll(event.id, polls.opens_at(event), polls.closes_at(event))
            if not poll.is_open(now):
                return Skip(Status.EXPIRED, "poll closed")
            if item.kind is Kind.POLL and not await self._attended(event.id, item.person_id):
                return Skip(Status.CANCELLED, "not checked in at the event")
            if item.kind is Kind.POLL_NUDGE:
                first = await self._status_of(f"poll:{event.id}:{item.person_id}")
                if first is not Status.SENT:
                    return Skip(Status.CANCELLED, "poll was not delivered")
                if await self.ratings.has_voted(event.id, item.channel, item.user_id):
                    return Skip(Status.CANCELLED, "not needed")
            return poll_message(t, event, poll.closes_at, nudge=item.kind is Kind.POLL_NUDGE)
        if item.kind is Kind.OFFER_EXPIRED:
            if await self._signup_status(event.id, item.person_id) in (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED):
                return Skip(Status.CANCELLED, "signed up again")
            return self._offer_expired(t, event)
        if item.kind is Kind.OFFER:
            if not await self._offer_open(int(item.payload["offer_id"])):
                return Skip(Status.CANCELLED, "offer no longer open")
            return self._offer(t, event, item)
        return Skip(Status.FAILED, f"unknown kind {item.kind}")

    async def _signup_status(self, event_id: int, person_id: int | None) -> SignupStatus | None:
        if person_id is None:
            return None
        return await self.store.signups.status_of(event_id, person_id)

    async def _attended(self, event_id: int, person_id: int | None) -> bool:
        """Whether the person counts as having been there: when the event used check-in (anyone
        was checked in), only those checked in do; else every confirmed attendee does.

        Decided when the poll is sent, not when it is planned: people are checked in during the
        event, and a poll row cancelled early could not come back for someone who arrived late.
        """
        arrived = (
            select(t.signup.c.person_id)
            .join(t.checkin, t.checkin.c.signup_id == t.signup.c.id)
            .where(t.signup.c.event_id == event_id, t.checkin.c.checked_in_at.is_not(None))
        )
        async with self.store.database.reading() as conn:
            if await conn.scalar(arrived.limit(1)) is None:
                return True
            return await conn.scalar(arrived.where(t.signup.c.person_id == person_id).limit(1)) is not None

    async def _offer_open(self, offer_id: int) -> bool:
        async with self.store.database.reading() as conn:
            status = await conn.scalar(select(t.waitlist_offer.c.status).where(t.waitlist_offer.c.id == offer_id))
            return status == OfferStatus.OPEN.value

    async def _status_of(self, key: str) -> Status | None:
        async with self.store.database.reading() as conn:
            value = await conn.scalar(select(t.outbox.c.status).where(t.outbox.c.dedupe_key == key))
            return None if value is None else Status(value)

    async def _superseded(self, item: Item, now: datetime) -> bool:
        """After downtime two reminders of a signup may both be due: only the later one goes."""
        prefix = ":".join(item.key.split(":")[:2]) + ":"
        async with self.store.database.reading() as conn:
            later = await conn.scalar(
                select(t.outbox.c.id)
                .where(
                    t.outbox.c.dedupe_key.startswith(prefix, autoescape=True),
                    t.outbox.c.kind == Kind.REMINDER.value,
                    t.outbox.c.status.in_([Status.PENDING.value, Status.SENDING.value]),
                    t.outbox.c.not_before > item.not_before,
                    t.outbox.c.not_before <= now,
                    t.outbox.c.id != item.id,
                )
                .limit(1)
            )
            return later is not None

    def _manage(self, t: Translator, event: Event) -> list[list[Button]]:
        _ = t.gettext
        return [
            [
                Button(label=_("Open the event"), payload=buttons.encode("ev", event.code)),
                Button(label=_("Cancel my place"), payload=buttons.encode("cx", event.code)),
            ]
        ]

    def _place(self, event: Event) -> str:
        venue = self._snapshot.venue_of(event) if self._snapshot else None
        return venue.name if venue is not None else ""

    def _about_my_place(self, t: Translator, event: Event, text: TextBuilder, advice: str) -> Outgoing:
        """The end that reminders and change notices share: where, what to do, and the buttons."""
        place = self._place(event)
        if place:
            text.line(t.gettext("Place: {place}").format(place=t.isolate(place)))
        text.line(advice)
        return Outgoing(
            spans=text.build(),
            buttons=self._manage(t, event),
            events=[event.code],
            lang=t.lang,
            rtl=t.rtl,
            personal=True,
        )

    def _reminder(self, t: Translator, event: Event) -> Outgoing:
        _ = t.gettext
        text = TextBuilder()
        text.line(
            _("Reminder: “{title}”, {when}.").format(
                title=title_of(event, t), when=t.when(event.starts_at, event.ends_at)
            ),
            bold=True,
        )
        return self._about_my_place(
            t, event, text, _("See you there! If you can't come, please cancel, so that someone else gets your seat.")
        )

    def _moved(self, t: Translator, event: Event) -> Outgoing:
        _ = t.gettext
        text = TextBuilder()
        text.line(_("“{title}” has changed.").format(title=title_of(event, t)), bold=True)
        text.line(_("New time: {when}").format(when=t.when(event.starts_at, event.ends_at)))
        return self._about_my_place(
            t, event, text, _("Your place is kept. If the new time doesn't suit you, please cancel.")
        )

    def _cancelled(self, t: Translator, event: Event) -> Outgoing:
        _ = t.gettext
        text = TextBuilder()
        text.line(
            _("Sorry: “{title}”, {when}, is cancelled.").format(
                title=title_of(event, t), when=t.when(event.starts_at, event.ends_at)
            ),
            bold=True,
        )
        text.line(_("Your signup is void. Ask me what else is on!"))
        return Outgoing(
            spans=text.build(),
            buttons=[[Button(label=_("Programme"), payload=buttons.encode("b", "days"))]],
            events=[event.code],
            lang=t.lang,
            rtl=t.rtl,
            personal=True,
        )

    def _offer_expired(self, t: Translator, event: Event) -> Outgoing:
        _ = t.gettext
        text = TextBuilder()
        text.line(
            _("The seat at “{title}” was not taken in time, so it went to the next person waiting.").format(
                title=title_of(event, t)
            ),
            bold=True,
        )
        text.line(
            _(
                "You are no longer on the waiting list. If you still want to come, sign up again: "
                "you join it at the end."
            )
        )
        return Outgoing(
            spans=text.build(),
            buttons=[
                [
                    Button(label=_("Sign up again"), payload=buttons.encode("su", event.code)),
                    Button(label=_("My events"), payload=buttons.encode("my")),
                ]
            ],
            events=[event.code],
            lang=t.lang,
            rtl=t.rtl,
            personal=True,
        )

    def _offer(self, t: Translator, event: Event, item: Item) -> Outgoing:
        _ = t.gettext
        offer_id = int(item.payload["offer_id"])
        expires = datetime.fromisoformat(str(item.payload["expires_at"]))
        text = TextBuilder()
        text.line(
            _("A seat is free at “{title}”, {when}, and it is yours if you want it.").format(
                title=title_of(event, t), when=t.when(event.starts_at, event.ends_at)
            ),
            bold=True,
        )
        text.line(
            _("Please answer by {time}; then the seat goes to the next person waiting.").format(time=t.time(expires))
        )
        return Outgoing(
            spans=text.build(),
            buttons=[
                [
                    Button(label=_("Yes, I'll come"), payload=buttons.encode("offer", offer_id, "yes")),
                    Button(label=_("No, thanks"), payload=buttons.encode("offer", offer_id, "no")),
                ]
            ],
            events=[event.code],
            lang=t.lang,
            rtl=t.rtl,
            personal=True,
        )
