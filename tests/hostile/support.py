"""Hostile input, shared by the CI tests (`tests/hostile/`) and the benchmark (`bench/hostile.py`):
strategies that generate what a spam bot, a forger or a broken export could send, and the
checks every answer and every import must pass.

A *crash* is an exception that escapes `Engine.handle` or an importer with a type other than
the documented one; an *unhandled error* is one the engine's last-resort handler caught and
logged (the person got "something went wrong", which is our bug all the same).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from sqlalchemy import select

from bot import buttons
from bot.engine import Engine
from bot.evaluation import POLL_PREFIX
from bot.messages import Incoming, Outgoing
from bot.model import LANGUAGES
from bot.programme.csv_export import programme_csv
from bot.programme.errors import ProgrammeFileError
from bot.programme.ics_export import festival_calendar
from bot.programme.loader import parse_programme
from bot.store import Store, schema
from bot.store.programme import ProgrammeError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SCHEDULE = FIXTURES / "malmo-mots-2027.schedule.json"
FAQ = FIXTURES / "malmo-mots-2027.faq.json"
GLOSSARY = Path(__file__).resolve().parents[2] / "bot" / "demo" / "festival.glossary.json"
FESTIVAL_START = datetime(2027, 5, 10, tzinfo=UTC)
# The probes are each one very busy person by design: bench/hostile.py sends 100,000 cases
# through one engine as a handful of user ids ("p", "voter", "organiser-check"), often at the
# same generated moment, far over the per-person flood limit. Silence over the limit is right
# there but is not what these probes check; tests/bot/test_flood.py tests the limit itself.
HARNESS_MESSAGES_PER_MINUTE = 1_000_000

# --- generating incoming messages ----------------------------------------------------------

ZONES = [
    UTC,
    ZoneInfo("Europe/Stockholm"),
    ZoneInfo("Pacific/Kiritimati"),
    ZoneInfo("America/Los_Angeles"),
    timezone(timedelta(hours=-12)),
    timezone(timedelta(hours=13, minutes=45)),
]
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ODD = "\x00\x01\x07\x1b\x7f\x85\u2028\u2029\ufeff\u200b\u200c\u200d\ufffd\U0010ffff\U000e0001"
REAL_CODES = ["MM001", "MM005", "MM007", "MM012", "mm007", "MM999", ""]
ACTIONS = ["ev", "su", "cx", "ics", "pg", "lang", "b", "my", "faq", "forget", "help", "offer", "rc", "zz"]
TEXTS = [
    "/start",
    "/start ev_",
    "/start rate_",
    "/help",
    "/language",
    "/today",
    "/tomorrow",
    "/weekend",
    "/now",
    "/next",
    "/programme",
    "/my",
    "/mydata",
    "/forget",
    "/glöm",
    "vad händer idag?",
    "What's on tomorrow evening?",
    "workshops in English",
    "هل هناك فعاليات باللغة العربية؟",
    "Mitä tapahtuu tänään?",
    "kostar det något?",
    "1",
    "2.",
    "99",
    "0",
    "²",
    "٣",
    "१",
    "99999999999999999999999",
    "No comment",
]

odd_text = st.text(alphabet=st.sampled_from(BIDI + ODD + "a /:1\u0627\u00e4"), max_size=40)
unicode_text = st.text(max_size=200)
surrogates = st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=4)
digits = st.text(alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=6)
huge_text = st.builds(lambda s, n: (s or "x") * n, st.text(min_size=1, max_size=3), st.integers(1000, 6000))
texts = st.one_of(
    st.sampled_from(TEXTS),
    unicode_text,
    odd_text,
    digits,
    huge_text,
    st.just(""),
    st.none(),
    st.builds(lambda a, b, c: a + b + c, st.sampled_from(TEXTS), odd_text, st.sampled_from(["", *TEXTS])),
    st.builds(lambda a, b: a + b, st.sampled_from(TEXTS), surrogates),
    st.builds(lambda cmd, arg: f"/{cmd} {arg}", st.text(max_size=12), unicode_text),
    st.builds(lambda arg: f"/start rate_{arg}", st.sampled_from(REAL_CODES) | unicode_text),
    st.builds(lambda arg: f"/start ev_{arg}", st.sampled_from(REAL_CODES) | unicode_text),
)
args = st.one_of(
    st.sampled_from(REAL_CODES),
    st.sampled_from(["today", "tomorrow", "days", "day", "now", "next", "weekend", "yes", "no", *LANGUAGES]),
    st.sampled_from(["2027-05-10", "2027-13-45", "9999-12-31", "0001-01-01"]),
    digits,
    st.integers(-(2**70), 2**70).map(str),
    st.text(max_size=20),
    odd_text,
)
payloads = st.one_of(
    st.builds(lambda a, xs: ":".join([buttons.VERSION, a, *xs]), st.sampled_from(ACTIONS), st.lists(args, max_size=3)),
    st.builds(
        lambda v, a, xs: ":".join([v, a, *xs]), st.text(max_size=3), st.text(max_size=6), st.lists(args, max_size=3)
    ),
    st.text(max_size=80),
    st.binary(max_size=64).map(lambda b: b.decode("latin-1")),
    st.builds(lambda s: "1:ev:" + s * 30, st.text(min_size=1, max_size=4)),
    surrogates.map(lambda s: "1:ev:" + s),
    st.just(""),
)
poll_ids = st.one_of(
    st.integers(-5, 60).map(lambda n: f"{POLL_PREFIX}{n}"),
    st.builds(lambda s: POLL_PREFIX + s, digits | st.text(max_size=30)),
    st.integers(2**62, 2**80).map(lambda n: f"{POLL_PREFIX}{n}"),
    st.text(max_size=40),
)
poll_options = st.lists(st.integers(-(2**70), 2**70) | st.integers(-2, 8), max_size=8).map(tuple)
lang_hints = st.one_of(
    st.none(),
    st.sampled_from([*LANGUAGES, "SV", "sv-SE", "ar_EG", "fa-IR", "zz", "", "-", "_", "en-", "x" * 300]),
    st.text(max_size=20),
)
# User ids come from the platform, not from what people type: Telegram's are numbers, Matrix's
# follow its grammar (historical ids allow any printable ASCII in the local part). Unknown ones
# are new people; none carries a bidi override.
users = st.one_of(
    st.sampled_from(["u1", "u2", "u3"]),
    st.integers(-(10**15), 10**15).map(str),
    st.builds(
        lambda local, server: f"@{local}:{server}",
        st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=40),
        st.from_regex(r"[a-z0-9.-]{1,20}(:[0-9]{1,5})?", fullmatch=True),
    ),
)
channels = st.sampled_from(["console", "telegram", "matrix", "web"])
moments = st.builds(
    lambda naive, zone: naive.replace(tzinfo=zone),
    st.datetimes(min_value=datetime(2027, 3, 1), max_value=datetime(2027, 8, 1)),
    st.sampled_from(ZONES),
)


@dataclass(frozen=True)
class Step:
    """One thing a person does; `replay` presses a payload the bot sent earlier in the case."""

    kind: str
    user: str
    channel: str
    text: str | None = None
    payload: str | None = None
    poll_id: str | None = None
    options: tuple[int, ...] = ()
    lang_hint: str | None = None
    in_group: bool = False
    replay: int = 0
    tamper: str = ""
    minutes: int = 0


def _step(kind: str) -> st.SearchStrategy[Step]:
    common: dict[str, Any] = {
        "user": users,
        "channel": channels,
        "lang_hint": lang_hints,
        "in_group": st.booleans(),
        "minutes": st.integers(-60 * 24, 60 * 24 * 3),
    }
    if kind == "text":
        return st.builds(Step, kind=st.just(kind), text=texts, **common)
    if kind == "payload":
        return st.builds(Step, kind=st.just(kind), payload=payloads, **common)
    if kind == "poll":
        return st.builds(Step, kind=st.just(kind), poll_id=poll_ids, options=poll_options, **common)
    return st.builds(
        Step,
        kind=st.just(kind),
        replay=st.integers(0, 10_000),
        tamper=st.sampled_from(["", "", "cut", "other-user", "suffix", "arg"]),
        **common,
    )


steps = st.lists(
    st.one_of(_step("text"), _step("payload"), _step("poll"), _step("replay")),
    min_size=1,
    max_size=5,
)


# --- checking answers ----------------------------------------------------------------------

# What a leaked exception or an unformatted template looks like in a reply.
_LEAKS = [
    re.compile(r"Traceback \(most recent call last\)"),
    re.compile(r"File \"[^\"]+\", line \d+"),
    re.compile(r"\b[A-Z]\w*(Error|Exception)\b"),
    re.compile(r"<[\w.]+ object at 0x[0-9a-f]+>"),
    re.compile(r"\b(Incoming|Outgoing|Span|Button|Person|Event)\("),
    re.compile(r"\{[a-z_]+\}"),
]
_OVERRIDES = set("\u202a\u202b\u202c\u202d\u202e")


class ErrorLog(logging.Handler):
    """Collects records logged with a traceback: the engine's last-resort handler logs so."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)


