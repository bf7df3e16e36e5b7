"""Plan import in chat: the secretariat sends the programme (document, PDF or spreadsheet),
sees a preview that says first what needs attention, fixes what it can (a lead unit for
the tasks without one, in chat or in the spreadsheet), and confirms. Nothing is written
before confirmation; the preview waits in the database, so a restart does not lose it.

Reading the file and writing a long plan run as background tasks: the handler only checks
the upload and returns, so every other chat keeps getting answers meanwhile. The file is
read in a worker process with a time and memory budget (`bot.plan_import.safe`)."""

from __future__ import annotations

import io
import logging
import secrets
from pathlib import Path

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction
from telegram.ext import (Application, ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, MessageHandler,
                          filters)

from bot import texts
from bot.plan_import import PlanReadError
from bot.plan_import.export import write_template
from bot.plan_import.model import ParsedPlan, plan_from_json
from bot.plan_import.safe import read_plan_in_worker
from bot.reminders.policy import ReminderPolicy
from bot.services.plans import IMPORT_BATCH, PlanPreview, apply_default_lead, import_plan, preview_plan
from handlers.common import STAFF, DondocContext, command, staff_button
from storage.queries import audit
from storage.state import clear_state, get_state, set_state, state_key, take_state

log = logging.getLogger(__name__)

PLAN_EXTENSIONS = {"docx", "xlsx", "csv", "txt", "md", "pdf"}
STATE = "plan_preview"
DONE = "plan_confirmed"
LEAD_PROMPT = "plan_lead_prompt"

command("maukehoach", "template", description="Tải mẫu bảng tính kế hoạch", roles=STAFF)


def _key(context: DondocContext, name: str, token: str) -> str:
    return state_key(context.member.channel, context.member.user_id, f"{name}:{token}")


def _is_plan_upload(context: DondocContext, msg: Message) -> bool:
    """A staff member's file that is not a reply: a programme to import. Staff who are also
    a unit's contact send reports too, so for them only the programme formats count."""
    member = context.member
    if member is None or member.role not in STAFF:
        return False
    if member.unit_id is None:
        return True  # the secretariat's files are never check-ins, replies included
    ext = Path(msg.document.file_name or "").suffix.lower().lstrip(".") if msg.document else ""
    return ext in PLAN_EXTENSIONS and not msg.reply_to_message


async def on_document(update: Update, context: DondocContext) -> None:
    msg = update.effective_message
    if not _is_plan_upload(context, msg):
        return  # not a plan: check-in handles it (group 1)
    doc, ctx = msg.document, context.ctx
    if doc.file_size and doc.file_size > ctx.settings.max_file_bytes:
        await msg.reply_text(texts.FILE_TOO_BIG.format(name=doc.file_name, limit=int(ctx.settings.max_file_mb)))
        raise ApplicationHandlerStop
    await msg.reply_chat_action(ChatAction.TYPING)
    context.application.create_task(_read_and_preview(update, context), update=update,
                                    name=f"plan-read-{update.update_id}")
    raise ApplicationHandlerStop


async def on_photo(update: Update, context: DondocContext) -> None:
    """A photo of a programme from the secretariat: say what to send instead."""
    msg = update.effective_message
    member = context.member
    if member is None or member.role not in STAFF or member.unit_id is not None:
        return  # a unit contact's photo is a report (check-in)
    await msg.reply_text(str(PlanReadError(texts.READ_IMAGE, "ảnh")))
    raise ApplicationHandlerStop


async def _read_and_preview(update: Update, context: DondocContext) -> None:
    msg, ctx = update.effective_message, context.ctx
    doc = msg.document
    content = bytes(await (await doc.get_file()).download_as_bytearray())
    try:
        parsed = await read_plan_in_worker(content, doc.file_name or "", today=ctx.clock.today())
    except PlanReadError as exc:
        await msg.reply_text(str(exc))
        return
    if not parsed.tasks:
        await msg.reply_text(texts.PLAN_NO_TASKS)
        return
    apply_default_lead(parsed, ctx.settings.default_lead_unit)
    token = secrets.token_hex(4)
    async with ctx.sessions() as s:
        pv = await preview_plan(s, parsed)
        await set_state(s, _key(context, STATE, token), {"plan": parsed.to_json(), "source": doc.file_name})
        await s.commit()
    await _send_preview(msg, pv, token)


async def _send_preview(msg: Message, pv: PlanPreview, token: str) -> None:
    rows = [[InlineKeyboardButton(texts.PLAN_CONFIRM, callback_data=f"pi:ok:{token}"),
             InlineKeyboardButton(texts.PLAN_CANCEL, callback_data=f"pi:no:{token}")]]
    if pv.no_lead:
        rows.append([InlineKeyboardButton(texts.PLAN_SET_LEAD, callback_data=f"pi:lead:{token}")])
    rows.append([InlineKeyboardButton(texts.PLAN_AS_SHEET, callback_data=f"pi:xlsx:{token}")])
    await msg.reply_text(texts.plan_preview_text(pv)[:4000], reply_markup=InlineKeyboardMarkup(rows))


