"""find_events: the rules the engine's browsing relies on, independent of free text."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from bot.model import EventStatus
from bot.programme.search import find_events
from bot.store.programme import ProgrammeSnapshot
from bot.understand import ProgrammeQuery, understand
from tests.understand.support import fixture_snapshot


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def codes(snapshot: ProgrammeSnapshot, query: ProgrammeQuery, now: str) -> list[str]:
    return [e.code for e in find_events(snapshot, query, at(now))]


def with_cancelled(*cancelled: str) -> ProgrammeSnapshot:
    base = fixture_snapshot()
    events = [e.model_copy(update={"status": EventStatus.CANCELLED}) if e.code in cancelled else e for e in base.events]
    return ProgrammeSnapshot(base.festival, base.revision + 1, base.venues, events, base.faq)


TUESDAY = date(2027, 5, 11)


def test_a_day_in_the_morning_lists_all_of_it_in_time_order() -> None:
    query = ProgrammeQuery(date_from=TUESDAY, date_to=TUESDAY)
    assert codes(fixture_snapshot(), query, "2027-05-11T07:00:00+02:00") == ["MM006", "MM007", "MM008", "MM009"]


def test_a_day_later_on_leaves_out_what_has_ended_but_keeps_what_is_running() -> None:
    query = ProgrammeQuery(date_from=TUESDAY, date_to=TUESDAY)
    # 14:00: MM006 ended at 11:30, MM007 runs 13–15.
    assert codes(fixture_snapshot(), query, "2027-05-11T14:00:00+02:00") == ["MM007", "MM008", "MM009"]


def test_a_past_day_asked_for_explicitly_is_listed_whole() -> None:
    query = ProgrammeQuery(date_from=TUESDAY, date_to=TUESDAY)
    assert codes(fixture_snapshot(), query, "2027-05-13T12:00:00+02:00") == ["MM006", "MM007", "MM008", "MM009"]


def test_include_past_keeps_ended_events_of_today() -> None:
    query = ProgrammeQuery(date_from=TUESDAY, date_to=TUESDAY, include_past=True)
    assert codes(fixture_snapshot(), query, "2027-05-11T23:00:00+02:00") == ["MM006", "MM007", "MM008", "MM009"]


def test_cancelled_events_never_appear() -> None:
    snapshot = with_cancelled("MM007")
    query = ProgrammeQuery(date_from=TUESDAY, date_to=TUESDAY)
    assert codes(snapshot, query, "2027-05-11T07:00:00+02:00") == ["MM006", "MM008", "MM009"]
    assert codes(snapshot, ProgrammeQuery(terms=("näthat",)), "2027-05-10T08:00:00+02:00") == []


def test_running_now_is_what_has_started_and_not_ended() -> None:
    query = ProgrammeQuery(running_now=True)
    assert codes(fixture_snapshot(), query, "2027-05-10T12:15:00+02:00") == ["MM002", "MM003"]
    assert codes(fixture_snapshot(), query, "2027-05-10T13:30:00+02:00") == []


def test_upcoming_is_the_next_few_starting_after_now() -> None:
    query = ProgrammeQuery(upcoming=True)
    found = codes(fixture_snapshot(), query, "2027-05-10T12:15:00+02:00")
    assert found == ["MM004", "MM005", "MM006", "MM007", "MM008"]
    assert codes(fixture_snapshot(), replace(query, limit=2), "2027-05-10T12:15:00+02:00") == ["MM004", "MM005"]


def test_parts_of_the_day_use_local_festival_time() -> None:
    evening = ProgrammeQuery(date_from=TUESDAY, date_to=TUESDAY, part_of_day="evening")
    morning = ProgrammeQuery(date_from=TUESDAY, date_to=TUESDAY, part_of_day="morning")
    assert codes(fixture_snapshot(), evening, "2027-05-10T08:00:00+02:00") == ["MM009"]
    assert codes(fixture_snapshot(), morning, "2027-05-10T08:00:00+02:00") == ["MM006"]
    # The same moment in UTC gives the same answer.
    assert codes(fixture_snapshot(), evening, "2027-05-10T06:00:00+00:00") == ["MM009"]


def test_filters_combine() -> None:
    snapshot = fixture_snapshot()
    nobel = frozenset(k for k, v in snapshot.venues.items() if v.name.startswith("Nobel 21"))
    query = ProgrammeQuery(types=frozenset({"Workshop"}), venue_keys=nobel, languages=frozenset({"sv"}))
    assert codes(snapshot, query, "2027-05-10T08:00:00+02:00") == ["MM004", "MM007", "MM017", "MM021"]


def test_type_concepts_also_match_titles() -> None:
    query = ProgrammeQuery(type_concepts=frozenset({"concert"}))
    assert codes(fixture_snapshot(), query, "2027-05-10T08:00:00+02:00") == ["MM005", "MM025"]


def test_online_means_an_online_venue_or_a_webinar() -> None:
    assert codes(fixture_snapshot(), ProgrammeQuery(online=True), "2027-05-10T08:00:00+02:00") == ["MM013"]


def test_terms_rank_by_relevance_not_time() -> None:
    found = codes(fixture_snapshot(), ProgrammeQuery(terms=("glasgow", "youth")), "2027-05-10T08:00:00+02:00")
    assert found[0] == "MM012"


def test_terms_work_across_languages() -> None:
    for term in ("näthat", "online hate", "الكراهية الرقمية", "verkkoviha"):
        found = codes(fixture_snapshot(), ProgrammeQuery(terms=(term,)), "2027-05-10T08:00:00+02:00")
        assert found[:1] == ["MM007"], term


def test_words_found_nowhere_do_not_empty_the_result() -> None:
    query = ProgrammeQuery(date_from=TUESDAY, date_to=TUESDAY, terms=("xyzzy",))
    assert codes(fixture_snapshot(), query, "2027-05-10T08:00:00+02:00") == ["MM006", "MM007", "MM008", "MM009"]


def test_understanding_says_when_the_day_has_ended() -> None:
    u = understand("Vad händer idag?", "sv", at("2027-05-10T21:00:00+02:00"), fixture_snapshot())
    assert u.intent == "events" and u.events == [] and u.note == "ended"
    assert [e.code for e in u.ended] == ["MM001", "MM002", "MM003", "MM004", "MM005"]


def test_understanding_offers_what_comes_next_when_nothing_runs() -> None:
    u = understand("what's on right now?", "en", at("2027-05-11T12:00:00+02:00"), fixture_snapshot())
    assert u.intent == "events" and u.note == "nothing_now"
    assert [e.code for e in u.events][:1] == ["MM007"]


def test_understanding_keeps_past_matches_apart() -> None:
    u = understand("poetry slam", "en", at("2027-05-15T10:00:00+02:00"), fixture_snapshot())
    assert u.intent == "events" and u.events == [] and u.note == "past_only"
    assert [e.code for e in u.ended] == ["MM022"]


def test_cancelled_events_are_not_offered_as_past_either() -> None:
    u = understand("poetry slam", "en", at("2027-05-10T10:00:00+02:00"), with_cancelled("MM022"))
    assert u.events == [] and u.ended == []


def test_words_it_did_not_know_are_reported() -> None:
    u = understand("workshops om klimat", "sv", at("2027-05-10T08:00:00+02:00"), fixture_snapshot())
    assert u.intent == "events" and u.ignored == ("klimat",)
    assert u.query is not None and u.query.type_concepts == frozenset({"workshop"})


def test_in_my_language_uses_the_persons_language() -> None:
    u = understand("något på mitt språk?", "ar", at("2027-05-10T08:00:00+02:00"), fixture_snapshot())
    assert [e.code for e in u.events] == ["MM009", "MM027"]


def test_unsure_faq_offers_the_two_closest() -> None:
    u = understand("språk eller adress?", "sv", at("2027-05-10T08:00:00+02:00"), fixture_snapshot())
    assert u.intent == "faq_unsure"
    assert {entry.key for entry, _ in u.faq} == {"languages", "getting-there"}
    assert all(0.0 <= score <= 1.0 for _, score in u.faq)


def test_the_more_particular_need_decides_between_close_entries() -> None:
    # "Free food" asks about the food; a little brother in a wheelchair about access.
    for text, lang, key in (
        ("gratis mat?", "sv", "food"),
        ("will there be free food", "en", "food"),
        ("min lillebror sitter i rullstol, kommer han in?", "sv", "accessibility"),
    ):
        u = understand(text, lang, at("2027-05-10T08:00:00+02:00"), fixture_snapshot())
        assert u.intent == "faq" and u.faq[0][0].key == key, text


def test_words_in_common_with_an_entry_are_no_reason_to_guess() -> None:
    for text, lang in (("vem vinner derbyt på söndag", "sv"), ("مين رح يربح الدوري السنة هاي؟", "ar")):
        u = understand(text, lang, at("2027-05-12T08:00:00+02:00"), fixture_snapshot())
        assert u.intent == "fallback" and not u.faq and not u.events, text


def test_small_talk_is_recognised_in_each_language() -> None:
    for text, kind in (
        ("tjena", "greeting"),
        ("hej!", "greeting"),
        ("heyy", "greeting"),
        ("السلام عليكم", "greeting"),
        ("moi", "greeting"),
        ("asc walaal", "greeting"),
        ("سلام خوبی؟", "greeting"),
        ("tack bror 🙏", "thanks"),
        ("شكرا كتير حبيبي", "thanks"),
        ("okei kiitti", "thanks"),
        ("mahadsanid walaal", "thanks"),
        ("مرسی، دمت گرم", "thanks"),
        ("ok", "ok"),
        ("👍", "ok"),
        ("e du en riktig människa eller bara en bot?", "bot"),
        ("inta bot wala insan?", "bot"),
        ("ma bot baad tahay mise qof?", "bot"),
        ("can i talk to a real person pls", "human"),
        ("voinks puhuu oikeen ihmisen kaa", "human"),
        ("با یه آدم واقعی میتونم حرف بزنم؟", "human"),
    ):
        u = understand(text, "sv", at("2027-05-10T08:00:00+02:00"), fixture_snapshot())
        assert (u.intent, u.small_talk) == ("small_talk", kind), text
    # A greeting before a question is still the question.
    u = understand("hej, vad händer idag?", "sv", at("2027-05-10T08:00:00+02:00"), fixture_snapshot())
    assert u.intent == "events" and u.events


def test_nothing_to_understand_is_a_fallback() -> None:
    for text in ("", "   ", "???", "🤷", "qwertyuiop asdfgh"):
        u = understand(text, "sv", at("2027-05-10T08:00:00+02:00"), fixture_snapshot())
        assert u.intent == "fallback" and u.events == [], text
