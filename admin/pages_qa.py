"""Ask the panel, the organisers' side: the Q&A switch per event, the moderator's page (live,
by polling a JSON list) and the projector's screen behind a secret link, which shows approved
questions only and refreshes itself without a reload.

The moderator sees questions, never who asked: the store keeps no person with a question
beyond a salted hash for the rate limit, erased when the Q&A closes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from admin.app import STATIC, admin_of
from admin.auth import Session
from admin.deps import Id, csrf_guard, session
from admin.i18n import N_
from admin.pages import redirect, render
from admin.results import mask
from admin.service import Invalid, NotFound, Refused, may_manage, require
from admin.store import Role
from bot.model import Event, pick
from bot.store.qa import QaStore, Question, QuestionStatus, is_running

router = APIRouter(dependencies=[Depends(csrf_guard)], include_in_schema=False)
SessionDep = Annotated[Session, Depends(session)]
ACTIONS = {
    "approve": QuestionStatus.APPROVED,
    "hide": QuestionStatus.HIDDEN,
    "answered": QuestionStatus.ANSWERED,
    "pending": QuestionStatus.PENDING,
}


def _qa(request: Request) -> QaStore:
    return QaStore(admin_of(request).store.database)


async def _event(request: Request, sess: Session, code: str) -> Event:
    require(sess.account, Role.ADMIN, Role.ORGANISER)
    snapshot = await admin_of(request).service.snapshot()
    event = snapshot.event(code)
    if event is None or event.id is None:
        raise NotFound(N_("no event {code}"), code=code)
    if not may_manage(sess.account, event, snapshot):
        raise Refused()
    return event


@router.get("/static/participation.css")
async def stylesheet() -> FileResponse:
    return FileResponse(STATIC / "participation.css", media_type="text/css")


@router.get("/static/qa.js")
async def script() -> FileResponse:
    return FileResponse(STATIC / "qa.js", media_type="text/javascript")


@router.get("/qa")
async def qa_events(request: Request, sess: SessionDep) -> HTMLResponse:
    admin = admin_of(request)
    events = await admin.service.events(sess.account)
    sessions = await _qa(request).sessions()
    now = admin.now()
    return render(
        request,
        "qa_events.html",
        sess,
        {
            "events": events,
            "sessions": sessions,
            "running": {e.code for e in events if is_running(e.starts_at, e.ends_at, now)},
            "zone": await admin.zone(),
            "active": "qa",
        },
    )


@router.post("/qa/{code}/switch")
async def qa_switch(request: Request, code: str, sess: SessionDep) -> Response:
    event = await _event(request, sess, code)
    assert event.id is not None
    form = await request.form()
    enabled = form.get("enabled") == "on"
    admin = admin_of(request)
    await _qa(request).switch(event.id, enabled)
    await admin.admin.audit(sess.account, "qa.switch", f"event {code}", {"enabled": enabled}, admin.now())
    admin.flash(
        sess.token, N_("Q&A on for {title}.") if enabled else N_("Q&A off for {title}."), title=pick(event.title, "sv")
    )
    return redirect(f"/qa/{code}" if enabled else "/qa")


@router.get("/qa/{code}")
async def qa_moderate(request: Request, code: str, sess: SessionDep) -> HTMLResponse:
    event = await _event(request, sess, code)
    assert event.id is not None
    qa = _qa(request)
    found = await qa.session(event.id)
    if found is None:
        raise NotFound(N_("Q&A is not switched on for this event"))
    questions = [_masked(q) for q in await qa.questions(event.id)]
    return render(
        request,
        "qa_moderate.html",
        sess,
        {
            "event": event,
            "qa": found,
            "groups": _groups(questions),
            "screen_url": str(request.url_for("qa_screen", token=found.screen_token)),
            "zone": await admin_of(request).zone(),
            "active": "qa",
        },
    )


def _masked(question: Question) -> Question:
    # Masked before storing too (bot/store/qa.py); this covers questions stored before that.
    return replace(question, text=mask(question.text))


@router.post("/qa/{code}/screen/renew")
async def qa_renew_screen(request: Request, code: str, sess: SessionDep) -> Response:
    event = await _event(request, sess, code)
    assert event.id is not None
    admin = admin_of(request)
    if await _qa(request).session(event.id) is None:
        raise NotFound(N_("Q&A is not switched on for this event"))
    await _qa(request).renew_screen(event.id)
    await admin.admin.audit(sess.account, "qa.screen_renew", f"event {code}", {}, admin.now())
    admin.flash(sess.token, N_("The screen has a new link; the old one no longer works."))
    return redirect(f"/qa/{code}")


def _groups(questions: list[Any]) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = {status.value: [] for status in QuestionStatus}
    for question in questions:
        groups[question.status.value].append(question)
    # Newest first for the moderator's queue; the rest by upvotes as stored.
    groups["pending"].sort(key=lambda q: q.id, reverse=True)
    return groups


@router.get("/qa/{code}/questions.json")
async def qa_questions(request: Request, code: str, sess: SessionDep) -> dict[str, Any]:
    event = await _event(request, sess, code)
    assert event.id is not None
    groups = _groups([_masked(q) for q in await _qa(request).questions(event.id)])
    return {status: [q.as_json() for q in items] for status, items in groups.items()}


@router.post("/qa/{code}/questions/{question_id}/{action}")
async def qa_action(request: Request, code: str, question_id: Id, action: str, sess: SessionDep) -> Response:
    event = await _event(request, sess, code)
    status = ACTIONS.get(action)
    if status is None:
        raise Invalid(N_("unknown action {action}"), action=action)
    qa = _qa(request)
    question = await qa.question(question_id)
    if question is None or question.event_id != event.id:
        raise NotFound(N_("no such question"))
    admin = admin_of(request)
    await qa.moderate(question_id, status)
    await admin.admin.audit(
        sess.account, f"qa.{action}", f"event {code}", {"question": question_id, "text": question.text}, admin.now()
    )
    if request.headers.get("accept", "").startswith("application/json"):
        return JSONResponse({"id": question_id, "status": status.value})
    return redirect(f"/qa/{code}")


# The projector: no sign-in (it runs on the room's computer), only the secret link.


async def _screen_event(request: Request, token: str) -> tuple[Event, int]:
    found = await _qa(request).by_token(token)
    if found is None or not found.enabled or found.closed_at is not None:
        # The screen stops with the Q&A: its link shows nothing once the Q&A is off or closed.
        raise NotFound(N_("this screen link is not valid"))
    snapshot = await admin_of(request).service.snapshot()
    event = next((e for e in snapshot.events if e.id == found.event_id), None)
    if event is None:
        raise NotFound(N_("this screen link is not valid"))
    return event, found.event_id


@router.get("/screen/{token}", name="qa_screen")
async def qa_screen(request: Request, token: str) -> HTMLResponse:
    event, event_id = await _screen_event(request, token)
    return render(
        request,
        "qa_screen.html",
        None,
        {"event": event, "questions": [_masked(q) for q in await _qa(request).screen(event_id)], "token": token},
    )


@router.get("/screen/{token}/questions.json")
async def qa_screen_questions(request: Request, token: str) -> dict[str, Any]:
    _event, event_id = await _screen_event(request, token)
    # Only approved questions, and only what the room may see: no counts of reports.
    return {
        "questions": [
            {"id": q.id, "text": mask(q.text), "upvotes": q.upvotes} for q in await _qa(request).screen(event_id)
        ]
    }


__all__ = ["router"]