@contextmanager
def capture_errors() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def describe_record(record: logging.LogRecord) -> str:
    error = record.exc_info[1] if record.exc_info else None
    return f"{record.getMessage()}: {type(error).__name__}: {error}"


@dataclass
class Tally:
    cases: int = 0
    messages: int = 0
    crashes: list[str] = field(default_factory=list)
    """Exceptions that escaped, with the input."""
    unhandled: list[str] = field(default_factory=list)
    """Errors the last-resort handler caught."""
    violations: list[str] = field(default_factory=list)
    """Answers that broke a rule (empty, too-long payload, unknown event, leaked repr …)."""

    @property
    def failures(self) -> list[str]:
        return self.crashes + self.unhandled + self.violations

    def merge(self, other: Tally) -> None:
        self.cases += other.cases
        self.messages += other.messages
        self.crashes += other.crashes
        self.unhandled += other.unhandled
        self.violations += other.violations


def check_answer(
    incoming: Incoming, replies: list[Outgoing], codes: set[str], event_ids: set[int], *, may_be_silent: bool
) -> list[str]:
    """Every rule an answer must keep, whatever came in; returns the broken ones."""
    problems: list[str] = []
    if not replies and not may_be_silent:
        problems.append("no answer")
    seen = " ".join(x for x in (incoming.text, incoming.payload, incoming.poll_id, incoming.user_id) if x)
    for reply in replies:
        if reply.lang not in LANGUAGES:
            problems.append(f"reply in unsupported language {reply.lang!r}")
        text = reply.text
        if not text.strip() and reply.poll is None and reply.attachment is None:
            problems.append("empty message")
        for leak in _LEAKS:
            found = leak.search(text)
            if found and found.group(0) not in seen:
                problems.append(f"leak {found.group(0)!r} in {text[:200]!r}")
        if _OVERRIDES & set(text):
            problems.append(f"bidi override in reply {text[:80]!r}")
        for button in reply.numbered_choices():
            if not button.label.strip():
                problems.append("button without a label")
            if button.payload is not None:
                if len(button.payload.encode()) > buttons.MAX_BYTES:
                    problems.append(f"payload over 64 bytes: {button.payload!r}")
                if buttons.decode(button.payload) is None:
                    problems.append(f"payload the engine cannot read back: {button.payload!r}")
        unknown = [code for code in reply.events if code not in codes]
        if unknown:
            problems.append(f"unknown event codes {unknown}")
        if reply.poll is not None:
            rest = reply.poll.poll_id.removeprefix(POLL_PREFIX)
            if not rest.isdigit() or int(rest) not in event_ids or not reply.poll.options:
                problems.append(f"poll for no event: {reply.poll.poll_id!r}")
    return problems


