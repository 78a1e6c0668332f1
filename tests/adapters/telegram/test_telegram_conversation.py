"""The adapter's own behaviour, driven by small scripted handlers through real PTB and the fake."""

from __future__ import annotations

from datetime import datetime

from tg_fake_api import BOT_USERNAME, FakeBotApi
from tg_support import BotFactory, text

from adapters.telegram.commands import COMMANDS
from bot.messages import Button, Incoming, Outgoing, Span
from bot.model import LANGUAGES

HOSTILE = "<b>not bold</b> & <script>alert(1)</script> &amp; a<b 5 > 3 \u202eevil\u202c مرحبا بكم في مالمو"


async def test_hostile_text_is_shown_exactly_as_written(fake: FakeBotApi, make_bot: BotFactory) -> None:
    async def handler(incoming: Incoming, now: datetime) -> list[Outgoing]:
        return [
            Outgoing(
                spans=[
                    Span(text=incoming.text or "", bold=True),
                    Span(text=" | "),
                    Span(text=HOSTILE, url='https://example.org/?a=1&b=<2>"'),
                    Span(text=" | "),
                    Span(text="no link", url="javascript:alert(1)"),
                ],
                rtl=True,
                lang="ar",
            )
        ]

    await make_bot(handler)
    fake.say(7, HOSTILE)
    [reply] = await fake.wait_messages(7, 1)
    # The fake parses HTML as strictly as Telegram: a single unescaped character would be a 400.
    assert reply.shown == f"{HOSTILE} | {HOSTILE} | no link"
    assert reply.text.startswith("<b>&lt;b&gt;not bold&lt;/b&gt; &amp; ")
    assert '<a href="https://example.org/?a=1&amp;b=&lt;2&gt;&quot;">' in reply.text
    assert "javascript" not in reply.text
    assert not fake.rejected


