"""What an import preview shows for each event it changes: the title, each field with its old and
new value, and how many people will be told."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from admin.i18n import N_, local_time
from bot.i18n import Translator
from bot.model import Event, Programme, pick
from bot.store.programme import ImportReport, ProgrammeSnapshot

FIELDS = {
    "title": N_("title"),
    "starts_at": N_("starts"),
    "ends_at": N_("ends"),
    "venue_key": N_("venue"),
    "capacity": N_("seats"),
    "status": N_("status"),
    "organisation": N_("organisation"),
    "signup_required": N_("signup required"),
    "language": N_("language"),
    "abstract": N_("description"),
    "url": N_("link"),
}
"""The fields an organiser recognises, with their names in the preview."""


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class EventChanges:
    code: str
    title: str
    kind: str
    """'updated', 'moved' or 'cancelled'."""
    changes: list[Change]
    told: int


def _shown(name: str, value: Any, snapshot: ProgrammeSnapshot, zone: ZoneInfo, t: Translator) -> str:
    if value is None or value == "" or value == {}:
        return "–"
    if name in ("starts_at", "ends_at"):
        return local_time(value, zone, "%a %d %b %H:%M", t.lang)
    if name == "venue_key":
        venue = snapshot.venues.get(value)
        return venue.name if venue else str(value)
    if name in ("title", "abstract"):
        text = pick(value, t.lang)
        return text if len(text) <= 120 else text[:119] + "…"
    if name == "signup_required":
        return t.gettext("yes") if value else t.gettext("no")
    if hasattr(value, "value"):
        return str(value.value)
    return str(value)


def describe(
    report: ImportReport,
    programme: Programme,
    snapshot: ProgrammeSnapshot,
    told: dict[int, int],
    zone: ZoneInfo,
    t: Translator,
) -> list[EventChanges]:
    incoming = {e.code.upper(): e for e in programme.events}
    rows: list[EventChanges] = []
    kinds = [("moved", report.moved), ("cancelled", report.cancelled), ("updated", report.updated)]
    seen: set[str] = set()
    for kind, codes in kinds:
        for code in codes:
            if code in seen:
                continue
            seen.add(code)
            old = snapshot.event(code)
            new: Event | None = incoming.get(code.upper())
            changes: list[Change] = []
            if old is not None and new is not None:
                for name, label in FIELDS.items():
                    before, after = getattr(old, name), getattr(new, name)
                    if before != after:
                        changes.append(
                            Change(
                                t.gettext(label),
                                _shown(name, before, snapshot, zone, t),
                                _shown(name, after, snapshot, zone, t),
                            )
                        )
            elif old is not None and kind == "cancelled":
                changes.append(Change(t.gettext("status"), old.status.value, "cancelled"))
            title = pick((new or old).title, t.lang) if (new or old) is not None else code  # type: ignore[union-attr]
            people = told.get(old.id, 0) if old is not None and old.id is not None and kind != "updated" else 0
            rows.append(EventChanges(code, title, kind, changes, people))
    return rows
