"""Room events in, engine replies out: who said what where, and where the answer goes.

DMs carry the whole conversation. In group rooms only commands (`/today`, `!today`) and
messages that mention the bot reach the engine, and replies holding personal data go to a DM
with the person instead, so nothing personal is ever posted where others read.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nio import (
    MatrixRoom,
    MegolmEvent,
    RoomEncryptedMedia,
    RoomMemberEvent,
    RoomMessageEmote,
    RoomMessageMedia,
    RoomMessageText,
    StickerEvent,
    UnknownEvent,
)
from nio.client.async_client import AsyncClient

from adapters.base import DeliveryError, Hub
from adapters.matrix import polls, render, texts
from adapters.matrix.late_keys import LateKeys
from adapters.matrix.render import Context
from adapters.matrix.sending import Sender, transaction_id
from adapters.matrix.state import MatrixState
from bot.messages import Button, Channel, Incoming, Outgoing, Recipient, number_choices
from bot.store import Store

log = logging.getLogger(__name__)

GREETING = "/start"
"""What a new DM means to the engine: the same as a Telegram user pressing Start."""
COMMAND = re.compile(r"^!(?=\w)")
"""`!help` for `/help`: clients such as Element take a leading slash as their own command."""
REPLY_QUOTE = re.compile(r"<mx-reply>.*?</mx-reply>", re.DOTALL)
OUTCOMES_KEPT = 1000
"""Engine outcomes remembered for events still being answered (see `Conversation.outcomes`)."""
MEDIA = (RoomMessageMedia, RoomEncryptedMedia, StickerEvent)
NOWHERE = Context()
"""No thread, no mention: a DM's own message."""


@dataclass
class _Waiting:
    """A message for a DM the person has not joined yet: Megolm keys can only go to members."""

    message: Outgoing
    choices: list[tuple[int, Button]]
    key: str


@dataclass(frozen=True)
class _Post:
    """One reply on its way: where it goes (a room, or a person's DM) and under which key."""

    message: Outgoing
    choices: list[tuple[int, Button]]
    key: str
    room_id: str | None = None
    person: str | None = None
    context: Context = NOWHERE

    @property
    def recipient(self) -> str:
        """Who the outbox sends it to when it is held up: the person (their DM) or the room."""
        return self.person or self.room_id or ""


def strip_reply_fallback(text: str) -> str:
    """A rich reply's body without the quoted fallback (`> <@motsbot:…> …` lines and the empty
    line after them), which clients put before what the person wrote."""
    lines = text.split("\n")
    if not lines[0].startswith(("> <", "> * <")):
        return text  # no fallback: a quote of the person's own is theirs
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    if index == 0:
        return text
    if index < len(lines) and not lines[index].strip():
        index += 1
    return "\n".join(lines[index:])


def _context(room: MatrixRoom, content: dict[str, Any], event_id: str, *, mention: str | None) -> Context:
    relation = _relation(content)
    thread = relation.get("event_id") if relation.get("rel_type") == "m.thread" else None
    return Context(
        mentions=(mention,) if mention else (),
        thread_root=thread if isinstance(thread, str) else None,
        in_reply_to=event_id,
    )


