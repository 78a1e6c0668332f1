"""Rendering and poll parsing, without a server."""

from __future__ import annotations

from adapters.matrix import polls, render
from adapters.matrix.conversation import strip_reply_fallback
from adapters.matrix.sending import transaction_id
from bot import buttons
from bot.messages import Button, Outgoing, Poll, Span, number_choices


def test_organiser_html_is_shown_as_text() -> None:
    message = Outgoing(
        spans=[
            Span(text='<script>alert("x")</script> & '),
            Span(text="<i>Möts</i>", bold=True),
            Span(text="site", url='https://example.org/?a=1&b="2"'),
        ],
        buttons=[[Button(label="<b>Sign up</b>", payload="su:1")], [Button(label="Map", url="https://map.example/")]],
    )
    content = render.text_content(message, number_choices([message])[0])
    assert content["formatted_body"] == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; <strong>&lt;i&gt;Möts&lt;/i&gt;</strong>"
        '<a href="https://example.org/?a=1&amp;b=&quot;2&quot;">site</a>'
        '<ol start="1"><li>&lt;b&gt;Sign up&lt;/b&gt;</li></ol>'
        '<ul><li><a href="https://map.example/">Map</a></li></ul>'
    )
    assert content["body"] == (
        '<script>alert("x")</script> & <i>Möts</i>site (https://example.org/?a=1&b="2")\n\n'
        "1. <b>Sign up</b>\n\nMap: https://map.example/"
    )


def test_numbering_continues_across_a_reply_set() -> None:
    first = Outgoing(
        spans=[Span(text="A")], buttons=[[Button(label="One", payload="1"), Button(label="Two", payload="2")]]
    )
    second = Outgoing(spans=[Span(text="B\nC")], buttons=[[Button(label="Three", payload="3")]])
    numbered = number_choices([first, second])
    assert render.text_content(second, numbered[1])["body"] == "B\nC\n\n3. Three"
    assert render.text_content(second, numbered[1])["formatted_body"] == 'B<br>C<ol start="3"><li>Three</li></ol>'


def test_poll_start_has_a_numbered_fallback_and_responses_parse_in_every_form() -> None:
    poll = Poll(poll_id="p", question="Q?", options=["Yes", "No"])
    content = polls.start_content(poll)
    assert content["body"] == "Q?\n\n1. Yes\n2. No"
    assert [a["id"] for a in content[polls.START]["answers"]] == ["1", "2"]
    relation = {"m.relates_to": {"rel_type": "m.reference", "event_id": "$start"}}
    unstable = polls.parse_response(
        "org.matrix.msc3381.poll.response", {**relation, "org.matrix.msc3381.poll.response": {"answers": ["2"]}}
    )
    stable = polls.parse_response("m.poll.response", {**relation, "m.selections": ["1"]})
    older = polls.parse_response("m.poll.response", {**relation, "m.poll.response": {"answers": ["1"]}})
    assert unstable == polls.Response("$start", ["2"])
    assert stable == older == polls.Response("$start", ["1"])
    assert polls.parse_response("m.room.message", relation) is None
    assert polls.options_of(["2"], polls.answer_ids(2)) == (1,)
    assert polls.options_of(["9"], polls.answer_ids(2)) == ()  # spoiled: no vote
    assert polls.number_answer(" 2. ", ["Yes", "No"]) == 1
    assert polls.number_answer("no", ["Yes", "No"]) == 1
    assert polls.number_answer("3", ["Yes", "No"]) is None


def test_transaction_ids_are_stable_and_distinct() -> None:
    assert transaction_id("$event", "0", "text") == transaction_id("$event", "0", "text")
    assert transaction_id("$event", "0", "text") != transaction_id("$event", "1", "text")


def test_a_rich_replys_fallback_is_stripped_and_a_persons_own_quote_kept() -> None:
    assert strip_reply_fallback("> <@motsbot:mots.test> 1. Jazz\n> 2. Rap\n\nwhen is 2?") == "when is 2?"
    assert strip_reply_fallback("> * <@anna:mots.test> waves\n\nhi") == "hi"
    assert strip_reply_fallback("> quoting a poem\n\nwhat is this?") == "> quoting a poem\n\nwhat is this?"
    assert strip_reply_fallback("no quote at all") == "no quote at all"


def test_an_event_list_is_numbered_once_and_other_choices_follow_it() -> None:
    listing = Outgoing(
        spans=[Span(text="Today\n\n1. Jazz in the park\n   18:00\n\n2. A very long title that a button cuts")],
        buttons=[
            [Button(label="Jazz in the park", payload=buttons.encode("ev", "MM001"))],
            [Button(label="A very long title that a button c…", payload=buttons.encode("ev", "MM002"))],
            [Button(label="Next ▶", payload=buttons.encode("pg", 1, 1))],
        ],
        events=["MM001", "MM002"],
    )
    content = render.text_content(listing, number_choices([listing])[0])
    assert content["body"].endswith("button cuts\n\n3. Next ▶")
    assert content["body"].count("Jazz in the park") == 1
    assert "<table" not in content["formatted_body"]
    # An "Open the event" button under a text that does not number it stays a choice.
    card = Outgoing(
        spans=[Span(text="Jazz in the park moved to 19:00.")],
        buttons=[[Button(label="Open the event", payload=buttons.encode("ev", "MM001"))]],
        events=["MM001"],
    )
    assert render.text_content(card, number_choices([card])[0])["body"].endswith("\n\n1. Open the event")
