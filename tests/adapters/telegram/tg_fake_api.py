"""A Bot API fake on 127.0.0.1 that real python-telegram-bot 22.8 talks to through `base_url`.

It speaks the real HTTP protocol (`POST /bot<token>/<method>`, form-encoded, multipart or JSON
bodies, `{"ok": …}` answers, getUpdates long polling) and produces the update shapes PTB 22.8
insists on (poll options with `persistent_id`, `allows_revoting`, `members_only`,
`option_persistent_ids`). Faults are scripted: 429 with `retry_after`, 400, 403, 5xx, slowness;
and a flood ceiling can be switched on: more than `ceiling` sends in any 1 s are answered 429,
as Telegram answers a bot that goes past its ~30 messages/s.

The tests play the people: `say`, `press`, `vote`, `block`, `unblock` queue updates, and
`chat(id)` shows what a person received, edits applied.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456:TEST-token_for-the-fake"
BOT_ID = 123456
BOT_USERNAME = "motsbot_test_bot"

TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "blockquote",
}
TOKEN_RE = re.compile(r"<(/?)([a-zA-Z-]+)((?:\s[^<>]*)?)>|&(?:#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);|[<>&]")


def parse_html(text: str) -> str:
    """Telegram's HTML parse mode, as strictly as Telegram applies it: the visible text, or
    ApiError 400 for a stray `<`, `>` or `&`, an unknown tag or unbalanced tags."""
    visible: list[str] = []
    stack: list[str] = []
    position = 0
    for match in TOKEN_RE.finditer(text):
        visible.append(text[position : match.start()])
        position = match.end()
        token = match.group(0)
        if match.group(2):
            tag = match.group(2).lower()
            if tag not in TAGS:
                raise ApiError(400, f'Bad Request: can\'t parse entities: unsupported start tag "{tag}"')
            if match.group(1):
                if not stack or stack.pop() != tag:
                    raise ApiError(400, f'Bad Request: can\'t parse entities: unexpected end tag "{tag}"')
            else:
                stack.append(tag)
        elif token in "<>&":
            raise ApiError(400, f"Bad Request: can't parse entities: unescaped {token!r}")
        else:
            visible.append(html.unescape(token))
    visible.append(text[position:])
    if stack:
        raise ApiError(400, "Bad Request: can't parse entities: unclosed tag")
    return "".join(visible)


def visible_text(text: str, parse_mode: str | None) -> str:
    return parse_html(text) if parse_mode == "HTML" else text


# Parameters whose values are text even when they look like JSON ("123", "true").
TEXT_PARAMS = {"text", "caption", "question", "description", "callback_query_id", "explanation", "url"}


def _decode_value(key: str, value: str) -> Any:
    if key in TEXT_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


FLOOD_COUNTED = ("send", "edit", "copyMessage", "forwardMessage", "stopPoll")
"""Methods that put something in a chat, the ones Telegram's flood limits count."""


class ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    status: int = 200


@dataclass
class Fault:
    method: str
    status: int
    description: str
    times: int
    retry_after: int | None = None
    chat_id: int | None = None
    delay: float = 0.0


@dataclass
class Sent:
    """One message as the person sees it now (after edits)."""

    message_id: int
    chat_id: int
    kind: str  # "text", "poll" or "document"
    text: str = ""
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    poll: dict[str, Any] | None = None
    document: tuple[str, bytes] | None = None
    edits: int = 0

    @property
    def shown(self) -> str:
        """The text as the person sees it: markup parsed, entities resolved."""
        return visible_text(self.text, self.parse_mode)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        if not self.reply_markup:
            return []
        return [button for row in self.reply_markup.get("inline_keyboard", []) for button in row]

    def button(self, label_part: str) -> dict[str, Any]:
        for button in self.buttons:
            if label_part.lower() in button["text"].lower():
                return button
        raise LookupError(f"no button with {label_part!r} in {[b['text'] for b in self.buttons]}")


