"""The project's own demo festival: what `motsbot run` loads when nothing is configured."""

from __future__ import annotations

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"


def demo_files() -> list[Path]:
    """The demo programme files in import order: the schedule first, then the FAQ that needs it."""
    return [DEMO_DIR / "festival.schedule.json", DEMO_DIR / "festival.faq.json"]
