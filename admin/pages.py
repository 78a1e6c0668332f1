"""Server-rendered pages: plain HTML forms, no script needed, every change POSTed with CSRF."""

from __future__ import annotations

import io
import secrets
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pyotp
import segno
from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse
from pydantic import ValidationError

from admin import import_changes, importing
from admin.app import STATIC, admin_of, page_context
from admin.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, LoginRefused, Session, client_address, totp_step
from admin.deps import Id, csrf_guard, optional_session, session
from admin.handover import answer_question
from admin.health import readiness
from admin.i18n import N_, Translator, page_language
from admin.service import MANUAL_CHANNEL, EventInput, FaqInput, Invalid, NotFound, VenueInput, check_time, require
from admin.store import AccountExists, Role
from bot.model import LANGUAGES, Event, SignupStatus, pick
from bot.programme.csv_export import programme_csv
from bot.programme.ics_export import festival_calendar
from bot.store.signups import Occupancy

router = APIRouter(dependencies=[Depends(csrf_guard)], include_in_schema=False)

SessionDep = Annotated[Session, Depends(session)]
FORM_LANGUAGES = LANGUAGES
LANGUAGE_NAMES = {
    "sv": "Svenska",
    "en": "English",
    "ar": "العربية",
    "fi": "Suomi",
    "so": "Soomaali",
    "fa": "فارسی",
}


def render(
    request: Request, name: str, sess: Session | None, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    admin = admin_of(request)
    translator = page_translator(request, sess)
    full = {
        **page_context(translator),
        "account": sess.account if sess else None,
        "csrf": sess.csrf if sess else "",
        "flashes": admin.take_flashes(sess.token) if sess else [],
        "languages": FORM_LANGUAGES,
        "language_names": LANGUAGE_NAMES,
        "Role": Role,
        **context,
    }
    return admin.templates.TemplateResponse(request, name, full, status_code=status)


def page_translator(request: Request, sess: Session | None) -> Translator:
    return Translator(page_language(request, sess.account if sess else None))


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _safe_next(target: str | None) -> str:
    # Only a path on this site: an absolute URL here would make the login an open redirect.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# Static files, health, metrics


@router.get("/static/admin.css")
async def stylesheet() -> FileResponse:
    return FileResponse(STATIC / "admin.css", media_type="text/css")


@router.get("/health")
async def health(request: Request) -> Response:
    admin = admin_of(request)
    ready, details = await readiness(admin.store.database, admin.metrics)
    details["programme_revision"] = await admin.store.programme.revision()
    return JSONResponse(details, status_code=200 if ready else 503)


@router.get("/readiness")
async def ready(request: Request) -> Response:
    """For a load balancer or systemd's watchdog: 200 when the database answers and every
    channel polled or synced lately, 503 otherwise."""
    admin = admin_of(request)
    ready, details = await readiness(admin.store.database, admin.metrics)
    return JSONResponse(details, status_code=200 if ready else 503)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    admin = admin_of(request)
    body = await admin.metrics.render(admin.store.database)
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")


# Signing in


@router.get("/login")
async def login_form(request: Request, next: str | None = None) -> Response:
    admin = admin_of(request)
    sess = await optional_session(request)
    if sess is not None:
        return redirect(_safe_next(next))
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "login.html", None, {"login_csrf": token, "next": _safe_next(next), "error": None})
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=admin.auth.secure(request), path="/"
    )
    return response


