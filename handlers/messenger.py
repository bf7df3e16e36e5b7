"""Telegram's side of `bot.messenger.Messenger`: translates buttons and errors."""

from __future__ import annotations

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.messenger import (
    Keyboard,
    NotDelivered,
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
            if _surely_not_applied(exc):
                raise NotDelivered(str(exc) or type(exc).__name__) from exc
            raise TransientError(str(exc) or type(exc).__name__) from exc
        return False


# The request never reached Telegram whole: nothing can have been delivered.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout)


def _surely_not_applied(exc: Exception) -> bool:
    """Telegram answered with an error (a 5xx: PTB raises NetworkError with no network
    cause), or the request never went out. A read timeout or a connection lost while
    waiting for the answer is ambiguous: the message may have been delivered."""
    cause = exc.__cause__
    if cause is None:
        return not isinstance(exc, TimedOut)
    return isinstance(cause, _NOT_SENT)
