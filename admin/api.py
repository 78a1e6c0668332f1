"""The JSON API under /api, described by its OpenAPI schema at /api/openapi.json."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from admin import importing
from admin import results as res
from admin.app import admin_of
from admin.auth import SESSION_COOKIE, LoginRefused, Session, client_address
from admin.broadcasts import (
    BroadcastSender,
    audience_size,
    broadcast_row,
    check_audience,
    clean_texts,
    may_see,
    preview,
)
from admin.deps import MAX_ID, Id, csrf_guard, session
from admin.health import readiness
from admin.i18n import N_
from admin.service import EventInput, FaqInput, Invalid, NotFound, Refused, VenueInput, check_time, may_manage, require
from admin.store import Role
from bot.model import Event, FaqEntry, Venue
from scheduler.broadcasts import Audience, Progress

SessionDep = Annotated[Session, Depends(session)]

public = APIRouter(prefix="/api", tags=["session"])
router = APIRouter(prefix="/api", dependencies=[Depends(csrf_guard)])


class LoginInput(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1000)
    code: str = Field(default="", max_length=20)
    """The authenticator app's code, for accounts with a second factor."""


class Me(BaseModel):
    username: str
    role: Role
    organisation: str | None
    csrf_token: str = Field(description="send it as X-CSRF-Token with every POST, PUT and DELETE")


class MoveInput(BaseModel):
    starts_at: datetime
    ends_at: datetime
    venue_key: str | None = Field(default=None, max_length=200)


class PersonInput(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    language: str = Field(default="sv", max_length=16)


class CheckInInput(BaseModel):
    code: str = Field(min_length=1, max_length=200)


class AttendeeOut(BaseModel):
    signup_id: int
    status: str
    channel: str
    label: str
    language: str
    signed_up_at: str
    waiting_list_position: int | None
    code: str
    checked_in_at: str | None


class PeopleOut(BaseModel):
    event: str
    capacity: int | None
    confirmed: int
    waitlisted: int
    seats_left: int | None
    checked_in: int
    attendees: list[AttendeeOut]


class CheckInOut(BaseModel):
    event: str
    first_time: bool
    attendee: AttendeeOut


class ImportReportOut(BaseModel):
    created: list[str]
    updated: list[str]
    moved: list[str]
    cancelled: list[str]
    unchanged: list[str]
    conflicts: list[str]
    """Events changed in the admin since that the file would change back: kept unless `take_file`."""
    venues: int
    faq: int


class PreviewOut(BaseModel):
    token: str
    file: str
    report: ImportReportOut


class ApplyInput(BaseModel):
    token: str = Field(min_length=1, max_length=100)
    take_file: bool = False
    """The file's version wins over changes made in the admin since (the preview's `conflicts`)."""


class UrlInput(BaseModel):
    url: str = Field(min_length=1, max_length=2000)


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]


class Health(BaseModel):
    status: str
    """"ok", or "unavailable" (with status 503) when the database or a channel's intake is not."""
    programme_revision: int | None
    database: bool
    channels: dict[str, Any]


def _report(report: Any) -> ImportReportOut:
    return ImportReportOut(
        created=report.created,
        updated=report.updated,
        moved=report.moved,
        cancelled=report.cancelled,
        unchanged=report.unchanged,
        conflicts=report.conflicts,
        venues=report.venues,
        faq=report.faq,
    )


@public.get("/health", response_model=Health, responses={503: {"description": "not ready"}})
async def health(request: Request, response: Response) -> Health:
    admin = admin_of(request)
    ready, details = await readiness(admin.store.database, admin.metrics)
    if not ready:
        response.status_code = 503
    return Health(programme_revision=await admin.store.programme.revision(), **details)


@public.post("/login", response_model=Me, responses={401: {"description": "wrong name or password, or locked"}})
async def login(request: Request, body: LoginInput, response: Response) -> Any:
    # No CSRF token before login: the JSON body needs Content-Type application/json, which a
    # foreign page cannot send without the browser asking first (CORS), and we allow no origin.
    admin = admin_of(request)
    try:
        sess = await admin.auth.login(
            body.username, body.password, client_address(request), admin.now(), code=body.code
        )
    except LoginRefused as error:
        return JSONResponse({"detail": str(error)}, status_code=401)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await admin.admin.end_session(old)
    admin.auth.set_session_cookie(request, response, sess.token)
    return Me(
        username=sess.account.username,
        role=sess.account.role,
        organisation=sess.account.organisation,
        csrf_token=sess.csrf,
    )


