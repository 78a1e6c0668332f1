"""The JSON API under /api, described by its OpenAPI schema at /api/openapi.json."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from admin import importing
from admin.app import admin_of
from admin.auth import SESSION_COOKIE, LoginRefused, Session, client_address
from admin.deps import csrf_guard, session
from admin.service import EventInput, FaqInput, Invalid, VenueInput, require
from admin.store import Role
from bot.model import Event, FaqEntry, Venue

SessionDep = Annotated[Session, Depends(session)]

public = APIRouter(prefix="/api", tags=["session"])
router = APIRouter(prefix="/api", dependencies=[Depends(csrf_guard)])


class LoginInput(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1000)


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
    venues: int
    faq: int


class PreviewOut(BaseModel):
    token: str
    file: str
    report: ImportReportOut


class ApplyInput(BaseModel):
    token: str = Field(min_length=1, max_length=100)


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
    programme_revision: int | None


def _report(report: Any) -> ImportReportOut:
    return ImportReportOut(
        created=report.created,
        updated=report.updated,
        moved=report.moved,
        cancelled=report.cancelled,
        unchanged=report.unchanged,
        venues=report.venues,
        faq=report.faq,
    )


@public.get("/health", response_model=Health)
async def health(request: Request) -> Health:
    admin = admin_of(request)
    return Health(status="ok", programme_revision=await admin.store.programme.revision())


@public.post("/login", response_model=Me, responses={401: {"description": "wrong name or password, or locked"}})
async def login(request: Request, body: LoginInput, response: Response) -> Any:
    # No CSRF token before login: the JSON body needs Content-Type application/json, which a
    # foreign page cannot send without the browser asking first (CORS), and we allow no origin.
    admin = admin_of(request)
    try:
        sess = await admin.auth.login(body.username, body.password, client_address(request), admin.now())
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
    if body.starts_at.tzinfo is None or body.ends_at.tzinfo is None:
        raise Invalid("times need a time zone")
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
async def remove_signup(request: Request, code: str, signup_id: int, sess: SessionDep) -> Response:
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
        raise Invalid("the key in the address and in the body differ")
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
    report = await importing.preview_bytes(admin.store, data, name, zone.key, admin.now())
    pending = admin.pending.add(sess.account.id, name, data, report, admin.now())
    return PreviewOut(token=pending.token, file=name, report=_report(report))


@router.post("/import/apply", response_model=ImportReportOut, tags=["import"])
async def import_apply(request: Request, body: ApplyInput, sess: SessionDep) -> ImportReportOut:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    pending = admin.pending.take(body.token, sess.account.id, admin.now())
    zone = await admin.zone()
    report = await importing.apply(admin.store, pending.data, pending.name, zone.key, admin.now())
    out = _report(report)
    await admin.admin.audit(sess.account, "programme.import", pending.name, out.model_dump(), admin.now())
    return out


@router.get("/audit", response_model=list[AuditOut], tags=["admin"])
async def audit(request: Request, sess: SessionDep, limit: int = 100, offset: int = 0) -> list[AuditOut]:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    entries = await admin.admin.audit_entries(min(max(limit, 1), 1000), max(offset, 0))
    return [AuditOut(**e.__dict__) for e in entries]
