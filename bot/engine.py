"""The conversation engine: `Engine.handle(incoming, now) -> [outgoing]`.

Sans-I/O towards the platforms: it reads and writes only the store it is given, takes the clock
as an argument, and returns neutral messages. Dialogue state lives in the store, so a restart
loses nothing.
"""

from __future__ import annotations

import asyncio
import copy
import io
import json
import logging
import math
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import segno

from bot import buttons
from bot.cards import event_card, event_list, shorten, title_of
from bot.choices import choice_state, chosen
from bot.evaluation import START_RATE_PREFIX, Evaluation
from bot.flood import MAX_MESSAGES, MAX_UNANSWERED, UNANSWERED_WINDOW_SECONDS, FloodLimit, Verdict
from bot.i18n import DEFAULT_LANGUAGE, NATIVE_NAMES, Translator, supported
from bot.messages import Button, Incoming, Outgoing, Recipient, Span, TextBuilder
from bot.model import LANGUAGES, Event, FaqEntry, Festival, Person, SignupStatus, pick
from bot.programme.ics_export import event_calendar
from bot.programme.search import find_events
from bot.qa import ACTION as QA_ACTION
from bot.qa import ASK_COMMANDS, LIST_COMMANDS, PanelQuestions
from bot.sanitize import Problem, clean
from bot.store import Store
from bot.store.dead_letters import reason_of
from bot.store.programme import ProgrammeSnapshot
from bot.store.signups import SignupError
from bot.surveys import BEGIN, DONE, OPT_IN, SKIP, TICK, Surveys, parse_poll_id
from bot.surveys import COMMANDS as SURVEY_COMMANDS
from bot.understand import ProgrammeQuery, Understanding, understand
from bot.understand.index import index_for
from bot.understand.language import detect_language, load_language_models
from bot.understand.normalize import normalize, token_spans

log = logging.getLogger(__name__)

START_EVENT_PREFIX = "ev_"
START_SIGNUP_PREFIX = "su_"
WELCOME_DUE_KEY = "welcome_due"
"""Dialogue state: met in a group, not yet welcomed in private."""
CONFIRM_KEY = "confirm"
"""Dialogue state: the question a "yes" button answers, and when it was asked."""
CONFIRM_WITHIN = timedelta(minutes=10)
"""A "yes" to a destructive question counts only this long after the question was shown: a
button payload typed by hand, or pressed on a day-old message, asks again instead."""
_QUOTABLE = 7
"""Letters a word left out of the search needs before the reply names it."""


@dataclass
class Turn:
    """One incoming message being answered."""

    incoming: Incoming
    now: datetime
    person: Person
    state: dict[str, Any]
    t: Translator
    snapshot: ProgrammeSnapshot | None
    new_person: bool
    out: list[Outgoing] = field(default_factory=list)
    welcomed: bool = False
    forgotten: bool = False

    def say(self, text: TextBuilder | str, **fields: Any) -> Outgoing:
        spans = [Span(text=text)] if isinstance(text, str) else text.build()
        message = Outgoing(spans=spans, lang=self.t.lang, rtl=self.t.rtl, **fields)
        self.out.append(message)
        return message

    @property
    def today(self) -> date:
        return self.t.local(self.now).date()


