"""The secretariat writing in plain words: "quá hạn", "cho tôi xem các nhiệm vụ quá hạn",
"xuất excel", "tiến độ", "sắp đến hạn" (with or without diacritics) get what their command
shows; anything else from a staff member who is no unit's contact gets a short help — never
silence. A staff member who is also a unit contact, or who is in the middle of a check-in
conversation, is left to the check-in handlers (group 1) unless the text asks a report."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot import texts
from bot.intents import classify
from bot.services import questions as qs
from handlers.checkin.conversation import STATE as CHECKIN_STATE
from handlers.common import STAFF, DondocContext
from handlers.joining import on_staff_text
from handlers.secretariat import commands
from handlers.secretariat.views import show
from storage.state import get_state, state_key


async def answer(update: Update, context: DondocContext, q: qs.StaffQuestion) -> None:
    """Show what ``q`` asks for, exactly as its command would."""
    if q.view == qs.EXPORT:
        await commands.export(update, context)
    elif q.view == qs.CHART:
        await commands.chart(update, context)
    elif q.view == qs.TASK:
        await commands.show_task(update, context, q.arg)
    elif q.view == qs.OVERDUE:
        await show(update, context, "od", "-")
    elif q.view == qs.UPCOMING:
        await show(update, context, "up", q.arg or "7")
    elif q.view == qs.PROGRESS:
        await show(update, context, "pr", "a")


async def _left_to_checkin(context: DondocContext, text: str) -> bool:
    """Whether the check-in handlers should answer this staff member's text."""
    member, ctx = context.member, context.ctx
    if member.unit_id is not None:
        return True
    async with ctx.sessions() as s:
        pending = await get_state(s, state_key(member.channel, member.user_id or 0, CHECKIN_STATE))
    return pending is not None or classify(text, ctx.clock.today()).kind == "leave"


async def on_text(update: Update, context: DondocContext) -> None:
    member, msg = context.member, update.effective_message
    if member is None or member.role not in STAFF or msg is None or update.effective_chat.type != "private":
        return
    if await on_staff_text(update, context):  # naming the unit of a join request
        raise ApplicationHandlerStop
    text = msg.text or ""
    q = qs.staff_question(text)
    if q is not None and q.view in qs.REPORTS:
        await answer(update, context, q)
        raise ApplicationHandlerStop
    if await _left_to_checkin(context, text):
        return
    intro = texts.SC_CHAT_THANKS if q is not None and q.view == qs.THANKS else texts.SC_CHAT_UNKNOWN
    await msg.reply_text(intro + "\n" + texts.SC_CHAT_HELP)
    raise ApplicationHandlerStop

