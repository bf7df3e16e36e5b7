"""Calm chats: a reminder keeps live buttons only while they still mean something. Once a
task is answered, or a newer reminder about it has been sent, older reminders lose its
buttons — a single-task reminder all of them, a combined one the task's button in its row
(`compose.task_keyboard`). Best effort: a message the channel no longer lets us change
keeps its buttons, which still act from the database."""

from __future__ import annotations

from sqlalchemy import select

from bot.messenger import Messenger
from bot.reminders.compose import task_keyboard
from bot.services.checkins import OPEN_STATUSES
from storage.models import Assignment, Member, ReminderLog, Task


async def _remaining(s, member_id: int, message_id: int, gone: set[int]) -> list[tuple[int, str]]:
    """(assignment id, code) of a reminder message's tasks still open and not in ``gone``,
    most urgent first (the reminder's own order)."""
    rows = await s.execute(
        select(Assignment.id, Task.code).join(Task, Task.id == Assignment.task_id)
        .join(ReminderLog, ReminderLog.assignment_id == Assignment.id)
        .where(ReminderLog.member_id == member_id, ReminderLog.message_id == message_id,
               Assignment.status.in_(OPEN_STATUSES), Task.status == "open", Assignment.id.not_in(gone))
        .order_by(Assignment.due_date.is_(None), Assignment.due_date, Task.code, Assignment.id))
    return list(dict.fromkeys((aid, code) for aid, code in rows))


async def _retire(ctx, messenger: Messenger, targets: list[tuple[int, int, int]], gone: set[int]) -> int:
    """Re-key each (chat, message, member) without the tasks in ``gone``."""
    plan = []
    async with ctx.sessions() as s:
        for chat_id, message_id, member_id in dict.fromkeys(targets):
            plan.append((chat_id, message_id, await _remaining(s, member_id, message_id, gone)))
    changed = 0
    for chat_id, message_id, items in plan:
        keyboard = task_keyboard(items, items[0][0] if len(items) == 1 else None) if items else None
        changed += bool(await messenger.set_buttons(chat_id, message_id, keyboard))
    return changed


async def retire_answered(ctx, messenger: Messenger, assignment_id: int, limit: int = 10) -> int:
    """The latest reminders about an answered task (to anyone in the unit) drop its buttons."""
    async with ctx.sessions() as s:
        rows = (await s.execute(
            select(Member.chat_id, ReminderLog.message_id, Member.id).join(Member, Member.id == ReminderLog.member_id)
            .where(ReminderLog.assignment_id == assignment_id, ReminderLog.status == "sent",
                   ReminderLog.message_id.is_not(None), Member.chat_id.is_not(None))
            .order_by(ReminderLog.id.desc()).limit(limit))).all()
    return await _retire(ctx, messenger, [tuple(r) for r in rows], {assignment_id})


async def retire_superseded(ctx, messenger: Messenger, member_id: int, new_message_id: int | None,
                            assignment_ids: set[int], limit: int = 10) -> int:
    """A member just received ``new_message_id`` about these tasks: their earlier reminders
    drop those tasks' buttons (the newest message carries them now)."""
    if new_message_id is None or not assignment_ids:
        return 0
    async with ctx.sessions() as s:
        rows = (await s.execute(
            select(Member.chat_id, ReminderLog.message_id, Member.id).join(Member, Member.id == ReminderLog.member_id)
            .where(ReminderLog.member_id == member_id, ReminderLog.assignment_id.in_(list(assignment_ids)),
                   ReminderLog.status == "sent", ReminderLog.message_id.is_not(None),
                   ReminderLog.message_id != new_message_id, Member.chat_id.is_not(None))
            .order_by(ReminderLog.id.desc()).limit(limit))).all()
    return await _retire(ctx, messenger, [tuple(r) for r in rows], set(assignment_ids))