@router.post("/logout", status_code=204, tags=["session"])
async def logout(request: Request, sess: SessionDep) -> Response:
    admin = admin_of(request)
    await admin.admin.end_session(sess.token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=Me, tags=["session"])
async def me(sess: SessionDep) -> Me:
    return Me(
        username=sess.account.username,
        role=sess.account.role,
        organisation=sess.account.organisation,
        csrf_token=sess.csrf,
    )


@router.get("/events", response_model=list[Event], tags=["programme"])
async def events(request: Request, sess: SessionDep) -> list[Event]:
    return await admin_of(request).service.events(sess.account)


@router.post("/events", response_model=Event, status_code=201, tags=["programme"])
async def create_event(request: Request, body: EventInput, sess: SessionDep) -> Event:
    admin = admin_of(request)
    return await admin.service.create_event(sess.account, body, admin.now())


@router.get("/events/{code}", response_model=Event, tags=["programme"])
async def event(request: Request, code: str, sess: SessionDep) -> Event:
    return await admin_of(request).service.event(sess.account, code)


@router.put("/events/{code}", response_model=Event, tags=["programme"])
async def update_event(request: Request, code: str, body: EventInput, sess: SessionDep) -> Event:
    admin = admin_of(request)
    return await admin.service.update_event(sess.account, code, body, admin.now())


@router.post("/events/{code}/move", response_model=Event, tags=["programme"])
async def move_event(request: Request, code: str, body: MoveInput, sess: SessionDep) -> Event:
    admin = admin_of(request)
    return await admin.service.move_event(sess.account, code, body.starts_at, body.ends_at, body.venue_key, admin.now())


@router.post("/events/{code}/cancel", response_model=Event, tags=["programme"])
async def cancel_event(request: Request, code: str, sess: SessionDep) -> Event:
    admin = admin_of(request)
    return await admin.service.set_cancelled(sess.account, code, True, admin.now())


@router.post("/events/{code}/reinstate", response_model=Event, tags=["programme"])
async def reinstate_event(request: Request, code: str, sess: SessionDep) -> Event:
    admin = admin_of(request)
    return await admin.service.set_cancelled(sess.account, code, False, admin.now())


@router.get("/events/{code}/signups", response_model=PeopleOut, tags=["people"])
async def signups(request: Request, code: str, sess: SessionDep) -> PeopleOut:
    people = await admin_of(request).service.people(sess.account, code)
    return PeopleOut(
        event=people.event.code,
        capacity=people.occupancy.capacity,
        confirmed=people.occupancy.confirmed,
        waitlisted=people.occupancy.waitlisted,
        seats_left=people.seats_left,
        checked_in=people.checked_in,
        attendees=[AttendeeOut(**a.as_dict()) for a in people.attendees],
    )


@router.post("/events/{code}/signups", response_model=AttendeeOut, status_code=201, tags=["people"])
async def add_signup(request: Request, code: str, body: PersonInput, sess: SessionDep) -> AttendeeOut:
    admin = admin_of(request)
    attendee = await admin.service.add_person(sess.account, code, body.name, body.language, admin.now())
    return AttendeeOut(**attendee.as_dict())


@router.delete("/events/{code}/signups/{signup_id}", status_code=204, tags=["people"])
async def remove_signup(request: Request, code: str, signup_id: Id, sess: SessionDep) -> Response:
    admin = admin_of(request)
    await admin.service.remove_signup(sess.account, code, signup_id, admin.now())
    return Response(status_code=204)


@router.post("/checkin", response_model=CheckInOut, tags=["people"])
async def checkin(request: Request, body: CheckInInput, sess: SessionDep) -> CheckInOut:
    admin = admin_of(request)
    result = await admin.service.check_in(sess.account, body.code, admin.now())
    return CheckInOut(
        event=result.event.code, first_time=result.first_time, attendee=AttendeeOut(**result.attendee.as_dict())
    )


@router.get("/venues", response_model=list[Venue], tags=["programme"])
async def venues(request: Request, sess: SessionDep) -> list[Venue]:
    require(sess.account, Role.ADMIN, Role.ORGANISER)
    snapshot = await admin_of(request).service.snapshot()
    return sorted(snapshot.venues.values(), key=lambda v: v.name)


@router.put("/venues", response_model=Venue, tags=["programme"])
async def save_venue(request: Request, body: VenueInput, sess: SessionDep) -> Venue:
    admin = admin_of(request)
    return await admin.service.save_venue(sess.account, body, admin.now())


