"""The project's own demo festival: what `motsbot run` loads when nothing is configured."""

from __future__ import annotations

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"


def demo_files() -> list[Path]:
    """The demo programme files in import order: the schedule first, then the FAQ and the
    glossary that belong to its festival."""
    return [DEMO_DIR / "festival.schedule.json", DEMO_DIR / "festival.faq.json", DEMO_DIR / "festival.glossary.json"]
