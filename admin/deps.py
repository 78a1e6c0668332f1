"""Dependencies shared by pages and API: the signed-in session and the CSRF guard."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request

from admin.app import admin_of
from admin.auth import LoginRequired, Session, check_csrf


async def csrf_guard(request: Request) -> None:
    admin = admin_of(request)
    await check_csrf(request, admin.auth, admin.now())


async def session(request: Request) -> Session:
    admin = admin_of(request)
    found = await admin.auth.session(request, admin.now())
    if found is None:
        raise LoginRequired()
    return found


async def optional_session(request: Request) -> Session | None:
    admin = admin_of(request)
    return await admin.auth.session(request, admin.now())


MAX_ID = 2**62
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A row id in a URL: bigger numbers cannot be SQL integers, so they are refused as invalid."""