@router.get("/faq", response_model=list[FaqEntry], tags=["programme"])
async def faq(request: Request, sess: SessionDep) -> list[FaqEntry]:
    require(sess.account, Role.ADMIN)
    return (await admin_of(request).service.snapshot()).faq


@router.put("/faq/{key}", response_model=FaqEntry, tags=["programme"])
async def save_faq(request: Request, key: str, body: FaqInput, sess: SessionDep) -> FaqEntry:
    admin = admin_of(request)
    if body.key != key:
        raise Invalid(N_("the key in the address and in the body differ"))
    return await admin.service.save_faq(sess.account, body, admin.now())


@router.delete("/faq/{key}", status_code=204, tags=["programme"])
async def delete_faq(request: Request, key: str, sess: SessionDep) -> Response:
    admin = admin_of(request)
    await admin.service.delete_faq(sess.account, key, admin.now())
    return Response(status_code=204)


@router.post("/import/preview", response_model=PreviewOut, tags=["import"])
async def import_preview(request: Request, sess: SessionDep, file: Annotated[UploadFile, File()]) -> PreviewOut:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    data = await file.read(importing.MAX_IMPORT_BYTES + 1)
    name = file.filename or "upload"
    zone = await admin.zone()
    report = await importing.preview_bytes(admin.store, data, name, zone.key, admin.now())
    pending = admin.pending.add(sess.account.id, name, data, report, admin.now())
    return PreviewOut(token=pending.token, file=name, report=_report(report))


@router.post("/import/preview-url", response_model=PreviewOut, tags=["import"])
async def import_preview_url(request: Request, body: UrlInput, sess: SessionDep) -> PreviewOut:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    name, data = await importing.fetch(body.url, admin.fetch_transport)
    zone = await admin.zone()
    report = await importing.preview_bytes(admin.store, data, name, zone.key, admin.now(), url=body.url)
    pending = admin.pending.add(sess.account.id, name, data, report, admin.now())
    return PreviewOut(token=pending.token, file=name, report=_report(report))


@router.post("/import/apply", response_model=ImportReportOut, tags=["import"])
async def import_apply(request: Request, body: ApplyInput, sess: SessionDep) -> ImportReportOut:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    pending = admin.pending.take(body.token, sess.account.id, admin.now())
    zone = await admin.zone()
    report = await importing.apply(
        admin.store, pending.data, pending.name, zone.key, admin.now(), take_file=body.take_file
    )
    out = _report(report)
    await admin.admin.audit(sess.account, "programme.import", pending.name, out.model_dump(), admin.now())
    return out


