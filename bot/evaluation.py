"""Evaluation polls, the engine's side: the city's question, votes, changed votes, the optional
comment, and `/start rate_<code>` for open-entry events rated through a QR code at the venue.

The scheduler sends the polls (see `scheduler/`); both build the poll with `poll_message`, so a
poll looks the same however it was opened. Ratings are kept by `bot.store.ratings`, which links
no person to an answer once the poll closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot import buttons
from bot.cards import title_of
from bot.i18n import Translator
from bot.messages import Button, Outgoing, Poll, TextBuilder
from bot.model import Event, EventStatus
from bot.sanitize import clean
from bot.store import Store
from bot.store.offers import OfferStatus, OfferStore
from bot.store.ratings import COMMENT_STATE_KEY, DID_NOT_ATTEND, PollClosed, RatingStore

if TYPE_CHECKING:
    from bot.engine import Turn

POLL_PREFIX = "rate:"
START_RATE_PREFIX = "rate_"
NO_COMMENT = "rc"
"""Button action: the person does not want to add a comment."""


@dataclass(frozen=True)
class PollTimes:
    delay: timedelta = timedelta(minutes=10)
    """After the event's end, when the poll is sent."""
    nudge_after: timedelta = timedelta(hours=24)
    """One gentle reminder this long after the poll, if unanswered."""
    open_for: timedelta = timedelta(days=7)

    def opens_at(self, event: Event) -> datetime:
        # From the start, so people rating through the venue's QR code can do so on the spot.
        return event.starts_at

    def sent_at(self, event: Event) -> datetime:
        return event.ends_at + self.delay

    def closes_at(self, event: Event) -> datetime:
        return event.ends_at + self.delay + self.open_for


def poll_id_of(event_id: int) -> str:
    return f"{POLL_PREFIX}{event_id}"


def event_id_of(poll_id: str) -> int | None:
    if not poll_id.startswith(POLL_PREFIX):
        return None
    rest = poll_id[len(POLL_PREFIX) :]
    # Forged poll ids: "²" passes isdigit() but not int(), and 20 digits overflow the database.
    return int(rest) if rest.isascii() and rest.isdigit() and len(rest) <= 18 else None


def poll_options(t: Translator) -> list[str]:
    _ = t.gettext
    return [
        _("1 – not at all"),
        "2",
        "3",
        "4",
        _("5 – completely"),
        _("I didn't attend"),
    ]


def choice_of(option: int) -> int | None:
    """The stored choice of a poll option index: 0–4 are scores 1–5, 5 is "didn't attend"."""
    if 0 <= option <= 4:
        return option + 1
    if option == 5:
        return DID_NOT_ATTEND
    return None


def poll_message(t: Translator, event: Event, closes_at: datetime, *, nudge: bool = False) -> Outgoing:
    """The evaluation poll for one event, with a line of context before it."""
    assert event.id is not None
    _ = t.gettext
    title = title_of(event, t)
    text = TextBuilder()
    if nudge:
        text.line(_("A gentle reminder: how was “{title}”? One tap is enough.").format(title=title))
    else:
        text.line(_("Thanks for coming to “{title}”! How was it?").format(title=title))
    text.line(
        _("Your answer is anonymous. The poll is open until {day}.").format(day=t.day(closes_at - timedelta(seconds=1)))
    )
    return Outgoing(
        spans=text.build(),
        poll=Poll(
            poll_id=poll_id_of(event.id),
            question=_("To what degree did the activity live up to your expectations?"),
            options=poll_options(t),
            closes_at=closes_at,
        ),
        events=[event.code],
        lang=t.lang,
        rtl=t.rtl,
    )


