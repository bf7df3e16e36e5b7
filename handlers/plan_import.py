"""Plan import in chat: the secretariat sends the programme (document or spreadsheet),
sees a preview, and confirms. Nothing is written before confirmation; the preview waits
in the database, so a restart does not lose it."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import texts
from bot.plan_import.model import plan_from_json
from handlers.common import STAFF, DondocContext, command, staff_button

PLAN_EXTENSIONS = {"docx", "xlsx", "csv", "txt", "md"}
STATE = "plan_preview"

command("maukehoach", "template", description="Tải mẫu bảng tính kế hoạch", roles=STAFF)


def _key(context: DondocContext, token: str) -> str:
    from storage.state import state_key

    return state_key(context.member.channel, context.member.user_id, f"{STATE}:{token}")


async def on_document(update: Update, context: DondocContext) -> None:
    member, msg = context.member, update.effective_message
    doc = msg.document
    ext = Path(doc.file_name or "").suffix.lower().lstrip(".")
    if member is None or member.role not in STAFF or ext not in PLAN_EXTENSIONS or msg.reply_to_message:
        return  # not a plan: check-in handles it (group 1)
    ctx = context.ctx
    if doc.file_size and doc.file_size > ctx.settings.max_file_bytes:
        await msg.reply_text(texts.FILE_TOO_BIG.format(name=doc.file_name, limit=int(ctx.settings.max_file_mb)))
        raise ApplicationHandlerStop
    from bot.plan_import import PlanReadError, read_plan
    from bot.services.plans import preview_plan
    from storage.state import set_state

    content = bytes(await (await doc.get_file()).download_as_bytearray())
    try:
        parsed = read_plan(content, doc.file_name, today=ctx.clock.today())
    except PlanReadError as exc:
        await msg.reply_text(str(exc))
        raise ApplicationHandlerStop
    if not parsed.tasks:
        await msg.reply_text(texts.PLAN_NO_TASKS)
        raise ApplicationHandlerStop
    token = secrets.token_hex(4)
    async with ctx.sessions() as s:
        pv = await preview_plan(s, parsed)
        await set_state(s, _key(context, token), {"plan": parsed.to_json(), "source": doc.file_name})
        await s.commit()
    buttons = InlineKeyboardMarkup([
        [InlineKeyboardButton(texts.PLAN_CONFIRM, callback_data=f"pi:ok:{token}"),
         InlineKeyboardButton(texts.PLAN_CANCEL, callback_data=f"pi:no:{token}")],
        [InlineKeyboardButton(texts.PLAN_AS_SHEET, callback_data=f"pi:xlsx:{token}")],
    ])
    await msg.reply_text(texts.plan_preview_text(pv)[:4000], reply_markup=buttons)
    raise ApplicationHandlerStop


async def on_button(update: Update, context: DondocContext) -> None:
    query = update.callback_query
    member = context.member
    if not await staff_button(update, context):
        return
    _, verb, token = (query.data.split(":") + ["", ""])[:3]
    ctx = context.ctx
    from bot.services.plans import import_plan
    from storage.state import clear_state, get_state

    async with ctx.sessions() as s:
        state = await get_state(s, _key(context, token))
        if state is None:
            await query.answer()
            await query.edit_message_reply_markup(None)
            await query.message.reply_text(texts.PLAN_EXPIRED)
            return
        parsed = plan_from_json(state["plan"])
        if verb == "xlsx":
            from bot.plan_import.export import write_template

            buf = io.BytesIO()
            write_template(buf, parsed)
            await query.answer()
            await query.message.reply_document(buf.getvalue(), filename="ke_hoach_de_sua.xlsx",
                                               caption=texts.PLAN_SHEET_CAPTION)
            return
        await clear_state(s, _key(context, token))
        if verb == "no":
            await s.commit()
            await query.answer()
            await query.edit_message_reply_markup(None)
            await query.message.reply_text(texts.PLAN_CANCELLED)
            return
        from bot.reminders.policy import ReminderPolicy
        from storage.queries import audit

        res = await import_plan(s, parsed, today=ctx.clock.today(), source_name=state.get("source"),
                                imported_by_id=member.id, policy=ReminderPolicy.from_settings(ctx.settings))
        audit(s, "plan_imported", member=member, plan_id=res.plan_id, created=res.created, updated=res.updated)
        await s.commit()
    await query.answer()
    await query.edit_message_reply_markup(None)
    await query.message.reply_text(texts.PLAN_IMPORTED.format(created=res.created, updated=res.updated,
                                                              cancelled=res.cancelled))


async def send_template(update: Update, context: DondocContext) -> None:
    from bot.plan_import.export import write_template

    buf = io.BytesIO()
    write_template(buf)
    await update.effective_message.reply_document(buf.getvalue(), filename="mau_ke_hoach.xlsx",
                                                  caption=texts.PLAN_TEMPLATE_CAPTION)


def register(app: Application) -> None:
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^pi:"))
    app.add_handler(CommandHandler(["maukehoach", "template"], send_template))
