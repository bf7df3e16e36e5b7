"""Calm chats: once a task is answered, the reminders about it lose its buttons (a
single-task reminder loses them all; a combined one keeps the row of its other open tasks).
Best effort: a message Telegram no longer lets us edit keeps its buttons, which answer
from the database anyway."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot.reminders.compose import task_keyboard
from bot.services import checkins as svc
from handlers.common import DondocContext
from handlers.messenger import to_markup
from storage.models import Member

log = logging.getLogger(__name__)


async def tidy_reminders(context: DondocContext, assignment_id: int) -> int:
    """Edit the latest reminders about the assignment; returns how many were edited."""
    plan = []
    async with context.ctx.sessions() as s:
        for chat_id, message_id, member_id in await svc.reminder_messages(s, assignment_id):
            m = await s.get(Member, member_id)
            items = [(aid, code) for aid, code in await svc.open_items_of_message(s, m, message_id)
                     if aid != assignment_id]
            plan.append((chat_id, message_id, items))
    edited = 0
    for chat_id, message_id, items in plan:
        try:
            await context.bot.edit_message_reply_markup(chat_id, message_id,
                                                        reply_markup=to_markup(task_keyboard(items)) if len(items) > 1
                                                        else to_markup(task_keyboard(items, items[0][0])) if items
                                                        else None)
            edited += 1
        except TelegramError as exc:  # not modified, too old, deleted: nothing to tidy there
            log.debug("tidying reminder %s/%s: %s", chat_id, message_id, exc)
    return edited


async def strip_buttons(context: DondocContext, chat_id: int | None, message_id: int | None) -> None:
    """Remove the buttons of a question once answered (by chat and id: an old message may
    arrive without its content)."""
    if chat_id is None or message_id is None:
        return
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except TelegramError as exc:
        log.debug("stripping buttons of %s/%s: %s", chat_id, message_id, exc)