@router.get("/audit", response_model=list[AuditOut], tags=["admin"])
async def audit(
    request: Request,
    sess: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[AuditOut]:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    entries = await admin.admin.audit_entries(limit, offset)
    return [AuditOut(**e.__dict__) for e in entries]


class AudienceInput(BaseModel):
    everyone: bool = False
    events: list[str] = Field(default_factory=list, max_length=500)
    languages: list[str] = Field(default_factory=list, max_length=10)


class BroadcastInput(BaseModel):
    texts: dict[str, str] = Field(description="the message per language code (sv, en, ar, fi, so, fa)")
    audience: AudienceInput
    at: datetime | None = Field(default=None, description="send at this time (with its zone); now when empty")


class BroadcastOut(BaseModel):
    id: int
    status: str
    total: int
    sent: int
    pending: int
    not_sent: dict[str, int]


class PreviewMessage(BaseModel):
    lang: str
    rtl: bool
    html: str


class BroadcastPreviewOut(BaseModel):
    recipients: dict[str, int]
    messages: list[PreviewMessage]


class ResultOut(BaseModel):
    code: str
    title: str
    organisation: str
    answers: int
    shown: bool = Field(description=f"false below {res.MIN_ANSWERS} answers: then no numbers are given")
    average: float | None
    average_text: str | None
    distribution: dict[int, int] | None
    did_not_attend: int | None
    signups: int
    attended: int
    response_rate: float | None
    comments: list[str] | None = None


def _result(r: res.EventResult, comments: list[str] | None = None) -> ResultOut:
    shown = r.tally.shown
    return ResultOut(
        code=r.event.code,
        title=r.title,
        organisation=r.event.organisation,
        answers=r.tally.answers,
        shown=shown,
        average=r.tally.average if shown else None,
        average_text=res.average_text(r.tally.average) if shown else None,
        distribution=dict(r.tally.distribution()) if shown else None,
        did_not_attend=r.tally.did_not_attend if shown else None,
        signups=r.signups,
        attended=r.attended,
        response_rate=r.response_rate if shown else None,
        comments=comments if shown else None,
    )


async def _checked_broadcast(request: Request, sess: Session, body: BroadcastInput) -> tuple[dict[str, str], Audience]:
    admin = admin_of(request)
    texts = clean_texts(body.texts)
    audience = Audience(
        everyone=body.audience.everyone, events=tuple(body.audience.events), languages=tuple(body.audience.languages)
    )
    check_audience(sess.account, audience, await admin.service.snapshot())
    if body.at is not None:
        check_time(body.at)
    return texts, audience


@router.post("/broadcasts/preview", response_model=BroadcastPreviewOut, tags=["broadcasts"])
async def broadcast_preview(request: Request, body: BroadcastInput, sess: SessionDep) -> BroadcastPreviewOut:
    admin = admin_of(request)
    texts, audience = await _checked_broadcast(request, sess, body)
    shown = await preview(admin.store, texts, admin.now())
    return BroadcastPreviewOut(
        recipients=await audience_size(admin.store, audience),
        messages=[PreviewMessage(lang=lang, rtl=m.rtl, html=str(m.html)) for lang, m in shown.items()],
    )


@router.post("/broadcasts", response_model=BroadcastOut, status_code=201, tags=["broadcasts"])
async def broadcast_create(request: Request, body: BroadcastInput, sess: SessionDep) -> BroadcastOut:
    admin = admin_of(request)
    texts, audience = await _checked_broadcast(request, sess, body)
    now = admin.now()
    sender = BroadcastSender(admin.store, admin.broadcasts)
    broadcast_id = await sender.send(texts, audience, now, body.at, None)
    await admin.admin.audit(
        sess.account,
        "broadcast.create",
        f"broadcast {broadcast_id}",
        {"texts": texts, "audience": audience.as_json(), "at": body.at.isoformat() if body.at else None},
        now,
    )
    return _progress(await sender.progress(broadcast_id))


def _progress(p: Progress) -> BroadcastOut:
    return BroadcastOut(
        id=p.broadcast_id, status=p.status, total=p.total, sent=p.sent, pending=p.pending, not_sent=p.not_sent
    )


async def _visible(request: Request, sess: Session, broadcast_id: int) -> BroadcastSender:
    admin = admin_of(request)
    row = await broadcast_row(admin.store, broadcast_id)
    if row is None:
        raise NotFound(N_("no such broadcast"))
    if not may_see(sess.account, row, await admin.service.snapshot()):
        raise Refused()
    return BroadcastSender(admin.store, admin.broadcasts)


@router.get("/broadcasts/{broadcast_id}", response_model=BroadcastOut, tags=["broadcasts"])
async def broadcast_get(request: Request, broadcast_id: Id, sess: SessionDep) -> BroadcastOut:
    sender = await _visible(request, sess, broadcast_id)
    return _progress(await sender.progress(broadcast_id))


@router.post("/broadcasts/{broadcast_id}/cancel", response_model=BroadcastOut, tags=["broadcasts"])
async def broadcast_cancel(request: Request, broadcast_id: Id, sess: SessionDep) -> BroadcastOut:
    admin = admin_of(request)
    sender = await _visible(request, sess, broadcast_id)
    stopped = await sender.cancel(broadcast_id, admin.now())
    await admin.admin.audit(
        sess.account, "broadcast.cancel", f"broadcast {broadcast_id}", {"stopped": stopped}, admin.now()
    )
    return _progress(await sender.progress(broadcast_id))


async def _result_events(request: Request, sess: Session) -> list[Event]:
    snapshot = await admin_of(request).service.snapshot()
    if sess.account.role is Role.ORGANISER:
        return [e for e in snapshot.events if may_manage(sess.account, e, snapshot)]
    return list(snapshot.events)


@router.get("/results", response_model=list[ResultOut], tags=["results"])
async def results(request: Request, sess: SessionDep) -> list[ResultOut]:
    admin = admin_of(request)
    return [_result(r) for r in await res.event_results(admin.store, await _result_events(request, sess))]


@router.get("/results/{code}", response_model=ResultOut, tags=["results"])
async def result(request: Request, code: str, sess: SessionDep) -> ResultOut:
    admin = admin_of(request)
    event = next((e for e in await _result_events(request, sess) if e.code.upper() == code.upper()), None)
    if event is None or event.id is None:
        if (await admin.service.snapshot()).event(code) is not None:
            raise Refused()
        raise NotFound(N_("no event {code}"), code=code)
    r = (await res.event_results(admin.store, [event]))[0]
    return _result(r, await res.comments_of(admin.store, event.id) if r.tally.shown else None)
