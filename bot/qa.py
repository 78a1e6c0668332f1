"""Ask the panel, the engine's side: `/ask …`, the "Ask a question" button on the card of an
event whose Q&A is on while it runs, the list of approved questions to upvote, and reports.

Questions are kept by `bot.store.qa`, which links no person to a question once the Q&A closes;
a moderator in the admin approves them before anyone else sees them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot import buttons
from bot.cards import shorten, title_of
from bot.i18n import Translator
from bot.messages import Button, TextBuilder
from bot.model import Event, EventStatus
from bot.sanitize import clean
from bot.store import Store
from bot.store.qa import MAX_QUESTION, REPORT, STATE_KEY, UP, AskRefused, QaStore, QuestionStatus, is_running

if TYPE_CHECKING:
    from bot.engine import Turn

ACTION = "qa"
ASK_COMMANDS = ("ask", "fråga", "kysy", "weydii", "اسأل", "بپرس")
LIST_COMMANDS = ("questions", "frågor", "kysymykset", "suaalo", "أسئلة", "سوالات")
LIST_SIZE = 10


def ask_button(t: Translator, code: str) -> Button:
    return Button(label=t.gettext("Ask the panel a question"), payload=buttons.encode(ACTION, "ask", code))


def list_button(t: Translator, code: str) -> Button:
    return Button(label=t.gettext("Questions to the panel"), payload=buttons.encode(ACTION, "list", code))


class PanelQuestions:
    def __init__(self, store: Store) -> None:
        self.store = QaStore(store.database)

    async def taking_questions(self, turn: Turn) -> list[Event]:
        """The events whose Q&A is on and which run now (with a little margin either side)."""
        if turn.snapshot is None:
            return []
        running = [
            e
            for e in turn.snapshot.events
            if e.id is not None
            and e.status is not EventStatus.CANCELLED
            and is_running(e.starts_at, e.ends_at, turn.now)
        ]
        open_ids = await self.store.open_events([e.id for e in running if e.id is not None])
        return [e for e in running if e.id in open_ids]

    async def is_open(self, event: Event, now: datetime) -> bool:
        if event.id is None or event.status is EventStatus.CANCELLED:
            return False
        return is_running(event.starts_at, event.ends_at, now) and bool(await self.store.open_events([event.id]))

    # -- entry points -------------------------------------------------------------------------

    async def command(self, turn: Turn, command: str, argument: str) -> None:
        if command in LIST_COMMANDS:
            await self._list_for(turn, await self._one_event(turn, "list"))
            return
        event = await self._one_event(turn, "ask")
        if event is None:
            return
        if argument:
            await self._ask(turn, event, argument)
        else:
            self._prompt(turn, event)

    async def button(self, turn: Turn, action: buttons.Action) -> None:
        _ = turn.t.gettext
        sub, arg = action.arg(0), action.arg(1)
        if sub in ("ask", "list", "rl"):
            event = turn.snapshot.event(arg) if turn.snapshot is not None else None
            if event is None or event.id is None or not await self.is_open(event, turn.now):
                turn.say(_("The panel is not taking questions right now."))
                return
            if sub == "ask":
                if self._refuse_group(turn):
                    return
                self._prompt(turn, event)
            elif sub == "list":
                await self._list_for(turn, event)
            else:
                await self._report_list(turn, event)
        elif sub in ("up", "rep") and arg.isascii() and arg.isdigit() and len(arg) <= 18:
            await self._vote(turn, int(arg), UP if sub == "up" else REPORT)
        else:
            turn.say(_("That button is from an older message. Here is what you can do now:"))

    async def capture(self, turn: Turn) -> bool:
        """Takes the person's next message as their question, if they just pressed "Ask". The
        offer lasts one message, as with evaluation comments. True when handled here."""
        event_id = turn.state.pop(STATE_KEY, None)
        if not isinstance(event_id, int) or turn.incoming.payload is not None or turn.incoming.poll_id is not None:
            return False
        cleaned = clean(turn.incoming.text)
        if cleaned.problem is not None or cleaned.text.startswith("/"):
            return False
        event = next((e for e in turn.snapshot.events if e.id == event_id), None) if turn.snapshot else None
        if event is None:
            return False
        await self._ask(turn, event, cleaned.text)
        return True

    # -- steps --------------------------------------------------------------------------------

    def _refuse_group(self, turn: Turn) -> bool:
        if turn.incoming.in_group:
            # In a group everyone would see who asked.
            turn.say(turn.t.gettext("Send me your question in a private chat, so that it stays anonymous."))
            return True
        return False

    async def _one_event(self, turn: Turn, purpose: str) -> Event | None:
        _ = turn.t.gettext
        events = await self.taking_questions(turn)
        if not events:
            turn.say(_("No event is taking questions right now. Questions open when a panel with Q&A starts."))
            return None
        if purpose == "ask" and self._refuse_group(turn):
            return None
        if len(events) == 1:
            return events[0]
        rows = [
            [Button(label=shorten(title_of(e, turn.t), 40), payload=buttons.encode(ACTION, purpose, e.code))]
            for e in events[:8]
        ]
        turn.say(
            _("Several events are taking questions now. Which one?"), buttons=rows, events=[e.code for e in events]
        )
        return None

    def _prompt(self, turn: Turn, event: Event) -> None:
        assert event.id is not None
        turn.state[STATE_KEY] = event.id
        turn.say(
            turn.t.gettext(
                "Write your question to the panel of “{title}” in your next message (at most {n} characters). "
                "Nobody will see who asked."
            ).format(title=title_of(event, turn.t), n=MAX_QUESTION),
            events=[event.code],
        )

    async def _ask(self, turn: Turn, event: Event, text: str) -> None:
        _ = turn.t.gettext
        assert event.id is not None
        text = " ".join(text.split())
        if len(text) > MAX_QUESTION:
            turn.say(
                _("That question is too long: please keep it under {n} characters and send it again.").format(
                    n=MAX_QUESTION
                )
            )
            turn.state[STATE_KEY] = event.id
            return
        if not await self.is_open(event, turn.now):
            turn.say(_("The panel is not taking questions right now."))
            return
        try:
            await self.store.ask(event.id, turn.person.channel, turn.person.channel_user_id, text, turn.now)
        except AskRefused as refused:
            if refused.reason == "too_many":
                turn.say(_("You have sent several questions in a short time. Please wait a few minutes."))
            elif refused.reason == "event_limit":
                turn.say(_("You have sent as many questions to this panel as one person can."))
            else:
                turn.say(_("The panel is not taking questions right now."))
            return
        turn.say(
            _(
                "Thank you! Your question is with the moderator and shows up in the list once approved. "
                "It is anonymous: nobody sees who asked."
            ),
            buttons=[[list_button(turn.t, event.code)]],
            events=[event.code],
        )

    async def _list_for(self, turn: Turn, event: Event | None) -> None:
        if event is None or event.id is None:
            return
        _ = turn.t.gettext
        questions = (await self.store.questions(event.id, QuestionStatus.APPROVED))[:LIST_SIZE]
        text = TextBuilder()
        text.line(_("Questions to “{title}”").format(title=title_of(event, turn.t)), bold=True)
        rows: list[list[Button]] = []
        if not questions:
            text.line(_("No questions on the list yet. Ask the first one!"))
        else:
            text.line(_("Tap ▲ to upvote: the most upvoted are put to the panel first."))
            for number, question in enumerate(questions, start=1):
                text.line()
                text.line(f"{number}. {turn.t.isolate(question.text)}")
                text.line("   ▲ " + str(question.upvotes))
                rows.append(
                    [Button(label="▲ " + shorten(question.text, 40), payload=buttons.encode(ACTION, "up", question.id))]
                )
        last = [ask_button(turn.t, event.code)]
        if questions:
            last.append(Button(label=_("Report a question"), payload=buttons.encode(ACTION, "rl", event.code)))
        rows.append(last)
        turn.say(text, buttons=rows, events=[event.code])

    async def _report_list(self, turn: Turn, event: Event) -> None:
        assert event.id is not None
        _ = turn.t.gettext
        questions = (await self.store.questions(event.id, QuestionStatus.APPROVED))[:LIST_SIZE]
        if not questions:
            turn.say(_("No questions on the list yet. Ask the first one!"))
            return
        rows = [
            [Button(label="⚑ " + shorten(q.text, 40), payload=buttons.encode(ACTION, "rep", q.id))] for q in questions
        ]
        turn.say(_("Which question breaks the festival's rules (hateful, personal, off topic)?"), buttons=rows)

    async def _vote(self, turn: Turn, question_id: int, kind: str) -> None:
        _ = turn.t.gettext
        question = await self.store.question(question_id)
        event = (
            next((e for e in turn.snapshot.events if e.id == question.event_id), None)
            if question is not None and turn.snapshot is not None
            else None
        )
        if question is None or event is None or not await self.is_open(event, turn.now):
            turn.say(_("That question is no longer open for votes."))
            return
        outcome = await self.store.vote(question_id, turn.person.channel, turn.person.channel_user_id, kind)
        if kind == REPORT:
            if outcome == "closed":
                turn.say(_("That question is no longer open for votes."))
            elif outcome == "again":
                turn.say(_("You have already reported that question. Thank you!"))
            else:
                turn.say(_("Thank you. A moderator will look at it."))
            return
        if outcome == "done":
            turn.say(_("Your upvote is counted."))
            await self._list_for(turn, event)
        elif outcome == "again":
            turn.say(_("You have already upvoted that question."))
        elif outcome == "own":
            turn.say(_("That is your own question: it needs the others' votes."))
        else:
            turn.say(_("That question is no longer open for votes."))
