"""A per-person limit on how fast one person's messages are handled (spam protection).

In memory only: nothing about who sent how much is stored in the database (we keep only what
we need), and a restart simply forgets the counts, which errs on the person's side.

Our own few lines rather than a library: the engine is given its clock (`now`) with every
message, so tests never sleep and the scheduler's simulated time works; the rate-limiting
libraries on PyPI (`limits`, `pyrate-limiter`, `aiolimiter`) read the wall clock themselves
or are built for awaiting a free slot, not for answering "may this message go through now?".
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

# A fast typist pressing buttons and paging through a list does maybe one message every two
# seconds, and only in bursts: they stop to read the answers, so a real conversation is a few
# messages a minute. 30 in any 60 s is that fastest pace kept up for a whole minute, which
# nobody does, so no person meets it; yet a script gets at most one message handled every two
# seconds instead of making the engine (understanding, database writes) work on thousands.
MAX_MESSAGES = 30
WINDOW_SECONDS = 60.0
# Questions the bot could not answer go to the organisers' list (`unanswered_question`). Five
# new ones an hour from one person is already more than organisers learn from; beyond that it
# is someone filling the list (identical wordings are merged there anyway, only counted).
MAX_UNANSWERED = 5
UNANSWERED_WINDOW_SECONDS = 3600.0
# At most this many people are remembered at once; a script with many ids then pushes out the
# longest-quiet ones (who start afresh: the limit fails open for them rather than silencing
# anyone by mistake). About 20 timestamps each, so a few megabytes at the very most.
MAX_PEOPLE = 10_000


class Verdict(Enum):
    HANDLE = "handle"
    """Within the limit: handle the message as usual."""
    NOTE = "note"
    """The first message over the limit: tell the person once to slow down."""
    DROP = "drop"
    """Further messages over the limit: no answer at all, until the window has passed."""


@dataclass
class _Recent:
    handled: deque[float] = field(default_factory=deque)
    """Times (POSIX seconds) of the messages handled within the last window, oldest first."""
    noted: bool = False
    """Whether this person was already told to slow down since their last handled message."""


class FloodLimit:
    """At most `max_messages` handled per person (a channel and a user id) in any `window_seconds`."""

    def __init__(
        self,
        max_messages: int = MAX_MESSAGES,
        window_seconds: float = WINDOW_SECONDS,
        max_people: int = MAX_PEOPLE,
    ) -> None:
        if max_messages < 1 or window_seconds <= 0 or max_people < 1:
            raise ValueError("a flood limit needs at least one message, a window and room for one person")
        self.max_messages = max_messages
        self.window_seconds = window_seconds
        self.max_people = max_people
        # Least recently seen first: idle people are forgotten from the front.
        self._people: OrderedDict[tuple[str, str], _Recent] = OrderedDict()

    def __len__(self) -> int:
        """How many people are remembered now."""
        return len(self._people)

    def check(self, channel: str, user_id: str, now: datetime) -> Verdict:
        """Counts one message from this person at `now` and says what to do with it."""
        clock = now.timestamp()
        self._forget_idle(clock)
        key = (channel, user_id)
        recent = self._people.pop(key, None) or _Recent()
        self._people[key] = recent
        if len(self._people) > self.max_people:
            self._people.popitem(last=False)
        handled = recent.handled
        if handled and clock < handled[-1]:
            # The clock went back (a corrected clock, a test): start afresh rather than silence.
            handled.clear()
        while handled and handled[0] <= clock - self.window_seconds:
            handled.popleft()
        if len(handled) < self.max_messages:
            handled.append(clock)
            recent.noted = False
            return Verdict.HANDLE
        if recent.noted:
            return Verdict.DROP
        recent.noted = True
        return Verdict.NOTE

    def _forget_idle(self, clock: float) -> None:
        """Drops the people whose last handled message is a whole window ago: they start afresh."""
        while self._people:
            recent = next(iter(self._people.values()))
            if recent.handled and recent.handled[-1] > clock - self.window_seconds:
                return
            self._people.popitem(last=False)
