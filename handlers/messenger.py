"""Telegram's side of `bot.messenger.Messenger`: translates buttons and errors."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.messenger import (
    Keyboard,
    RecipientUnreachable,
    RetryLater,
    SentMessage,
    TransientError,
)


def to_markup(buttons: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.text, callback_data=b.action) for b in row] for row in buttons]
    )


class TelegramMessenger:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_text(self, chat_id, text, buttons=None, reply_to=None) -> SentMessage:
        async with _translated():
            msg = await self.bot.send_message(
                chat_id,
                text,
                reply_markup=to_markup(buttons),
                reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True)
                if reply_to
                else None,
            )
        return SentMessage(msg.chat_id, msg.message_id)

    async def send_file(self, chat_id, filename, content, caption=None) -> SentMessage:
        async with _translated():
            msg = await self.bot.send_document(chat_id, document=content, filename=filename, caption=caption)
        return SentMessage(msg.chat_id, msg.message_id)

    async def set_buttons(self, chat_id, message_id, buttons) -> bool:
        try:
            await self.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=to_markup(buttons))
        except TelegramError:  # not modified, too old to edit, deleted, blocked: nothing to tidy there
            return False
        return True


class _translated:
    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        if exc is None:
            return False
        if isinstance(exc, RetryAfter):
            ra = exc.retry_after
            raise RetryLater(ra.total_seconds() if hasattr(ra, "total_seconds") else float(ra)) from exc
        if isinstance(exc, Forbidden):
            raise RecipientUnreachable(str(exc)) from exc
        if isinstance(exc, BadRequest) and "chat not found" in str(exc).lower():
            raise RecipientUnreachable(str(exc)) from exc
        if isinstance(exc, (TimedOut, NetworkError)) and not isinstance(exc, BadRequest):
            raise TransientError(str(exc)) from exc
        return False
