"""Calm chats, the handler side: once a task is answered its reminders lose its buttons
(`bot.reminders.retire`), and an answered question loses its own."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot.reminders.retire import retire_answered
from handlers.common import DondocContext
from handlers.messenger import TelegramMessenger

log = logging.getLogger(__name__)


async def tidy_reminders(context: DondocContext, assignment_id: int) -> int:
    """Edit the latest reminders about the answered assignment; returns how many changed."""
    return await retire_answered(context.ctx, TelegramMessenger(context.bot), assignment_id)


async def strip_buttons(context: DondocContext, chat_id: int | None, message_id: int | None) -> None:
    """Remove the buttons of a question once answered (by chat and id: an old message may
    arrive without its content)."""
    if chat_id is None or message_id is None:
        return
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except TelegramError as exc:
        log.debug("stripping buttons of %s/%s: %s", chat_id, message_id, exc)
