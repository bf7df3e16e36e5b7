"""Free text from a member: first a staff member's pending choice (joining), then media
groups a restart left unconfirmed, then the answer itself."""

from __future__ import annotations

from telegram import Update

from handlers.checkin.answers import answer
from handlers.checkin.groups import flush_stale_groups
from handlers.common import DondocContext
from handlers.joining import on_staff_text


async def on_text(update: Update, context: DondocContext) -> None:
    member, msg = context.member, update.effective_message
    if member is None or msg is None or update.effective_chat.type != "private":
        return
    if await on_staff_text(update, context):
        return
    await flush_stale_groups(context, member)
    await answer(context, member, msg.chat_id, msg.text or "", [], [],
                 msg.reply_to_message.message_id if msg.reply_to_message else None, message_id=msg.message_id)