class Engine:
    def __init__(
        self,
        store: Store,
        *,
        programme_check_seconds: float = 1.0,
        checkin_url: str | None = None,
        max_messages_per_minute: int = MAX_MESSAGES,
    ) -> None:
        self.store = store
        self.flood = FloodLimit(max_messages=max_messages_per_minute)
        """Messages handled per person; a higher limit only for harnesses that are one very busy "person"."""
        self.unanswered_flood = FloodLimit(max_messages=MAX_UNANSWERED, window_seconds=UNANSWERED_WINDOW_SECONDS)
        """Unanswered questions logged per person, so that one person cannot fill the organisers' list."""
        self.checkin_url = checkin_url
        """Address of the organisers' check-in page with `{code}`, put into check-in QR codes."""
        self._snapshot: ProgrammeSnapshot | None = None
        self._programme_check_seconds = programme_check_seconds
        self._checked_at = -math.inf
        self._seen_local_changes = -1
        self.evaluation = Evaluation(store)
        self.qa = PanelQuestions(store)
        self.surveys = Surveys(store)

    async def handle(self, incoming: Incoming, now: datetime) -> list[Outgoing]:
        try:
            # First, before any work: over the limit nothing is understood, written or logged.
            verdict = self.flood.check(incoming.channel, incoming.user_id, now)
            if verdict is Verdict.NOTE:
                return await self._too_fast(incoming)
            if verdict is Verdict.DROP:
                return []
            return await self._handle(incoming, now)
        except Exception as error:
            # Our fault, not the person's: log with context, set the message aside for an
            # operator to see, and still answer.
            log.exception("engine failed on a %s message (%s)", incoming.channel, incoming.platform_event_id)
            await self._set_aside(incoming, error, now)
            await self._forget_dialogue(incoming, now)
            t = Translator(supported(incoming.lang_hint) or DEFAULT_LANGUAGE)
            return [
                Outgoing(
                    spans=[Span(text=t.gettext("Sorry, something went wrong on our side. Please try again."))],
                    lang=t.lang,
                    rtl=t.rtl,
                )
            ]

    async def _set_aside(self, incoming: Incoming, error: Exception, now: datetime) -> None:
        try:
            await self.store.dead_letters.add(
                incoming.channel,
                incoming.platform_event_id or "",
                f"failed in the engine: {reason_of(error)}",
                incoming.model_dump(mode="json", exclude={"channel", "user_id"}, exclude_defaults=True),
                now,
                user_id=incoming.user_id,
            )
        except Exception:
            log.exception("a %s message the engine failed on could not be set aside", incoming.channel)

    async def _forget_dialogue(self, incoming: Incoming, now: datetime) -> None:
        """The conversation state may be what failed (one written by another version): the
        next message starts from a clean one, instead of failing the same way for good."""
        try:
            person = await self.store.people.find(incoming.channel, incoming.user_id)
            if person is not None:
                await self.store.people.save_dialogue(person.id, {}, now)
        except Exception:
            log.exception("the dialogue state of a %s person could not be reset", incoming.channel)

    async def _too_fast(self, incoming: Incoming) -> list[Outgoing]:
        """The one note for the first message over the flood limit, in the person's language.

        The language is chosen as for any answer: the stored one, or for someone not yet known
        the client's hint. Only read, never written: nothing over the limit creates a person.
        """
        person = await self.store.people.find(incoming.channel, incoming.user_id)
        t = Translator(person.language if person else supported(incoming.lang_hint) or DEFAULT_LANGUAGE)
        text = t.gettext("You are sending messages very fast — wait a minute and try again.")
        return [Outgoing(spans=[Span(text=text)], lang=t.lang, rtl=t.rtl)]

    async def programme(self) -> ProgrammeSnapshot | None:
        """The current programme, re-read only when an import or edit changed it.

        Changes made in this process are seen at once; the database's revision (changes by
        another process, e.g. `motsbot import`) is asked at most every `programme_check_seconds`,
        because asking on every message costs a query per message.
        """
        programme = self.store.programme
        clock = time.monotonic()
        if (
            programme.local_changes == self._seen_local_changes
            and clock - self._checked_at < self._programme_check_seconds
        ):
            return self._snapshot
        self._seen_local_changes = programme.local_changes
        self._checked_at = clock
        revision = await programme.revision()
        if revision is None:
            self._snapshot = None
        elif self._snapshot is None or self._snapshot.revision != revision:
            snapshot = await programme.snapshot()
            if snapshot is not None:
                # Built here, off the event loop, not by the first question after an import:
                # 65-100 ms for the demo festival, during which no one else would be answered.
                await asyncio.to_thread(index_for, snapshot)
            self._snapshot = snapshot
        return self._snapshot

    async def warm_up(self) -> None:
        """Loads, before the first message, what the first question would otherwise load while
        everyone waits: the language models (~0.7 s) and the programme's search index."""
        await asyncio.to_thread(load_language_models)
        await self.programme()

    async def _handle(self, incoming: Incoming, now: datetime) -> list[Outgoing]:
        snapshot = await self.programme()
        person, state = await self.store.people.find_with_dialogue(incoming.channel, incoming.user_id)
        new_person = person is None
        if person is None:
            if incoming.poll_id is not None:
                return []
            language = supported(incoming.lang_hint) or DEFAULT_LANGUAGE
            # Met in a group on a channel that cannot open a private chat (Telegram: only the
            # person can): nothing can be sent to them privately until they write there.
            unreachable = incoming.in_group and not incoming.can_write_first
            person = await self.store.people.create(
                incoming.channel, incoming.user_id, language, now, unreachable=unreachable
            )
        elif not person.reachable and not incoming.in_group:
            # Writing to the bot proves the person has unblocked it: reminders and polls go to
            # them again. (Here, where the person is read anyway, not by a read per message in
            # each adapter.)
            await self.store.people.set_unreachable(incoming.channel, incoming.user_id, None)
        saved_state = copy.deepcopy(state)
        if incoming.payload is None and incoming.poll_id is None and incoming.text is not None:
            # The words (or number) of a shown button, typed, press it, also while the next
            # message would otherwise be taken as a comment, a panel question or a survey answer.
            pressed = chosen(state, clean(incoming.text).text)
            if pressed is not None:
                incoming = incoming.model_copy(update={"payload": pressed})
        zone = _time_zone(snapshot)
        turn = Turn(incoming, now, person, state, Translator(person.language, zone), snapshot, new_person)
        # Met in a group first: the welcome and privacy note come with their first private message.
        welcome_due = not incoming.in_group and bool(turn.state.pop(WELCOME_DUE_KEY, False))

        survey_poll = parse_poll_id(incoming.poll_id) if incoming.poll_id is not None else None
        if survey_poll is not None:
            await self.surveys.poll_answer(turn, *survey_poll)
        elif incoming.poll_id is not None:
            await self.evaluation.answer(turn)
        elif await self.evaluation.comment(turn) or await self.qa.capture(turn) or await self.surveys.capture(turn):
            pass
        elif incoming.payload is not None:
            await self._button(turn, incoming.payload)
        else:
            await self._text(turn, incoming.text)
        if (turn.new_person or welcome_due) and not turn.welcomed:
            self._short_welcome(turn)
        if not turn.forgotten:
            self._remember_choices(turn)
            if turn.state != saved_state or new_person:
                await self.store.people.save_dialogue(person.id, turn.state, now)
        return turn.out

    # --- input ---------------------------------------------------------------------------

    async def _text(self, turn: Turn, raw: str | None) -> None:
        _ = turn.t.gettext
        cleaned = clean(raw)
        if cleaned.problem is Problem.TOO_LONG:
            turn.say(_("That message is too long for me. Please ask in a sentence or two."), fallback=True)
            return
        if cleaned.problem is Problem.NOT_TEXT:
            turn.say(_("I can only read text messages. Try asking, for example: “What's on today?”"), fallback=True)
            return
        if cleaned.problem is Problem.EMPTY:
            self._help(turn)
            return
        text = cleaned.text
        choice = chosen(turn.state, text)
        if choice is not None:
            await self._button(turn, choice)
        elif text.startswith("/"):
            await self._command(turn, text)
        else:
            await self._question(turn, text)

    def _remember_choices(self, turn: Turn) -> None:
        turn.state.update(choice_state([m for m in turn.out if m.recipient is None]))

    async def _command(self, turn: Turn, text: str) -> None:
        word, _space, argument = text[1:].partition(" ")
        command = word.split("@")[0].casefold()
        argument = argument.strip()
        if command == "start":
            await self._start(turn, argument)
        elif command in ("help", "hjälp", "apua", "caawi", "مساعدة", "راهنما"):
            self._help(turn)
        elif command in ("language", "lang", "språk", "kieli", "luqad", "لغة", "زبان"):
            await self._language(turn, argument)
        elif command in ("today", "idag"):
            await self._browse(turn, "today")
        elif command in ("tomorrow", "imorgon"):
            await self._browse(turn, "tomorrow")
        elif command in ("weekend", "helgen"):
            await self._browse(turn, "weekend")
        elif command in ("now", "nu"):
            await self._browse(turn, "now")
        elif command in ("next", "nästa"):
            await self._browse(turn, "next")
        elif command in ("programme", "program", "days", "dagar"):
            self._days(turn)
        elif command in ("my", "mine", "mina", "myevents"):
            await self._my_events(turn)
        elif command == "mydata":
            await self._my_data(turn)
        elif command in ("forget", "glöm"):
            self._forget_ask(turn)
        elif command in ASK_COMMANDS or command in LIST_COMMANDS:
            await self.qa.command(turn, command, argument)
        elif command in SURVEY_COMMANDS:
            await self.surveys.command(turn)
        else:
            turn.say(
                turn.t.gettext("I don't know the command /{command}.").format(command=shorten(command, 30)),
                fallback=True,
            )
            self._help(turn)

    async def _button(self, turn: Turn, payload: str) -> None:
        action = buttons.decode(payload)
        _ = turn.t.gettext
        if action is None:
            turn.say(_("That button is from an older message. Here is what you can do now:"))
            self._menu(turn)
            return
        if action.name == "ev":
            await self._card(turn, action.arg())
        elif action.name == "su":
            await self._sign_up(turn, action.arg())
        elif action.name == "cx":
            await self._cancel(turn, action.arg())
        elif action.name == "qr":
            await self._checkin_qr(turn, action.arg())
        elif action.name == "ics":
            self._calendar(turn, action.arg())
        elif action.name == "pg":
            self._page(turn, action.arg(0), action.arg(1))
        elif action.name == "lang":
            await self._language(turn, action.arg())
        elif action.name == "b":
            if action.arg() == "day":
                await self._browse(turn, "day", action.arg(1))
            else:
                await self._browse(turn, action.arg())
        elif action.name == "my":
            await self._my_events(turn)
        elif action.name == "faq":
            self._faq_answer(turn, action.arg())
        elif action.name == "forget":
            asked = self._was_asked(turn, "forget")
            if action.arg() == "yes" and not asked:
                turn.say(_("To be sure it is what you want, here is the question again:"))
                self._forget_ask(turn)
            else:
                await self._forget(turn, confirmed=action.arg() == "yes")
        elif action.name == "help":
            self._help(turn)
        elif action.name == "offer":
            await self.evaluation.offer_answer(turn, action.arg(0), action.arg(1))
        elif action.name == QA_ACTION:
            await self.qa.button(turn, action)
        elif action.name in (OPT_IN, TICK, DONE, SKIP, BEGIN):
            await self.surveys.button(turn, action)
        else:
            turn.say(_("That button is from an older message. Here is what you can do now:"))
            self._menu(turn)

    # --- welcome, help, language ---------------------------------------------------------

    async def _start(self, turn: Turn, argument: str) -> None:
        if argument.startswith(START_RATE_PREFIX):
            await self.evaluation.start_link(turn, argument[len(START_RATE_PREFIX) :])
            return
        if argument.startswith(START_EVENT_PREFIX):
            await self._card(turn, argument[len(START_EVENT_PREFIX) :])
            return
        if argument.startswith(START_SIGNUP_PREFIX):
            # The deep link a group's "Sign up" gave: the signup is finished here, in one tap.
            await self._sign_up(turn, argument[len(START_SIGNUP_PREFIX) :])
            return
        self._welcome(turn)

    def _festival_name(self, turn: Turn) -> str:
        if turn.snapshot is None:
            return "Malmö Möts"
        return turn.t.isolate(pick(turn.snapshot.festival.name, turn.t.lang))

    def _privacy_lines(self, turn: Turn) -> list[str]:
        _ = turn.t.gettext
        return [
            _("Privacy: I store only your chat id, your language and your signups."),
            _("/mydata shows all of it, /forget deletes it. Ratings are anonymous."),
        ]

    def _welcome(self, turn: Turn) -> None:
        _ = turn.t.gettext
        turn.welcomed = True
        text = TextBuilder()
        text.line(_("Hi! I'm the {festival} bot.").format(festival=self._festival_name(turn)), bold=True)
        text.line(
            _(
                "Ask me what's on (“what's on tonight?”, “workshops in English”), open an event, "
                "sign up, cancel and add events to your calendar."
            )
        )
        text.line()
        for line in self._privacy_lines(turn):
            text.line(line)
        text.line()
        text.line(_("Your language is {language}. Change it here:").format(language=NATIVE_NAMES[turn.t.lang]))
        # Personal: said to this one person (and their language), never posted in a group.
        turn.say(text, buttons=self._language_rows(turn), personal=True)
        self._menu(turn)

    def _short_welcome(self, turn: Turn) -> None:
        """For a person whose first message was not /start: the welcome, folded into the
        answer's last message. One message, not two: in a rush of new residents every message
        waits its turn under Telegram's 30 a second. In a group, only a short public hint;
        the rest privately."""
        _ = turn.t.gettext
        turn.welcomed = True
        if turn.incoming.in_group:
            self._group_hint(turn)
            return
        text = TextBuilder()
        text.line(
            _("Welcome to the {festival} bot! /help shows what I can do, /language changes the language.").format(
                festival=self._festival_name(turn)
            )
        )
        for line in self._privacy_lines(turn):
            text.line(line)
        for index in range(len(turn.out) - 1, -1, -1):
            answer = turn.out[index]
            if (
                answer.recipient is None
                and answer.lang == turn.t.lang
                and answer.attachment is None
                and answer.poll is None
                and answer.spans
            ):
                spans = [*answer.spans, Span(text="\n\n"), *text.build()]
                turn.out[index] = answer.model_copy(update={"spans": spans})
                return
        turn.say(text, personal=True)

    def _group_hint(self, turn: Turn) -> None:
        """A new person's first words to the bot were in a group: the welcome and privacy note
        are for them alone. Where the bot can open a private chat it goes there; elsewhere the
        group sees one line and a button that opens the private chat."""
        _ = turn.t.gettext
        if turn.person.reachable:
            text = TextBuilder()
            text.line(_("Hi! I'm the {festival} bot.").format(festival=self._festival_name(turn)), bold=True)
            for line in self._privacy_lines(turn):
                text.line(line)
            turn.say(text, personal=True)
            return
        turn.state[WELCOME_DUE_KEY] = True
        turn.say(
            _("Hi! Write to me in a private chat to sign up and get reminders."),
            buttons=[[Button(label=_("Open a private chat"), start="")]],
        )

    def _help(self, turn: Turn) -> None:
        _ = turn.t.gettext
        text = TextBuilder()
        text.line(_("What I can do"), bold=True)
        text.line(
            _(
                "Ask in your own words, e.g. “what's on tomorrow evening?”, “concerts this weekend”, "
                "“events in Arabic”, “is it free?”."
            )
        )
        text.line()
        text.line(_("/today – what's on today"))
        text.line(_("/tomorrow – what's on tomorrow"))
        text.line(_("/weekend – this weekend"))
        text.line(_("/now – happening right now"))
        text.line(_("/next – starting soon"))
        text.line(_("/programme – the festival day by day"))
        text.line(_("/my – your signups"))
        text.line(_("/ask – ask the panel of an event that is on now"))
        text.line(_("/surveys – the city's short surveys"))
        text.line(_("/language – change language"))
        text.line(_("/mydata – what I store about you"))
        text.line(_("/forget – delete your data"))
        turn.say(text)
        self._menu(turn)

    def _menu(self, turn: Turn) -> None:
        turn.say(turn.t.gettext("Choose:"), buttons=self._menu_rows(turn))

    def _menu_rows(self, turn: Turn) -> list[list[Button]]:
        _ = turn.t.gettext
        return [
            [
                Button(label=_("Today"), payload=buttons.encode("b", "today")),
                Button(label=_("Tomorrow"), payload=buttons.encode("b", "tomorrow")),
            ],
            [
                Button(label=_("Programme"), payload=buttons.encode("b", "days")),
                Button(label=_("My events"), payload=buttons.encode("my")),
            ],
        ]

    def _language_rows(self, turn: Turn) -> list[list[Button]]:
        labels = [
            Button(
                label=("✓ " if code == turn.t.lang else "") + NATIVE_NAMES[code],
                payload=buttons.encode("lang", code),
            )
            for code in LANGUAGES
        ]
        return [labels[i : i + 3] for i in range(0, len(labels), 3)]

    async def _language(self, turn: Turn, argument: str) -> None:
        chosen = supported(argument)
        if chosen is None:
            turn.say(turn.t.gettext("Choose your language:"), buttons=self._language_rows(turn))
            return
        await self.store.people.set_language(turn.person.id, chosen)
        zone = _time_zone(turn.snapshot)
        turn.t = Translator(chosen, zone)
        turn.say(turn.t.gettext("Done: I will answer in {language}.").format(language=NATIVE_NAMES[chosen]))
        if turn.new_person:
            self._menu(turn)

    # --- programme -----------------------------------------------------------------------

    def _no_programme(self, turn: Turn) -> bool:
        if turn.snapshot is None:
            turn.say(turn.t.gettext("The programme is not published yet. Please come back soon!"))
            return True
        return False

    def _browse_query(self, turn: Turn, kind: str, argument: str = "") -> tuple[ProgrammeQuery, str] | None:
        _ = turn.t.gettext
        today = turn.today
        if kind == "today":
            return ProgrammeQuery(date_from=today, date_to=today), _("Today")
        if kind == "tomorrow":
            tomorrow = today + timedelta(days=1)
            return ProgrammeQuery(date_from=tomorrow, date_to=tomorrow), _("Tomorrow")
        if kind == "weekend":
            saturday = today + timedelta(days=(5 - today.weekday()) % 7) if today.weekday() != 6 else today
            sunday = saturday + timedelta(days=1) if saturday.weekday() == 5 else saturday
            return ProgrammeQuery(date_from=saturday, date_to=sunday), _("This weekend")
        if kind == "now":
            return ProgrammeQuery(running_now=True), _("Happening now")
        if kind == "next":
            return ProgrammeQuery(upcoming=True), _("Starting next")
        if kind == "day":
            try:
                day = date.fromisoformat(argument)
            except ValueError:
                return None
            return ProgrammeQuery(date_from=day, date_to=day), turn.t.day(
                datetime.combine(day, datetime.min.time(), tzinfo=turn.t.zone)
            ).capitalize()
        return None

    async def _browse(self, turn: Turn, kind: str, argument: str = "") -> None:
        if self._no_programme(turn):
            return
        assert turn.snapshot is not None
        if kind == "days":
            self._days(turn)
            return
        browse = self._browse_query(turn, kind, argument)
        if browse is None:
            turn.say(turn.t.gettext("That button is from an older message. Here is what you can do now:"))
            self._menu(turn)
            return
        query, heading = browse
        events = find_events(turn.snapshot, query, turn.now)
        self._show_events(turn, events, heading)

    def _days(self, turn: Turn) -> None:
        if self._no_programme(turn):
            return
        assert turn.snapshot is not None
        festival = turn.snapshot.festival
        rows: list[list[Button]] = []
        day = festival.start_date
        while day <= festival.end_date and len(rows) < 31:
            moment = datetime.combine(day, datetime.min.time(), tzinfo=turn.t.zone)
            rows.append(
                [
                    Button(
                        label=turn.t.day(moment).capitalize(),
                        payload=buttons.encode("b", "day", day.isoformat()),
                    )
                ]
            )
            day += timedelta(days=1)
        turn.say(turn.t.gettext("Which day?"), buttons=rows)

    def _show_events(
        self,
        turn: Turn,
        events: list[Event],
        heading: str,
        *,
        before: TextBuilder | None = None,
        faq: tuple[str, ...] = (),
    ) -> None:
        """The list in one message, with `before` (an FAQ answer, a note) on top of it."""
        _ = turn.t.gettext
        assert turn.snapshot is not None
        if not events:
            festival = turn.snapshot.festival
            start = datetime.combine(festival.start_date, datetime.min.time(), tzinfo=turn.t.zone)
            end = datetime.combine(festival.end_date, datetime.min.time(), tzinfo=turn.t.zone)
            text = TextBuilder()
            if before is not None and before.spans:
                text.spans += before.build()
                text.line()
                text.line()
            text.line(heading, bold=True)
            text.line(_("I found nothing for that."))
            text.line(_("The festival runs {start} – {end}.").format(start=turn.t.day(start), end=turn.t.day(end)))
            # Understood, and nothing matches ("nåt om klimat"): a real answer, not "I didn't understand";
            # the question still goes to the organisers' list of unanswered ones.
            turn.say(text, buttons=self._menu_rows(turn), faq=list(faq))
            return
        list_id = int(turn.state.get("list", {}).get("id", 0)) + 1
        turn.state["list"] = {"id": list_id, "codes": [e.code for e in events], "heading": heading}
        count = turn.t.ngettext("{n} event", "{n} events", len(events)).format(n=len(events))
        turn.out.append(
            event_list(
                turn.t, turn.snapshot, events, f"{heading} – {count}", page=0, list_id=list_id, before=before, faq=faq
            )
        )

    def _page(self, turn: Turn, list_id: str, page: str) -> None:
        current = turn.state.get("list") or {}
        if self._no_programme(turn):
            return
        assert turn.snapshot is not None
        if not _small_number(list_id) or not _small_number(page) or int(list_id) != current.get("id"):
            turn.say(turn.t.gettext("That list is out of date. Ask again, or choose:"))
            self._menu(turn)
            return
        events = [e for code in current.get("codes", []) if (e := turn.snapshot.event(code)) is not None]
        count = turn.t.ngettext("{n} event", "{n} events", len(events)).format(n=len(events))
        turn.out.append(
            event_list(
                turn.t,
                turn.snapshot,
                events,
                f"{current.get('heading', '')} – {count}",
                page=int(page),
                list_id=int(list_id),
                replace_previous=True,
            )
        )

    def _event(self, turn: Turn, code: str) -> Event | None:
        """The event a button or deep link names, or None after telling the person why not."""
        if self._no_programme(turn):
            return None
        assert turn.snapshot is not None
        event = turn.snapshot.event(code)
        if event is None or event.id is None:
            turn.say(turn.t.gettext("I can't find that event. It may have been removed from the programme."))
            self._menu(turn)
            return None
        return event

    async def _card(self, turn: Turn, code: str) -> None:
        event = self._event(turn, code)
        if event is None or event.id is None or turn.snapshot is None:
            return
        occupancy = await self.store.signups.occupancy(event.id)
        status = await self.store.signups.status_of(event.id, turn.person.id)
        checkin_code: str | None = None
        if status is SignupStatus.CONFIRMED and event.signup_required:
            checkin = await self.store.checkins.for_person_at(event.id, turn.person.id)
            checkin_code = checkin.code if checkin else None
        qa_open = await self.qa.is_open(event, turn.now)
        turn.out.append(
            event_card(turn.t, turn.snapshot, event, occupancy, status, turn.now, checkin_code, qa_open=qa_open)
        )

    async def _checkin_qr(self, turn: Turn, code: str) -> None:
        event = self._event(turn, code)
        if event is None or event.id is None:
            return
        checkin = await self.store.checkins.for_person_at(event.id, turn.person.id)
        if checkin is None:
            turn.say(turn.t.gettext("You have no seat at this event, so there is no check-in code."))
            return
        # The QR opens the organisers' check-in page when motsbot knows its address; otherwise it
        # holds the bare code, which the check-in page also reads from a scanner.
        content = self.checkin_url.format(code=checkin.code) if self.checkin_url else checkin.code
        image = io.BytesIO()
        segno.make_qr(content, error="m").save(image, kind="png", scale=8, border=4)
        turn.say(
            turn.t.gettext("Your check-in code for “{title}”: {code}").format(
                title=title_of(event, turn.t), code=checkin.code
            ),
            events=[event.code],
            personal=True,
            attachment_name=f"checkin-{event.code}.png",
            attachment=image.getvalue(),
        )

    def _calendar(self, turn: Turn, code: str) -> None:
        event = self._event(turn, code)
        if event is None or turn.snapshot is None:
            return
        turn.say(
            turn.t.gettext("Here is “{title}” for your calendar.").format(title=title_of(event, turn.t)),
            events=[event.code],
            attachment_name=f"{event.code}.ics",
            attachment=event_calendar(turn.snapshot, event, turn.t.lang),
        )

    # --- signups -------------------------------------------------------------------------

    async def _sign_up(self, turn: Turn, code: str) -> None:
        _ = turn.t.gettext
        event = self._event(turn, code)
        if event is None or event.id is None:
            return
        title = title_of(event, turn.t)
        if not event.signup_required:
            turn.say(
                _("“{title}” is open entry: no signup needed, just come!").format(title=title),
                events=[event.code],
            )
            return
        if turn.incoming.in_group and not turn.person.reachable:
            # Pressed in a group by someone the bot cannot write to privately: a seat taken
            # now would be one they never hear of (no confirmation, reminder or offer).
            turn.say(
                _("To sign up for “{title}”, open a private chat with me: one tap below and you're signed up.").format(
                    title=title
                ),
                buttons=[[Button(label=_("Sign up in a private chat"), start=START_SIGNUP_PREFIX + event.code)]],
                events=[event.code],
            )
            return
        try:
            outcome = await self.store.signups.sign_up(event.id, turn.person.id, turn.now)
        except SignupError as error:
            if error.reason == "cancelled":
                turn.say(_("Sorry, “{title}” is cancelled.").format(title=title), events=[event.code])
            elif error.reason == "ended":
                turn.say(_("“{title}” is already over.").format(title=title), events=[event.code])
            else:
                turn.say(_("I can't find that event. It may have been removed from the programme."))
            return
        when = turn.t.when(event.starts_at, event.ends_at)
        details = {"events": [event.code], "personal": True}
        manage = [
            [
                Button(label=_("Open the event"), payload=buttons.encode("ev", event.code)),
                Button(label=_("My events"), payload=buttons.encode("my")),
            ]
        ]
        if outcome.status is SignupStatus.CONFIRMED:
            message = (
                _("You were already signed up for “{title}”, {when}.")
                if outcome.already
                else _("You're signed up for “{title}”, {when}. See you there!")
            )
            turn.say(message.format(title=title, when=when), buttons=manage, **details)
        else:
            message = (
                _("You are already on the waiting list for “{title}” (number {position}).")
                if outcome.already
                else _(
                    "“{title}” is full. You are number {position} on the waiting list; if a seat "
                    "frees up it is yours and I will tell you."
                )
            )
            turn.say(message.format(title=title, position=outcome.waitlist_position), buttons=manage, **details)

    async def _cancel(self, turn: Turn, code: str) -> None:
        _ = turn.t.gettext
        event = self._event(turn, code)
        if event is None or event.id is None:
            return
        title = title_of(event, turn.t)
        outcome = await self.store.signups.cancel(event.id, turn.person.id, turn.now)
        if outcome.previous is None:
            turn.say(_("You had no signup for “{title}”.").format(title=title), events=[event.code])
            return
        if outcome.previous is SignupStatus.WAITLISTED:
            turn.say(
                _("You have left the waiting list for “{title}”.").format(title=title),
                events=[event.code],
                personal=True,
            )
        else:
            turn.say(
                _("Your place at “{title}” is cancelled. Thanks for letting others have it!").format(title=title),
                events=[event.code],
                personal=True,
            )
        if outcome.promoted is not None:
            self._tell_promoted(turn, outcome.promoted, event)

    def _tell_promoted(self, turn: Turn, person: Person, event: Event) -> None:
        zone = _time_zone(turn.snapshot)
        t = Translator(person.language, zone)
        text = t.gettext("Good news: a seat freed up at “{title}”, {when}. You are now signed up!").format(
            title=title_of(event, t), when=t.when(event.starts_at, event.ends_at)
        )
        turn.out.append(
            Outgoing(
                spans=[Span(text=text)],
                buttons=[[Button(label=t.gettext("Open the event"), payload=buttons.encode("ev", event.code))]],
                events=[event.code],
                lang=t.lang,
                rtl=t.rtl,
                personal=True,
                recipient=Recipient(channel=person.channel, user_id=person.channel_user_id),
            )
        )

    async def _my_events(self, turn: Turn) -> None:
        _ = turn.t.gettext
        mine = await self.store.signups.of_person(turn.person.id)
        if not mine or turn.snapshot is None:
            turn.say(
                _("You have no signups yet. Ask me what's on, then press “Sign up” on an event."),
                personal=True,
            )
            self._menu(turn)
            return
        text = TextBuilder()
        text.line(_("Your events"), bold=True)
        rows: list[list[Button]] = []
        codes: list[str] = []
        for number, signup in enumerate(mine, start=1):
            event = turn.snapshot.event(signup.event_code)
            if event is None:
                continue
            mark = "✅" if signup.status is SignupStatus.CONFIRMED else "⏳ " + _("waiting list")
            text.line(f"{number}. {title_of(event, turn.t)}", bold=True)
            text.line(f"   {turn.t.when(event.starts_at)} · {mark}")
            rows.append(
                [
                    Button(
                        label=shorten(pick(event.title, turn.t.lang), 40),
                        payload=buttons.encode("ev", event.code),
                    )
                ]
            )
            codes.append(event.code)
        turn.say(text, buttons=rows, events=codes, personal=True)

    # --- privacy -------------------------------------------------------------------------

    async def _my_data(self, turn: Turn) -> None:
        _ = turn.t.gettext
        data = await self.store.people.data_of(turn.person.id)
        person = data["person"]
        text = TextBuilder()
        text.line(_("Everything I store about you"), bold=True)
        text.line(_("Channel: {channel}, id {user_id}").format(channel=person["channel"], user_id=person["user_id"]))
        text.line(_("Language: {language}").format(language=NATIVE_NAMES.get(person["language"], person["language"])))
        text.line(_("First message: {when}").format(when=turn.t.when(datetime.fromisoformat(person["created_at"]))))
        if data["signups"]:
            text.line(_("Signups:"))
            for signup in data["signups"]:
                event = turn.snapshot.event(signup["event"]) if turn.snapshot else None
                title = title_of(event, turn.t) if event else signup["event"]
                text.line(f"  • {title}: {_status_name(turn.t, signup['status'])}")
        else:
            text.line(_("Signups: none"))
        text.line(_("Conversation state: your last list and buttons, so that numbers and “next” work."))
        text.line(_("Ratings are stored without any link to you."))
        consent = await self.surveys.store.consent(turn.person.id)
        if consent is not None:
            text.line(
                _("Surveys: you agreed to get them (/surveys to stop).")
                if consent
                else _("Surveys: you do not get them.")
            )
        text.line()
        text.line(_("The same as data (JSON):"))
        turn.say(text, personal=True)
        turn.say(json.dumps(data, ensure_ascii=False, indent=1), personal=True)

    def _ask_to_confirm(self, turn: Turn, action: str) -> None:
        turn.state[CONFIRM_KEY] = {"action": action, "at": turn.now.isoformat()}

    def _was_asked(self, turn: Turn, action: str) -> bool:
        """Whether the person was just asked the question this button answers (once: the
        answer uses the question up)."""
        asked = turn.state.pop(CONFIRM_KEY, None)
        if not isinstance(asked, dict) or asked.get("action") != action:
            return False
        try:
            at = datetime.fromisoformat(str(asked.get("at")))
        except ValueError:
            return False
        return timedelta(0) <= turn.now - at <= CONFIRM_WITHIN

    def _forget_ask(self, turn: Turn) -> None:
        _ = turn.t.gettext
        self._ask_to_confirm(turn, "forget")
        turn.say(
            _(
                "Delete everything I store about you: your language, your signups (your places go to the waiting "
                "list) and our conversation? This cannot be undone."
            ),
            buttons=[
                [
                    Button(label=_("Yes, delete my data"), payload=buttons.encode("forget", "yes")),
                    Button(label=_("No, keep it"), payload=buttons.encode("forget", "no")),
                ]
            ],
            personal=True,
        )

    async def _forget(self, turn: Turn, *, confirmed: bool) -> None:
        _ = turn.t.gettext
        if not confirmed:
            turn.say(_("OK, nothing was deleted."))
            return
        promoted = await self.store.signups.forget(turn.person.id, turn.now)
        turn.forgotten = True
        turn.welcomed = True
        turn.say(_("Done: everything about you is deleted. If you write again, you start afresh."))
        for person, event_id in promoted:
            event = next((e for e in turn.snapshot.events if e.id == event_id), None) if turn.snapshot else None
            if event is not None:
                self._tell_promoted(turn, person, event)

    # --- questions -----------------------------------------------------------------------

    async def _question(self, turn: Turn, text: str) -> None:
        _ = turn.t.gettext
        if turn.snapshot is None:
            self._no_programme(turn)
            return
        offer = await self._written_in(turn, text)
        if turn.state.pop("for_a_person", False):
            await self._pass_on(turn, text)
            return
        understood = understand(text, turn.t.lang, turn.now, turn.snapshot)
        await self._answer(turn, understood, text)
        if _unanswered(understood) and self._may_log_unanswered(turn):
            # Only the words and the language: organisers see what people miss, not who asked.
            await self.store.unanswered.record(text, turn.t.lang, turn.now)
        if offer is not None:
            self._offer_language(turn, offer)

    def _may_log_unanswered(self, turn: Turn) -> bool:
        """Whether this person may add one more question to the organisers' list now (in memory only)."""
        verdict = self.unanswered_flood.check(turn.incoming.channel, turn.incoming.user_id, turn.now)
        return verdict is Verdict.HANDLE

    async def _written_in(self, turn: Turn, text: str) -> str | None:
        """The language to offer to switch to, when the text is clearly in another one.

        A person who never chose (a first message, and a channel such as Matrix that gives no
        language hint) simply gets the language they wrote in.
        """
        written = detect_language(text)
        if written is None or written == turn.t.lang:
            return None
        if turn.new_person and supported(turn.incoming.lang_hint) is None:
            await self.store.people.set_language(turn.person.id, written)
            turn.t = Translator(written, turn.t.zone.key)
            return None
        offered: list[str] = turn.state.get("language_offered", [])
        if written in offered:
            return None
        turn.state["language_offered"] = [*offered, written]
        return written

    def _offer_language(self, turn: Turn, lang: str) -> None:
        # In the language they wrote in: that is the one they can surely read.
        t = Translator(lang, turn.t.zone.key)
        turn.out.append(
            Outgoing(
                spans=[
                    Span(
                        text=t.gettext("You wrote in {language}. Shall I answer in {language}?").format(
                            language=NATIVE_NAMES[lang]
                        )
                    )
                ],
                buttons=[[Button(label=NATIVE_NAMES[lang], payload=buttons.encode("lang", lang))]],
                lang=t.lang,
                rtl=t.rtl,
            )
        )

    async def _answer(self, turn: Turn, understood: Understanding, text: str) -> None:
        _ = turn.t.gettext
        assert turn.snapshot is not None
        if understood.intent == "small_talk" and understood.small_talk:
            self._small_talk(turn, understood.small_talk)
        elif understood.intent == "language" and understood.languages:
            self._speaks(turn, understood.languages)
        elif understood.intent == "venue" and understood.venue_keys:
            entry = self._faq_entry(turn, understood.faq[0][0].key) if understood.faq else None
            self._venue_info(turn, understood.venue_keys, entry)
        elif understood.intent == "faq" and understood.faq:
            self._faq_answer(turn, understood.faq[0][0].key)
        elif understood.intent == "faq_unsure" and understood.faq:
            rows = [
                [
                    Button(
                        label=shorten(_faq_question(entry, turn.t.lang), 60),
                        payload=buttons.encode("faq", entry.key),
                    )
                ]
                for entry, _score in understood.faq[:2]
            ]
            turn.say(_("I'm not sure I understood. Did you mean one of these?"), buttons=rows)
        elif understood.intent == "events" and understood.query is not None:
            # The FAQ answer, a note on what differs from the question and the list: one message.
            before = TextBuilder()
            faq: tuple[str, ...] = ()
            if understood.faq:
                entry = self._faq_entry(turn, understood.faq[0][0].key)
                if entry is not None:
                    before.spans += self._faq_text(turn, entry).build()
                    faq = (entry.key,)
            note = self._explain(turn, understood, text)
            if note:
                if before.spans:
                    before.line()
                before.add(note)
            if understood.events or not understood.ended:
                heading = _heading(turn, understood.query)
                self._show_events(turn, understood.events, heading, before=before, faq=faq)
            elif faq:
                turn.say(before, faq=list(faq))
        else:
            self._fallback(turn)

    def _small_talk(self, turn: Turn, kind: str) -> None:
        """A greeting, thanks, "ok", "are you a bot?" or "can I talk to a person?": a real answer."""
        _ = turn.t.gettext
        if kind == "human":
            turn.state["for_a_person"] = True
            turn.say(
                _(
                    "I'm a bot, but I can pass a question to the festival's organisers: one of them will answer "
                    "you here in this chat. Write your question in one message. (I keep it with your chat id "
                    "until you /forget or the festival's data is deleted.)"
                )
            )
        elif kind == "bot":
            turn.say(
                _(
                    "I'm the {festival} chatbot, not a person. I answer questions about the programme and can "
                    "sign you up. To reach a person, write “I want to talk to a person”."
                ).format(festival=self._festival_name(turn))
            )
        elif kind == "thanks":
            turn.say(_("You're welcome! Ask me any time."))
        elif kind == "ok":
            turn.say(_("Good! Ask me whenever you want to know what's on."))
        else:
            turn.say(
                _("Hi! Ask me what's on, e.g. “what's on tonight?” or “workshops in English”, or choose:"),
                buttons=self._menu_rows(turn),
            )

    async def _pass_on(self, turn: Turn, text: str) -> None:
        """The question someone wrote after asking for a person goes to the organisers' inbox."""
        _ = turn.t.gettext
        if await self.store.handover.ask(turn.person.id, text, turn.t.lang, turn.now):
            turn.say(_("Thanks! Your question is with the organisers; one of them will answer you here."))
        else:
            turn.say(_("You already have questions waiting for the organisers; they will answer you here soon."))

    def _speaks(self, turn: Turn, languages: tuple[str, ...]) -> None:
        """ "Can you speak Arabic?": yes, and one tap switches."""
        _ = turn.t.gettext
        names = ", ".join(turn.t.isolate(NATIVE_NAMES[code]) for code in languages if code in NATIVE_NAMES)
        if list(languages) == [turn.t.lang]:
            turn.say(_("Yes! I'm answering in {language}.").format(language=names))
            return
        rows = [
            [Button(label=NATIVE_NAMES[code], payload=buttons.encode("lang", code))]
            for code in languages
            if code in NATIVE_NAMES
        ]
        turn.say(_("Yes, I can answer in {languages}. Tap to switch:").format(languages=names), buttons=rows)

    def _venue_info(self, turn: Turn, keys: tuple[str, ...], entry: FaqEntry | None = None) -> None:
        """Where a venue is and what its access is like, from the programme's venue data, after
        the FAQ answer about it when there is one (one message)."""
        _ = turn.t.gettext
        assert turn.snapshot is not None
        text = self._faq_text(turn, entry) if entry is not None else TextBuilder()
        if entry is not None:
            text.line()
        for key in keys[:3]:
            venue = turn.snapshot.venues.get(key)
            if venue is None:
                continue
            text.line(turn.t.isolate(venue.name), bold=True)
            if venue.address:
                text.line(_("Address: {address}").format(address=turn.t.isolate(venue.address)))
            access = pick(venue.accessibility, turn.t.lang).strip()
            if venue.address and access.startswith(venue.address):
                # Imported venue notes often repeat the address before the access notes.
                access = access[len(venue.address) :].lstrip(" .,")
            if access:
                text.line(turn.t.isolate(access))
        turn.say(text, faq=[entry.key] if entry is not None else [])

    def _explain(self, turn: Turn, understood: Understanding, text: str) -> str:
        """Why the list differs from the literal question: a line to put above it (or, when all
        that matched has ended, a message of its own)."""
        _ = turn.t.gettext
        notes: list[str] = []
        if understood.ignored and understood.events:
            # The person's own spelling, and only long plain words ("klimatförändringar"): short
            # leftovers are mostly slang and fillers ("bror", "ppl"), which read oddly said back.
            ignored = set(understood.ignored)
            typed = [word for word, _start, _end in token_spans(text) if normalize(word) in ignored]
            content = [word for word in dict.fromkeys(typed) if len(word) >= _QUOTABLE and word.isalpha()]
            if content:
                words = ", ".join(f"“{turn.t.isolate(word)}”" for word in content)
                notes.append(
                    _("Nothing in the programme mentions {words}; here is what matches the rest:").format(words=words)
                )
            else:
                notes.append(_("Some of your words are not in the programme; this matches the rest:"))
        if understood.note == "nothing_now" and understood.events:
            notes.append(_("Nothing is happening right now. Coming up next:"))
        elif understood.note == "other_kinds" and understood.events:
            notes.append(_("Nothing of that kind matches; here are other events that match the rest:"))
        elif understood.note in ("ended", "past_only") and understood.ended and not understood.events:
            over = TextBuilder()
            over.line(_("That has already ended:"))
            for event in understood.ended[:3]:
                over.line(f"• {title_of(event, turn.t)} ({turn.t.when(event.starts_at)})")
            turn.say(over, buttons=self._menu_rows(turn))
        return " ".join(notes)

    def _faq_entry(self, turn: Turn, key: str) -> FaqEntry | None:
        return next((e for e in turn.snapshot.faq if e.key == key), None) if turn.snapshot else None

    def _faq_answer(self, turn: Turn, key: str) -> None:
        entry = self._faq_entry(turn, key)
        if entry is None:
            turn.say(turn.t.gettext("That button is from an older message. Here is what you can do now:"))
            self._menu(turn)
            return
        turn.say(self._faq_text(turn, entry), faq=[entry.key])

    def _faq_text(self, turn: Turn, entry: FaqEntry) -> TextBuilder:
        text = TextBuilder()
        text.line(turn.t.isolate(_faq_question(entry, turn.t.lang)), bold=True)
        if not entry.answer.get(turn.t.lang, "").strip():
            # The organisers have not written it in this language: say so, in this language.
            text.line(
                turn.t.gettext("The organisers have not written this answer in {language} yet:").format(
                    language=NATIVE_NAMES[turn.t.lang]
                )
            )
        text.line(turn.t.isolate(pick(entry.answer, turn.t.lang)))
        return text

    def _fallback(self, turn: Turn) -> None:
        _ = turn.t.gettext
        text = TextBuilder()
        text.line(_("Sorry, I didn't understand that."))
        text.line(
            _("You can ask, for example: “what's on tomorrow?”, “workshops in English”, “is it free?” – or choose:")
        )
        rows = [
            [
                Button(label=_("Today"), payload=buttons.encode("b", "today")),
                Button(label=_("Programme"), payload=buttons.encode("b", "days")),
            ],
            [Button(label=_("Help"), payload=buttons.encode("help"))],
        ]
        turn.say(text, buttons=rows, fallback=True)


