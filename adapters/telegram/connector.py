"""The Telegram connector: python-telegram-bot 22 inside motsbot's own event loop.

PTB runs as a library here, never through `run_polling()` (which owns the loop and its
signals): `start` initialises the application, registers the command menus and starts either
long polling or the webhook, `stop` undoes that in reverse. The Bot API unreachable at start
is no reason to stop: a supervisor (adapters/supervise.py) keeps trying, keeps polling alive
and, in webhook mode, checks every minute that Telegram still has the webhook. Updates go through one handler
that turns them into `Incoming`, asks the hub, and renders what comes back.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import InputFile, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, BaseUpdateProcessor, ContextTypes, TypeHandler

from adapters.base import Connector, DeliveryError, Hub, IntakeHealth
from adapters.supervise import Supervisor
from adapters.telegram.commands import register_commands
from adapters.telegram.http import AiohttpRequest
from adapters.telegram.intake import UpdateIntake, UpdateLog
from adapters.telegram.limiter import ChatLimiter, is_group, retry_seconds
from adapters.telegram.notes import note
from adapters.telegram.polls import TelegramPolls
from adapters.telegram.render import MAX_CAPTION, keyboard, render_text
from adapters.telegram.updates import (
    Turn,
    chat_key,
    membership_change,
    turn_from_callback,
    turn_from_message,
    turn_from_poll_answer,
)
from bot.messages import Channel, Outgoing, Poll, Recipient
from bot.store import Store

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query", "poll_answer", "my_chat_member"]
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
POLL_QUESTION, POLL_OPTION, POLL_OPTIONS = 300, 100, 12
CONNECTION_POOL = 32
POOL_WAIT = 10.0
CONNECT_FIRST = 1.0
CONNECT_MAX = 60.0
"""Pauses between tries to reach the Bot API at start: doubling, up to a minute."""
WEBHOOK_CHECK = 60.0
"""How often webhook mode asks Telegram whether the webhook is still set (and sets it again if
not); each answer counts as the intake's success for readiness."""


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Updates of different chats are handled at once; one chat's updates in their order.

    PTB's own choice is all-sequential (one slow reply holds up every other person) or
    all-concurrent (a quick double tap could be answered out of order).
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: Counter[str] = Counter()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] += 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key]
                del self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    """The public HTTPS URL Telegram posts to; its path is where motsbot's web server listens."""
    secret: str
    """Sent back by Telegram in `X-Telegram-Bot-Api-Secret-Token` with every update."""


