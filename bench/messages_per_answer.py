"""How many chat messages one answer takes, on average, through the chat contract.

Usage (from the project's root): `.venv/bin/python bench/messages_per_answer.py [QUESTIONS.jsonl ...]`

Every question is asked with `motsbot chat --jsonl` against the test fixture festival, twice by
the same person: first as a new person's first message (as in ../shared/eval, so a welcome may
come along), then once more, when only the answer is left. It prints per file the average
number of replies per question for both. Defaults to the project's own question set.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
MOTSBOT = str(Path(sys.executable).with_name("motsbot"))


def measure(questions: Path) -> tuple[int, float, float]:
    lines = [json.loads(line) for line in questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.sqlite3")
        for name in ("malmo-mots-2027.schedule.json", "malmo-mots-2027.faq.json"):
            subprocess.run([MOTSBOT, "import", str(FIXTURES / name), "--db", db], check=True, capture_output=True)
        given = "".join(
            json.dumps(
                {"user": f"bench-{q['id']}", "text": q["text"], "lang": q["lang"], "now": q["now"]}, ensure_ascii=False
            )
            + "\n"
            for q in lines
            for _twice in range(2)
        )
        done = subprocess.run(
            [MOTSBOT, "chat", "--jsonl", "--db", db], input=given, text=True, capture_output=True, check=True
        )
    answers = [json.loads(line)["replies"] for line in done.stdout.splitlines() if line.strip()]
    first = [len(replies) for replies in answers[0::2]]
    again = [len(replies) for replies in answers[1::2]]
    return len(first), statistics.fmean(first), statistics.fmean(again)


def main() -> None:
    files = [Path(arg) for arg in sys.argv[1:]] or [ROOT / "tests" / "understand" / "questions.jsonl"]
    for path in files:
        count, first, again = measure(path)
        print(f"{path.name}: {count} questions, {first:.2f} messages per first answer, {again:.2f} asked again")


if __name__ == "__main__":
    main()
