"""Broadcasts, evaluation results and the follow-up report, as pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse

from admin import results as res
from admin.app import admin_of
from admin.auth import Session
from admin.broadcasts import (
    BroadcastSender,
    audience_size,
    broadcast_row,
    broadcast_rows,
    check_audience,
    clean_texts,
    may_see,
    preview,
)
from admin.deps import Id, csrf_guard, session
from admin.i18n import N_
from admin.pages import FORM_LANGUAGES, _parse_local, page_translator, redirect, render
from admin.service import Invalid, NotFound, Refused, may_manage, require
from admin.store import Role
from bot.model import Event
from scheduler.broadcasts import Audience

router = APIRouter(dependencies=[Depends(csrf_guard)], include_in_schema=False)
SessionDep = Annotated[Session, Depends(session)]


def sender(request: Request) -> BroadcastSender:
    admin = admin_of(request)
    return BroadcastSender(admin.store, admin.broadcasts)


# Results


async def _visible_events(request: Request, sess: Session) -> list[Event]:
    admin = admin_of(request)
    snapshot = await admin.service.snapshot()
    if sess.account.role in (Role.ADMIN, Role.VIEWER):
        return list(snapshot.events)
    return [e for e in snapshot.events if may_manage(sess.account, e, snapshot)]


@router.get("/results")
async def results_page(request: Request, sess: SessionDep) -> HTMLResponse:
    admin = admin_of(request)
    events = await _visible_events(request, sess)
    results = await res.event_results(admin.store, events)
    total = res.festival_summary(results, admin.now())
    return render(
        request,
        "results.html",
        sess,
        {
            "results": results,
            "total": total,
            "festival_wide": sess.account.role is not Role.ORGANISER,
            "res": res,
            "zone": await admin.zone(),
            "active": "results",
        },
    )


@router.get("/results/{code}")
async def event_results_page(request: Request, code: str, sess: SessionDep) -> HTMLResponse:
    admin = admin_of(request)
    snapshot = await admin.service.snapshot()
    event = snapshot.event(code)
    if event is None or event.id is None:
        raise NotFound(N_("no event {code}"), code=code)
    if sess.account.role is Role.ORGANISER and not may_manage(sess.account, event, snapshot):
        raise Refused()
    result = (await res.event_results(admin.store, [event]))[0]
    comments = await res.comments_of(admin.store, event.id) if result.tally.shown else []
    return render(
        request,
        "result.html",
        sess,
        {
            "r": result,
            "comments": comments,
            "bars": res.bars(result.tally.distribution()),
            "res": res,
            "zone": await admin.zone(),
            "active": "results",
        },
    )


async def _report(request: Request, sess: Session) -> tuple[list[res.EventResult], list[res.Summary], res.Summary]:
    admin = admin_of(request)
    events = await _visible_events(request, sess)
    results = await res.event_results(admin.store, events)
    now = admin.now()
    snapshot = await admin.service.snapshot()
    return results, res.by_organiser(results, now, snapshot), res.festival_summary(results, now)


@router.get("/report")
async def report_page(request: Request, sess: SessionDep) -> HTMLResponse:
    admin = admin_of(request)
    results, organisers, total = await _report(request, sess)
    snapshot = await admin.service.snapshot()
    return render(
        request,
        "report.html",
        sess,
        {
            "results": results,
            "organisers": organisers,
            "total": total,
            "festival": snapshot.festival,
            "now": admin.now(),
            "res": res,
            "zone": await admin.zone(),
            "active": "report",
        },
    )


@router.get("/report.csv")
async def report_csv(request: Request, sess: SessionDep) -> Response:
    admin = admin_of(request)
    results, organisers, total = await _report(request, sess)
    return PlainTextResponse(
        res.report_csv(results, organisers, total, admin.now(), await admin.service.snapshot()),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="follow-up-report.csv"'},
    )


# Broadcasts


def _audience_from(raw: dict[str, Any], events: list[str], languages: list[str]) -> Audience:
    kind = raw.get("audience", "events")
    return Audience(
        everyone=kind == "everyone",
        events=tuple(events) if kind == "events" else (),
        languages=tuple(languages),
    )


async def _form(request: Request) -> tuple[dict[str, str], Audience, dict[str, Any]]:
    form = await request.form()
    raw = {k: v for k, v in form.items() if isinstance(v, str)}
    events = [v for v in form.getlist("events") if isinstance(v, str) and v]
    languages = [v for v in form.getlist("languages") if isinstance(v, str) and v]
    texts = {lang: raw.get(f"text_{lang}", "") for lang in FORM_LANGUAGES}
    values: dict[str, Any] = {**raw, "events": events, "languages": languages}
    return texts, _audience_from(raw, events, languages), values


async def _broadcast_form(
    request: Request, sess: Session, values: dict[str, Any], error: str | None, status: int = 200
) -> HTMLResponse:
    admin = admin_of(request)
    events = await admin.service.events(sess.account)
    snapshot = await admin.service.snapshot()
    rows = [r for r in await broadcast_rows(admin.store) if may_see(sess.account, r, snapshot)]
    progress = {r.id: await sender(request).progress(r.id) for r in rows[:20]}
    return render(
        request,
        "broadcasts.html",
        sess,
        {
            "events": events,
            "values": values,
            "error": error,
            "rows": rows[:20],
            "progress": progress,
            "zone": await admin.zone(),
            "active": "broadcasts",
        },
        status,
    )


@router.get("/broadcasts")
async def broadcasts_page(request: Request, sess: SessionDep, event: str = "") -> HTMLResponse:
    require(sess.account, Role.ADMIN, Role.ORGANISER)
    values: dict[str, Any] = {"audience": "events", "events": [event] if event else [], "languages": []}
    return await _broadcast_form(request, sess, values, None)


@router.post("/broadcasts/edit")
async def broadcast_edit(request: Request, sess: SessionDep) -> HTMLResponse:
    """Back from the preview to the form, with the message and the audience as they were."""
    require(sess.account, Role.ADMIN, Role.ORGANISER)
    _texts, _audience, values = await _form(request)
    return await _broadcast_form(request, sess, values, None)


@router.post("/broadcasts/preview")
async def broadcast_preview(request: Request, sess: SessionDep) -> HTMLResponse:
    require(sess.account, Role.ADMIN, Role.ORGANISER)
    admin = admin_of(request)
    texts, audience, values = await _form(request)
    try:
        texts = clean_texts(texts)
        check_audience(sess.account, audience, await admin.service.snapshot())
        at = await _when(request, values.get("at", ""))
    except Invalid as error:
        return await _broadcast_form(request, sess, values, error.translated(page_translator(request, sess)), 422)
    shown = await preview(admin.store, texts, admin.now())
    sizes = await audience_size(admin.store, audience)
    return render(
        request,
        "broadcast_preview.html",
        sess,
        {
            "values": values,
            "texts": texts,
            "shown": shown,
            "sizes": sizes,
            "total": sum(sizes.values()),
            "at": at,
            "audience": audience,
            "zone": await admin.zone(),
            "active": "broadcasts",
        },
    )


async def _when(request: Request, value: str) -> datetime | None:
    if not value.strip():
        return None
    admin = admin_of(request)
    at = _parse_local(value, await admin.zone())
    if at < admin.now() - timedelta(minutes=1):
        raise Invalid(N_("that time has passed"))
    return at


@router.post("/broadcasts")
async def broadcast_send(request: Request, sess: SessionDep) -> Response:
    require(sess.account, Role.ADMIN, Role.ORGANISER)
    admin = admin_of(request)
    texts, audience, values = await _form(request)
    try:
        texts = clean_texts(texts)
        check_audience(sess.account, audience, await admin.service.snapshot())
        at = await _when(request, values.get("at", ""))
    except Invalid as error:
        return await _broadcast_form(request, sess, values, error.translated(page_translator(request, sess)), 422)
    now = admin.now()
    broadcast_id = await sender(request).send(texts, audience, now, at, None)
    await admin.admin.audit(
        sess.account,
        "broadcast.create",
        f"broadcast {broadcast_id}",
        {"texts": texts, "audience": audience.as_json(), "at": at.isoformat() if at else None},
        now,
    )
    admin.flash(sess.token, N_("The broadcast is on its way.") if at is None else N_("The broadcast is scheduled."))
    return redirect(f"/broadcasts/{broadcast_id}")


async def _visible_broadcast(request: Request, sess: Session, broadcast_id: int) -> Any:
    admin = admin_of(request)
    row = await broadcast_row(admin.store, broadcast_id)
    if row is None:
        raise NotFound(N_("no such broadcast"))
    if not may_see(sess.account, row, await admin.service.snapshot()):
        raise Refused()
    return row


@router.get("/broadcasts/{broadcast_id}")
async def broadcast_page(request: Request, broadcast_id: Id, sess: SessionDep) -> HTMLResponse:
    row = await _visible_broadcast(request, sess, broadcast_id)
    progress = await sender(request).progress(broadcast_id)
    return render(
        request,
        "broadcast.html",
        sess,
        {"row": row, "progress": progress, "zone": await admin_of(request).zone(), "active": "broadcasts"},
    )


@router.get("/broadcasts/{broadcast_id}/progress")
async def broadcast_progress(request: Request, broadcast_id: Id, sess: SessionDep) -> dict[str, Any]:
    await _visible_broadcast(request, sess, broadcast_id)
    p = await sender(request).progress(broadcast_id)
    return {"status": p.status, "total": p.total, "sent": p.sent, "pending": p.pending, "not_sent": p.not_sent}


@router.post("/broadcasts/{broadcast_id}/cancel")
async def broadcast_cancel(request: Request, broadcast_id: Id, sess: SessionDep) -> Response:
    await _visible_broadcast(request, sess, broadcast_id)
    admin = admin_of(request)
    stopped = await sender(request).cancel(broadcast_id, admin.now())
    await admin.admin.audit(
        sess.account, "broadcast.cancel", f"broadcast {broadcast_id}", {"stopped": stopped}, admin.now()
    )
    admin.flash(sess.token, N_("Cancelled: {count} messages will not be sent."), count=stopped)
    return redirect(f"/broadcasts/{broadcast_id}")


__all__ = ["router"]
