"""Citizen surveys, the engine's side: the once-asked opt-in (with the age-13 rule), and the
questions one at a time — single choice and 1–5 scales as the channel's native polls, multiple
choice as buttons to tick, free text as the next message — each with a way to skip it.

The scheduler sends the opt-in question and each survey's invitation (see `scheduler/surveys.py`);
both build their messages here. Answers are kept by `bot.store.surveys`, which links no person to
an answer once the survey closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot import buttons
from bot.cards import shorten
from bot.i18n import Translator
from bot.messages import Button, Outgoing, Poll, TextBuilder
from bot.model import pick
from bot.sanitize import clean
from bot.store import Store
from bot.store.surveys import SKIPPED, TEXT_STATE_KEY, Kind, Survey, SurveyStore

if TYPE_CHECKING:
    from bot.engine import Turn

POLL_PREFIX = "sv:"
OPT_IN = "so"
TICK = "sm"
DONE = "sd"
SKIP = "ss"
BEGIN = "sb"
COMMANDS = ("surveys", "survey", "enkäter", "enkät", "kyselyt", "sahan", "استطلاعات", "نظرسنجی")


def poll_id_of(survey_id: int, question: int) -> str:
    return f"{POLL_PREFIX}{survey_id}:{question}"


def parse_poll_id(poll_id: str) -> tuple[int, int] | None:
    if not poll_id.startswith(POLL_PREFIX):
        return None
    survey, _sep, question = poll_id[len(POLL_PREFIX) :].partition(":")
    if not all(p.isascii() and p.isdigit() and len(p) <= 9 for p in (survey, question)):
        return None
    return int(survey), int(question)


def _small(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def optin_message(t: Translator) -> Outgoing:
    """The opt-in question: asked once, apart from any signup."""
    _ = t.gettext
    text = TextBuilder()
    text.line(_("Short surveys from the City of Malmö"), bold=True)
    text.line(
        _(
            "The city wants to hear what young people in Malmö think. May I send you a few short surveys "
            "(a couple of minutes each)? Your answers are anonymous: they are never linked to you."
        )
    )
    text.line(_("The surveys are for people aged 13 and over."))
    # Sent by the scheduler, so on channels without buttons the numbers are not the engine's.
    text.line(_("No buttons? Write /surveys to answer."))
    return Outgoing(
        spans=text.build(),
        buttons=[
            [Button(label=_("Yes, I'm 13 or older"), payload=buttons.encode(OPT_IN, "yes"))],
            [Button(label=_("I'm under 13"), payload=buttons.encode(OPT_IN, "u13"))],
            [Button(label=_("No, thanks"), payload=buttons.encode(OPT_IN, "no"))],
        ],
        lang=t.lang,
        rtl=t.rtl,
        personal=True,
    )


def invitation(t: Translator, survey: Survey) -> Outgoing:
    """What the scheduler sends to each enrolled person: the survey's title and intro, and a
    button to begin (so that the questions come as answers, with the dialogue they need)."""
    _ = t.gettext
    text = TextBuilder()
    text.line(t.isolate(pick(survey.title, t.lang)), bold=True)
    intro = pick(survey.intro, t.lang)
    if intro:
        text.line(t.isolate(intro))
    count = len(survey.questions)
    text.line(t.ngettext("{n} question.", "{n} questions.", count).format(n=count))
    text.line(_("Your answers are anonymous. You can skip any question."))
    if survey.closes_at is not None:
        text.line(_("Open until {when}.").format(when=t.when(survey.closes_at)))
    text.line(_("No buttons? Write /surveys to answer."))
    return Outgoing(
        spans=text.build(),
        buttons=[[Button(label=_("Answer the survey"), payload=buttons.encode(BEGIN, survey.id))]],
        lang=t.lang,
        rtl=t.rtl,
    )


def scale_options(t: Translator) -> list[str]:
    _ = t.gettext
    return [_("1 – not at all"), "2", "3", "4", _("5 – completely")]


def option_labels(t: Translator, survey: Survey, index: int) -> list[str]:
    question = survey.questions[index]
    if question.kind is Kind.SCALE:
        return scale_options(t)
    return [pick(option, t.lang) for option in question.options]


def question_message(t: Translator, survey: Survey, index: int, ticked: list[int] | None = None) -> Outgoing:
    _ = t.gettext
    question = survey.questions[index]
    asked = pick(question.text, t.lang)
    text = TextBuilder()
    text.line(_("Question {n} of {total}").format(n=index + 1, total=len(survey.questions)), bold=True)
    common: dict[str, Any] = {"lang": t.lang, "rtl": t.rtl}
    if question.kind in (Kind.SINGLE, Kind.SCALE):
        # The channel's own poll; its last option is the way to skip, since a poll has no buttons.
        options = [*option_labels(t, survey, index), _("Skip this question")]
        return Outgoing(
            spans=text.build(),
            poll=Poll(
                poll_id=poll_id_of(survey.id, index), question=asked, options=options, closes_at=survey.closes_at
            ),
            **common,
        )
    text.line(t.isolate(asked))
    if question.kind is Kind.MULTIPLE:
        chosen = set(ticked or [])
        text.line(_("Tick all that fit, then press “Done”."))
        rows = [
            [
                Button(
                    label=("☑ " if i in chosen else "☐ ") + shorten(label, 60),
                    payload=buttons.encode(TICK, survey.id, index, i),
                )
            ]
            for i, label in enumerate(option_labels(t, survey, index))
        ]
        rows.append([Button(label=_("Done"), payload=buttons.encode(DONE, survey.id, index))])
        return Outgoing(spans=text.build(), buttons=rows, **common)
    text.line(_("Write your answer in your next message. It is stored without your name."))
    return Outgoing(
        spans=text.build(),
        buttons=[[Button(label=_("Skip this question"), payload=buttons.encode(SKIP, survey.id, index))]],
        **common,
    )


def _next_question(survey: Survey, answers: dict[str, Any]) -> int | None:
    for index, question in enumerate(survey.questions):
        key = f"{index}.done" if question.kind is Kind.MULTIPLE else str(index)
        if key not in answers:
            return index
    return None


class Surveys:
    def __init__(self, store: Store) -> None:
        self.store = SurveyStore(store.database)

    # -- opt-in -------------------------------------------------------------------------------

    async def command(self, turn: Turn) -> None:
        _ = turn.t.gettext
        if await self.store.consent(turn.person.id):
            for survey in await self.store.all():
                answers = await self.store.answers(
                    survey.id, turn.person.channel, turn.person.channel_user_id, turn.now
                )
                if survey.is_open(turn.now) and answers is not None and _next_question(survey, answers) is not None:
                    await self._continue(turn, survey.id)
                    return
            turn.say(
                _("You get the city's short surveys. You can stop them at any time."),
                buttons=[[Button(label=_("Stop the surveys"), payload=buttons.encode(OPT_IN, "stop"))]],
                personal=True,
            )
            return
        turn.out.append(optin_message(turn.t))

    async def opt_in(self, turn: Turn, answer: str) -> None:
        _ = turn.t.gettext
        if answer == "yes":
            await self.store.set_consent(turn.person.id, True, turn.now)
            turn.say(
                _(
                    "Thank you! You will get a few short surveys. Your answers are anonymous. "
                    "Write /surveys to stop them."
                ),
                personal=True,
            )
        elif answer == "u13":
            # Not enrolled; the age itself is not stored, only that surveys are not sent.
            await self.store.set_consent(turn.person.id, False, turn.now)
            turn.say(
                _(
                    "Thank you for telling us. The surveys are for people aged 13 and over, so you will not get "
                    "them. Everything else in the bot is for you too!"
                ),
                personal=True,
            )
        elif answer in ("no", "stop"):
            await self.store.set_consent(turn.person.id, False, turn.now)
            turn.say(_("OK, no surveys. You can change your mind with /surveys."), personal=True)
        else:
            turn.say(_("That button is from an older message. Here is what you can do now:"))

    # -- answering ----------------------------------------------------------------------------

    async def _closed(self, turn: Turn) -> None:
        turn.say(turn.t.gettext("This survey is closed. Thank you anyway!"))

    async def _continue(self, turn: Turn, survey_id: int) -> None:
        """The next unanswered question, or thanks when all are answered."""
        survey = await self.store.get(survey_id)
        answers = await self.store.answers(survey_id, turn.person.channel, turn.person.channel_user_id, turn.now)
        if survey is None or answers is None:
            await self._closed(turn)
            return
        index = _next_question(survey, answers)
        if index is None:
            turn.say(turn.t.gettext("That was the last question. Thank you for answering — it helps the city listen!"))
            return
        ticked = answers.get(str(index))
        turn.out.append(question_message(turn.t, survey, index, ticked if isinstance(ticked, list) else None))
        if survey.questions[index].kind is Kind.TEXT:
            turn.state[TEXT_STATE_KEY] = [survey_id, index]

    async def button(self, turn: Turn, action: buttons.Action) -> None:
        _ = turn.t.gettext
        if action.name == OPT_IN:
            await self.opt_in(turn, action.arg())
            return
        survey_id, question = _small(action.arg(0)), _small(action.arg(1))
        if survey_id is None or (action.name != BEGIN and question is None):
            turn.say(_("That button is from an older message. Here is what you can do now:"))
            return
        channel, user = turn.person.channel, turn.person.channel_user_id
        if action.name == BEGIN:
            await self._continue(turn, survey_id)
        elif action.name == TICK:
            option = _small(action.arg(2))
            assert question is not None
            ticked = (
                None
                if option is None
                else await self.store.toggle(survey_id, question, channel, user, option, turn.now)
            )
            survey = await self.store.get(survey_id)
            if ticked is None or survey is None:
                await self._closed(turn)
                return
            message = question_message(turn.t, survey, question, ticked)
            turn.out.append(message.model_copy(update={"replace_previous": True}))
        elif action.name in (DONE, SKIP):
            assert question is not None
            outcome = await self.store.finish(survey_id, question, channel, user, turn.now)
            if not outcome.accepted:
                await self._closed(turn)
                return
            turn.state.pop(TEXT_STATE_KEY, None)
            await self._continue(turn, survey_id)
        else:
            turn.say(_("That button is from an older message. Here is what you can do now:"))

    async def poll_answer(self, turn: Turn, survey_id: int, question: int) -> None:
        _ = turn.t.gettext
        survey = await self.store.get(survey_id)
        if survey is None or not 0 <= question < len(survey.questions):
            return
        options = turn.incoming.poll_options
        count = survey.questions[question].option_count
        option: int | None = options[0] if options else None
        if option is not None and not 0 <= option <= count:
            return
        skipped = option == count
        outcome = await self.store.choose(
            survey_id,
            question,
            turn.person.channel,
            turn.person.channel_user_id,
            None if skipped else option,
            turn.now,
        )
        if not outcome.accepted:
            await self._closed(turn)
            return
        if not options:
            turn.say(_("Your answer is withdrawn. You can answer again while the survey is open."))
        elif outcome.first:
            await self._continue(turn, survey_id)
        else:
            turn.say(_("Your answer is changed. Thank you!"))

    async def capture(self, turn: Turn) -> bool:
        """Takes the person's next message as their free-text answer, if a free-text question
        was just asked. The offer lasts one message. True when handled here."""
        pending = turn.state.pop(TEXT_STATE_KEY, None)
        if not isinstance(pending, list) or len(pending) != 2 or turn.incoming.poll_id is not None:
            return False
        survey_id, question = int(pending[0]), int(pending[1])
        if turn.incoming.payload is not None:
            return False
        cleaned = clean(turn.incoming.text)
        if cleaned.problem is not None or cleaned.text.startswith("/"):
            return False
        choices: list[str] = turn.state.get("choices", [])
        typed = cleaned.text.strip().rstrip(".)").strip()
        if typed.isascii() and typed.isdigit() and 1 <= int(typed) <= len(choices):
            # "1" answers the numbered "1. Skip this question" on channels without buttons.
            return False
        outcome = await self.store.write(
            survey_id, question, turn.person.channel, turn.person.channel_user_id, cleaned.text, turn.now
        )
        if not outcome.accepted:
            await self._closed(turn)
            return True
        turn.say(turn.t.gettext("Thank you! Your answer is saved, without your name."))
        await self._continue(turn, survey_id)
        return True


__all__ = ["SKIPPED", "Surveys", "invitation", "optin_message", "parse_poll_id", "poll_id_of", "question_message"]
