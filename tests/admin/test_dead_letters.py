"""An operator sees the updates a channel set aside, with the reason, as text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.admin.conftest import AdminEnv


async def test_the_admin_lists_what_was_set_aside(env: AdminEnv) -> None:
    body = {"update_id": 41, "message": {"text": "<script>alert(1)</script> ring 0701234567", "from": {"id": 7}}}
    await env.store.dead_letters.add(
        "telegram", "41", "unreadable: TypeError: missing", body, datetime(2027, 5, 11, 9, 0, tzinfo=UTC), user_id="7"
    )
    client, _ = await env.browser("ada")
    page = await client.get("/dead-letters")
    assert page.status_code == 200
    assert "unreadable: TypeError: missing" in page.text and "<code>41</code>" in page.text
    assert "<script>" not in page.text, "the update is shown as text"
    assert "0701234567" not in page.text, "contact details were masked before it was stored"


async def test_dead_letters_are_kept_a_week(env: AdminEnv) -> None:
    now = datetime(2027, 5, 11, 9, 0, tzinfo=UTC)
    letters = env.store.dead_letters
    await letters.add("matrix", "$old", "failed in the bot: x", None, now - timedelta(days=8), user_id="@a:b")
    await letters.add("matrix", "$new", "failed in the bot: y", None, now - timedelta(days=6), user_id="@a:b")
    assert await letters.prune(now) == 1
    assert [letter.platform_id for letter in await letters.recent()] == ["$new"]
