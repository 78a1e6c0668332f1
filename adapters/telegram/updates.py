"""Telegram updates as the engine's `Incoming`, with what the reply needs to know.

In groups the bot hears only what is addressed to it: its commands (`/today` or
`/today@motsbot`), a mention of its name, a reply to one of its messages, or a press on one of
its buttons. Everything else in a group is other people's conversation.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import CallbackQuery, Chat, Message, Update
from telegram.constants import MessageEntityType

from bot.messages import Channel, Incoming


@dataclass(frozen=True)
class Turn:
    """One thing a person did, and where the answer goes."""

    incoming: Incoming
    chat_id: int
    """The chat the person wrote in: their private chat, or a group."""
    user_id: int
    message_id: int | None = None
    """The bot's message whose button was pressed: paging edits it."""
    callback_query_id: str | None = None

    @property
    def in_group(self) -> bool:
        return self.incoming.in_group


def _is_group(chat: Chat) -> bool:
    return chat.type in (Chat.GROUP, Chat.SUPERGROUP)


def addressed_text(message: Message, bot_username: str, bot_id: int) -> str | None:
    """The text of a group message meant for the bot, with the bot's name taken out; None
    when the message is not for the bot."""
    text = message.text or ""
    name = bot_username.lower()
    entities = message.parse_entities([MessageEntityType.BOT_COMMAND, MessageEntityType.MENTION])
    for entity, value in entities.items():
        if entity.type == MessageEntityType.BOT_COMMAND and entity.offset == 0:
            command, _, target = value.partition("@")
            if target and target.lower() != name:
                return None
            return command + text[entity.offset + len(value) :]
    for entity, value in entities.items():
        if entity.type == MessageEntityType.MENTION and value[1:].lower() == name:
            rest = text[: entity.offset] + text[entity.offset + len(value) :]
            return " ".join(rest.split())
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == bot_id:
        return text
    return None


def turn_from_message(update: Update, bot_username: str, bot_id: int) -> Turn | None:
    message = update.message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None
    chat = message.chat
    user = message.from_user
    if _is_group(chat):
        text = addressed_text(message, bot_username, bot_id)
        if text is None:
            return None
        in_group = True
    elif chat.type == Chat.PRIVATE:
        # A sticker, photo or voice note comes with no text: the engine answers empty input.
        text = message.text or message.caption or ""
        in_group = False
    else:
        return None
    return Turn(
        Incoming(
            channel=Channel.TELEGRAM,
            user_id=str(user.id),
            text=text,
            lang_hint=user.language_code,
            in_group=in_group,
            can_write_first=not in_group,
            platform_event_id=f"tg:{update.update_id}",
        ),
        chat_id=chat.id,
        user_id=user.id,
    )


def turn_from_callback(update: Update) -> Turn | None:
    query: CallbackQuery | None = update.callback_query
    if query is None or query.data is None:
        return None
    message = query.message
    # A button on a message too old for Telegram to send along still has its payload; the
    # answer then goes to the person's private chat.
    chat_id = message.chat.id if message is not None else query.from_user.id
    in_group = message is not None and _is_group(message.chat)
    return Turn(
        Incoming(
            channel=Channel.TELEGRAM,
            user_id=str(query.from_user.id),
            payload=query.data,
            lang_hint=query.from_user.language_code,
            in_group=in_group,
            can_write_first=not in_group,
            platform_event_id=f"tg:{update.update_id}",
        ),
        chat_id=chat_id,
        user_id=query.from_user.id,
        message_id=message.message_id if message is not None else None,
        callback_query_id=query.id,
    )


def turn_from_poll_answer(update: Update, poll_id: str) -> Turn | None:
    answer = update.poll_answer
    if answer is None or answer.user is None:
        return None
    return Turn(
        Incoming(
            channel=Channel.TELEGRAM,
            user_id=str(answer.user.id),
            lang_hint=answer.user.language_code,
            poll_id=poll_id,
            poll_options=tuple(answer.option_ids),
            platform_event_id=f"tg:{update.update_id}",
        ),
        chat_id=answer.user.id,
        user_id=answer.user.id,
    )


def membership_change(update: Update) -> tuple[int, bool] | None:
    """(user id, reachable) when a person blocked the bot or came back in their private chat."""
    member = update.my_chat_member
    if member is None or member.chat.type != Chat.PRIVATE:
        return None
    status = member.new_chat_member.status
    if status in ("kicked", "left"):
        return member.from_user.id, False
    if status == "member":
        return member.from_user.id, True
    return None


def chat_key(update: object) -> str:
    """The key that orders handling: one person's or one chat's updates one after another."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return f"c{update.effective_chat.id}"
        if update.effective_user is not None:
            return f"c{update.effective_user.id}"
    return "other"