@dataclass
class FakeBotApi:
    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    never_started: set[int] = field(default_factory=set)
    """People who have not opened a private chat with the bot: Telegram lets no bot write to
    them first. Their first private message takes them off."""
    chats: dict[int, list[Sent]] = field(default_factory=dict)
    commands: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    webhook: dict[str, Any] | None = None
    max_poll_wait: float = 0.2
    """Caps getUpdates' long-poll wait, so that a stopping bot is not held up."""
    ceiling: float | None = None
    """Sends (`send*`, `edit*`, … across all chats) taken in any 1-s window; the rest get 429.
    None: no ceiling."""
    ceiling_retry_after: int = 1

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._poll_ids = itertools.count(7_000_000_000)
        self._callback_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.polls: dict[str, Sent] = {}
        self.answered_callbacks: list[dict[str, Any]] = []
        self.rejected: list[Call] = []
        self.floods = 0
        """429s answered because the ceiling was reached (scripted 429s not counted)."""
        self._window: deque[float] = deque()

    # -- server ------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.base_url

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            body = await request.json()
            return dict(body) if isinstance(body, dict) else {}
        params: dict[str, Any] = {}
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = (value.filename, value.file.read())
            else:
                params[key] = _decode_value(key, str(value))
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params, time.monotonic())
        self.calls.append(call)
        try:
            fault = self._fault_for(method, params)
            if fault is not None:
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                if fault.status:
                    call.status = fault.status
                    self.rejected.append(call)
                    return self._error(fault.status, fault.description, fault.retry_after)
            if self.ceiling is not None and method.startswith(FLOOD_COUNTED) and not self._admit(call.at):
                call.status = 429
                self.floods += 1
                self.rejected.append(call)
                retry = self.ceiling_retry_after
                return self._error(429, f"Too Many Requests: retry after {retry}", retry)
            chat_id = params.get("chat_id")
            if method.startswith("send") and isinstance(chat_id, int) and chat_id in self.blocked:
                call.status = 403
                self.rejected.append(call)
                return self._error(403, "Forbidden: bot was blocked by the user")
            if method.startswith("send") and isinstance(chat_id, int) and chat_id in self.never_started:
                call.status = 403
                self.rejected.append(call)
                return self._error(403, "Forbidden: bot can't initiate conversation with a user")
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                call.status = 404
                return self._error(404, "Not Found: method not found")
            try:
                result = await handler(params)
            except ApiError as error:
                call.status = error.status
                self.rejected.append(call)
                return self._error(error.status, error.description)
            return web.json_response({"ok": True, "result": result})
        finally:
            async with self._changed:
                self._changed.notify_all()

    def _admit(self, now: float) -> bool:
        """A sliding 1-s window: admits the send unless `ceiling` were admitted in the last second."""
        assert self.ceiling is not None
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        if len(self._window) >= self.ceiling:
            return False
        self._window.append(now)
        return True

    @staticmethod
    def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return web.json_response(body, status=status)

    def _fault_for(self, method: str, params: dict[str, Any]) -> Fault | None:
        for fault in self.faults:
            if fault.times <= 0 or fault.method not in (method, "*"):
                continue
            if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                continue
            fault.times -= 1
            return fault
        return None

    # -- scripting faults ----------------------------------------------------------------------

    def fail(
        self,
        method: str,
        status: int,
        description: str = "",
        *,
        times: int = 1,
        retry_after: int | None = None,
        chat_id: int | None = None,
    ) -> Fault:
        if not description:
            description = {
                429: f"Too Many Requests: retry after {retry_after}",
                400: "Bad Request: something is wrong",
                403: "Forbidden: bot was blocked by the user",
                500: "Internal Server Error",
                502: "Bad Gateway",
            }.get(status, "Error")
        fault = Fault(method, status, description, times, retry_after, chat_id)
        self.faults.append(fault)
        return fault

    def slow(self, method: str, seconds: float, *, times: int = 1, chat_id: int | None = None) -> Fault:
        fault = Fault(method, 0, "", times, chat_id=chat_id, delay=seconds)
        self.faults.append(fault)
        return fault

    # -- Bot API methods -----------------------------------------------------------------------

    def _bot_user(self) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Möts", "username": BOT_USERNAME}

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {**self._bot_user(), "can_join_groups": True, "can_read_all_group_messages": False}

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = params
        return True

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        wait = min(float(params.get("timeout") or 0), self.max_poll_wait)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and wait > 0:
            async with self._changed:
                try:
                    await asyncio.wait_for(self._changed.wait_for(lambda: bool(self._updates)), wait)
                except TimeoutError:
                    pass
        return self._updates[:limit]

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        scope = params.get("scope") or {"type": "default"}
        self.commands[(scope["type"], params.get("language_code") or "")] = params["commands"]
        return True

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        self.answered_callbacks.append(params)
        return True

    def _chat_of(self, chat_id: int) -> dict[str, Any]:
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": "Möts group"}
        return {"id": chat_id, "type": "private", "first_name": f"Person {chat_id}"}

    def _message(self, sent: Sent) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": self._chat_of(sent.chat_id),
            "from": self._bot_user(),
        }
        if sent.kind == "text":
            message["text"] = sent.text
        if sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        if sent.poll is not None:
            message["poll"] = sent.poll
        if sent.document is not None:
            message["document"] = {
                "file_id": f"doc{sent.message_id}",
                "file_unique_id": f"udoc{sent.message_id}",
                "file_name": sent.document[0],
                "file_size": len(sent.document[1]),
            }
        return message

    def _store(self, sent: Sent) -> dict[str, Any]:
        self.chats.setdefault(sent.chat_id, []).append(sent)
        return self._message(sent)

    @staticmethod
    def _check_text(text: str, parse_mode: str | None, limit: int) -> None:
        shown = visible_text(text, parse_mode)
        if not shown.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(shown.encode("utf-16-le")) // 2 > limit:
            raise ApiError(400, "Bad Request: message is too long")

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        text = params.get("text") or ""
        self._check_text(text, params.get("parse_mode"), 4096)
        return self._store(
            Sent(
                next(self._message_ids),
                int(params["chat_id"]),
                "text",
                text=text,
                parse_mode=params.get("parse_mode"),
                reply_markup=params.get("reply_markup"),
            )
        )

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        for sent in self.chats.get(chat_id, []):
            if sent.message_id == message_id:
                self._check_text(params["text"], params.get("parse_mode"), 4096)
                if sent.text == params["text"] and sent.reply_markup == params.get("reply_markup"):
                    raise ApiError(400, "Bad Request: message is not modified")
                sent.text = params["text"]
                sent.parse_mode = params.get("parse_mode")
                sent.reply_markup = params.get("reply_markup")
                sent.edits += 1
                return self._message(sent)
        raise ApiError(400, "Bad Request: message to edit not found")

    async def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        document = params["document"]
        if params.get("caption"):
            self._check_text(params["caption"], params.get("parse_mode"), 1024)
        return self._store(
            Sent(
                next(self._message_ids),
                int(params["chat_id"]),
                "document",
                text=params.get("caption", ""),
                parse_mode=params.get("parse_mode"),
                document=document,
            )
        )

    async def _api_sendPoll(self, params: dict[str, Any]) -> dict[str, Any]:
        options = params["options"]
        poll_id = str(next(self._poll_ids))
        poll = {
            "id": poll_id,
            "question": params["question"],
            "options": [
                {"text": o["text"] if isinstance(o, dict) else o, "voter_count": 0, "persistent_id": str(i)}
                for i, o in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": bool(params.get("is_anonymous", True)),
            "type": params.get("type", "regular"),
            "allows_multiple_answers": bool(params.get("allows_multiple_answers", False)),
            "allows_revoting": bool(params.get("allows_revoting", True)),
            "members_only": False,
        }
        sent = Sent(next(self._message_ids), int(params["chat_id"]), "poll", poll=poll)
        self.polls[poll_id] = sent
        return self._store(sent)

    async def _api_stopPoll(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        sent = next((m for m in self.chats.get(chat_id, []) if m.message_id == message_id), None)
        if sent is None or sent.poll is None:
            raise ApiError(400, "Bad Request: message with poll to stop not found")
        if sent.poll["is_closed"]:
            raise ApiError(400, "Bad Request: poll has already been closed")
        sent.poll["is_closed"] = True
        return sent.poll

    # -- the people's side ---------------------------------------------------------------------

    def user(self, user_id: int, lang: str | None = "sv") -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"Person {user_id}"}
        if lang:
            user["language_code"] = lang
        return user

    def push(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **body}
        self._updates.append(update)
        asyncio.get_running_loop().create_task(self._notify())
        return update

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def message_update(
        self,
        user_id: int,
        text: str,
        *,
        lang: str | None = "sv",
        chat_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        chat = self._chat_of(chat_id if chat_id is not None else user_id)
        if chat["type"] == "private":
            self.never_started.discard(user_id)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self.user(user_id, lang),
            "text": text,
        }
        if entities is None and text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if entities:
            message["entities"] = entities
        return {"message": message}

    def say(self, user_id: int, text: str, **kwargs: Any) -> dict[str, Any]:
        return self.push(self.message_update(user_id, text, **kwargs))

    def callback_update(self, user_id: int, sent: Sent, data: str, *, lang: str | None = "sv") -> dict[str, Any]:
        return {
            "callback_query": {
                "id": str(next(self._callback_ids)),
                "from": self.user(user_id, lang),
                "chat_instance": f"ci{sent.chat_id}",
                "message": self._message(sent),
                "data": data,
            }
        }

    def press(self, user_id: int, sent: Sent, label_or_data: str, **kwargs: Any) -> dict[str, Any]:
        """Presses a button of a message by (part of) its label, or sends raw callback data."""
        try:
            data = sent.button(label_or_data)["callback_data"]
        except LookupError:
            data = label_or_data
        return self.push(self.callback_update(user_id, sent, data, **kwargs))

    def vote(self, user_id: int, telegram_poll_id: str, option_ids: list[int]) -> dict[str, Any]:
        return self.push(
            {
                "poll_answer": {
                    "poll_id": telegram_poll_id,
                    "user": self.user(user_id),
                    "option_ids": option_ids,
                    "option_persistent_ids": [str(i) for i in option_ids],
                }
            }
        )

    def _member_update(self, user_id: int, status: str) -> dict[str, Any]:
        member: dict[str, Any] = {"status": status, "user": self._bot_user()}
        if status == "kicked":
            member["until_date"] = 0
        old_status = "member" if status == "kicked" else "kicked"
        old: dict[str, Any] = {"status": old_status, "user": self._bot_user()}
        if old_status == "kicked":
            old["until_date"] = 0
        return {
            "my_chat_member": {
                "chat": self._chat_of(user_id),
                "from": self.user(user_id),
                "date": int(time.time()),
                "old_chat_member": old,
                "new_chat_member": member,
            }
        }

    def block(self, user_id: int, *, notify: bool = True) -> None:
        self.blocked.add(user_id)
        if notify:
            self.push(self._member_update(user_id, "kicked"))

    def unblock(self, user_id: int) -> None:
        self.blocked.discard(user_id)
        self.push(self._member_update(user_id, "member"))

    # -- looking at the results ----------------------------------------------------------------

    def chat(self, chat_id: int) -> list[Sent]:
        return self.chats.get(chat_id, [])

    def last(self, chat_id: int) -> Sent:
        return self.chat(chat_id)[-1]

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    async def wait_for(self, predicate: Callable[[], bool], within: float = 20.0) -> None:
        """Waits (bounded) until the bot has done what the predicate looks for.

        The bound is generous because a loaded 2-core CI machine can take seconds for a first
        reply (the understanding index is built then); a passing test never waits it out."""

        async def until() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(until(), within)

    async def wait_messages(self, chat_id: int, count: int, within: float = 20.0) -> list[Sent]:
        """Waits until the chat holds at least `count` messages; returns them all."""
        await self.wait_for(lambda: len(self.chat(chat_id)) >= count, within)
        return self.chat(chat_id)
