"""Citizen surveys, the admin's side: build a short survey with texts per language, ask
residents once whether they want surveys, send a survey to those who opted in, close it, and
read the results — counts only, nothing shown below `MIN_ANSWERS`, and a CSV export.
"""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse
from sqlalchemy import func, select

from admin.app import admin_of
from admin.auth import Session
from admin.deps import Id, csrf_guard, session
from admin.i18n import N_
from admin.pages import FORM_LANGUAGES, _parse_local, page_translator, redirect, render
from admin.results import MIN_ANSWERS, mask
from admin.service import Invalid, NotFound, require
from admin.store import Role
from bot.model import pick
from bot.programme import spreadsheet
from bot.store import schema as t
from bot.store.surveys import MAX_OPTIONS, MAX_QUESTIONS, Kind, Question, Results, Survey, SurveyStore
from scheduler.surveys import ask_opt_in, close_survey, send_survey

router = APIRouter(dependencies=[Depends(csrf_guard)], include_in_schema=False)
SessionDep = Annotated[Session, Depends(session)]
MAX_QUESTION_TEXT = 300
MAX_OPTION_TEXT = 100
"""Telegram's limits for a poll's question and options."""
SCALE_LABELS = ["1", "2", "3", "4", "5"]
KIND_NAMES = {
    "single": N_("Single choice"),
    "multiple": N_("Multiple choice"),
    "scale": N_("Scale 1–5"),
    "text": N_("Free text"),
}
"""Msgids: the pages translate them; the CSV export keeps the English."""


def _surveys(request: Request) -> SurveyStore:
    return SurveyStore(admin_of(request).store.database)


async def _survey(request: Request, survey_id: int) -> Survey:
    found = await _surveys(request).get(survey_id)
    if found is None:
        raise NotFound(N_("no such survey"))
    return found


def _wake(request: Request) -> None:
    scheduler = admin_of(request).broadcasts
    wake = getattr(scheduler, "wake", None)
    if wake is not None:
        wake()


async def _consents(request: Request) -> dict[str, int]:
    async with admin_of(request).store.database.reading() as conn:
        rows = await conn.execute(
            select(t.survey_consent.c.enrolled, func.count()).group_by(t.survey_consent.c.enrolled)
        )
        counts = {bool(enrolled): int(n) for enrolled, n in rows}
    return {"enrolled": counts.get(True, 0), "not_enrolled": counts.get(False, 0)}


@router.get("/surveys")
async def surveys_page(request: Request, sess: SessionDep) -> HTMLResponse:
    require(sess.account, Role.ADMIN, Role.VIEWER)
    return render(
        request,
        "surveys.html",
        sess,
        {
            "surveys": await _surveys(request).all(),
            "consents": await _consents(request),
            "zone": await admin_of(request).zone(),
            "active": "surveys",
        },
    )


@router.post("/surveys/opt-in")
async def surveys_opt_in(request: Request, sess: SessionDep) -> Response:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    queued = await ask_opt_in(admin.store, admin.now())
    await admin.admin.audit(sess.account, "survey.opt_in", "everyone", {"queued": queued}, admin.now())
    admin.flash(sess.token, N_("The opt-in question goes to {count} people who were never asked."), count=queued)
    _wake(request)
    return redirect("/surveys")


def _blank_form() -> dict[str, Any]:
    return {"questions": [{"kind": ""} for _ in range(MAX_QUESTIONS)]}


def _values_of(survey: Survey, zone: Any) -> dict[str, Any]:
    values: dict[str, Any] = {f"title_{lang}": survey.title.get(lang, "") for lang in FORM_LANGUAGES}
    values.update({f"intro_{lang}": survey.intro.get(lang, "") for lang in FORM_LANGUAGES})
    values["closes_at"] = survey.closes_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if survey.closes_at else ""
    questions: list[dict[str, Any]] = []
    for question in survey.questions:
        entry: dict[str, Any] = {"kind": question.kind.value}
        for lang in FORM_LANGUAGES:
            entry[f"text_{lang}"] = question.text.get(lang, "")
            entry[f"options_{lang}"] = "\n".join(o[lang] for o in question.options if o.get(lang))
        questions.append(entry)
    values["questions"] = questions + [{"kind": ""} for _ in range(MAX_QUESTIONS - len(questions))]
    return values