def _unanswered(understood: Understanding) -> bool:
    """A question the bot could not answer: organisers may want to add it to the FAQ."""
    return understood.intent == "fallback" or (understood.intent == "events" and _found_nothing(understood))


def _found_nothing(understood: Understanding) -> bool:
    """An events answer that found nothing because of words the programme does not have."""
    return not understood.events and not understood.ended and bool(understood.ignored)


def _small_number(text: str) -> bool:
    """ASCII digits only, and few enough to fit a database integer: forged payloads carry anything."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def _time_zone(snapshot: ProgrammeSnapshot | None) -> str:
    """The festival's zone; before any programme exists, the data model's default."""
    return snapshot.festival.time_zone if snapshot else Festival.model_fields["time_zone"].default


def _faq_question(entry: Any, lang: str) -> str:
    variants: dict[str, list[str]] = entry.questions
    for candidate in (lang, "en", "sv"):
        if variants.get(candidate):
            return variants[candidate][0]
    return next((v[0] for v in variants.values() if v), entry.key)


def _status_name(t: Translator, status: str) -> str:
    names = {
        SignupStatus.CONFIRMED.value: t.gettext("signed up"),
        SignupStatus.WAITLISTED.value: t.gettext("on the waiting list"),
        SignupStatus.CANCELLED.value: t.gettext("cancelled"),
    }
    return names.get(status, status)


def _heading(turn: Turn, query: ProgrammeQuery) -> str:
    """Says back what was understood: 'Workshops · in English · Tuesday 11 May'."""
    _ = turn.t.gettext
    t = turn.t
    parts: list[str] = []
    if query.types:
        parts.append(", ".join(sorted(t.isolate(kind) for kind in query.types)))
    if query.languages:
        names = ", ".join(sorted(t.language_name(code) for code in query.languages))
        parts.append(_("in {language}").format(language=names))
    if query.exclude_languages:
        names = ", ".join(sorted(t.language_name(code) for code in query.exclude_languages))
        parts.append(_("not in {language}").format(language=names))
    if query.venue_keys and turn.snapshot is not None:
        parts.append(
            ", ".join(
                t.isolate(turn.snapshot.venues[key].name)
                for key in sorted(query.venue_keys)
                if key in turn.snapshot.venues
            )
        )
    if query.online:
        parts.append(_("online"))
    # The words the list was ranked by are not said back: they are the asker's own spelling, slang
    # or a typo folded to a near word ("rasism mot svara"), which reads as a wrong correction.
    if query.running_now:
        parts.append(_("happening now"))
    elif query.upcoming:
        parts.append(_("starting next"))
    if query.date_from is not None:
        first = datetime.combine(query.date_from, datetime.min.time(), tzinfo=t.zone)
        if query.date_from == turn.today and query.date_to in (None, query.date_from):
            parts.append(_("today"))
        elif query.date_from == turn.today + timedelta(days=1) and query.date_to in (None, query.date_from):
            parts.append(_("tomorrow"))
        elif query.date_to is None or query.date_to == query.date_from:
            parts.append(t.day(first))
        else:
            last = datetime.combine(query.date_to, datetime.min.time(), tzinfo=t.zone)
            parts.append(f"{t.day(first)} – {t.day(last)}")
    if query.part_of_day:
        parts.append(
            {"morning": _("morning"), "afternoon": _("afternoon"), "evening": _("evening")}.get(
                query.part_of_day, query.part_of_day
            )
        )
    day = query.date_from or turn.today
    for clock, label in (
        (query.after, _("after {time}")),
        (query.before, _("before {time}")),
        (query.at, _("at {time}")),
    ):
        if clock is not None:
            parts.append(label.format(time=t.time(datetime.combine(day, clock, tzinfo=t.zone))))
    if not parts:
        return _("What I found") if query.terms else _("Events")
    heading = " · ".join(parts)
    return heading[0].upper() + heading[1:]
