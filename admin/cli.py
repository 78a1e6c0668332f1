"""`motsbot admin …`: accounts from the terminal, above all the first admin."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from datetime import datetime

from admin.auth import check_password_rules, make_hasher
from admin.store import AccountExists, AdminStore, Role
from bot.store import Store

PASSWORD_ENV = "MOTSBOT_ADMIN_PASSWORD"


def add_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    with_db: Callable[[argparse.ArgumentParser], argparse.ArgumentParser],
) -> None:
    admin = commands.add_parser("admin", help="accounts of the admin web pages")
    sub = admin.add_subparsers(dest="admin_command", required=True)
    create = with_db(sub.add_parser("create-user", help="create an admin, organiser or viewer account"))
    create.add_argument("username")
    create.add_argument("--role", choices=[r.value for r in Role], default=Role.ADMIN.value)
    create.add_argument("--organisation", help="the organisation whose events an organiser manages")
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help=f"read the password from standard input (else {PASSWORD_ENV}, else ask)",
    )


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise ValueError("the two passwords differ")
    return first


async def run_admin_command(args: argparse.Namespace, now_utc: Callable[[], datetime]) -> int:
    now = now_utc()
    role = Role(args.role)
    if role is Role.ORGANISER and not args.organisation:
        print("motsbot admin: an organiser needs --organisation", file=sys.stderr)
        return 2
    try:
        password = _password(args.password_stdin)
        check_password_rules(password)
    except ValueError as error:
        print(f"motsbot admin: {error}", file=sys.stderr)
        return 2
    store = await Store.open(args.db)
    try:
        admin = AdminStore(store.database)
        organisation_id = None
        if args.organisation:
            organisation_id = (await admin.ensure_organisation(args.organisation, now)).id
        hasher = make_hasher()
        try:
            account = await admin.create_account(
                args.username.strip(), hasher.hash(password), role, organisation_id, now
            )
        except AccountExists:
            print(f"motsbot admin: the user name {args.username!r} is taken", file=sys.stderr)
            return 2
        await admin.audit(None, "account.create", account.username, {"role": role.value, "via": "cli"}, now)
    finally:
        await store.close()
    print(f"created {role.value} {account.username}" + (f" of {args.organisation}" if args.organisation else ""))
    return 0