@router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/",
    code: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    admin = admin_of(request)
    old = request.cookies.get(SESSION_COOKIE)
    try:
        sess = await admin.auth.login(username, password, client_address(request), admin.now(), code=code)
    except LoginRefused as error:
        token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        return render(
            request,
            "login.html",
            None,
            {"login_csrf": token, "next": _safe_next(next), "error": str(error), "username": username},
            status=401,
        )
    if old:
        # Whatever session id the browser had, planted or stale, dies here; the new one is fresh.
        await admin.admin.end_session(old)
    response = redirect(_safe_next(next))
    admin.auth.set_session_cookie(request, response, sess.token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
async def logout(request: Request, sess: SessionDep) -> Response:
    admin = admin_of(request)
    await admin.admin.end_session(sess.token)
    await admin.admin.audit(sess.account, "logout", sess.account.username, {}, admin.now())
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
async def home(sess: SessionDep) -> RedirectResponse:
    return redirect("/results" if sess.account.role is Role.VIEWER else "/events")


# Programme


def _parse_local(value: str, zone: ZoneInfo) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(N_("{value} is not a date and time"), value=repr(value)) from None
    return check_time(parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


async def _event_input(
    request: Request, zone: ZoneInfo, code: str = ""
) -> tuple[EventInput | None, dict[str, Any], str]:
    form = await request.form()
    raw = {k: v for k, v in form.items() if isinstance(v, str)}
    data: dict[str, Any] = {
        "code": raw.get("code", code).strip() if not code else code,
        "title": {lang: raw.get(f"title_{lang}", "") for lang in FORM_LANGUAGES},
        "abstract": {lang: raw.get(f"abstract_{lang}", "") for lang in FORM_LANGUAGES},
        "type": raw.get("type", "").strip(),
        "track": raw.get("track", "").strip(),
        "topics": _split(raw.get("topics", "")),
        "keywords": _split(raw.get("keywords", "")),
        "language": raw.get("language", "sv"),
        "venue_key": raw.get("venue_key") or None,
        "signup_required": raw.get("signup_required") == "on",
        "url": raw.get("url", "").strip() or None,
    }
    if raw.get("organisations_chosen"):
        try:
            lead = [int(raw["lead"])] if raw.get("lead") else []
            co = [int(v) for v in form.getlist("co") if isinstance(v, str)]
        except ValueError:
            return None, raw, "choose organisations from the list"
        data["organisation_ids"] = [*lead, *[i for i in co if i not in lead]]
    capacity = raw.get("capacity", "").strip()
    try:
        data["capacity"] = int(capacity) if capacity else None
        data["starts_at"] = _parse_local(raw.get("starts_at", ""), zone)
        data["ends_at"] = _parse_local(raw.get("ends_at", ""), zone)
        return EventInput.model_validate(data), raw, ""
    except (Invalid, ValueError) as error:
        message = error.errors()[0]["msg"] if isinstance(error, ValidationError) else str(error)
        return None, raw, message.removeprefix("Value error, ")


def _form_values(event: Event | None, zone: ZoneInfo) -> dict[str, Any]:
    if event is None:
        return {"language": "sv"}
    values: dict[str, Any] = {
        "code": event.code,
        "type": event.type,
        "track": event.track,
        "topics": ", ".join(event.topics),
        "keywords": ", ".join(event.keywords),
        "language": event.language,
        "starts_at": event.starts_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": event.ends_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "venue_key": event.venue_key or "",
        "capacity": "" if event.capacity is None else str(event.capacity),
        "signup_required": "on" if event.signup_required else "",
        "organisation": event.organisation,
        "url": event.url or "",
    }
    for lang in FORM_LANGUAGES:
        values[f"title_{lang}"] = event.title.get(lang, "")
        values[f"abstract_{lang}"] = event.abstract.get(lang, "")
    return values


@router.get("/events")
async def events_page(request: Request, sess: SessionDep, q: str = "", day: str = "") -> HTMLResponse:
    admin = admin_of(request)
    events = await admin.service.events(sess.account)
    zone = await admin.zone()
    snapshot = await admin.service.current()
    days = sorted({e.starts_at.astimezone(zone).date().isoformat() for e in events})
    if day:
        events = [e for e in events if e.starts_at.astimezone(zone).date().isoformat() == day]
    if q:
        needle = q.casefold()
        events = [
            e
            for e in events
            if needle in e.code.casefold()
            or any(needle in text.casefold() for text in e.title.values())
            or needle in e.organisation.casefold()
        ]
    counts = await admin.service.signup_counts([e.id for e in events if e.id is not None])
    occupancy = {
        e.code: Occupancy(
            confirmed=counts.get((e.id, SignupStatus.CONFIRMED), 0),
            waitlisted=counts.get((e.id, SignupStatus.WAITLISTED), 0),
            capacity=e.capacity,
        )
        for e in events
        if e.id is not None and (e.signup_required or e.capacity is not None)
    }
    return render(
        request,
        "events.html",
        sess,
        {
            "events": events,
            "zone": zone,
            "venues": snapshot.venues if snapshot else {},
            "occupancy": occupancy,
            "days": days,
            "day": day,
            "q": q,
            "active": "events",
        },
    )


async def _event_form(
    request: Request, sess: Session, event: Event | None, values: dict[str, Any], error: str, status: int = 200
) -> HTMLResponse:
    admin = admin_of(request)
    snapshot = await admin.service.snapshot()
    if isinstance(values.get("lead"), str):
        # A form sent back with its problem: the choices as they were typed in.
        values = {**values, "lead": int(values["lead"]) if values["lead"].isdigit() else None, "co": set()}
    if "lead" not in values:
        ids = list(snapshot.organisation_ids(event)) if event is not None else []
        if event is None and sess.account.organisation_id is not None:
            ids = [sess.account.organisation_id]
        values = {**values, "lead": ids[0] if ids else None, "co": set(ids[1:])}
    mine = sess.account.organisation_id
    return render(
        request,
        "event_form.html",
        sess,
        {
            "event": event,
            "values": values,
            "error": error,
            "venues": sorted(snapshot.venues.values(), key=lambda v: v.name),
            "organisations": await admin.admin.organisations(),
            # Who may change what (admin.service.AdminService._organisations decides for real).
            "choose_lead": sess.account.role is Role.ADMIN,
            "choose_co": sess.account.role is Role.ADMIN or event is None or values.get("lead") == mine,
            "active": "events",
        },
        status=status,
    )


@router.get("/events/new")
async def new_event_form(request: Request, sess: SessionDep) -> HTMLResponse:
    require(sess.account, Role.ADMIN, Role.ORGANISER)
    return await _event_form(request, sess, None, {"language": "sv"}, "")


@router.post("/events/new")
async def create_event(request: Request, sess: SessionDep) -> Response:
    require(sess.account, Role.ADMIN, Role.ORGANISER)
    admin = admin_of(request)
    data, raw, error = await _event_input(request, await admin.zone())
    if data is None:
        return await _event_form(request, sess, None, raw, error, 422)
    try:
        event = await admin.service.create_event(sess.account, data, admin.now())
    except Invalid as problem:
        return await _event_form(request, sess, None, raw, problem.translated(page_translator(request, sess)), 422)
    admin.flash(sess.token, N_("Created {code}."), code=event.code)
    return redirect(f"/events/{event.code}")


@router.get("/events/{code}")
async def event_page(request: Request, code: str, sess: SessionDep) -> HTMLResponse:
    admin = admin_of(request)
    people = await admin.service.people(sess.account, code)
    snapshot = await admin.service.snapshot()
    zone = await admin.zone()
    return render(
        request,
        "event.html",
        sess,
        {
            "event": people.event,
            "people": people,
            "venue": snapshot.venue_of(people.event),
            "venues": sorted(snapshot.venues.values(), key=lambda v: v.name),
            "zone": zone,
            "move": _form_values(people.event, zone),
            "active": "events",
        },
    )


@router.get("/events/{code}/edit")
async def edit_event_form(request: Request, code: str, sess: SessionDep) -> HTMLResponse:
    admin = admin_of(request)
    event = await admin.service.event(sess.account, code)
    return await _event_form(request, sess, event, _form_values(event, await admin.zone()), "")


@router.post("/events/{code}/edit")
async def edit_event(request: Request, code: str, sess: SessionDep) -> Response:
    admin = admin_of(request)
    event = await admin.service.event(sess.account, code)
    data, raw, error = await _event_input(request, await admin.zone(), code=event.code)
    if data is None:
        return await _event_form(request, sess, event, raw, error, 422)
    try:
        await admin.service.update_event(sess.account, event.code, data, admin.now())
    except Invalid as problem:
        return await _event_form(request, sess, event, raw, problem.translated(page_translator(request, sess)), 422)
    admin.flash(sess.token, N_("Saved. The bot shows the change from now on."))
    return redirect(f"/events/{event.code}")


@router.post("/events/{code}/move")
async def move_event(
    request: Request,
    code: str,
    sess: SessionDep,
    starts_at: Annotated[str, Form()],
    ends_at: Annotated[str, Form()],
    venue_key: Annotated[str, Form()] = "",
) -> Response:
    admin = admin_of(request)
    zone = await admin.zone()
    event = await admin.service.move_event(
        sess.account, code, _parse_local(starts_at, zone), _parse_local(ends_at, zone), venue_key or None, admin.now()
    )
    admin.flash(sess.token, N_("Moved. People who signed up will be told."))
    return redirect(f"/events/{event.code}")


async def _told(request: Request, sess: Session, code: str) -> int:
    """How many people a change to this event messages: those signed up or waiting through a
    chat (people added by hand have none)."""
    people = await admin_of(request).service.people(sess.account, code)
    return sum(1 for a in people.attendees if a.channel != MANUAL_CHANNEL)


def _confirm(
    request: Request,
    sess: Session,
    *,
    title: str,
    question: str,
    told: str,
    action: str,
    button: str,
    back: str,
    fields: list[tuple[str, str]] | None = None,
) -> HTMLResponse:
    context = {"title": title, "question": question, "told": told, "action": action, "button": button}
    return render(request, "confirm.html", sess, {**context, "back": back, "fields": fields or [], "active": "events"})


def _told_text(translator: Translator, n: int) -> str:
    return translator.ngettext(
        "{n} person will get a message about it.", "{n} people will get a message about it.", n
    ).format(n=n)


@router.get("/events/{code}/cancel")
async def confirm_cancel(request: Request, code: str, sess: SessionDep) -> HTMLResponse:
    admin = admin_of(request)
    event = await admin.service.event(sess.account, code)
    t = Translator(page_language(request, sess.account))
    return _confirm(
        request,
        sess,
        title=t.gettext("Cancel the event?"),
        question=pick(event.title, t.lang),
        told=_told_text(t, await _told(request, sess, code)),
        action=f"/events/{event.code}/cancel",
        button=t.gettext("Yes, cancel it"),
        back=f"/events/{event.code}",
    )


@router.post("/events/{code}/move/confirm")
async def confirm_move(
    request: Request,
    code: str,
    sess: SessionDep,
    starts_at: Annotated[str, Form(max_length=40)],
    ends_at: Annotated[str, Form(max_length=40)],
    venue_key: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    admin = admin_of(request)
    event = await admin.service.event(sess.account, code)
    zone = await admin.zone()
    t = Translator(page_language(request, sess.account))
    start, end = _parse_local(starts_at, zone), _parse_local(ends_at, zone)
    when = f"{t.when(start, end)}"
    return _confirm(
        request,
        sess,
        title=t.gettext("Move the event?"),
        question=f"{pick(event.title, t.lang)}: {when}",
        told=_told_text(t, await _told(request, sess, code)),
        action=f"/events/{event.code}/move",
        button=t.gettext("Yes, move it"),
        back=f"/events/{event.code}",
        fields=[("starts_at", starts_at), ("ends_at", ends_at), ("venue_key", venue_key)],
    )


@router.get("/events/{code}/people/{signup_id}/remove")
async def confirm_remove(request: Request, code: str, signup_id: Id, sess: SessionDep) -> HTMLResponse:
    admin = admin_of(request)
    people = await admin.service.people(sess.account, code)
    attendee = next((a for a in people.attendees if a.signup_id == signup_id), None)
    if attendee is None:
        raise NotFound(N_("no such signup"))
    t = Translator(page_language(request, sess.account))
    told = 0 if attendee.channel == MANUAL_CHANNEL else 1
    return _confirm(
        request,
        sess,
        title=t.gettext("Remove this person?"),
        question=f"{attendee.label} · {pick(people.event.title, t.lang)}",
        told=_told_text(t, told),
        action=f"/events/{code}/people/{signup_id}/remove",
        button=t.gettext("Yes, remove"),
        back=f"/events/{code}",
    )


@router.post("/events/{code}/cancel")
async def cancel_event(request: Request, code: str, sess: SessionDep) -> Response:
    admin = admin_of(request)
    event = await admin.service.set_cancelled(sess.account, code, True, admin.now())
    admin.flash(sess.token, N_("Cancelled. People who signed up will be told."))
    return redirect(f"/events/{event.code}")


@router.post("/events/{code}/reinstate")
async def reinstate_event(request: Request, code: str, sess: SessionDep) -> Response:
    admin = admin_of(request)
    event = await admin.service.set_cancelled(sess.account, code, False, admin.now())
    admin.flash(sess.token, N_("The event is on again."))
    return redirect(f"/events/{event.code}")


# People at events


@router.post("/events/{code}/people/add")
async def add_person(
    request: Request,
    code: str,
    sess: SessionDep,
    name: Annotated[str, Form(max_length=200)],
    language: Annotated[str, Form(max_length=16)] = "sv",
) -> Response:
    admin = admin_of(request)
    attendee = await admin.service.add_person(sess.account, code, name, language, admin.now())
    if attendee.position:
        message = N_("Added {person} to the waiting list; their code is {code}.")
    else:
        message = N_("Added {person} to the list; their code is {code}.")
    admin.flash(sess.token, message, person=attendee.label, code=attendee.checkin.code)
    return redirect(f"/events/{code}")


@router.post("/events/{code}/people/{signup_id}/remove")
async def remove_person(request: Request, code: str, signup_id: Id, sess: SessionDep) -> Response:
    admin = admin_of(request)
    await admin.service.remove_signup(sess.account, code, signup_id, admin.now())
    admin.flash(sess.token, N_("Removed. If someone was waiting, they got the seat."))
    return redirect(f"/events/{code}")


@router.get("/events/{code}/people.csv")
async def people_csv(request: Request, code: str, sess: SessionDep) -> Response:
    admin = admin_of(request)
    data = await admin.service.people_csv(sess.account, code, admin.now())
    return PlainTextResponse(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{code}-people.csv"'},
    )


@router.get("/events/{code}/people/{signup_id}/qr.svg")
async def checkin_qr(request: Request, code: str, signup_id: Id, sess: SessionDep) -> Response:
    admin = admin_of(request)
    people = await admin.service.people(sess.account, code)
    attendee = next((a for a in people.attendees if a.signup_id == signup_id), None)
    if attendee is None:
        raise Invalid(N_("no such signup at this event"))
    url = str(request.url_for("checkin_code", code=attendee.checkin.code))
    out = io.BytesIO()
    segno.make_qr(url, error="m").save(out, kind="svg", scale=6, border=4, title=attendee.checkin.code)
    return Response(out.getvalue(), media_type="image/svg+xml")


@router.get("/checkin")
async def checkin_page(request: Request, sess: SessionDep) -> HTMLResponse:
    require(sess.account, Role.ADMIN, Role.ORGANISER)
    return render(request, "checkin.html", sess, {"result": None, "code": "", "error": None, "active": "checkin"})


@router.get("/checkin/{code}", name="checkin_code")
async def checkin_from_qr(request: Request, code: str, sess: SessionDep) -> HTMLResponse:
    # A phone camera opens this from the QR; checking in still takes a POST with CSRF, so a
    # link alone never changes anything.
    require(sess.account, Role.ADMIN, Role.ORGANISER)
    return render(request, "checkin.html", sess, {"result": None, "code": code, "error": None, "active": "checkin"})


@router.post("/checkin")
async def checkin(request: Request, sess: SessionDep, code: Annotated[str, Form(max_length=200)]) -> HTMLResponse:
    admin = admin_of(request)
    try:
        result = await admin.service.check_in(sess.account, code, admin.now())
    except Invalid as error:
        problem = error.translated(page_translator(request, sess))
        return render(request, "checkin.html", sess, {"result": None, "code": code, "error": problem}, 422)
    except NotFound as error:
        problem = error.translated(page_translator(request, sess))
        return render(request, "checkin.html", sess, {"result": None, "code": code, "error": problem}, 404)
    return render(
        request,
        "checkin.html",
        sess,
        {"result": result, "code": "", "error": None, "zone": await admin.zone(), "active": "checkin"},
    )


@router.post("/checkin/undo")
async def checkin_undo(
    request: Request,
    sess: SessionDep,
    event: Annotated[str, Form(max_length=100)],
    signup_id: Annotated[int, Form(ge=1, le=2**62)],
) -> Response:
    admin = admin_of(request)
    people = await admin.service.undo_check_in(sess.account, event, signup_id, admin.now())
    t = Translator(page_language(request, sess.account))
    admin.flash(
        sess.token,
        t.gettext("Check-in undone. {checked} of {expected} checked in.").format(
            checked=people.checked_in, expected=len(people.confirmed)
        ),
    )
    return redirect("/checkin")


# Venues and FAQ


@router.get("/venues")
async def venues_page(request: Request, sess: SessionDep, key: str = "") -> HTMLResponse:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    snapshot = await admin.service.snapshot()
    venues = sorted(snapshot.venues.values(), key=lambda v: v.name)
    return render(
        request,
        "venues.html",
        sess,
        {"venues": venues, "editing": snapshot.venues.get(key), "active": "venues"},
    )


@router.post("/venues")
async def save_venue(request: Request, sess: SessionDep) -> Response:
    admin = admin_of(request)
    form = await request.form()
    raw = {k: v for k, v in form.items() if isinstance(v, str)}
    capacity = raw.get("capacity", "").strip()
    try:
        data = VenueInput(
            key=raw.get("key", ""),
            name=raw.get("name", ""),
            address=raw.get("address", ""),
            accessibility={
                lang: raw[f"accessibility_{lang}"] for lang in FORM_LANGUAGES if raw.get(f"accessibility_{lang}")
            },
            capacity=int(capacity) if capacity else None,
        )
    except (ValidationError, ValueError) as error:
        raise Invalid(N_("please check the venue: {error}"), error=error) from None
    venue = await admin.service.save_venue(sess.account, data, admin.now())
    admin.flash(sess.token, N_("Saved {venue}."), venue=venue.name)
    return redirect("/venues")


@router.get("/faq")
async def faq_page(request: Request, sess: SessionDep, key: str = "", ask: str = "") -> HTMLResponse:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    snapshot = await admin.service.snapshot()
    editing = next((entry for entry in snapshot.faq if entry.key == key), None)
    # What residents asked and the bot could not answer: the raw material for new entries.
    unanswered = await admin.service.store.unanswered.list_unanswered()
    asked = next((q for q in unanswered if str(q.id) == ask), None)
    # Residents who asked for a person: an organiser answers them here, in their chat.
    for_a_person = await admin.service.store.handover.waiting()
    context = {
        "entries": snapshot.faq,
        "editing": editing,
        "unanswered": unanswered,
        "asked": asked,
        "for_a_person": for_a_person,
        "active": "faq",
    }
    return render(request, "faq.html", sess, context)


@router.post("/faq/person/{question_id}/answer")
async def answer_for_a_person(request: Request, question_id: Id, sess: SessionDep) -> Response:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    form = await request.form()
    answer = form.get("answer")
    if not isinstance(answer, str) or not answer.strip():
        raise Invalid(N_("please write an answer"))
    if await answer_question(admin.service.store, question_id, answer, admin.now()):
        await admin.admin.audit(sess.account, "answer a question for a person", str(question_id), {}, admin.now())
        if admin.broadcasts is not None:
            admin.broadcasts.wake()  # the scheduler in this process sends it now, not at its next round
        admin.flash(sess.token, N_("Sent the answer to the resident's chat."))
    else:
        admin.flash(sess.token, N_("That question was answered or removed already."))
    return redirect("/faq")


@router.post("/faq/person/{question_id}/dismiss")
async def dismiss_for_a_person(request: Request, question_id: Id, sess: SessionDep) -> Response:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    if await admin.service.store.handover.dismiss(question_id):
        await admin.admin.audit(sess.account, "dismiss a question for a person", str(question_id), {}, admin.now())
    return redirect("/faq")


@router.post("/faq/unanswered/{question_id}/dismiss")
async def dismiss_unanswered(request: Request, question_id: Id, sess: SessionDep) -> Response:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    if await admin.service.store.unanswered.dismiss(question_id):
        await admin.admin.audit(sess.account, "dismiss unanswered question", str(question_id), {}, admin.now())
    return redirect("/faq")


@router.post("/faq")
async def save_faq(request: Request, sess: SessionDep) -> Response:
    admin = admin_of(request)
    form = await request.form()
    raw = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        data = FaqInput(
            key=raw.get("key", "").strip(),
            questions={lang: raw.get(f"questions_{lang}", "").splitlines() for lang in FORM_LANGUAGES},
            answer={lang: raw.get(f"answer_{lang}", "") for lang in FORM_LANGUAGES},
        )
    except ValidationError as error:
        raise Invalid(N_("please check the entry: {error}"), error=error.errors()[0]["msg"]) from None
    await admin.service.save_faq(sess.account, data, admin.now())
    answered = raw.get("unanswered_id", "")
    if answered.isascii() and answered.isdigit() and len(answered) < 18:
        await admin.service.store.unanswered.dismiss(int(answered))
    admin.flash(sess.token, N_("Saved the answer {key}."), key=data.key)
    return redirect("/faq")


@router.post("/faq/{key}/delete")
async def delete_faq(request: Request, key: str, sess: SessionDep) -> Response:
    admin = admin_of(request)
    await admin.service.delete_faq(sess.account, key, admin.now())
    admin.flash(sess.token, N_("Deleted the answer {key}."), key=key)
    return redirect("/faq")


# Import and export


@router.get("/import")
async def import_page(request: Request, sess: SessionDep) -> HTMLResponse:
    require(sess.account, Role.ADMIN)
    return render(request, "import.html", sess, {"active": "import", "error": None})


@router.post("/import/preview")
async def import_preview(
    request: Request,
    sess: SessionDep,
    file: Annotated[UploadFile | None, File()] = None,
    url: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    zone = await admin.zone()
    fetched: str | None = None
    try:
        if file is not None and file.filename:
            data = await file.read(importing.MAX_IMPORT_BYTES + 1)
            name = file.filename
        elif url.strip():
            fetched = url.strip()
            name, data = await importing.fetch(fetched, admin.fetch_transport)
        else:
            raise importing.ImportFailed(N_("choose a file or give an address"))
        report = await importing.preview_bytes(admin.store, data, name, zone.key, admin.now(), url=fetched)
    except importing.ImportFailed as error:
        problem = error.translated(page_translator(request, sess))
        return render(request, "import.html", sess, {"active": "import", "error": problem}, 422)
    pending = admin.pending.add(sess.account.id, name, data, report, admin.now())
    changes = await _import_changes(request, sess, report, importing.parse(data, name, zone.key), zone)
    return render(
        request,
        "import_preview.html",
        sess,
        {
            "pending": pending,
            "report": report,
            "changes": changes,
            "told": sum(c.told for c in changes),
            "active": "import",
        },
    )


async def _import_changes(
    request: Request, sess: Session, report: Any, programme: Any, zone: ZoneInfo
) -> list[import_changes.EventChanges]:
    admin = admin_of(request)
    snapshot = await admin.service.current()
    if snapshot is None:
        return []
    affected = [snapshot.event(code) for code in [*report.moved, *report.cancelled]]
    told = await admin.service.told_counts([e.id for e in affected if e is not None and e.id is not None])
    t = Translator(page_language(request, sess.account))
    return import_changes.describe(report, programme, snapshot, told, zone, t)


@router.post("/import/apply")
async def import_apply(
    request: Request,
    sess: SessionDep,
    token: Annotated[str, Form(max_length=100)],
    take_file: Annotated[bool, Form()] = False,
) -> Response:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    pending = admin.pending.take(token, sess.account.id, admin.now())
    zone = await admin.zone()
    report = await importing.apply(admin.store, pending.data, pending.name, zone.key, admin.now(), take_file=take_file)
    await admin.admin.audit(
        sess.account,
        "programme.import",
        pending.name,
        {
            "created": report.created,
            "updated": report.updated,
            "moved": report.moved,
            "cancelled": report.cancelled,
            "kept_admin_changes": report.conflicts,
            "took_file_version": take_file,
            "venues": report.venues,
            "faq": report.faq,
        },
        admin.now(),
    )
    admin.flash(sess.token, N_("Imported {name}: {summary}."), name=pending.name, summary=report.summary())
    return redirect("/events")


@router.get("/export")
async def export_page(request: Request, sess: SessionDep) -> HTMLResponse:
    require(sess.account, Role.ADMIN, Role.ORGANISER)
    return render(request, "export.html", sess, {"active": "export"})


@router.get("/export/programme.ics")
async def export_ics(request: Request, sess: SessionDep, lang: str = "sv") -> Response:
    require(sess.account, Role.ADMIN, Role.ORGANISER)
    snapshot = await admin_of(request).service.snapshot()
    lang = lang if lang in LANGUAGES else "sv"
    return Response(
        festival_calendar(snapshot, lang),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{snapshot.festival.slug}.ics"'},
    )


@router.get("/export/programme.csv")
async def export_csv(request: Request, sess: SessionDep) -> Response:
    require(sess.account, Role.ADMIN, Role.ORGANISER)
    snapshot = await admin_of(request).service.snapshot()
    return PlainTextResponse(
        programme_csv(snapshot),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{snapshot.festival.slug}.csv"'},
    )


# Try the bot


def _tester(sess: Session, lang: str) -> str:
    # One conversation per account and language: each language starts as a new resident would.
    return f"admin-{sess.account.id}-{lang}"


@router.get("/try")
async def try_page(request: Request, sess: SessionDep, lang: str = "sv") -> HTMLResponse:
    admin = admin_of(request)
    lang = lang if lang in LANGUAGES else "sv"
    transcript = admin.sandbox.transcript(_tester(sess, lang)) if admin.sandbox else []
    return render(
        request,
        "try.html",
        sess,
        {"lang": lang, "transcript": transcript, "available": admin.sandbox is not None, "active": "try"},
    )


@router.post("/try")
async def try_say(
    request: Request,
    sess: SessionDep,
    lang: Annotated[str, Form(max_length=16)] = "sv",
    text: Annotated[str, Form(max_length=4000)] = "",
    payload: Annotated[str, Form(max_length=200)] = "",
    label: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    admin = admin_of(request)
    lang = lang if lang in LANGUAGES else "sv"
    if admin.sandbox is None:
        raise Invalid(N_("the web chat is not running"))
    user = _tester(sess, lang)
    if payload or text.strip():
        if payload:
            await admin.sandbox.say(user, payload=payload, label=label, lang=lang)
        else:
            await admin.sandbox.say(user, text=text, lang=lang)
        # What was said stays out of the log: only that staff used the sandbox, and how.
        await admin.admin.audit(sess.account, "try.message", f"sandbox {lang}", {"button": bool(payload)}, admin.now())
    return redirect(f"/try?lang={lang}#end")


@router.post("/try/reset")
async def try_reset(request: Request, sess: SessionDep, lang: Annotated[str, Form(max_length=16)] = "sv") -> Response:
    admin = admin_of(request)
    lang = lang if lang in LANGUAGES else "sv"
    if admin.sandbox is not None:
        await admin.sandbox.reset(_tester(sess, lang))
        await admin.admin.audit(sess.account, "try.reset", f"sandbox {lang}", {}, admin.now())
    return redirect(f"/try?lang={lang}")


# One's own account: password, second factor


TOTP_ISSUER = "Malmö Möts admin"


def _account_context(sess: Session, error: str | None = None) -> dict[str, Any]:
    context: dict[str, Any] = {"active": "account", "error": error}
    if not sess.account.second_factor:
        # A new secret each time the page is shown; it is kept only once a code from it works.
        secret = pyotp.random_base32()
        uri = pyotp.TOTP(secret).provisioning_uri(name=sess.account.username, issuer_name=TOTP_ISSUER)
        context.update(totp_secret=secret, totp_qr=segno.make_qr(uri, error="m").svg_data_uri(scale=5, border=2))
    return context


@router.get("/account")
async def account_page(request: Request, sess: SessionDep) -> HTMLResponse:
    return render(request, "account.html", sess, _account_context(sess))


@router.post("/account/password")
async def change_own_password(
    request: Request,
    sess: SessionDep,
    current: Annotated[str, Form(max_length=1000)],
    password: Annotated[str, Form(max_length=1000)],
    again: Annotated[str, Form(max_length=1000)],
) -> Response:
    admin = admin_of(request)
    now = admin.now()
    if not await admin.auth.check_password(sess.account, current):
        await admin.admin.audit(sess.account, "account.password.failed", sess.account.username, {}, now)
        return render(request, "account.html", sess, _account_context(sess, N_("the current password is wrong")), 422)
    if password != again:
        return render(request, "account.html", sess, _account_context(sess, N_("the two new passwords differ")), 422)
    try:
        await admin.auth.set_password(sess.account.id, password, sess.account.username)
    except ValueError as error:
        return render(request, "account.html", sess, _account_context(sess, str(error)), 422)
    await admin.admin.audit(sess.account, "account.password.own", sess.account.username, {}, now)
    # Every session of the account ended (a thief's too); this browser gets a fresh one.
    token, _csrf = await admin.admin.create_session(sess.account.id, now, admin.auth.config.session_ttl)
    admin.flash(token, N_("Your password is changed; other browsers were signed out."))
    response = redirect("/account")
    admin.auth.set_session_cookie(request, response, token)
    return response


@router.post("/account/language")
async def choose_language(
    request: Request, sess: SessionDep, language: Annotated[str, Form(max_length=8)] = ""
) -> Response:
    admin = admin_of(request)
    await admin.admin.set_language(sess.account.id, language if language in LANGUAGES else None)
    return redirect("/account")


@router.post("/account/totp")
async def enrol_second_factor(
    request: Request,
    sess: SessionDep,
    secret: Annotated[str, Form(min_length=16, max_length=64, pattern=r"^[A-Z2-7]+$")],
    code: Annotated[str, Form(max_length=20)],
) -> Response:
    admin = admin_of(request)
    now = admin.now()
    step = totp_step(secret, code, now)
    if step is None:
        context = _account_context(sess, N_("that code does not match: scan the new QR code and try again"))
        return render(request, "account.html", sess, context, 422)
    await admin.admin.set_totp_secret(sess.account.id, secret)
    await admin.admin.use_totp_step(sess.account.id, step)
    await admin.admin.audit(sess.account, "account.totp.on", sess.account.username, {}, now)
    admin.flash(sess.token, N_("Two-step sign-in is on: you will be asked for a code at every sign-in."))
    return redirect("/account")


@router.post("/account/totp/remove")
async def remove_own_second_factor(
    request: Request, sess: SessionDep, current: Annotated[str, Form(max_length=1000)]
) -> Response:
    admin = admin_of(request)
    if not await admin.auth.check_password(sess.account, current):
        return render(request, "account.html", sess, _account_context(sess, N_("the current password is wrong")), 422)
    await admin.admin.set_totp_secret(sess.account.id, None)
    await admin.admin.audit(sess.account, "account.totp.off", sess.account.username, {}, admin.now())
    return redirect("/account")


# Accounts and audit log


@router.get("/accounts")
async def accounts_page(request: Request, sess: SessionDep) -> HTMLResponse:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    return render(
        request,
        "accounts.html",
        sess,
        {
            "accounts": await admin.admin.accounts(),
            "organisations": await admin.admin.organisations(),
            "locked": admin.auth.lockout.locked_names(admin.now()),
            "error": None,
            "active": "accounts",
        },
    )


@router.post("/accounts")
async def create_account(
    request: Request,
    sess: SessionDep,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    role: Annotated[Role, Form()],
    organisation_id: Annotated[int | None, Form(ge=1, le=2**62)] = None,
) -> Response:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    now = admin.now()
    chosen = await admin.admin.organisation(organisation_id) if organisation_id is not None else None
    organisation = chosen.name if chosen else ""
    if organisation_id is not None and chosen is None:
        raise Invalid(N_("choose an organisation from the list"))
    try:
        account = await admin.auth.create_account(username, password, role, organisation_id, now)
    except (ValueError, AccountExists) as error:
        translator = page_translator(request, sess)
        if isinstance(error, AccountExists):
            message = translator.gettext("the user name {username} is taken").format(username=username)
        else:
            message = translator.gettext(str(error))
        return render(
            request,
            "accounts.html",
            sess,
            {
                "accounts": await admin.admin.accounts(),
                "organisations": await admin.admin.organisations(),
                "locked": admin.auth.lockout.locked_names(now),
                "error": message,
                "active": "accounts",
            },
            422,
        )
    await admin.admin.audit(
        sess.account, "account.create", account.username, {"role": role.value, "organisation": organisation}, now
    )
    admin.flash(sess.token, N_("Created the account {username}."), username=account.username)
    return redirect("/accounts")


@router.post("/organisations")
async def create_organisation(
    request: Request, sess: SessionDep, name: Annotated[str, Form(min_length=1, max_length=300)]
) -> Response:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    before = {o.id for o in await admin.admin.organisations()}
    made = await admin.admin.ensure_organisation(name, admin.now())
    if made.id in before:
        admin.flash(sess.token, N_("{name} is already there."), "warn", name=made.name)
    else:
        await admin.admin.audit(sess.account, "organisation.create", made.name, {"id": made.id}, admin.now())
        admin.flash(sess.token, N_("Added the organisation {name}."), name=made.name)
    return redirect("/accounts#organisations")


@router.post("/organisations/merge")
async def merge_organisations(
    request: Request,
    sess: SessionDep,
    source: Annotated[int, Form(ge=1, le=2**62)],
    target: Annotated[int, Form(ge=1, le=2**62)],
) -> Response:
    """A misspelt organisation goes into the right one, with its events and accounts."""
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    gone, kept = await admin.admin.organisation(source), await admin.admin.organisation(target)
    if gone is None or kept is None or gone.id == kept.id:
        raise Invalid(N_("choose two different organisations"))
    await admin.admin.merge_organisation(gone.id, kept.id)
    admin.service.changed()
    await admin.admin.audit(
        sess.account, "organisation.merge", kept.name, {"merged": gone.name, "into": kept.name}, admin.now()
    )
    admin.flash(sess.token, N_("{gone} is now {kept}."), gone=gone.name, kept=kept.name)
    return redirect("/accounts#organisations")


@router.post("/accounts/{account_id}/unlock")
async def unlock_account(request: Request, account_id: Id, sess: SessionDep) -> Response:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    target = await admin.admin.account(account_id)
    if target is None:
        raise Invalid(N_("no such account"))
    await admin.admin.login_succeeded(account_id)
    admin.auth.unlock(target.username)
    await admin.admin.audit(sess.account, "account.unlock", target.username, {}, admin.now())
    return redirect("/accounts")


@router.post("/accounts/{account_id}/password")
async def reset_password(
    request: Request, account_id: Id, sess: SessionDep, password: Annotated[str, Form(max_length=1000)]
) -> Response:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    target = await admin.admin.account(account_id)
    if target is None:
        raise Invalid(N_("no such account"))
    try:
        await admin.auth.set_password(account_id, password, target.username)
    except ValueError as error:
        raise Invalid(str(error)) from None
    admin.auth.unlock(target.username)
    await admin.admin.audit(sess.account, "account.password", target.username, {}, admin.now())
    admin.flash(sess.token, N_("New password set for {username}; their sessions were ended."), username=target.username)
    return redirect("/accounts")


@router.post("/accounts/{account_id}/totp/remove")
async def remove_second_factor(request: Request, account_id: Id, sess: SessionDep) -> Response:
    """For an organiser who lost their phone: they sign in with the password and set it up anew."""
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    target = await admin.admin.account(account_id)
    if target is None:
        raise Invalid(N_("no such account"))
    await admin.admin.set_totp_secret(account_id, None)
    await admin.admin.audit(sess.account, "account.totp.remove", target.username, {}, admin.now())
    return redirect("/accounts")


@router.get("/accounts/{account_id}/disable")
async def confirm_disable(request: Request, account_id: Id, sess: SessionDep) -> HTMLResponse:
    require(sess.account, Role.ADMIN)
    target = await admin_of(request).admin.account(account_id)
    if target is None:
        raise Invalid(N_("no such account"))
    t = Translator(page_language(request, sess.account))
    return _confirm(
        request,
        sess,
        title=t.gettext("Disable this account?"),
        question=target.username,
        told=t.gettext("They are signed out at once and cannot sign in until an admin enables the account again."),
        action=f"/accounts/{account_id}/disable",
        button=t.gettext("Yes, disable"),
        back="/accounts",
        fields=[("disabled", "true")],
    )


@router.post("/accounts/{account_id}/disable")
async def disable_account(
    request: Request, account_id: Id, sess: SessionDep, disabled: Annotated[bool, Form()] = True
) -> Response:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    target = await admin.admin.account(account_id)
    if target is None:
        raise Invalid(N_("no such account"))
    if target.id == sess.account.id:
        raise Invalid(N_("you cannot disable your own account"))
    await admin.admin.set_disabled(account_id, disabled)
    await admin.admin.audit(
        sess.account, "account.disable" if disabled else "account.enable", target.username, {}, admin.now()
    )
    return redirect("/accounts")


@router.get("/dead-letters")
async def dead_letters_page(request: Request, sess: SessionDep) -> HTMLResponse:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    letters = await admin.store.dead_letters.recent()
    return render(
        request,
        "dead_letters.html",
        sess,
        {"letters": letters, "zone": await admin.zone(), "active": "dead_letters"},
    )


@router.get("/audit")
async def audit_page(
    request: Request, sess: SessionDep, page: Annotated[int, Query(ge=1, le=10**9)] = 1
) -> HTMLResponse:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    entries = await admin.admin.audit_entries(limit=100, offset=(page - 1) * 100)
    total = await admin.admin.audit_count()
    return render(
        request,
        "audit.html",
        sess,
        {"entries": entries, "page": page, "more": page * 100 < total, "zone": await admin.zone(), "active": "audit"},
    )
