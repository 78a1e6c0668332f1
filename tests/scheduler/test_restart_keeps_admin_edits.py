"""A restart with MOTSBOT_PROGRAMME set does not undo what organisers changed in the admin: the
file is imported again only when it changed, and even then an event moved or created in the
admin since is kept (listed as a conflict) unless an organiser takes the file's version."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from admin.service import AdminService
from admin.store import AdminStore, Role
from bot.model import EventStatus
from bot.programme.loader import load_programme_file
from motsbot.run import load_programme
from motsbot.settings import Settings
from scheduler.outbox import Kind
from tests.conftest import FAQ, SCHEDULE
from tests.scheduler.conftest import Harness, local


async def test_an_admin_move_survives_a_restart_and_no_notice_goes_back(
    harness: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    programme = tmp_path / "schedule.json"
    programme.write_bytes(SCHEDULE.read_bytes())
    settings = Settings(motsbot_programme=str(programme), motsbot_faq=str(FAQ))
    await load_programme(settings, harness.store)  # the first start with the file set
    await harness.sign_up("dan", "MM007")
    await harness.at(local("2027-05-10 12:00"))

    # An organiser moves MM007 and creates an event of their own in the admin.
    admin_store = AdminStore(harness.store.database)
    ada = await admin_store.create_account("ada", "x", Role.ADMIN, None, harness.clock.now())
    service = AdminService(harness.store, admin_store)
    await service.move_event(
        ada, "MM007", local("2027-05-11 17:00"), local("2027-05-11 19:00"), None, harness.clock.now()
    )
    created = (await service.event(ada, "MM009")).model_copy(update={"code": "X1"})
    await harness.store.programme.apply(
        load_programme_file(programme).model_copy(update={"events": [created], "complete": False}),
        harness.clock.now(),
        by_admin=True,
    )
    sent = await harness.at(local("2027-05-10 12:31"))
    assert [s.user_id for s in sent] == ["dan"] and "17:00" in sent[0].message.text, "told of the move once"

    # A restart (kill -9, a standby taking over): the file is the same, so it is not imported.
    revision = await harness.store.programme.revision()
    with caplog.at_level(logging.INFO):
        await load_programme(settings, harness.store)
    assert "unchanged since its last import" in caplog.text
    assert await harness.store.programme.revision() == revision
    assert (await harness.event("MM007")).starts_at == local("2027-05-11 17:00")
    assert (await harness.event("X1")).status is not EventStatus.CANCELLED
    assert await harness.at(local("2027-05-10 12:40")) == [], "no notice of a move back"

    # The file changes (another event's title): it is imported, and the admin's changes stay.
    text = programme.read_text(encoding="utf-8")
    assert '"Hur bygger vi en inkluderande stad?"' in text
    programme.write_text(text.replace("Hur bygger vi en inkluderande stad?", "Hur bygger vi en stad för alla?"))
    caplog.clear()
    with caplog.at_level(logging.INFO):
        await load_programme(settings, harness.store)
    assert "1 changed (0 moved)" in caplog.text
    assert "kept as the admin has them: MM007, X1" in caplog.text
    assert (await harness.event("MM007")).starts_at == local("2027-05-11 17:00")
    assert (await harness.event("X1")).status is not EventStatus.CANCELLED
    assert await harness.at(local("2027-05-10 12:50")) == []
    moved = [r for r in await harness.scheduler.outbox.items() if r.kind is Kind.MOVED]
    assert len(moved) == 1

    # An organiser chooses the file's version: then it is the file's, and people are told.
    report = await harness.store.programme.apply(load_programme_file(programme), harness.clock.now(), take_file=True)
    assert report.moved == ["MM007"] and report.cancelled == ["X1"] and report.conflicts == []
    assert (await harness.event("MM007")).starts_at != local("2027-05-11 17:00")