async def _read_form(request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
    form = await request.form()
    raw = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
    questions: list[dict[str, Any]] = []
    for index in range(MAX_QUESTIONS):
        entry: dict[str, Any] = {"kind": raw.get(f"q{index}_kind", "")}
        for lang in FORM_LANGUAGES:
            entry[f"text_{lang}"] = raw.get(f"q{index}_text_{lang}", "")
            entry[f"options_{lang}"] = raw.get(f"q{index}_options_{lang}", "")
        questions.append(entry)
    return raw, {**raw, "questions": questions}


def _parse(
    raw: dict[str, Any], values: dict[str, Any], zone: Any
) -> tuple[dict[str, str], dict[str, str], list[Question], Any]:
    title = {lang: raw.get(f"title_{lang}", "") for lang in FORM_LANGUAGES if raw.get(f"title_{lang}")}
    intro = {lang: raw.get(f"intro_{lang}", "") for lang in FORM_LANGUAGES if raw.get(f"intro_{lang}")}
    if not title:
        raise Invalid(N_("give the survey a title in at least one language"))
    if any(len(text) > 200 for text in title.values()) or any(len(text) > 1000 for text in intro.values()):
        raise Invalid(N_("titles may have 200 characters and introductions 1000"))
    questions: list[Question] = []
    for number, entry in enumerate(values["questions"], start=1):
        kind = entry["kind"]
        if not kind:
            continue
        if kind not in KIND_NAMES:
            raise Invalid(N_("question {number}: unknown kind"), number=number)
        text = {lang: entry[f"text_{lang}"] for lang in FORM_LANGUAGES if entry[f"text_{lang}"]}
        if not text:
            raise Invalid(N_("question {number}: write the question in at least one language"), number=number)
        if any(len(v) > MAX_QUESTION_TEXT for v in text.values()):
            raise Invalid(N_("question {number}: at most {n} characters"), number=number, n=MAX_QUESTION_TEXT)
        options: list[dict[str, str]] = []
        if kind in ("single", "multiple"):
            per_lang = {
                lang: [line.strip() for line in entry[f"options_{lang}"].splitlines() if line.strip()]
                for lang in FORM_LANGUAGES
                if entry[f"options_{lang}"].strip()
            }
            counts = {len(lines) for lines in per_lang.values()}
            if not per_lang or len(counts) != 1:
                raise Invalid(
                    N_("question {number}: give the options, one a line, the same number in every language"),
                    number=number,
                )
            count = counts.pop()
            if not 2 <= count <= MAX_OPTIONS:
                raise Invalid(N_("question {number}: between 2 and {n} options"), number=number, n=MAX_OPTIONS)
            if any(len(line) > MAX_OPTION_TEXT for lines in per_lang.values() for line in lines):
                raise Invalid(
                    N_("question {number}: options may have at most {n} characters"), number=number, n=MAX_OPTION_TEXT
                )
            options = [{lang: lines[i] for lang, lines in per_lang.items()} for i in range(count)]
        questions.append(Question(Kind(kind), text, options))
    if not questions:
        raise Invalid(N_("add at least one question"))
    closes = raw.get("closes_at", "")
    closes_at = _parse_local(closes, zone) if closes else None
    return title, intro, questions, closes_at


async def _form_page(
    request: Request, sess: Session, values: dict[str, Any], error: str | None, survey: Survey | None, status: int = 200
) -> HTMLResponse:
    return render(
        request,
        "survey_form.html",
        sess,
        {"values": values, "error": error, "survey": survey, "kinds": KIND_NAMES, "active": "surveys"},
        status,
    )


@router.get("/surveys/new")
async def survey_new(request: Request, sess: SessionDep) -> HTMLResponse:
    require(sess.account, Role.ADMIN)
    return await _form_page(request, sess, _blank_form(), None, None)


@router.post("/surveys/new")
async def survey_create(request: Request, sess: SessionDep) -> Response:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    raw, values = await _read_form(request)
    try:
        title, intro, questions, closes_at = _parse(raw, values, await admin.zone())
    except Invalid as error:
        return await _form_page(request, sess, values, error.translated(page_translator(request, sess)), None, 422)
    survey_id = await _surveys(request).create(title, intro, questions, closes_at, admin.now())
    await admin.admin.audit(sess.account, "survey.create", f"survey {survey_id}", {"title": title}, admin.now())
    admin.flash(sess.token, N_("The survey is saved as a draft."))
    return redirect(f"/surveys/{survey_id}")


@router.get("/surveys/{survey_id}/edit")
async def survey_edit(request: Request, survey_id: Id, sess: SessionDep) -> HTMLResponse:
    require(sess.account, Role.ADMIN)
    survey = await _survey(request, survey_id)
    return await _form_page(request, sess, _values_of(survey, await admin_of(request).zone()), None, survey)


@router.post("/surveys/{survey_id}/edit")
async def survey_update(request: Request, survey_id: Id, sess: SessionDep) -> Response:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    survey = await _survey(request, survey_id)
    raw, values = await _read_form(request)
    try:
        title, intro, questions, closes_at = _parse(raw, values, await admin.zone())
    except Invalid as error:
        return await _form_page(request, sess, values, error.translated(page_translator(request, sess)), survey, 422)
    if not await _surveys(request).update(survey_id, title, intro, questions, closes_at, admin.now()):
        raise Invalid(N_("a survey that has been sent cannot be changed"))
    await admin.admin.audit(sess.account, "survey.edit", f"survey {survey_id}", {"title": title}, admin.now())
    admin.flash(sess.token, N_("The draft is saved."))
    return redirect(f"/surveys/{survey_id}")


@router.post("/surveys/{survey_id}/send")
async def survey_send(request: Request, survey_id: Id, sess: SessionDep) -> Response:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    await _survey(request, survey_id)
    try:
        queued = await send_survey(admin.store, survey_id, admin.now())
    except ValueError as error:
        raise Invalid(str(error)) from None
    await admin.admin.audit(sess.account, "survey.send", f"survey {survey_id}", {"queued": queued}, admin.now())
    admin.flash(sess.token, N_("The survey is open and goes to {count} people who opted in."), count=queued)
    _wake(request)
    return redirect(f"/surveys/{survey_id}")


@router.post("/surveys/{survey_id}/close")
async def survey_close(request: Request, survey_id: Id, sess: SessionDep) -> Response:
    require(sess.account, Role.ADMIN)
    admin = admin_of(request)
    await _survey(request, survey_id)
    scheduler = admin.broadcasts
    # The scheduler, when it runs in this process, owns the connectors that end native polls.
    closing = getattr(scheduler, "close_survey", None)
    closed = bool(await closing(survey_id)) if closing else await close_survey(admin.store, survey_id, admin.now())
    await admin.admin.audit(sess.account, "survey.close", f"survey {survey_id}", {"closed": closed}, admin.now())
    admin.flash(sess.token, N_("The survey is closed: who answered is forgotten, the counts stay."))
    return redirect(f"/surveys/{survey_id}")


def _question_results(results: Results, lang: str = "sv") -> list[dict[str, Any]]:
    """Per question: shown or not (the threshold), and bars or texts."""
    rows: list[dict[str, Any]] = []
    for index, question in enumerate(results.survey.questions):
        answers = results.answers(index)
        labels = SCALE_LABELS if question.kind is Kind.SCALE else [pick(option, lang) for option in question.options]
        counts = results.counts.get(index, {})
        bars = []
        top = max([counts.get(i, 0) for i in range(len(labels))] + [1])
        for i, label in enumerate(labels):
            n = counts.get(i, 0)
            bars.append({"label": label, "n": n, "length": round(300 * n / top), "y": 28 * i})
        rows.append(
            {
                "number": index + 1,
                "kind": KIND_NAMES[question.kind.value],
                "text": pick(question.text, lang),
                "answers": answers,
                "shown": answers >= MIN_ANSWERS and results.survey.respondents >= MIN_ANSWERS,
                "bars": bars,
                "texts": [mask(text) for text in results.texts.get(index, [])],
                "is_text": question.kind is Kind.TEXT,
            }
        )
    return rows


@router.get("/surveys/{survey_id}.csv")
async def survey_csv(request: Request, survey_id: Id, sess: SessionDep) -> Response:
    require(sess.account, Role.ADMIN, Role.VIEWER)
    results = await _surveys(request).results(survey_id)
    if results is None:
        raise NotFound(N_("no such survey"))
    out = io.StringIO()
    writer = spreadsheet.writer(out)
    writer.writerow(["question", "kind", "question_text", "option", "answers"])
    for row in _question_results(results):
        if not row["shown"]:
            writer.writerow([row["number"], row["kind"], row["text"], f"fewer than {MIN_ANSWERS} answers", ""])
        elif row["is_text"]:
            for text in row["texts"]:
                writer.writerow([row["number"], row["kind"], row["text"], text, ""])
        else:
            for bar in row["bars"]:
                writer.writerow([row["number"], row["kind"], row["text"], bar["label"], bar["n"]])
    return PlainTextResponse(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="survey-{survey_id}.csv"'},
    )


@router.get("/surveys/{survey_id}")
async def survey_page(request: Request, survey_id: Id, sess: SessionDep) -> HTMLResponse:
    require(sess.account, Role.ADMIN, Role.VIEWER)
    results = await _surveys(request).results(survey_id)
    if results is None:
        raise NotFound(N_("no such survey"))
    return render(
        request,
        "survey.html",
        sess,
        {
            "survey": results.survey,
            "rows": _question_results(results),
            "min_answers": MIN_ANSWERS,
            "consents": await _consents(request),
            "zone": await admin_of(request).zone(),
            "active": "surveys",
        },
    )


__all__ = ["router"]