async def test_a_long_answer_is_split_and_nothing_is_lost(fake: FakeBotApi, make_bot: BotFactory) -> None:
    paragraph = "Malmö Möts 🎉 <ett> & två. " * 20
    long_text = "\n\n".join(f"{n}: {paragraph}" for n in range(10))
    assert len(long_text) > 5000

    async def handler(incoming: Incoming, now: datetime) -> list[Outgoing]:
        return [
            Outgoing(
                spans=[Span(text="Title\n", bold=True), Span(text=long_text)],
                buttons=[[Button(label="More", payload="1:more")]],
            )
        ]

    await make_bot(handler)
    fake.say(8, "all")
    await fake.wait_for(lambda: len(fake.chat(8)) >= 2)
    messages = fake.chat(8)
    assert len(messages) == 2
    assert all(len(m.shown.encode("utf-16-le")) // 2 <= 4096 for m in messages)
    assert "".join(m.shown for m in messages).replace("\n", "") == ("Title\n" + long_text).replace("\n", "")
    # Buttons go with the last piece, where the person's eye ends.
    assert messages[0].buttons == [] and messages[-1].buttons[0]["callback_data"] == "1:more"
    assert not fake.rejected


async def test_buttons_pages_and_the_spinner(fake: FakeBotApi, make_bot: BotFactory) -> None:
    async def handler(incoming: Incoming, now: datetime) -> list[Outgoing]:
        if incoming.payload is None:
            return [
                text(
                    "Page 1",
                    buttons=[
                        [Button(label="Next ›", payload="1:page:2")],
                        [Button(label="Web", url="https://mots.example")],
                    ],
                )
            ]
        page = incoming.payload.split(":")[-1]
        return [text(f"Page {page}", buttons=[[Button(label="‹ Back", payload="1:page:1")]], replace_previous=True)]

    bot = await make_bot(handler)
    fake.say(9, "today")
    [first] = await fake.wait_messages(9, 1)
    assert [b["text"] for b in first.buttons] == ["Next ›", "Web"]
    assert first.buttons[1]["url"] == "https://mots.example"
    fake.press(9, first, "Next")
    await fake.wait_for(lambda: first.edits == 1)
    assert len(fake.chat(9)) == 1, "paging edits the message instead of sending a new one"
    assert first.shown == "Page 2" and first.buttons[0]["callback_data"] == "1:page:1"
    assert len(fake.answered_callbacks) == 1
    assert bot.received[1].payload == "1:page:2"
    assert bot.received[1].text is None


async def test_a_page_that_cannot_be_edited_comes_as_a_new_message(fake: FakeBotApi, make_bot: BotFactory) -> None:
    async def handler(incoming: Incoming, now: datetime) -> list[Outgoing]:
        return [text("Page 2", replace_previous=True)]

    await make_bot(handler)
    fake.say(10, "x")
    [first] = await fake.wait_messages(10, 1)
    fake.fail("editMessageText", 400, "Bad Request: message can't be edited")
    fake.press(10, first, "1:page:2")
    await fake.wait_messages(10, 2)
    assert fake.last(10).shown == "Page 2"


async def test_attachment_is_sent_as_a_document(fake: FakeBotApi, make_bot: BotFactory) -> None:
    ics = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"

    async def handler(incoming: Incoming, now: datetime) -> list[Outgoing]:
        return [text("Your calendar <entry>", attachment=ics, attachment_name="MM001.ics")]

    await make_bot(handler)
    fake.say(11, "ics")
    [sent] = await fake.wait_messages(11, 1)
    assert sent.kind == "document"
    assert sent.document == ("MM001.ics", ics)
    assert sent.shown == "Your calendar <entry>"


async def test_language_hint_and_deep_link_reach_the_engine(fake: FakeBotApi, make_bot: BotFactory) -> None:
    async def handler(incoming: Incoming, now: datetime) -> list[Outgoing]:
        return [text("ok")]

    bot = await make_bot(handler)
    fake.say(12, "/start ev_MM001", lang="ar")
    await fake.wait_messages(12, 1)
    fake.say(13, "hello", lang=None)
    await fake.wait_messages(13, 1)
    first, second = bot.received
    assert (first.text, first.lang_hint, first.in_group, first.user_id) == ("/start ev_MM001", "ar", False, "12")
    assert first.platform_event_id is not None and first.platform_event_id.startswith("tg:")
    assert second.lang_hint is None


async def test_commands_are_registered_per_language(fake: FakeBotApi, make_bot: BotFactory) -> None:
    async def handler(incoming: Incoming, now: datetime) -> list[Outgoing]:
        return []

    await make_bot(handler)
    assert set(fake.commands) == {("default", "")} | {("default", lang) for lang in LANGUAGES}
    swedish = {c["command"]: c["description"] for c in fake.commands[("default", "sv")]}
    assert swedish["today"] == "Vad händer idag"
    arabic = {c["command"]: c["description"] for c in fake.commands[("default", "ar")]}
    assert arabic["forget"] == "احذف بياناتك"
    for lang in LANGUAGES:
        names = [c["command"] for c in fake.commands[("default", lang)]]
        assert names == list(COMMANDS), lang
    assert {"start", "today", "my", "mydata", "forget", "language", "help"} <= set(names)


async def test_in_a_group_only_what_is_addressed_to_the_bot_is_heard(fake: FakeBotApi, make_bot: BotFactory) -> None:
    group = -1001

    async def handler(incoming: Incoming, now: datetime) -> list[Outgoing]:
        if incoming.text == "/my":
            return [text("Your signups: Jazz (MM003)", personal=True, lang="sv")]
        return [text(f"heard: {incoming.text}")]

    bot = await make_bot(handler)
    fake.say(21, "what a nice day", chat_id=group)
    fake.say(21, "/today@someone_else_bot", chat_id=group)
    fake.say(21, "/today", chat_id=group)
    fake.say(
        22,
        f"@{BOT_USERNAME} what's on tonight?",
        chat_id=group,
        entities=[{"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}],
    )
    fake.say(21, f"/now@{BOT_USERNAME}", chat_id=group)
    await fake.wait_messages(group, 3)
    assert [m.shown for m in fake.chat(group)] == ["heard: /today", "heard: what's on tonight?", "heard: /now"]
    assert all(i.in_group for i in bot.received)

    # Personal data never goes into the group: it goes privately, with a note in the group.
    fake.say(21, "/my", chat_id=group)
    await fake.wait_messages(21, 1)
    await fake.wait_messages(group, 4)
    assert fake.last(21).shown == "Your signups: Jazz (MM003)"
    assert fake.last(group).shown == "Jag har svarat dig i ett privat meddelande."
    assert "Jazz" not in "".join(m.shown for m in fake.chat(group))

    # Someone who never started the bot cannot be written to: the group gets a link instead.
    fake.fail("sendMessage", 403, "Forbidden: bot can't initiate conversation with a user", chat_id=23)
    fake.say(23, "/my", chat_id=group)
    await fake.wait_messages(group, 5)
    assert (
        fake.last(group).shown
        == f"Det är personligt, så jag svarar bara i en privat chatt: https://t.me/{BOT_USERNAME}"
    )
    assert fake.chat(23) == []


async def test_an_engine_failure_still_gets_an_answer(fake: FakeBotApi, make_bot: BotFactory) -> None:
    async def handler(incoming: Incoming, now: datetime) -> list[Outgoing]:
        raise RuntimeError("boom")

    await make_bot(handler)
    fake.say(30, "hej", lang="sv-SE")
    [reply] = await fake.wait_messages(30, 1)
    assert reply.shown == "Förlåt, något gick fel hos oss. Försök igen."