async def on_button(update: Update, context: DondocContext) -> None:
    query = update.callback_query
    if not await staff_button(update, context):
        return
    _, verb, token = ((query.data or "").split(":") + ["", ""])[:3]
    ctx = context.ctx
    if verb == "ok":
        await _confirm(update, context, token)
        return
    async with ctx.sessions() as s:
        state = await get_state(s, _key(context, STATE, token))
        if state is None:
            await query.answer()
            await query.edit_message_reply_markup(None)
            await query.message.reply_text(texts.PLAN_EXPIRED)
            return
        parsed = plan_from_json(state["plan"])
        if verb == "no":
            await clear_state(s, _key(context, STATE, token))
            await s.commit()
    await query.answer()
    if verb == "xlsx":
        buf = io.BytesIO()
        write_template(buf, parsed)
        await query.message.reply_document(buf.getvalue(), filename="ke_hoach_de_sua.xlsx",
                                           caption=texts.PLAN_SHEET_CAPTION)
    elif verb == "lead":
        await _ask_lead(query.message, context, parsed, token)
    elif verb == "no":
        await query.edit_message_reply_markup(None)
        await query.message.reply_text(texts.PLAN_CANCELLED)


async def _confirm(update: Update, context: DondocContext, token: str) -> None:
    """Take the preview in one statement (a second press finds it gone), then write the plan
    in the background, in batches."""
    query, ctx = update.callback_query, context.ctx
    async with ctx.sessions() as s:
        state = await take_state(s, _key(context, STATE, token))
        if state is not None:
            await set_state(s, _key(context, DONE, token), {"source": state.get("source")})
        already = state is None and await get_state(s, _key(context, DONE, token)) is not None
        await s.commit()
    await query.answer()
    if already:  # the first press removed the buttons already
        await query.message.reply_text(texts.PLAN_ALREADY_CONFIRMED)
        return
    await query.edit_message_reply_markup(None)
    if state is None:
        await query.message.reply_text(texts.PLAN_EXPIRED)
        return
    parsed = plan_from_json(state["plan"])
    context.application.create_task(_import(query.message, context, parsed, state.get("source")), update=update,
                                    name=f"plan-import-{update.update_id}")


async def _import(message: Message, context: DondocContext, parsed: ParsedPlan, source: str | None) -> None:
    ctx, member = context.ctx, context.member
    async with ctx.sessions() as s:
        res = await import_plan(s, parsed, today=ctx.clock.today(), source_name=source, imported_by_id=member.id,
                                policy=ReminderPolicy.from_settings(ctx.settings), batch_size=IMPORT_BATCH)
        audit(s, "plan_imported", member=member, plan_id=res.plan_id, created=res.created, updated=res.updated)
        await s.commit()
    await message.reply_text(texts.PLAN_IMPORTED.format(created=res.created, updated=res.updated,
                                                        cancelled=res.cancelled))


async def _ask_lead(message: Message, context: DondocContext, parsed: ParsedPlan, token: str) -> None:
    missing = [t.code for t in parsed.tasks if not t.lead]
    if not missing:
        await message.reply_text(texts.PLAN_LEAD_NONE_LEFT)
        return
    codes = ", ".join(missing[:12]) + (" …" if len(missing) > 12 else "")
    prompt = await message.reply_text(texts.PLAN_LEAD_PROMPT.format(n=len(missing), codes=codes),
                                      reply_markup=ForceReply(selective=True))
    async with context.ctx.sessions() as s:
        await set_state(s, _key(context, LEAD_PROMPT, str(prompt.message_id)), {"token": token})
        await s.commit()


class _ReplyToLeadPrompt(filters.MessageFilter):
    """A text message answering the bot's "which unit leads them?" question."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return bool(replied and replied.text and replied.text.startswith(texts.PLAN_LEAD_PROMPT_HEAD))


async def on_lead_reply(update: Update, context: DondocContext) -> None:
    msg, member, ctx = update.effective_message, context.member, context.ctx
    if member is None or member.role not in STAFF:
        return
    unit = " ".join((msg.text or "").split())
    async with ctx.sessions() as s:
        prompt = await get_state(s, _key(context, LEAD_PROMPT, str(msg.reply_to_message.message_id)))
        if prompt is None:
            await msg.reply_text(texts.PLAN_EXPIRED)
            raise ApplicationHandlerStop
        if not 2 <= len(unit) <= 300:
            await msg.reply_text(texts.PLAN_LEAD_BAD)
            raise ApplicationHandlerStop
        token = prompt["token"]
        state = await get_state(s, _key(context, STATE, token))
        if state is None:
            await msg.reply_text(texts.PLAN_EXPIRED)
            raise ApplicationHandlerStop
        parsed = plan_from_json(state["plan"])
        for t in parsed.tasks:
            if not t.lead:
                t.lead = [unit]
                t.support = [u for u in t.support if u != unit]
        await set_state(s, _key(context, STATE, token), {**state, "plan": parsed.to_json()})
        await clear_state(s, _key(context, LEAD_PROMPT, str(msg.reply_to_message.message_id)))
        pv = await preview_plan(s, parsed)
        await s.commit()
    await _send_preview(msg, pv, token)
    raise ApplicationHandlerStop


async def send_template(update: Update, context: DondocContext) -> None:
    buf = io.BytesIO()
    write_template(buf)
    await update.effective_message.reply_document(buf.getvalue(), filename="mau_ke_hoach.xlsx",
                                                  caption=texts.PLAN_TEMPLATE_CAPTION)


def register(app: Application) -> None:
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(MessageHandler(filters.PHOTO, on_photo))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & _ReplyToLeadPrompt(), on_lead_reply))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^pi:"))
    app.add_handler(CommandHandler(["maukehoach", "template"], send_template))
