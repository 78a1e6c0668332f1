"""Glossary files: {"festival": label, "glossary": {concept: {lang: [phrase, ...]}}}.

The festival's cross-language glossary of topics ("online_hate": näthat, online hate,
الكراهية الرقمية): organisers edit it as one file, export it, and import it again. An import
replaces the whole glossary, so a phrase deleted from the file is gone.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ValidationError

from bot.model import GlossaryTerm, Programme
from bot.programme.common import language_code
from bot.programme.errors import ProgrammeFileError, format_place, from_validation
from bot.store.programme import ProgrammeSnapshot

MAX_PHRASE = 300


def _as_phrases(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Phrases = Annotated[list[str], BeforeValidator(_as_phrases)]


class RawGlossary(BaseModel):
    festival: str | None = None
    glossary: dict[str, dict[str, Phrases]]


def looks_like(data: Any) -> bool:
    return isinstance(data, dict) and "glossary" in data and "schedule" not in data and "entries" not in data


def parse(file: str, data: Any) -> Programme:
    try:
        raw = RawGlossary.model_validate(data)
    except ValidationError as error:
        raise from_validation(file, error) from None
    terms: list[GlossaryTerm] = []
    for concept, languages in raw.glossary.items():
        name = concept.strip()
        if not name:
            raise ProgrammeFileError(file, format_place(("glossary",)), "a concept without a name")
        for lang, phrases in languages.items():
            for phrase in phrases:
                text = " ".join(phrase.split())
                if len(text) > MAX_PHRASE:
                    raise ProgrammeFileError(
                        file, format_place(("glossary", concept, lang)), f"a phrase longer than {MAX_PHRASE} characters"
                    )
                if text:
                    terms.append(GlossaryTerm(concept=name, language=language_code(lang), phrase=text))
    if not terms:
        raise ProgrammeFileError(file, "glossary", "no phrases")
    return Programme(festival=None, glossary=terms, complete=True)


def glossary_json(snapshot: ProgrammeSnapshot) -> str:
    """The stored glossary in the import format, so an export can be edited and imported again."""
    concepts: dict[str, dict[str, list[str]]] = {}
    for term in snapshot.glossary:
        concepts.setdefault(term.concept, {}).setdefault(term.language, []).append(term.phrase)
    label = snapshot.festival.name.get("en") or next(iter(snapshot.festival.name.values()), "")
    return json.dumps({"festival": label, "glossary": concepts}, ensure_ascii=False, indent=1) + "\n"
