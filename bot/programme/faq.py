"""FAQ files: {"festival": name, "entries": [{"id", "question": {lang: text or [variants]}, "answer"}]}."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, ValidationError

from bot.model import FaqEntry, Programme
from bot.programme.common import check_unique, language_code
from bot.programme.errors import ProgrammeFileError, format_place, from_validation


def _as_variants(value: Any) -> Any:
    # One question is the common case; a list adds the other ways people ask it.
    return [value] if isinstance(value, str) else value


Variants = Annotated[list[str], BeforeValidator(_as_variants)]


class RawEntry(BaseModel):
    id: str = Field(min_length=1)
    question: dict[str, Variants]
    answer: dict[str, str]


class RawFaq(BaseModel):
    festival: str | None = None
    entries: list[RawEntry]


def looks_like(data: Any) -> bool:
    return isinstance(data, dict) and "entries" in data and "schedule" not in data


def parse(file: str, data: Any) -> Programme:
    """The FAQ of the current festival; the `festival` name in the file is only a label."""
    try:
        raw = RawFaq.model_validate(data)
    except ValidationError as error:
        raise from_validation(file, error) from None
    entries: list[FaqEntry] = []
    for index, item in enumerate(raw.entries):
        questions = {
            language_code(lang): [text.strip() for text in variants if text.strip()]
            for lang, variants in item.question.items()
        }
        questions = {lang: variants for lang, variants in questions.items() if variants}
        if not questions:
            raise ProgrammeFileError(file, format_place(("entries", index, "question")), "no question in any language")
        answer = {language_code(lang): text for lang, text in item.answer.items()}
        entry = FaqEntry(key=item.id, questions=questions, answer=answer)
        if not entry.answer:
            raise ProgrammeFileError(file, format_place(("entries", index, "answer")), "no answer in any language")
        entries.append(entry)
    check_unique(
        file,
        [(item.id, format_place(("entries", index, "id"))) for index, item in enumerate(raw.entries)],
        "id",
    )
    return Programme(festival=None, faq=entries, complete=True)