def _tampered(payload: str, step: Step) -> str:
    if step.tamper == "cut":
        return payload[: max(1, len(payload) // 2)]
    if step.tamper == "suffix":
        return payload + ":x"
    if step.tamper == "arg":
        head, _, _tail = payload.rpartition(":")
        return f"{head}:{step.replay}" if head else payload
    return payload


class EngineProbe:
    """Runs generated cases against one engine and store, and tallies what went wrong."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = Engine(store, programme_check_seconds=0.0, max_messages_per_minute=HARNESS_MESSAGES_PER_MINUTE)
        self.codes: set[str] = set()
        self.event_ids: set[int] = set()

    async def prepare(self) -> None:
        snapshot = await self.store.programme.snapshot()
        assert snapshot is not None
        self.codes = {e.code for e in snapshot.events}
        self.event_ids = {e.id for e in snapshot.events if e.id is not None}

    async def run(self, case: list[Step], start: datetime, tally: Tally) -> None:
        tally.cases += 1
        sent: list[tuple[str, str]] = []
        """(user, payload) of every button the bot sent in this case: what a replay presses."""
        for step in case:
            incoming = self._incoming(step, sent)
            if incoming is None:
                continue
            now = start + timedelta(minutes=step.minutes)
            tally.messages += 1
            with capture_errors() as errors:
                try:
                    replies = await self.engine.handle(incoming, now)
                except Exception as error:
                    tally.crashes.append(f"{type(error).__name__}: {error} || {incoming!r} at {now}")
                    continue
            tally.unhandled += [f"{describe_record(r)} || {incoming!r} at {now}" for r in errors.records]
            silent = incoming.poll_id is not None
            problems = check_answer(incoming, replies, self.codes, self.event_ids, may_be_silent=silent)
            tally.violations += [f"{p} || {incoming!r} at {now}" for p in problems]
            for reply in replies:
                owner = reply.recipient.user_id if reply.recipient else incoming.user_id
                sent += [(owner, b.payload) for b in reply.numbered_choices() if b.payload]

    @staticmethod
    def _incoming(step: Step, sent: list[tuple[str, str]]) -> Incoming | None:
        fields: dict[str, Any] = {
            "channel": step.channel,
            "user_id": step.user,
            "lang_hint": step.lang_hint,
            "in_group": step.in_group,
        }
        if step.kind == "text":
            return Incoming(text=step.text, **fields)
        if step.kind == "payload":
            return Incoming(payload=step.payload, **fields)
        if step.kind == "poll":
            return Incoming(poll_id=step.poll_id, poll_options=step.options, **fields)
        if not sent:
            return None
        owner, payload = sent[step.replay % len(sent)]
        user = step.user if step.tamper == "other-user" else owner
        return Incoming(payload=_tampered(payload, step), **{**fields, "user_id": user})


# --- importers -----------------------------------------------------------------------------


def json_values() -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=30),
        st.sampled_from(["", "2027-05-10", "2027-05-10T25:99", "Europe/Nowhere", "99:99", "-01:00", "P1D"]),
    )
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
        max_leaves=6,
    )


@dataclass(frozen=True)
class Mutation:
    where: int
    op: str
    value: Any = None
    data: bytes = b""


mutations = st.lists(
    st.builds(
        Mutation,
        where=st.integers(0, 2**32),
        op=st.sampled_from(["replace", "replace", "delete", "duplicate", "flip", "insert", "cut", "line"]),
        value=json_values(),
        data=st.binary(max_size=16)
        | st.text(alphabet=st.sampled_from(BIDI + ODD + ',;:"\n\r\\{}'), max_size=8).map(str.encode),
    ),
    min_size=1,
    max_size=4,
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _paths(child, (*path, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _paths(child, (*path, index))


def mutate_json(document: Any, changes: list[Mutation]) -> bytes:
    """A valid JSON import file with values replaced, deleted or duplicated at chosen places,
    then perhaps a few bytes damaged: close enough to the real thing to reach deep into the parser."""
    document = json.loads(json.dumps(document))
    for change in changes:
        if change.op in ("flip", "insert", "cut", "line"):
            continue
        paths = [p for p in _paths(document) if p]
        if not paths:
            break
        path = paths[change.where % len(paths)]
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        if change.op == "replace":
            parent[key] = change.value
        elif change.op == "delete":
            del parent[key]
        elif isinstance(parent, list):
            parent.insert(key, json.loads(json.dumps(parent[key])))
        else:
            parent[f"{key}_"] = parent[key]
    data = json.dumps(document, ensure_ascii=False).encode()
    return mutate_bytes(data, [c for c in changes if c.op in ("flip", "insert", "cut")])


def mutate_bytes(data: bytes, changes: list[Mutation]) -> bytes:
    for change in changes:
        if not data:
            data = change.data
            continue
        at = change.where % len(data)
        if change.op == "flip":
            data = data[:at] + bytes([data[at] ^ (1 + change.where % 255)]) + data[at + 1 :]
        elif change.op == "insert":
            data = data[:at] + change.data + data[at:]
        elif change.op == "cut":
            data = data[:at] + data[at + 1 + change.where % 64 :]
    return data


def mutate_lines(data: bytes, changes: list[Mutation]) -> bytes:
    """Line-level damage for CSV and iCal: lines dropped, doubled, replaced or cut into."""
    lines = data.split(b"\n")
    for change in changes:
        if not lines:
            break
        at = change.where % len(lines)
        if change.op == "delete":
            del lines[at]
        elif change.op == "duplicate":
            lines.insert(at, lines[at])
        elif change.op in ("replace", "line"):
            value = change.value if isinstance(change.value, str) else json.dumps(change.value)
            lines[at] = value.encode()
        elif change.op == "insert":
            column = change.where % (len(lines[at]) + 1)
            lines[at] = lines[at][:column] + change.data + lines[at][column:]
        else:
            lines = [mutate_bytes(b"\n".join(lines), [change])]
    return b"\n".join(lines)


async def valid_samples(store: Store) -> dict[str, bytes]:
    """One valid file of each import format, from the fixture festival in `store`."""
    snapshot = await store.programme.snapshot()
    assert snapshot is not None
    return {
        "schedule.json": SCHEDULE.read_bytes(),
        "faq.json": FAQ.read_bytes(),
        "glossary.json": GLOSSARY.read_bytes(),
        "programme.csv": programme_csv(snapshot).encode(),
        "programme.ics": festival_calendar(snapshot, "sv"),
    }


async def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    async with store.database.engine.connect() as conn:
        return {
            name: sorted((tuple(row) for row in await conn.execute(select(table))), key=repr)
            for name, table in schema.metadata.tables.items()
        }


class ImportProbe:
    """Parses generated files and applies what parses: only the documented errors may come out,
    a refused file changes nothing, and an accepted one leaves a programme the bot can show."""

    def __init__(self, store: Store, *, apply_every: int = 1) -> None:
        self.store = store
        self.apply_every = apply_every
        """Apply one in this many files that parse: applying (and checking the whole store
        before and after) costs a hundred times a parse."""
        self.parsed = 0
        self.engine = Engine(store, programme_check_seconds=0.0, max_messages_per_minute=HARNESS_MESSAGES_PER_MINUTE)

    async def run(self, data: bytes, name: str, tally: Tally) -> None:
        tally.cases += 1
        try:
            programme = parse_programme(data, name)
        except ProgrammeFileError as error:
            if not str(error).strip():
                tally.violations.append(f"an error without a message || {data[:200]!r}")
            return
        except Exception as error:
            tally.crashes.append(f"parse: {type(error).__name__}: {error} || {name} {data[:300]!r}")
            return
        self.parsed += 1
        if self.parsed % self.apply_every:
            return
        before = await dump(self.store)
        try:
            await self.store.programme.apply(programme, FESTIVAL_START)
        except ProgrammeError:
            if await dump(self.store) != before:
                tally.violations.append(f"a refused import wrote to the store || {name} {data[:300]!r}")
            return
        except Exception as error:
            tally.crashes.append(f"apply: {type(error).__name__}: {error} || {name} {data[:300]!r}")
            if await dump(self.store) != before:
                tally.violations.append(f"a failed import wrote to the store: {name}")
            return
        await self._still_answers(name, data, tally)

    async def _still_answers(self, name: str, data: bytes, tally: Tally) -> None:
        snapshot = await self.store.programme.snapshot()
        assert snapshot is not None
        codes = {e.code for e in snapshot.events}
        ids = {e.id for e in snapshot.events if e.id is not None}
        day = snapshot.festival.start_date.isoformat()
        first = snapshot.events[0].code if snapshot.events else "MM001"
        for payload in (f"1:b:day:{day}", buttons.encode("ev", first[:40]), "1:b:days"):
            incoming = Incoming(channel="console", user_id="organiser-check", payload=payload)
            with capture_errors() as errors:
                replies = await self.engine.handle(incoming, FESTIVAL_START + timedelta(hours=8))
            tally.messages += 1
            tally.unhandled += [f"after import {name}: {describe_record(r)} || {data[:200]!r}" for r in errors.records]
            tally.violations += [
                f"after import {name}: {p}" for p in check_answer(incoming, replies, codes, ids, may_be_silent=False)
            ]
