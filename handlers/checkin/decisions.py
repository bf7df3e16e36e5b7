"""The secretariat decides extension requests with the buttons of the request message.

The staff message is rebuilt from the database (a press on an old message may arrive
without its text); the decision is a compare-and-set, so a double tap or a second staff
member finds it already made."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot import actions, texts
from bot.services import checkins as svc
from bot.services.checkins import CheckinRefused
from handlers.checkin.answers import EXT_APPROVE, policy, staff_request_text
from handlers.checkin.buttons import ack, where
from handlers.checkin.tidy import strip_buttons
from handlers.checkin.wording import cut
from handlers.common import DondocContext, staff_button
from storage.models import Member
from storage.queries import audit

log = logging.getLogger(__name__)


async def on_extension_decision(update: Update, context: DondocContext) -> None:
    query, member = update.callback_query, context.member
    if not await staff_button(update, context):  # the role, not the button, decides
        return
    parts = actions.parse(query.data)
    approve = ":".join(parts[:2]) == EXT_APPROVE
    ctx = context.ctx
    chat_id, message_id = where(query, member)
    async with ctx.sessions() as s:
        decider = await s.get(Member, member.id)
        try:
            d = await svc.decide_extension(s, int(parts[2]), decider, approve=approve, now=ctx.clock.now(),
                                           today=ctx.clock.today(), policy=policy(context))
        except (CheckinRefused, ValueError, IndexError):
            await ack(query, texts.EXT_ALREADY_DECIDED, alert=True)
            return
        if d is not None:
            audit(s, "extension_decided", member=decider, request_id=d.request_id, approved=approve)
            req, a, asker = await svc.request_details(s, d.request_id)
            staff_text = staff_request_text(req, a, asker)
        await s.commit()
    if d is None:
        await ack(query, texts.EXT_ALREADY_DECIDED, alert=True)
        await strip_buttons(context, chat_id, message_id)
        return
    await ack(query)
    outcome = texts.EXT_DECIDED_STAFF.format(outcome=texts.EXT_OUTCOME[approve], by=d.decided_by)
    try:
        await context.bot.edit_message_text(f"{staff_text}\n\n{outcome}"[:4096], chat_id=chat_id,
                                            message_id=message_id, reply_markup=None)
    except TelegramError:  # the decision stands even if the old message cannot change
        await context.bot.send_message(chat_id, f"{staff_text}\n\n{outcome}"[:4096])
    if d.member_chat_id:
        text = (texts.EXT_APPROVED if approve else texts.EXT_REFUSED).format(
            code=d.task.code, title=cut(d.task.title, 200), new=texts.fmt_date(d.new_due),
            old=texts.fmt_date(d.old_due))
        try:
            await context.bot.send_message(d.member_chat_id, text)
        except TelegramError as exc:
            log.warning("telling member about extension %s failed: %s", d.request_id, exc)
