"""How festival data looks in a chat: event cards and event lists, channel-neutral."""

from __future__ import annotations

from datetime import datetime

from bot import buttons
from bot.i18n import Translator
from bot.messages import Button, Outgoing, TextBuilder
from bot.model import Event, EventStatus, SignupStatus, pick
from bot.store.programme import ProgrammeSnapshot
from bot.store.signups import Occupancy

PAGE_SIZE = 8
ABSTRACT_CHARS = 600
BUTTON_LABEL_CHARS = 40


def title_of(event: Event, t: Translator) -> str:
    return t.isolate(pick(event.title, t.lang))


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def status_note(event: Event, t: Translator) -> str:
    if event.status is EventStatus.CANCELLED:
        return t.gettext("CANCELLED")
    if event.status is EventStatus.MOVED:
        return t.gettext("new time or place")
    return ""


def event_list(
    t: Translator,
    snapshot: ProgrammeSnapshot,
    events: list[Event],
    heading: str,
    *,
    page: int,
    list_id: int,
    replace_previous: bool = False,
    before: TextBuilder | None = None,
    faq: tuple[str, ...] = (),
) -> Outgoing:
    """One message: `before` (an FAQ answer, a note on what was left out), the heading, the page."""
    pages = max((len(events) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(page, 0), pages - 1)
    shown = events[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    text = TextBuilder()
    if before is not None and before.spans:
        text.spans += before.build()
        text.line()
        text.line()
    text.line(heading, bold=True)
    if pages > 1:
        text.line(t.gettext("Page {page} of {pages}").format(page=page + 1, pages=pages))
    rows: list[list[Button]] = []
    # Numbers restart on every page so that they are the numbers of the choices on channels
    # without buttons, where the person answers by typing one.
    for number, event in enumerate(shown, start=1):
        venue = snapshot.venue_of(event)
        text.line()
        text.add(f"{number}. ")
        text.line(title_of(event, t), bold=True)
        details = [f"{t.short_day(event.starts_at)} {t.time(event.starts_at)}"]
        if venue is not None:
            details.append(t.isolate(venue.name))
        if event.language != t.lang:
            details.append(t.language_name(event.language))
        note = status_note(event, t)
        if note:
            details.append(note)
        text.line("   " + " · ".join(details))
        label = shorten(pick(event.title, t.lang), BUTTON_LABEL_CHARS)
        rows.append([Button(label=label, payload=buttons.encode("ev", event.code))])
    paging: list[Button] = []
    previous, following = paging_labels(t)
    if page > 0:
        paging.append(Button(label=previous, payload=buttons.encode("pg", list_id, page - 1)))
    if page < pages - 1:
        paging.append(Button(label=following, payload=buttons.encode("pg", list_id, page + 1)))
    if paging:
        rows.append(paging)
    return Outgoing(
        spans=text.build(),
        buttons=rows,
        events=[event.code for event in shown],
        faq=list(faq),
        lang=t.lang,
        rtl=t.rtl,
        replace_previous=replace_previous,
    )


def paging_labels(t: Translator) -> tuple[str, str]:
    """ "Previous" and "Next" with arrows that point the way the pages go in the reading direction.

    Right to left, the earlier page lies to the right, so "previous" points right and "next"
    left; each arrow stays at the outer end of its label. ◀ and ▶ are not mirrored by bidi.
    """
    previous, following = t.gettext("Previous"), t.gettext("Next")
    if t.rtl:
        return f"▶ {previous}", f"{following} ◀"
    return f"◀ {previous}", f"{following} ▶"


def event_card(
    t: Translator,
    snapshot: ProgrammeSnapshot,
    event: Event,
    occupancy: Occupancy,
    my_status: SignupStatus | None,
    now: datetime,
    checkin_code: str | None = None,
    *,
    qa_open: bool = False,
) -> Outgoing:
    _ = t.gettext
    text = TextBuilder()
    note = status_note(event, t)
    if note:
        text.line(note, bold=True)
    text.line(title_of(event, t), bold=True)
    text.line(t.when(event.starts_at, event.ends_at))
    venue = snapshot.venue_of(event)
    if venue is not None:
        place = t.isolate(venue.name)
        if venue.address:
            place += ", " + t.isolate(venue.address)
        text.line("📍 " + place)
        access = pick(venue.accessibility, t.lang)
        if venue.address and access.startswith(venue.address):
            # pretalx keeps address and access notes in one description: say the address once.
            access = access[len(venue.address) :].lstrip(" .,;")
        if access:
            text.line("♿ " + t.isolate(access))
    facts = [t.language_name(event.language)]
    if event.type:
        facts.append(t.isolate(event.type))
    if event.organisation:
        facts.append(t.isolate(event.organisation))
    text.line(" · ".join(facts))
    audience = pick(event.audience, t.lang)
    if audience:
        text.line(_("For: {audience}").format(audience=t.isolate(audience)))
    abstract = pick(event.abstract, t.lang)
    if abstract:
        text.line()
        text.line(t.isolate(shorten(abstract, ABSTRACT_CHARS)))
    text.line()
    rows: list[list[Button]] = []
    open_for_signup = event.status is not EventStatus.CANCELLED and event.ends_at > now
    if not event.signup_required:
        text.line(_("Open entry: no signup needed, just come."))
    elif my_status is SignupStatus.CONFIRMED:
        text.line(_("✅ You are signed up."), bold=True)
        if checkin_code and open_for_signup:
            text.line(_("Your check-in code: {code} – show it at the door.").format(code=checkin_code))
            rows.append([Button(label=_("Show my check-in QR code"), payload=buttons.encode("qr", event.code))])
        if open_for_signup:
            rows.append([Button(label=_("Cancel my place"), payload=buttons.encode("cx", event.code))])
    elif my_status is SignupStatus.WAITLISTED:
        text.line(_("⏳ You are on the waiting list."), bold=True)
        if open_for_signup:
            rows.append([Button(label=_("Leave the waiting list"), payload=buttons.encode("cx", event.code))])
    elif open_for_signup:
        left = occupancy.seats_left
        if left is None:
            text.line(_("Signup needed; there is room for everyone."))
            rows.append([Button(label=_("Sign up"), payload=buttons.encode("su", event.code))])
        elif left > 0:
            text.line(
                t.ngettext("{n} seat left of {capacity}.", "{n} seats left of {capacity}.", left).format(
                    n=left, capacity=occupancy.capacity
                )
            )
            rows.append([Button(label=_("Sign up"), payload=buttons.encode("su", event.code))])
        else:
            text.line(_("Full. You can join the waiting list: if a seat frees up, it is yours."))
            rows.append([Button(label=_("Join the waiting list"), payload=buttons.encode("su", event.code))])
    if qa_open:
        # The panel takes questions while it runs: the card is where attendees look then.
        rows.append(
            [
                Button(label=_("Ask the panel a question"), payload=buttons.encode("qa", "ask", event.code)),
                Button(label=_("Questions to the panel"), payload=buttons.encode("qa", "list", event.code)),
            ]
        )
    rows.append([Button(label=_("Add to calendar"), payload=buttons.encode("ics", event.code))])
    return Outgoing(spans=text.build(), buttons=rows, events=[event.code], lang=t.lang, rtl=t.rtl)