class Conversation:
    def __init__(
        self,
        client: AsyncClient,
        sender: Sender,
        state: MatrixState,
        store: Store,
        clock: Callable[[], datetime],
        late_keys: LateKeys,
    ) -> None:
        self.client = client
        self.late_keys = late_keys
        self.sender = sender
        self.state = state
        self.store = store
        self.clock = clock
        self.hub: Hub | None = None
        self.waiting: dict[str, list[_Waiting]] = {}
        self.opening: dict[str, str] = {}
        """Person -> the DM we opened for them and they have not joined yet."""
        self.outcomes: OrderedDict[str, list[Outgoing]] = OrderedDict()
        """The engine's answer to an event whose handling failed after the engine ran: handling it
        again sends this answer (with the same transaction ids) instead of asking the engine a
        second time, which would see its own first run's changes (a signup already made)."""
        self.held: set[str] = set()
        """Recipients with answers waiting in the outbox: newer answers queue behind them."""

    # --- incoming -------------------------------------------------------------------------

    async def on_invite(self, room_id: str, events: list[Any]) -> None:
        """Accepts the invite; the greeting follows when our own join shows up in a sync."""
        invite = next(
            (
                event
                for event in events
                if getattr(event, "membership", None) == "invite"
                and getattr(event, "state_key", None) == self.client.user_id
            ),
            None,
        )
        inviter = getattr(invite, "sender", None)
        content = getattr(invite, "content", None) or {}
        direct = bool(content.get("is_direct"))
        response = await self.client.join(room_id)
        if getattr(response, "room_id", None) != room_id:
            log.warning("could not join Matrix room %s: %s", room_id, response)
            return
        await self.state.save_room(room_id, inviter if direct else None, direct, self.clock())
        log.info("joined a Matrix room (%s)", "direct" if direct else "group")

    async def on_event(self, room: MatrixRoom, event: Any) -> None:
        if isinstance(event, RoomMemberEvent):
            await self._on_member(room, event)
            return
        if event.sender == self.client.user_id:
            return
        if isinstance(event, RoomMessageText | RoomMessageEmote):
            await self._on_text(room, event)
        elif isinstance(event, MEDIA):
            await self._on_media(room, event)
        elif isinstance(event, MegolmEvent):
            await self._on_undecryptable(room, event)
        elif isinstance(event, UnknownEvent):
            await self._on_unknown(room, event)

    async def _on_member(self, room: MatrixRoom, event: RoomMemberEvent) -> None:
        me = self.client.user_id
        # Greets when joining on an invite; a DM the bot opened itself has its own message waiting.
        if event.state_key == me and event.membership == "join" and event.prev_membership == "invite":
            if await self._is_direct(room):
                person = await self._person_of(room)
                if person is not None:
                    await self._turn(room, person, GREETING, event.event_id, NOWHERE, in_group=False)
        elif event.membership == "join" and room.room_id in self.waiting:
            known = await self.state.room(room.room_id)
            if known is not None and known.user_id == event.state_key:
                self.opening.pop(event.state_key, None)
                for waiting in self.waiting.pop(room.room_id):
                    await self._post(room.room_id, waiting.message, waiting.choices, waiting.key)
        elif event.state_key == me and event.membership in ("leave", "ban"):
            await self.state.forget_room(room.room_id)

    async def _on_text(self, room: MatrixRoom, event: RoomMessageText | RoomMessageEmote) -> None:
        content = event.source.get("content", {})
        if content.get("msgtype") == "m.notice":
            return  # other bots' notices: answering them could start a bot-to-bot loop
        relation = _relation(content)
        if relation.get("rel_type") == "m.replace":
            return  # an edit of something already answered
        text = event.body
        if relation.get("m.in_reply_to"):
            text = strip_reply_fallback(text)
        if await self._is_direct(room):
            text = COMMAND.sub("/", text.strip(), count=1)
            if await self._poll_answer_by_number(room, event, text):
                return
            context = _context(room, content, event.event_id, mention=None)
            await self._turn(room, event.sender, text, event.event_id, context, in_group=False)
            return
        addressed = self._addressed_text(room, content, text)
        if addressed is not None:
            context = _context(room, content, event.event_id, mention=event.sender)
            await self._turn(room, event.sender, addressed, event.event_id, context, in_group=True)

    async def _on_media(self, room: MatrixRoom, event: Any) -> None:
        """An image, file, sound, video or sticker: in a DM the engine answers it as a message
        without text (as on Telegram); in a group it was not addressed to the bot."""
        if await self._is_direct(room):
            context = _context(room, event.source.get("content", {}), event.event_id, mention=None)
            await self._turn(room, event.sender, "", event.event_id, context, in_group=False)

    def _addressed_text(self, room: MatrixRoom, content: dict[str, Any], text: str) -> str | None:
        """The text meant for the bot in a group room (mention removed), or None."""
        stripped = text.strip()
        if stripped.startswith(("/", "!")):
            return "/" + stripped[1:]
        me = self.client.user_id
        names = {me, me[1:].split(":", 1)[0]}
        display = room.user_name(me)
        if display:
            names.add(display)
        # Any client can send any JSON: a malformed field is read as absent.
        mentions = content.get("m.mentions")
        user_ids = mentions.get("user_ids") if isinstance(mentions, dict) else None
        # The quoted message of a rich reply (`<mx-reply>`) links its sender: not a mention.
        formatted = REPLY_QUOTE.sub("", str(content.get("formatted_body", "")))
        mentioned = me in (user_ids if isinstance(user_ids, list) else []) or f"matrix.to/#/{me}" in formatted
        pattern = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
        prefix = re.match(rf"^\s*@?(?:{pattern})\s*[:,]?\s*", stripped, re.IGNORECASE)
        if prefix:
            return stripped[prefix.end() :] or GREETING
        if mentioned or re.search(rf"(?<!\w)@?(?:{pattern})(?!\w)", stripped, re.IGNORECASE):
            return re.sub(rf"(?<!\w)@?(?:{pattern})(?!\w)\s*[:,]?", "", stripped, flags=re.IGNORECASE).strip()
        return None

    async def _poll_answer_by_number(self, room: MatrixRoom, event: Any, text: str) -> bool:
        known = await self.state.room(room.room_id)
        if known is None or known.open_poll_event_id is None:
            return False
        poll = await self.state.poll(known.open_poll_event_id)
        if poll is None or poll.closed:
            return False
        index = polls.number_answer(text, poll.options)
        if index is None:
            return False
        await self._poll_answer(room, event.sender, poll.poll_id, (index,), event.event_id)
        return True

    async def _on_unknown(self, room: MatrixRoom, event: UnknownEvent) -> None:
        response = polls.parse_response(event.type, event.source.get("content", {}))
        if response is None:
            return
        poll = await self.state.poll(response.start_event_id)
        if poll is None or poll.closed:
            return  # not ours, or it ended: MSC3381 ignores responses after the end
        options = polls.options_of(response.answers, polls.answer_ids(len(poll.options)))
        await self._poll_answer(room, event.sender, poll.poll_id, options, event.event_id)

    async def _on_undecryptable(self, room: MatrixRoom, event: MegolmEvent) -> None:
        """Kept until its key comes (see `late_keys`); the key is asked for meanwhile."""
        log.warning(
            "cannot decrypt a Matrix message yet from device %s (session %s)", event.device_id, event.session_id
        )
        log.debug("undecryptable: %s in %s from %s", event.event_id, room.room_id, event.sender)
        self.late_keys.hold(room, event)
        try:
            await self.client.request_room_key(event)
        except Exception:  # a request already in flight, or no session to ask on
            log.debug("room key request for %s not sent", event.event_id, exc_info=True)

    async def on_to_device(self, events: list[Any]) -> None:
        self.late_keys.on_to_device(events)

    async def tell_unreadable(self, room_id: str, event: MegolmEvent) -> None:
        """Tells a DM's resident that their message could not be read (its key did not come in
        time); in a group the bot cannot tell whether the message was meant for it, so it stays
        silent."""
        room = self.client.rooms.get(room_id)
        if room is None or not await self._is_direct(room):
            return
        person = await self.store.people.find(Channel.MATRIX, event.sender)
        text = texts.undecryptable(person.language if person else "")
        await self.sender.send(
            room.room_id,
            "m.room.message",
            render.plain_content(text),
            transaction_id(event.event_id, "undecryptable"),
        )

    # --- turns ----------------------------------------------------------------------------

    async def _turn(
        self, room: MatrixRoom, user_id: str, text: str, event_id: str, context: Context, *, in_group: bool
    ) -> None:
        incoming = Incoming(
            channel=Channel.MATRIX,
            user_id=user_id,
            text=text,
            in_group=in_group,
            platform_event_id=event_id,
        )
        await self._answer(room, user_id, incoming, event_id, context, in_group=in_group)

    async def _poll_answer(
        self, room: MatrixRoom, user_id: str, poll_id: str, options: tuple[int, ...], event_id: str
    ) -> None:
        incoming = Incoming(
            channel=Channel.MATRIX,
            user_id=user_id,
            poll_id=poll_id,
            poll_options=options,
            platform_event_id=event_id,
        )
        in_group = not await self._is_direct(room)
        context = Context(mentions=(user_id,) if in_group else ())
        await self._answer(room, user_id, incoming, event_id, context, in_group=in_group)

    async def _answer(
        self, room: MatrixRoom, user_id: str, incoming: Incoming, cause: str, context: Context, *, in_group: bool
    ) -> None:
        """Asks the engine once per event, then sends its answer; what cannot be sent now goes
        to the outbox. Only when something else fails is the event handled again, and then the
        answer kept here is sent again, not asked for anew."""
        assert self.hub is not None, "the connector sets the hub before syncing"
        replies = self.outcomes.get(cause)
        if replies is None:
            replies = await self.hub.receive(incoming)
            self.outcomes[cause] = replies
            while len(self.outcomes) > OUTCOMES_KEPT:
                self.outcomes.popitem(last=False)
        posts: list[_Post] = []
        told_in_room = False
        for index, (message, choices) in enumerate(zip(replies, number_choices(replies), strict=True)):
            key = f"{cause}/{index}"
            if in_group and _private(message):
                # Personal data, a welcome, a menu or a poll: numbered choices and what is said
                # to one person belong in their DM; the group gets a short, public hint.
                posts.append(_Post(message, choices, key, person=user_id))
                if not told_in_room:
                    told_in_room = True
                    # The reply's own language: the engine chose it for this person.
                    notice = Outgoing.model_validate(
                        {"spans": [{"text": texts.answered_in_direct_message(message.lang)}]}
                    )
                    posts.append(_Post(notice, [], f"{cause}/dm", room_id=room.room_id, context=context))
            elif in_group:
                posts.append(_Post(message, choices, key, room_id=room.room_id, context=context))
            else:
                posts.append(_Post(message, choices, key, person=user_id, room_id=room.room_id, context=context))
        await self._send_all(posts)
        self.outcomes.pop(cause, None)

    async def _send_all(self, posts: list[_Post]) -> None:
        """Sends in order; from the first that cannot go now, that recipient's answers go to the
        outbox, in order, and so do newer ones until the outbox has sent them."""
        assert self.hub is not None
        for post in posts:
            recipient = post.recipient
            error: DeliveryError | None = None
            if not await self._holding(recipient):
                try:
                    if post.room_id is not None:
                        await self._post(post.room_id, post.message, post.choices, post.key, post.context)
                    else:
                        assert post.person is not None
                        await self.to_person(post.person, post.message, post.choices, post.key)
                    continue
                except DeliveryError as failed:
                    if failed.permanent:
                        log.warning("a Matrix reply was not delivered: %s", failed)
                        continue
                    error = failed
            self.held.add(recipient)
            held = post.message.model_copy(update={"recipient": Recipient(channel=Channel.MATRIX, user_id=recipient)})
            await self.hub.undelivered(held, error or DeliveryError("answers before it are held up"), key=post.key)

    async def _holding(self, recipient: str) -> bool:
        if recipient not in self.held:
            return False
        assert self.hub is not None
        if self.hub.holding is not None and await self.hub.holding(Channel.MATRIX, recipient):
            return True
        self.held.discard(recipient)
        return False

    # --- outgoing -------------------------------------------------------------------------

    async def to_person(
        self, user_id: str, message: Outgoing, choices: list[tuple[int, Button]], key: str
    ) -> str | None:
        """Posts in the person's DM, opening one when there is none (then the message waits
        until they join, and None is returned)."""
        room_id = await self._direct_room(user_id)
        if room_id is not None:
            return await self._post(room_id, message, choices, key)
        pending = self.opening.get(user_id)
        if pending is None:
            pending = await self.sender.create_direct_room(user_id)
            await self.state.save_room(pending, user_id, True, self.clock())
            self.opening[user_id] = pending
            self.waiting[pending] = []
        self.waiting[pending].append(_Waiting(message, choices, key))
        return None

    async def to_room(self, room_id: str, message: Outgoing, choices: list[tuple[int, Button]], key: str) -> str | None:
        """Posts in a room the bot is in (a group's answer that the outbox held up)."""
        if room_id not in self.client.rooms:
            raise DeliveryError("the bot is no longer in that Matrix room", permanent=True)
        return await self._post(room_id, message, choices, key)

    async def _post(
        self,
        room_id: str,
        message: Outgoing,
        choices: list[tuple[int, Button]],
        key: str,
        context: Context = NOWHERE,
    ) -> str | None:
        event_id: str | None = None
        if render.has_text(message):
            content = context.apply(render.text_content(message, choices))
            event_id = await self.sender.send(room_id, "m.room.message", content, transaction_id(key, "text"))
            if choices:
                await self.state.set_open_poll(room_id, None)
        if message.attachment is not None:
            name = message.attachment_name or "attachment"
            encrypted = self.client.rooms[room_id].encrypted if room_id in self.client.rooms else True
            file = await self.sender.upload(name, message.attachment, encrypted)
            event_id = await self.sender.send(
                room_id,
                "m.room.message",
                context.apply({"msgtype": "m.file", "body": name, **file}),
                transaction_id(key, "file"),
            )
        if message.poll is not None:
            poll = message.poll
            event_id = await self.sender.send(
                room_id, polls.START, context.apply(polls.start_content(poll)), transaction_id(key, "poll")
            )
            await self.state.save_poll(event_id, room_id, poll.poll_id, poll.options, self.clock())
            await self.state.set_open_poll(room_id, event_id)
        return event_id

    async def close_poll(self, poll_id: str) -> None:
        for sent in await self.state.open_polls(poll_id):
            known = await self.state.room(sent.room_id)
            person = await self.store.people.find(Channel.MATRIX, known.user_id) if known and known.user_id else None
            text = texts.poll_closed(person.language if person else "")
            try:
                await self.sender.send(
                    sent.room_id,
                    polls.END,
                    polls.end_content(sent.event_id, text),
                    transaction_id(sent.event_id, "end"),
                )
            except DeliveryError as error:
                if not error.permanent:
                    raise
                log.warning("poll end not sent to %s: %s", sent.room_id, error)
            await self.state.close_poll(sent.event_id, self.clock())

    # --- rooms ----------------------------------------------------------------------------

    async def _direct_room(self, user_id: str) -> str | None:
        for room_id in await self.state.direct_rooms(user_id):
            room = self.client.rooms.get(room_id)
            if room is not None and user_id in room.users and user_id not in room.invited_users:
                return room_id
        return None

    async def _is_direct(self, room: MatrixRoom) -> bool:
        known = await self.state.room(room.room_id)
        if known is not None:
            return known.direct
        # Joined before this table existed, or by another client of the account: an unnamed
        # room of two is a DM in every client's eyes.
        return room.is_group and room.member_count <= 2

    async def _person_of(self, room: MatrixRoom) -> str | None:
        known = await self.state.room(room.room_id)
        if known is not None and known.user_id:
            return known.user_id
        others = [user for user in room.users if user != self.client.user_id]
        return others[0] if len(others) == 1 else None


def _private(message: Outgoing) -> bool:
    """Never posted in a group: personal data, numbered choices (a menu, a list to pick from:
    typed numbers are read only in a DM) and polls."""
    return message.personal or message.poll is not None or any(b.payload for b in message.numbered_choices())


def _relation(content: dict[str, Any]) -> dict[str, Any]:
    """The event's `m.relates_to`; any client can send any JSON, so a malformed one is none."""
    relation = content.get("m.relates_to")
    return relation if isinstance(relation, dict) else {}