class Evaluation:
    def __init__(self, store: Store, times: PollTimes | None = None) -> None:
        self.store = store
        self.ratings = RatingStore(store.database)
        self.times = times or PollTimes()

    def _event(self, turn: Turn, event_id: int) -> Event | None:
        if turn.snapshot is None:
            return None
        return next((e for e in turn.snapshot.events if e.id == event_id), None)

    async def answer(self, turn: Turn) -> None:
        """A vote, a changed vote or a withdrawn vote in an evaluation poll."""
        assert turn.incoming.poll_id is not None
        event_id = event_id_of(turn.incoming.poll_id)
        if event_id is None:
            return
        options = turn.incoming.poll_options
        await self._vote(turn, event_id, options[0] if options else None)

    async def _vote(self, turn: Turn, event_id: int, option: int | None) -> None:
        """Votes for the poll's option `option` (None withdraws the vote)."""
        _ = turn.t.gettext
        choice = choice_of(option) if option is not None else None
        if option is not None and choice is None:
            return
        event = self._event(turn, event_id)
        title = title_of(event, turn.t) if event is not None else ""
        try:
            outcome = await self.ratings.vote(
                event_id, turn.person.channel, turn.person.channel_user_id, choice, turn.now
            )
        except PollClosed:
            turn.say(_("This poll is closed. Thank you anyway!"))
            return
        if choice is None:
            turn.say(_("Your answer is withdrawn. You can answer again while the poll is open."))
            return
        if choice == DID_NOT_ATTEND:
            turn.say(_("Thanks for letting us know."))
            return
        if outcome.previous is not None and outcome.previous != DID_NOT_ATTEND:
            turn.say(_("Your answer is changed. Thank you!"))
            return
        if outcome.commented:
            turn.say(_("Thank you for your answer!"))
            return
        turn.state[COMMENT_STATE_KEY] = event_id
        turn.say(
            _(
                "Thank you! Would you like to tell the organisers more about “{title}”? Write a comment in "
                "your next message. It is stored without your name."
            ).format(title=title),
            buttons=[[Button(label=_("No comment"), payload=buttons.encode(NO_COMMENT))]],
        )

    async def comment(self, turn: Turn) -> bool:
        """Takes the person's next message as their comment, if they were just asked for one.

        The offer lasts exactly one message: whatever else the person does, it lapses, so a later
        question is never mistaken for a comment. Returns True when the message was handled here.
        """
        event_id = turn.state.pop(COMMENT_STATE_KEY, None)
        if not isinstance(event_id, int):
            return False
        _ = turn.t.gettext
        incoming = turn.incoming
        if incoming.payload is not None:
            action = buttons.decode(incoming.payload)
            if action is not None and action.name == NO_COMMENT:
                turn.say(_("OK. Thanks again for your answer!"))
                return True
            return False
        cleaned = clean(incoming.text)
        if cleaned.problem is not None or cleaned.text.startswith("/"):
            return False
        text = cleaned.text
        answer = text.strip().rstrip(".)").strip()
        # (A shown choice typed, "1" or "No comment", arrives pressed: see `Engine._handle`.)
        if answer.isascii() and answer.isdigit() and 1 <= int(answer) <= len(poll_options(turn.t)):
            # A bare number is no comment: the poll's numbered options are above it, and the
            # person changes their vote.
            await self._vote(turn, event_id, int(answer) - 1)
            return True
        if await self.ratings.comment(event_id, turn.person.channel, turn.person.channel_user_id, text, turn.now):
            turn.say(_("Thank you! Your comment is saved, without your name."))
        else:
            turn.say(_("This poll is closed. Thank you anyway!"))
        return True

    async def start_link(self, turn: Turn, code: str) -> None:
        """`/start rate_<code>`: the QR code at an open-entry venue opens the event's poll."""
        _ = turn.t.gettext
        event = turn.snapshot.event(code) if turn.snapshot is not None else None
        if event is None or event.id is None:
            turn.say(_("I can't find that event. It may have been removed from the programme."))
            return
        title = title_of(event, turn.t)
        if event.status is EventStatus.CANCELLED:
            turn.say(_("Sorry, “{title}” is cancelled.").format(title=title), events=[event.code])
            return
        if turn.now < self.times.opens_at(event):
            turn.say(
                _("The rating of “{title}” opens when it starts, {when}. Scan the code again then!").format(
                    title=title, when=turn.t.when(event.starts_at)
                ),
                events=[event.code],
            )
            return
        poll = await self.ratings.ensure_poll(event.id, self.times.opens_at(event), self.times.closes_at(event))
        if not poll.is_open(turn.now):
            turn.say(_("This poll is closed. Thank you anyway!"), events=[event.code])
            return
        turn.out.append(poll_message(turn.t, event, poll.closes_at))

    async def offer_answer(self, turn: Turn, offer_id: str, answer: str) -> None:
        """A press on "Yes, I'll come" / "No, thanks" under a waiting-list seat offer (sent by the
        scheduler). It lives here, next to the other answers to messages the scheduler sends."""
        _ = turn.t.gettext
        if not (offer_id.isascii() and offer_id.isdigit() and len(offer_id) <= 18) or answer not in ("yes", "no"):
            turn.say(_("That button is from an older message. Here is what you can do now:"))
            return
        outcome = await OfferStore(self.store.database).answer(int(offer_id), turn.person.id, answer == "yes", turn.now)
        event = self._event(turn, outcome.event_id) if outcome.event_id is not None else None
        title = title_of(event, turn.t) if event is not None else ""
        codes = [event.code] if event is not None else []
        if outcome.status is OfferStatus.ACCEPTED and outcome.counted:
            assert event is not None
            turn.say(
                _("You're signed up for “{title}”, {when}. See you there!").format(
                    title=title, when=turn.t.when(event.starts_at, event.ends_at)
                ),
                events=codes,
                personal=True,
            )
        elif outcome.status is OfferStatus.DECLINED and outcome.counted:
            turn.say(
                _("OK, the seat goes to the next person. You have left the waiting list for “{title}”.").format(
                    title=title
                ),
                events=codes,
                personal=True,
            )
        elif outcome.status is OfferStatus.ACCEPTED:
            turn.say(_("You already have this seat."), events=codes, personal=True)
        else:
            turn.say(_("Sorry, this offer is no longer open."), events=codes, personal=True)