class TelegramConnector(Connector):
    channel = Channel.TELEGRAM
    health: IntakeHealth

    def __init__(
        self,
        token: str,
        store: Store,
        *,
        base_url: str | None = None,
        webhook: WebhookConfig | None = None,
        limiter: ChatLimiter | None = None,
        poll_timeout: int = 10,
    ) -> None:
        self.store = store
        self.polls = TelegramPolls(store.database)
        self.limiter = limiter or ChatLimiter()
        """Shared by everything this bot sends; the scheduler's bulk sends go through `send`."""
        self.webhook = webhook
        builder = (
            Application.builder()
            .token(token)
            .rate_limiter(self.limiter)
            .concurrent_updates(ChatOrderedProcessor())
            # The limiter keeps few requests in flight (30/s at Telegram's ~100 ms), so a small
            # pool will do; a request that finds all connections busy waits up to POOL_WAIT.
            .request(AiohttpRequest(CONNECTION_POOL, pool_timeout=POOL_WAIT))
            # getUpdates waits up to `poll_timeout` for news: a connection of its own.
            .get_updates_request(AiohttpRequest(1))
        )
        if base_url:
            # PTB appends the token: "http://127.0.0.1:8081/bot" → ".../bot<token>/<method>".
            builder = builder.base_url(base_url)
        # Updates come in through our own intake (polling or the webhook), never PTB's Updater.
        builder = builder.updater(None)
        self.app: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self.app.add_error_handler(self._on_error)
        self._hub: Hub | None = None
        self.health = IntakeHealth()
        self.intake = UpdateIntake(
            self.app,
            UpdateLog(store.database),
            self._now,
            poll_timeout=poll_timeout,
            allowed_updates=ALLOWED_UPDATES,
            dead_letters=store.dead_letters,
            health=self.health,
        )
        self.supervisor: Supervisor | None = None
        self._connected = False
        self.handled = 0
        """Updates handled to the end (answered or ignored): a figure for monitoring and tests."""

    # -- lifecycle ---------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.hub.clock()

    @property
    def hub(self) -> Hub:
        if self._hub is None:
            raise RuntimeError("the Telegram connector has not been started")
        return self._hub

    @property
    def bot_username(self) -> str:
        return str(self.app.bot.username)

    async def start(self, hub: Hub) -> None:
        """Connects, and returns once updates are taken in; if the Bot API cannot be reached,
        returns at once and keeps trying in the background."""
        self._hub = hub
        try:
            await self._connect()
        except (NetworkError, RetryAfter) as error:
            log.warning("telegram: the Bot API cannot be reached (%s); trying again in the background", error)
        self.supervisor = Supervisor("telegram", self._intake, self.health, hub.channel_lost)
        self.supervisor.start()

    async def _connect(self) -> None:
        if self._connected:
            return
        await self.app.initialize()
        try:
            await register_commands(self.app.bot)
        except TelegramError as error:
            # A missing menu is cosmetic; the bot still answers every command typed.
            log.warning("could not register the command menus: %s", error)
        if self.webhook is not None:
            await self.app.bot.set_webhook(
                self.webhook.url, secret_token=self.webhook.secret, allowed_updates=ALLOWED_UPDATES
            )
        else:
            # A webhook left from an earlier setup would make every getUpdates fail.
            await self.app.bot.delete_webhook(drop_pending_updates=False)
        if not self.app.running:
            await self.app.start()
        await self.intake.resume()
        self._connected = True
        if self.webhook is not None:
            self.health.succeeded()
        log.info("telegram: @%s running (%s)", self.bot_username, "webhook" if self.webhook else "polling")

    async def _intake(self) -> None:
        """One life of the intake, kept running by the supervisor."""
        pause = CONNECT_FIRST
        while not self._connected:
            try:
                await self._connect()
            except (NetworkError, RetryAfter) as error:
                # Unreachable, or Telegram's own trouble: waited out, never a reason to stop.
                wait = retry_seconds(error) if isinstance(error, RetryAfter) else pause
                log.warning("telegram: the Bot API cannot be reached (%s); again in %.0f s", error, wait)
                await asyncio.sleep(wait)
                pause = min(CONNECT_MAX, pause * 2)
        if self.webhook is None:
            await self.intake.poll()
        else:
            await self._watch_webhook(self.webhook)

    async def _watch_webhook(self, webhook: WebhookConfig) -> None:
        while True:
            await asyncio.sleep(WEBHOOK_CHECK)
            try:
                info = await self.app.bot.get_webhook_info()
                if info.url != webhook.url:
                    log.warning("telegram: the webhook was not set (%r); setting it again", info.url)
                    await self.app.bot.set_webhook(
                        webhook.url, secret_token=webhook.secret, allowed_updates=ALLOWED_UPDATES
                    )
                self.health.succeeded()
            except TelegramError as error:
                log.warning("telegram: the webhook could not be checked: %s", error)

    async def stop(self) -> None:
        try:
            if self.supervisor is not None:
                await self.supervisor.stop()
            await self.intake.stop()
            if self.app.running:
                await self.app.stop()
        finally:
            await self.app.shutdown()

    async def put_update(self, data: dict[str, Any]) -> None:
        """An update that came in through the webhook: in the inbox (or set aside, if it cannot
        be read) before Telegram hears "200"."""
        self.health.succeeded()
        await self.intake.take_json([data])

    # -- incoming ----------------------------------------------------------------------------

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram update %r failed", getattr(update, "update_id", None), exc_info=context.error)

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await self._handle(update)
        finally:
            self.handled += 1

    async def _handle(self, update: Update) -> None:
        now = self.hub.clock()
        change = membership_change(update)
        if change is not None:
            user_id, reachable = change
            log.info("telegram user %s %s", user_id, "came back" if reachable else "blocked the bot")
            await self.store.people.set_unreachable(self.channel, str(user_id), None if reachable else now)
            return
        turn: Turn | None = None
        if update.callback_query is not None:
            try:
                # Stops the spinner on the pressed button; the answer itself is a message.
                await update.callback_query.answer()
            except TelegramError as error:
                log.info("callback query not answered: %s", error)
            turn = turn_from_callback(update)
        elif update.poll_answer is not None:
            poll_id = await self.polls.poll_id(update.poll_answer.poll_id)
            if poll_id is None:
                log.info("answer to unknown telegram poll %s ignored", update.poll_answer.poll_id)
                return
            turn = turn_from_poll_answer(update, poll_id)
        elif update.message is not None:
            turn = turn_from_message(update, self.bot_username, self.app.bot.id)
        if turn is None:
            return
        try:
            replies = await self.hub.receive(turn.incoming)
        except Exception as error:
            # Answered with an apology and set aside; the update is crossed off as handled.
            await self.intake.set_aside(update.to_dict(), error, "failed in the bot")
            replies = [Outgoing.model_validate({"spans": [{"text": note("sorry", turn.incoming.lang_hint)}]})]
        await self._answer(turn, replies)

    async def _answer(self, turn: Turn, replies: list[Outgoing]) -> None:
        told_group = False
        for index, message in enumerate(replies):
            try:
                if turn.in_group and message.personal:
                    try:
                        await self._deliver(turn.user_id, message)
                        text = note("answered_privately", message.lang)
                    except DeliveryError:
                        # Telegram lets a bot write only to people who have started it.
                        text = note("open_private", message.lang, link=f"https://t.me/{self.bot_username}")
                    if not told_group:
                        told_group = True
                        await self._deliver(turn.chat_id, Outgoing.model_validate({"spans": [{"text": text}]}))
                    continue
                edit = turn.message_id if message.replace_previous else None
                await self._deliver(turn.chat_id, message, edit_message_id=edit)
            except DeliveryError as error:
                log.warning("reply to telegram chat %s not delivered: %s", turn.chat_id, error)
                if error.permanent:
                    return
                # Telegram is failing for longer than the limiter retries: this reply and the
                # ones after it go to the outbox, in order, so that none is lost or overtaken.
                for later in replies[index:]:
                    chat = turn.user_id if turn.in_group and later.personal else turn.chat_id
                    recipient = Recipient(channel=self.channel, user_id=str(chat))
                    await self.hub.undelivered(later.model_copy(update={"recipient": recipient}), error)
                return

    # -- outgoing ----------------------------------------------------------------------------

    async def send(self, user_id: str, message: Outgoing, *, key: str | None = None) -> str | None:
        # The Bot API has no idempotency key: `key` cannot make a repeat a no-op here.
        if not await self.store.people.is_reachable(self.channel, user_id):
            raise DeliveryError(
                "the person cannot be written to privately (blocked the bot, or never started it)", permanent=True
            )
        try:
            chat_id = int(user_id)
        except ValueError:
            raise DeliveryError(f"not a telegram user id: {user_id!r}", permanent=True) from None
        return await self._deliver(chat_id, message)

    async def _deliver(self, chat_id: int, message: Outgoing, *, edit_message_id: int | None = None) -> str | None:
        """Sends one neutral message as one or more Telegram messages; returns the last id."""
        try:
            return await self._send_parts(chat_id, message, edit_message_id)
        except Forbidden as error:
            if not is_group(chat_id):
                # Either way nothing can be sent to them privately until they write to the bot:
                # they blocked it, or never opened a private chat with it (a group member).
                never_started = "initiate" in error.message.lower()
                log.info(
                    "telegram user %s %s",
                    chat_id,
                    "never opened a private chat" if never_started else "blocked the bot",
                )
                await self.store.people.set_unreachable(self.channel, str(chat_id), self.hub.clock())
            raise DeliveryError(f"forbidden: {error.message}", permanent=True) from error
        except BadRequest as error:
            log.error("telegram rejected a message to %s: %s", chat_id, error.message)
            raise DeliveryError(f"bad request: {error.message}", permanent=True) from error
        except TelegramError as error:
            raise DeliveryError(f"{type(error).__name__}: {error.message}") from error

    async def _send_parts(self, chat_id: int, message: Outgoing, edit_message_id: int | None) -> str | None:
        bot = self.app.bot
        parts = render_text(message.spans)
        markup = keyboard(message.buttons, self.bot_username)
        if markup is not None and not parts:
            parts = ["…"]  # Telegram needs text to hang buttons on.
        caption: str | None = None
        if message.attachment is not None and len(parts) == 1 and markup is None:
            captions = render_text(message.spans, MAX_CAPTION)
            if len(captions) == 1:
                caption, parts = captions[0], []
        if edit_message_id is not None and len(parts) == 1 and message.poll is None and message.attachment is None:
            try:
                edited = await bot.edit_message_text(
                    parts[0],
                    chat_id=chat_id,
                    message_id=edit_message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    link_preview_options=NO_PREVIEW,
                )
                return str(edited.message_id) if isinstance(edited, Message) else str(edit_message_id)
            except BadRequest as error:
                if "not modified" in error.message.lower():
                    return str(edit_message_id)
                # Too old to edit, or deleted: the page comes as a new message instead.
                log.info("edit of %s/%s failed (%s); sending anew", chat_id, edit_message_id, error.message)
        last: str | None = None
        for index, part in enumerate(parts):
            sent = await bot.send_message(
                chat_id,
                part,
                parse_mode=ParseMode.HTML,
                reply_markup=markup if index == len(parts) - 1 else None,
                link_preview_options=NO_PREVIEW,
            )
            last = str(sent.message_id)
        if message.poll is not None:
            last = await self._send_poll(chat_id, message.poll)
        if message.attachment is not None:
            sent = await bot.send_document(
                chat_id,
                InputFile(message.attachment, filename=message.attachment_name or "attachment"),
                caption=caption,
                parse_mode=ParseMode.HTML if caption else None,
            )
            last = str(sent.message_id)
        return last

    async def _send_poll(self, chat_id: int, poll: Poll) -> str:
        now = self.hub.clock()
        close_date = None
        if poll.closes_at is not None and 5 <= (poll.closes_at - now).total_seconds() <= 30 * 86400:
            close_date = poll.closes_at
        sent = await self.app.bot.send_poll(
            chat_id,
            _shorten(poll.question, POLL_QUESTION),
            [_shorten(option, POLL_OPTION) for option in poll.options[:POLL_OPTIONS]],
            # Named votes are what make Telegram send `poll_answer` updates at all; the
            # engine keeps the answers it needs and the organisers see only counts.
            is_anonymous=False,
            allows_revoting=True,
            close_date=close_date,
        )
        assert sent.poll is not None
        await self.polls.remember(sent.poll.id, poll.poll_id, chat_id, sent.message_id, now)
        return str(sent.message_id)

    async def close_poll(self, poll_id: str) -> None:
        """Stops the poll in every chat it was sent to, so that clients show it closed at once:
        an admin's "close now" comes before the `close_date` Telegram was given, if any. A poll
        Telegram has already closed by that date, or a chat that blocked the bot, answers with
        an error that is no news."""
        for chat_id, message_id in await self.polls.messages(poll_id):
            try:
                await self.app.bot.stop_poll(chat_id, message_id)
            except (BadRequest, Forbidden) as error:
                log.info("telegram poll %s in %s not stopped: %s", poll_id, chat_id, error)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)
