"""The admin's own data: organisations, accounts, sessions, the audit log and check-in codes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import organisations
from bot.store import schema as t
from bot.store.checkins import CheckIn, CheckinStore, checkin_of, normalise_code
from bot.store.database import Database


class Role(StrEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    VIEWER = "viewer"


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: Role
    organisation_id: int | None
    organisation: str | None
    failed_logins: int = 0
    locked_until: datetime | None = None
    disabled: bool = False
    second_factor: bool = False
    """The account signs in with a TOTP code besides its password."""
    language: str | None = None
    """The admin pages' language it chose; None: the browser's."""

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


@dataclass(frozen=True)
class Organisation:
    id: int
    name: str


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _account(row: Row[Any]) -> Account:
    return Account(
        id=int(row.id),
        username=row.username,
        role=Role(row.role),
        organisation_id=row.organisation_id,
        organisation=row.organisation_name,
        failed_logins=int(row.failed_logins),
        locked_until=row.locked_until,
        disabled=bool(row.disabled),
        second_factor=row.totp_secret is not None,
        language=row.language,
    )


_ACCOUNT_COLUMNS = (
    t.admin_account.c.id,
    t.admin_account.c.username,
    t.admin_account.c.role,
    t.admin_account.c.organisation_id,
    t.organisation.c.name.label("organisation_name"),
    t.admin_account.c.failed_logins,
    t.admin_account.c.locked_until,
    t.admin_account.c.disabled,
    t.admin_account.c.totp_secret,
    t.admin_account.c.language,
)


def _account_query() -> Any:
    return select(*_ACCOUNT_COLUMNS).select_from(
        t.admin_account.outerjoin(t.organisation, t.organisation.c.id == t.admin_account.c.organisation_id)
    )


class AccountExists(Exception):
    pass


class AdminStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    # Organisations

    async def organisations(self) -> list[Organisation]:
        """The organisations to choose from (merged ones are gone into another)."""
        async with self.database.reading() as conn:
            rows = await conn.execute(
                select(t.organisation).where(t.organisation.c.merged_into.is_(None)).order_by(t.organisation.c.name)
            )
            return [Organisation(int(r.id), r.name) for r in rows]

    async def organisation(self, organisation_id: int) -> Organisation | None:
        async with self.database.reading() as conn:
            row = (
                await conn.execute(
                    select(t.organisation).where(
                        t.organisation.c.id == organisation_id, t.organisation.c.merged_into.is_(None)
                    )
                )
            ).first()
            return None if row is None else Organisation(int(row.id), row.name)

    async def ensure_organisation(self, name: str, now: datetime) -> Organisation:
        """The record this name leads to (spelt any way), made when there is none."""
        if not name.strip():
            raise ValueError("an organisation needs a name")
        async with self.database.transaction() as conn:
            organisation_id = await organisations.ensure(conn, name.strip(), now)
            found = await conn.scalar(select(t.organisation.c.name).where(t.organisation.c.id == organisation_id))
            return Organisation(organisation_id, str(found))

    async def merge_organisation(self, source: int, target: int) -> None:
        """`source` was a misspelling of `target`: its events and accounts go there, and its key
        leads there at every later import."""
        async with self.database.transaction() as conn:
            await conn.execute(
                update(t.organisation).where(t.organisation.c.merged_into == source).values(merged_into=target)
            )
            await conn.execute(update(t.organisation).where(t.organisation.c.id == source).values(merged_into=target))
            await conn.execute(
                update(t.admin_account)
                .where(t.admin_account.c.organisation_id == source)
                .values(organisation_id=target)
            )
            rows = (
                await conn.execute(
                    select(t.event_organisation.c.event_id).where(t.event_organisation.c.organisation_id == source)
                )
            ).all()
            for row in rows:
                current = await organisations.links(conn)
                ids = [target if i == source else i for i in current.get(int(row.event_id), ())]
                await organisations.set_links(conn, int(row.event_id), list(dict.fromkeys(ids)))
            # The engine and the admin re-read links with the programme's revision.
            await conn.execute(update(t.festival).values(revision=t.festival.c.revision + 1))

    # Accounts

    async def create_account(
        self, username: str, password_hash: str, role: Role, organisation_id: int | None, now: datetime
    ) -> Account:
        try:
            async with self.database.transaction() as conn:
                await conn.execute(
                    insert(t.admin_account).values(
                        username=username,
                        password_hash=password_hash,
                        role=role.value,
                        organisation_id=organisation_id,
                        failed_logins=0,
                        disabled=False,
                        created_at=now,
                    )
                )
        except IntegrityError:
            raise AccountExists(username) from None
        account = await self.account_by_name(username)
        assert account is not None
        return account

    async def accounts(self) -> list[Account]:
        async with self.database.reading() as conn:
            rows = await conn.execute(_account_query().order_by(t.admin_account.c.username))
            return [_account(r) for r in rows]

    async def account(self, account_id: int) -> Account | None:
        async with self.database.reading() as conn:
            row = (await conn.execute(_account_query().where(t.admin_account.c.id == account_id))).first()
            return None if row is None else _account(row)

    async def account_by_name(self, username: str) -> Account | None:
        async with self.database.reading() as conn:
            row = (await conn.execute(_account_query().where(t.admin_account.c.username == username))).first()
            return None if row is None else _account(row)

    async def password_hash(self, account_id: int) -> str | None:
        async with self.database.reading() as conn:
            value = await conn.scalar(select(t.admin_account.c.password_hash).where(t.admin_account.c.id == account_id))
            return None if value is None else str(value)

    async def set_password_hash(self, account_id: int, password_hash: str) -> None:
        async with self.database.transaction() as conn:
            await conn.execute(
                update(t.admin_account).where(t.admin_account.c.id == account_id).values(password_hash=password_hash)
            )

    async def totp_secret(self, account_id: int) -> str | None:
        async with self.database.reading() as conn:
            value = await conn.scalar(select(t.admin_account.c.totp_secret).where(t.admin_account.c.id == account_id))
            return None if value is None else str(value)

    async def set_totp_secret(self, account_id: int, secret: str | None) -> None:
        async with self.database.transaction() as conn:
            await conn.execute(
                update(t.admin_account)
                .where(t.admin_account.c.id == account_id)
                .values(totp_secret=secret, totp_last_step=None)
            )

    async def use_totp_step(self, account_id: int, step: int) -> bool:
        """Marks a code's time step as used; False when it (or a later one) was used already, so
        a code seen over a shoulder cannot be used a second time."""
        async with self.database.transaction() as conn:
            changed = await conn.execute(
                update(t.admin_account)
                .where(
                    t.admin_account.c.id == account_id,
                    (t.admin_account.c.totp_last_step.is_(None)) | (t.admin_account.c.totp_last_step < step),
                )
                .values(totp_last_step=step)
            )
            return changed.rowcount == 1

    async def set_language(self, account_id: int, language: str | None) -> None:
        async with self.database.transaction() as conn:
            await conn.execute(
                update(t.admin_account).where(t.admin_account.c.id == account_id).values(language=language)
            )

    async def set_disabled(self, account_id: int, disabled: bool) -> None:
        async with self.database.transaction() as conn:
            await conn.execute(
                update(t.admin_account).where(t.admin_account.c.id == account_id).values(disabled=disabled)
            )
            if disabled:
                await conn.execute(delete(t.admin_session).where(t.admin_session.c.account_id == account_id))

    async def login_failed(self, account_id: int) -> None:
        """Counts a wrong password for the accounts page; locking is per name and address
        (admin.auth.Lockout), so that nobody can lock someone else out."""
        async with self.database.transaction() as conn:
            await conn.execute(
                update(t.admin_account)
                .where(t.admin_account.c.id == account_id)
                .values(failed_logins=t.admin_account.c.failed_logins + 1)
            )

    async def login_succeeded(self, account_id: int) -> None:
        async with self.database.transaction() as conn:
            await conn.execute(
                update(t.admin_account)
                .where(t.admin_account.c.id == account_id)
                .values(failed_logins=0, locked_until=None)
            )

    # Sessions

    async def create_session(self, account_id: int, now: datetime, ttl: timedelta) -> tuple[str, str]:
        """A new session: (cookie token, CSRF token). Only the token's hash is stored."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        async with self.database.transaction() as conn:
            await conn.execute(delete(t.admin_session).where(t.admin_session.c.expires_at <= now))
            await conn.execute(
                insert(t.admin_session).values(
                    token_hash=_hash_token(token),
                    account_id=account_id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=now + ttl,
                    last_seen_at=now,
                )
            )
        return token, csrf

    async def session(
        self, token: str, now: datetime, idle: timedelta = timedelta(minutes=30)
    ) -> tuple[Account, str] | None:
        """The signed-in account and the session's CSRF token, or None when unknown, expired or
        idle longer than `idle` (a browser left open in a shared office)."""
        async with self.database.reading() as conn:
            row = (
                await conn.execute(
                    select(
                        t.admin_session.c.account_id,
                        t.admin_session.c.csrf_token,
                        t.admin_session.c.created_at,
                        t.admin_session.c.last_seen_at,
                    ).where(t.admin_session.c.token_hash == _hash_token(token), t.admin_session.c.expires_at > now)
                )
            ).first()
            if row is None:
                return None
            account = (await conn.execute(_account_query().where(t.admin_account.c.id == row.account_id))).first()
        if account is None or account.disabled:
            return None
        seen = row.last_seen_at or row.created_at
        if now - seen > idle:
            await self.end_session(token)
            return None
        if now - seen > timedelta(minutes=1):
            # At most one write a minute per session, not one per request.
            async with self.database.transaction() as conn:
                await conn.execute(
                    update(t.admin_session)
                    .where(t.admin_session.c.token_hash == _hash_token(token))
                    .values(last_seen_at=now)
                )
        return _account(account), str(row.csrf_token)

    async def end_session(self, token: str) -> None:
        async with self.database.transaction() as conn:
            await conn.execute(delete(t.admin_session).where(t.admin_session.c.token_hash == _hash_token(token)))

    async def end_sessions_of(self, account_id: int) -> None:
        async with self.database.transaction() as conn:
            await conn.execute(delete(t.admin_session).where(t.admin_session.c.account_id == account_id))

    # Audit log

    async def audit(
        self,
        actor: Account | None,
        action: str,
        target: str,
        details: dict[str, Any],
        now: datetime,
        conn: AsyncConnection | None = None,
    ) -> None:
        values = {
            "at": now,
            "account_id": actor.id if actor else None,
            "actor": actor.username if actor else "-",
            "action": action,
            "target": target[:300],
            "details": details,
        }
        if conn is not None:
            await conn.execute(insert(t.audit_log).values(**values))
            return
        async with self.database.transaction() as own:
            await own.execute(insert(t.audit_log).values(**values))

    async def audit_entries(self, limit: int = 200, offset: int = 0) -> list[AuditEntry]:
        async with self.database.reading() as conn:
            rows = await conn.execute(select(t.audit_log).order_by(t.audit_log.c.id.desc()).limit(limit).offset(offset))
            return [AuditEntry(int(r.id), r.at, r.actor, r.action, r.target, dict(r.details)) for r in rows]

    async def audit_count(self) -> int:
        async with self.database.reading() as conn:
            return int(await conn.scalar(select(func.count()).select_from(t.audit_log)) or 0)

    # Check-in codes

    async def checkins(self, signup_ids: list[int]) -> dict[int, CheckIn]:
        """The check-in of each signup, made on first need so every signup has one."""
        return await CheckinStore(self.database).for_signups(signup_ids)

    async def checkin_by_code(self, code: str) -> tuple[CheckIn, int] | None:
        """The check-in with this code and its event's id."""
        async with self.database.reading() as conn:
            row = (
                await conn.execute(
                    select(t.checkin, t.signup.c.event_id)
                    .join(t.signup, t.signup.c.id == t.checkin.c.signup_id)
                    .where(t.checkin.c.code == normalise_code(code))
                )
            ).first()
            return None if row is None else (checkin_of(row), int(row.event_id))

    async def check_in(self, signup_id: int, by: str, now: datetime) -> bool:
        """Marks the signup as arrived; False when it already was (the first time is kept)."""
        async with self.database.transaction() as conn:
            changed = await conn.execute(
                update(t.checkin)
                .where(t.checkin.c.signup_id == signup_id, t.checkin.c.checked_in_at.is_(None))
                .values(checked_in_at=now, checked_in_by=by)
            )
            return changed.rowcount == 1

    async def undo_check_in(self, signup_id: int) -> None:
        async with self.database.transaction() as conn:
            await conn.execute(
                update(t.checkin)
                .where(t.checkin.c.signup_id == signup_id)
                .values(checked_in_at=None, checked_in_by=None)
            )

    async def checked_in_counts(self) -> dict[int, int]:
        """Arrived people per event id, for the follow-up report."""
        async with self.database.reading() as conn:
            rows = await conn.execute(
                select(t.signup.c.event_id, func.count())
                .join(t.checkin, t.checkin.c.signup_id == t.signup.c.id)
                .where(t.checkin.c.checked_in_at.is_not(None))
                .group_by(t.signup.c.event_id)
            )
            return {int(event_id): int(n) for event_id, n in rows}
