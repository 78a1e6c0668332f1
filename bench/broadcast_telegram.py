"""Benchmark, not a test: a broadcast to many Telegram recipients through the real PTB 22.8 to the
loopback Bot API fake, which takes at most `--ceiling` sends in any 1 s and answers 429 above it.

    .venv/bin/python bench/broadcast_telegram.py [--recipients 10000] [--ceiling 30] [--rate 30]
        [--path motsbot|ptb|both] [--ptb-retries 0]

Paths, each against a fresh fake and database:

- motsbot: the outbox and the scheduler's gate at `--rate` messages/s (Telegram's default for the
  scheduler is 25/s, keeping the rest for replies; 30 is the most the settings allow without paid
  broadcasts), through the connector's own `ChatLimiter` (Telegram's limits: 30/s, 1/s a chat),
  wired as `motsbot run` wires it (`start_scheduler`, 429s pause the gate).
- ptb: the same recipients sent with `asyncio.gather` through PTB's `AIORateLimiter` (30/s overall;
  `max_retries` = `--ptb-retries`, PTB's default 0 re-raises a 429, and the message is lost).

Reported per path, from the fake's own arrival stamps: the sustained rate (accepted sends over the
time from the first to the last) and its ratio to the ceiling, the highest count of accepted sends
and of attempts in any 1-s window, 429s answered, recipients lost (no message) and duplicated
(more than one).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests" / "adapters" / "telegram"), str(HERE.parent)]

from sqlalchemy import insert  # noqa: E402
from telegram.error import TelegramError  # noqa: E402
from telegram.ext import AIORateLimiter, Application  # noqa: E402
from tg_fake_api import TOKEN, Call, FakeBotApi  # noqa: E402

from adapters.base import Hub  # noqa: E402
from adapters.pacing import most_in_window  # noqa: E402
from adapters.telegram.connector import TelegramConnector  # noqa: E402
from bot.messages import Incoming, Outgoing  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.store import schema as t  # noqa: E402
from motsbot.settings import Settings  # noqa: E402
from scheduler import Audience, start_scheduler  # noqa: E402

FIRST_CHAT = 50_000_000
TEXT = "Regn i kväll: invigningen på Möllevångstorget flyttar in i Folkets Park, Moriskan."


@dataclass
class Outcome:
    path: str
    recipients: int
    seconds: float
    accepted: int
    sustained: float
    ceiling: float
    max_accepted_1s: int
    max_attempts_1s: int
    floods: int
    lost: int
    duplicated: int
    errors: Counter[str]

    def row(self) -> str:
        errors = ", ".join(f"{k} {v}" for k, v in self.errors.most_common()) or "–"
        return (
            f"| {self.path} | {self.recipients} | {self.seconds:.1f} | {self.sustained:.2f} "
            f"| {self.sustained / self.ceiling:.3f} | {self.max_accepted_1s} | {self.max_attempts_1s} "
            f"| {self.floods} | {self.lost} | {self.duplicated} | {errors} |"
        )


HEADER = (
    "| path | recipients | wall s | sustained msg/s | ratio of ceiling | max accepted in 1 s "
    "| max attempts in 1 s | 429s | lost | duplicated | errors at the sender |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)


def outcome(path: str, fake: FakeBotApi, chats: range, seconds: float, errors: Counter[str]) -> Outcome:
    sends: list[Call] = [c for c in fake.calls if c.method == "sendMessage" and c.params.get("chat_id") in chats]
    accepted = sorted(c.at for c in sends if c.status == 200)
    span = accepted[-1] - accepted[0] if len(accepted) > 1 else 0.0
    per_chat = Counter(c.params["chat_id"] for c in sends if c.status == 200)
    return Outcome(
        path=path,
        recipients=len(chats),
        seconds=seconds,
        accepted=len(accepted),
        sustained=(len(accepted) - 1) / span if span else 0.0,
        ceiling=float(fake.ceiling or 0),
        max_accepted_1s=most_in_window(accepted),
        max_attempts_1s=most_in_window([c.at for c in sends]),
        floods=sum(1 for c in sends if c.status == 429),
        lost=sum(1 for chat in chats if per_chat[chat] == 0),
        duplicated=sum(n - 1 for n in per_chat.values() if n > 1),
        errors=errors,
    )


async def add_people(store: Store, chats: range) -> None:
    now = datetime.now(UTC)
    async with store.database.transaction() as conn:
        await conn.execute(
            insert(t.person),
            [{"channel": "telegram", "channel_user_id": str(c), "language": "sv", "created_at": now} for c in chats],
        )


async def no_conversation(incoming: Incoming, now: datetime) -> list[Outgoing]:
    # Nobody writes to the bot during the benchmark; replies are measured elsewhere.
    return []


async def motsbot_path(fake: FakeBotApi, chats: range, rate: float, tmp: Path) -> Outcome:
    store = await Store.open(str(tmp / "motsbot.sqlite3"))
    await add_people(store, chats)
    connector = TelegramConnector(TOKEN, store, base_url=fake.base_url, poll_timeout=1)
    hub = Hub(no_conversation, lambda: datetime.now(UTC))
    hub.add(connector)
    await connector.start(hub)
    settings = Settings(_env_file=None, scheduler_telegram_per_second=rate)  # type: ignore[call-arg]
    scheduler = await start_scheduler(settings, store, hub)
    assert scheduler is not None
    started = time.perf_counter()
    try:
        broadcast = await scheduler.broadcast({"sv": TEXT}, Audience(everyone=True))
        # Bounded: three times the time the ceiling allows, plus a minute.
        deadline = started + 3 * len(chats) / (fake.ceiling or rate) + 60
        while not (progress := await scheduler.broadcasts.progress(broadcast)).done:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"broadcast not done: {progress}")
            await asyncio.sleep(0.5)
        seconds = time.perf_counter() - started
    finally:
        await scheduler.stop()
        await connector.stop()
        await store.close()
    errors = Counter({k: v for k, v in progress.not_sent.items()})
    return outcome(f"motsbot outbox at {rate:g}/s", fake, chats, seconds, errors)


async def ptb_path(fake: FakeBotApi, chats: range, retries: int) -> Outcome:
    app = Application.builder().token(TOKEN).base_url(fake.base_url).rate_limiter(AIORateLimiter(max_retries=retries))
    application = app.build()
    errors: Counter[str] = Counter()

    async def send(chat: int) -> None:
        try:
            await application.bot.send_message(chat, TEXT)
        except TelegramError as error:
            errors[type(error).__name__] += 1

    started = time.perf_counter()
    async with application:
        await asyncio.gather(*(send(chat) for chat in chats))
    seconds = time.perf_counter() - started
    return outcome(f"PTB AIORateLimiter(max_retries={retries})", fake, chats, seconds, errors)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--ceiling", type=float, default=30.0, help="the fake's sends per 1-s window")
    parser.add_argument("--rate", type=float, default=30.0, help="the scheduler's Telegram rate (msg/s)")
    parser.add_argument("--path", choices=["motsbot", "ptb", "both"], default="both")
    parser.add_argument("--ptb-retries", type=int, default=0, help="AIORateLimiter max_retries (PTB default 0)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    # It logs every re-raised 429 with a traceback; they are counted in the table instead.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    chats = range(FIRST_CHAT, FIRST_CHAT + args.recipients)
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in ("motsbot", "ptb"):
            if args.path not in (path, "both"):
                continue
            fake = FakeBotApi(ceiling=args.ceiling)
            await fake.start()
            try:
                if path == "motsbot":
                    outcomes.append(await motsbot_path(fake, chats, args.rate, Path(tmp)))
                else:
                    outcomes.append(await ptb_path(fake, chats, args.ptb_retries))
            finally:
                await fake.stop()
            print(outcomes[-1].row(), flush=True)
    print(f"\nfake ceiling {args.ceiling:g} sends per 1-s window, 429 retry_after {FakeBotApi.ceiling_retry_after} s")
    print(HEADER)
    for result in outcomes:
        print(result.row())


if __name__ == "__main__":
    asyncio.run(main())
