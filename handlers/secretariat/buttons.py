"""The secretariat's buttons (callback prefix ``sc:``). The gate only looks at commands,
so every press is re-checked here: the role decides, not the button."""

from __future__ import annotations

from telegram import Update

from bot import actions, texts
from handlers.common import DondocContext, staff_button
from handlers.secretariat import broadcast
from handlers.secretariat.commands import remind_now, send_files
from handlers.secretariat.views import FILES, PAGE, REMIND, TASK_PICK, UNIT_PICK, VIEWS, show


async def on_button(update: Update, context: DondocContext) -> None:
    query = update.callback_query
    if not await staff_button(update, context):
        return
    parts = actions.parse(query.data)
    verb = ":".join(parts[:2])
    try:  # numbers read before the press is answered: a bad one is answered once, with a reason
        if verb == PAGE and len(parts) == 5 and parts[2] in VIEWS:
            page = int(parts[4])
            await query.answer()
            await show(update, context, parts[2], parts[3], page, edit=True)
        elif verb == UNIT_PICK and len(parts) == 4 and parts[2] in VIEWS:
            unit_id = str(int(parts[3]))
            await query.answer()
            await show(update, context, parts[2], unit_id)
        elif verb == TASK_PICK and len(parts) == 4:
            task_id = int(parts[3])
            await query.answer()
            if parts[2] == "nh":
                await remind_now(update, context, task_id)
            else:
                await show(update, context, "tk", str(task_id))
        elif verb == FILES and len(parts) == 3:
            task_id = int(parts[2])
            await query.answer()
            await send_files(update, context, task_id)
        elif verb == REMIND and len(parts) == 3:
            task_id = int(parts[2])
            await query.answer()
            await remind_now(update, context, task_id)
        elif verb == broadcast.BROADCAST_UNIT and len(parts) == 4:
            await broadcast.unit_chosen(update, context, parts[2], int(parts[3]))
        elif ":".join(parts[:3]) in (broadcast.BROADCAST_OK, broadcast.BROADCAST_NO) and len(parts) == 4:
            await broadcast.decided(update, context, parts[3], ":".join(parts[:3]) == broadcast.BROADCAST_OK)
        elif ":".join(parts[:3]) in (broadcast.BROADCAST_OK, broadcast.BROADCAST_NO):
            await query.answer(texts.SC_EXPIRED, show_alert=True)  # a button from before tokens
        else:
            await query.answer()
    except ValueError:
        await query.answer(texts.SC_EXPIRED, show_alert=True)
