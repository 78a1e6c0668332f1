"""The programme as CSV in the import columns: export, edit in a spreadsheet, import again."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from bot.model import EventStatus
from bot.programme import spreadsheet
from bot.programme.csv_import import COLUMNS
from bot.store.programme import ProgrammeSnapshot


def programme_csv(snapshot: ProgrammeSnapshot) -> str:
    """Every event that is not cancelled; times with their offset, in the festival's zone."""
    zone = ZoneInfo(snapshot.festival.time_zone)
    out = io.StringIO()
    writer = spreadsheet.dict_writer(out, fieldnames=COLUMNS)
    writer.writeheader()
    for event in snapshot.events:
        if event.status is EventStatus.CANCELLED:
            # Left out, so the import of this file cancels them again rather than reviving them.
            continue
        venue = snapshot.venue_of(event)
        row: dict[str, str] = {
            "code": event.code,
            "type": event.type,
            "track": event.track,
            "topics": ";".join(event.topics),
            "keywords": ";".join(event.keywords),
            "language": event.language,
            "start": event.starts_at.astimezone(zone).isoformat(),
            "end": event.ends_at.astimezone(zone).isoformat(),
            "venue": venue.name if venue else "",
            "venue_key": venue.key if venue else "",
            "address": venue.address if venue else "",
            "capacity": "" if event.capacity is None else str(event.capacity),
            "signup_required": "yes" if event.signup_required else "no",
            "organisation": event.organisation,
            "url": event.url or "",
        }
        for lang, text in event.title.items():
            if f"title_{lang}" in COLUMNS:
                row[f"title_{lang}"] = text
        for lang, text in event.abstract.items():
            if f"abstract_{lang}" in COLUMNS:
                row[f"abstract_{lang}"] = text
        writer.writerow(row)
    return out.getvalue()
