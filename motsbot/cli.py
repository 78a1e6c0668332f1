"""The `motsbot` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import datetime
from pathlib import Path

from adapters.base import Hub
from bot.engine import Engine
from bot.programme.errors import ProgrammeFileError
from bot.programme.ics_export import festival_calendar
from bot.programme.loader import load_programme_file
from bot.store import Store
from bot.store.programme import ProgrammeError
from bot.store.retention import purge_cutoff, purge_if_due
from motsbot.run import run, utc_now
from motsbot.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="motsbot", description="The Malmö Möts festival chatbot.")
    commands = parser.add_subparsers(dest="command", required=True)

    def with_db(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument("--db", help="SQLite file or database URL (default: MOTSBOT_DB or ./motsbot.sqlite3)")
        return sub

    with_db(commands.add_parser("run", help="run the bot with the configured channels"))
    imp = with_db(commands.add_parser("import", help="import a programme or FAQ file"))
    imp.add_argument("file", type=Path)
    exp = with_db(commands.add_parser("export", help="export the programme"))
    exp.add_argument("format", choices=["ics"])
    exp.add_argument("--out", type=Path, help="file to write (default: standard output)")
    exp.add_argument("--lang", default="sv", help="language of titles and descriptions")
    chat = with_db(commands.add_parser("chat", help="chat with the bot in the terminal"))
    chat.add_argument("--jsonl", action="store_true", help="JSON lines in and out (see README)")
    chat.add_argument("--user", default="local", help="who you are in the conversation")
    chat.add_argument("--lang", help="your language (sv, en, ar, fi, so, fa)")
    purge = with_db(
        commands.add_parser("purge", help="delete residents' data once the retention time after the festival is up")
    )
    purge.add_argument("--days", type=int, help="days after the festival (default: MOTSBOT_RETENTION_DAYS, 30)")
    purge.add_argument("--now", type=datetime.fromisoformat, help="pretend it is this moment (ISO 8601 with zone)")
    matrix = commands.add_parser("matrix", help="operator commands for the bot's Matrix account")
    matrix_commands = matrix.add_subparsers(dest="matrix_command", required=True)
    reset = matrix_commands.add_parser(
        "reset-identity",
        help="replace the account's cross-signing identity with a new one (see adapters/matrix/README.md)",
    )
    reset.add_argument("--yes", action="store_true", help="do it without asking")
    from admin.cli import add_commands

    add_commands(commands, with_db)
    return parser


async def _import(db: str | None, file: Path) -> int:
    store = await Store.open(db)
    try:
        programme = load_programme_file(file)
        report = await store.programme.apply(programme, utc_now())
    except (ProgrammeFileError, ProgrammeError) as error:
        print(f"motsbot import: {error}. Nothing was imported.", file=sys.stderr)
        return 2
    finally:
        await store.close()
    print(f"{file.name}: {report.summary()}")
    return 0


async def _export(db: str | None, out: Path | None, lang: str) -> int:
    store = await Store.open(db)
    try:
        snapshot = await store.programme.snapshot()
    finally:
        await store.close()
    if snapshot is None:
        print("motsbot export: there is no programme in this database yet.", file=sys.stderr)
        return 2
    data = festival_calendar(snapshot, lang)
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        await asyncio.to_thread(out.write_bytes, data)
    return 0


async def _chat(db: str | None, jsonl: bool, user: str, lang: str | None) -> int:
    store = await Store.open(db)
    try:
        hub = Hub(Engine(store).handle, utc_now)
        if jsonl:
            from adapters.console.jsonl import serve_jsonl

            await serve_jsonl(hub, sys.stdin, sys.stdout, utc_now)
        else:
            from adapters.console.interactive import chat

            await chat(hub, user, lang)
    finally:
        await store.close()
    return 0


async def _purge(db: str | None, days: int, now: datetime) -> int:
    store = await Store.open(db)
    try:
        cutoff = await purge_cutoff(store.database, days)
        report = await purge_if_due(store.database, now, days)
    finally:
        await store.close()
    if cutoff is None:
        print("motsbot purge: there is no festival in this database, so nothing to purge yet.")
    elif report is None:
        print(f"motsbot purge: not yet; residents' data is kept until {cutoff.isoformat()} ({days} days).")
    else:
        print(f"motsbot purge: removed {report.summary()} (data from before {cutoff.isoformat()}).")
    return 0


RESET_WARNING = """\
This replaces the cross-signing identity of the bot's Matrix account with a new one, signs the
bot's device with it and deletes the bot's other devices. Residents' clients that knew the old
identity will show that the bot's identity changed (Element: a notice in each DM with the bot)
until they accept it. Only do this when the bot's cross-signing keys are lost, or the account's
identity was replaced by someone else. Stop motsbot first."""


def _matrix_reset_identity(settings: Settings, yes: bool) -> int:
    from adapters.matrix import config_from_settings
    from adapters.matrix.operator import IdentityError, LoginFailed, reset_identity

    try:
        config = config_from_settings(settings)
    except ValueError as error:
        print(f"motsbot matrix reset-identity: {error}", file=sys.stderr)
        return 2
    if config is None:
        print("motsbot matrix reset-identity: Matrix is not configured (MATRIX_* settings).", file=sys.stderr)
        return 2
    print(RESET_WARNING, file=sys.stderr)
    if not yes:
        if not sys.stdin.isatty():
            print("Run again with --yes to confirm.", file=sys.stderr)
            return 2
        if input("Type yes to go on: ").strip().lower() != "yes":
            print("Nothing was changed.", file=sys.stderr)
            return 1
    try:
        done = asyncio.run(reset_identity(config))
    except (IdentityError, LoginFailed) as error:
        print(f"motsbot matrix reset-identity: {error}. Nothing more was changed.", file=sys.stderr)
        return 1
    print(f"motsbot matrix reset-identity: {done}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    logging.basicConfig(
        level=getattr(logging, settings.motsbot_log_level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.command in ("import", "export", "chat", "admin", "purge", "matrix"):
        # Short-lived commands print only what matters to the person at the terminal.
        logging.getLogger().setLevel(logging.WARNING)
    if args.command == "matrix":
        return _matrix_reset_identity(settings, args.yes)
    db: str | None = args.db
    if args.command == "run":
        return asyncio.run(run(settings, db))
    if args.command == "import":
        return asyncio.run(_import(db, args.file))
    if args.command == "export":
        return asyncio.run(_export(db, args.out, args.lang))
    if args.command == "purge":
        if args.now is not None and args.now.tzinfo is None:
            print("motsbot purge: --now needs a time zone, e.g. 2027-07-01T12:00+02:00", file=sys.stderr)
            return 2
        days = settings.motsbot_retention_days if args.days is None else args.days
        return asyncio.run(_purge(db, days, args.now or utc_now()))
    if args.command == "admin":
        from admin.cli import run_admin_command

        return asyncio.run(run_admin_command(args, utc_now))
    return asyncio.run(_chat(db, args.jsonl, args.user, args.lang))


if __name__ == "__main__":
    sys.exit(main())
