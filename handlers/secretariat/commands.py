"""The secretariat's report commands: /quahan, /sapden, /tiendo, /nhiemvu, /donvi, /xuat,
/bieudo, /nhac — and the files of a task sent back on request."""

from __future__ import annotations

import asyncio
from pathlib import Path

from telegram import InputFile, Update

from bot import texts
from bot.services import reports as svc
from bot.services.announce import remind_task_now
from bot.services.charts import MAX_UNITS, progress_chart
from bot.services.export import build_workbook
from bot.plan_import.units import unit_key
from handlers.common import DondocContext
from handlers.messenger import TelegramMessenger
from handlers.secretariat.views import arg_text, pick_task, pick_unit, show
from storage.models import Member
from storage.queries import audit
from storage.report_queries import task_attachments, task_with_plan

MAX_FILES = 20


async def _show_for_unit(update: Update, context: DondocContext, view: str, query: str) -> None:
    """The view narrowed to the unit ``query`` names (asked back when several match)."""
    found = await pick_unit(update, context, query, view)
    if found is not None:
        await show(update, context, view, str(found.id))


async def overdue(update: Update, context: DondocContext) -> None:
    query = arg_text(update)
    if not query:
        await show(update, context, "od", "-")
        return
    await _show_for_unit(update, context, "od", query)


async def upcoming(update: Update, context: DondocContext) -> None:
    arg = arg_text(update)
    days = 7
    if arg:
        try:
            days = int(arg.split()[0])
        except ValueError:
            days = -1
        if not 1 <= days <= 366:
            await update.effective_message.reply_text(texts.SC_UPCOMING_USAGE)
            return
    await show(update, context, "up", str(days))


async def progress(update: Update, context: DondocContext) -> None:
    arg = arg_text(update)
    if not arg:
        await show(update, context, "pr", "a")
        return
    mode = texts.PROGRESS_MODE_WORDS.get(unit_key(arg))
    if mode:
        await show(update, context, "pr", mode)
        return
    await _show_for_unit(update, context, "pr", arg)


async def task(update: Update, context: DondocContext) -> None:
    code = arg_text(update)
    if not code or len(code) > 50:
        await update.effective_message.reply_text(texts.SC_TASK_USAGE)
        return
    await show_task(update, context, code)


async def show_task(update: Update, context: DondocContext, code: str) -> None:
    task_id = await pick_task(update, context, code, "tk")
    if task_id is not None:
        await show(update, context, "tk", str(task_id))


async def unit(update: Update, context: DondocContext) -> None:
    query = arg_text(update)
    if not query:
        await update.effective_message.reply_text(texts.SC_UNIT_USAGE)
        return
    await _show_for_unit(update, context, "un", query)


async def export(update: Update, context: DondocContext) -> None:
    ctx = context.ctx
    today = ctx.clock.today()
    async with ctx.sessions() as s:
        wb = await build_workbook(s, today, ctx.settings.tz)
        audit(s, "export", member=context.member, tasks=wb.tasks, assignments=wb.assignments)
        await s.commit()
    await update.effective_message.reply_document(
        InputFile(wb.content, filename=texts.SC_EXPORT_NAME.format(date=today.strftime("%Y%m%d"))),
        caption=texts.SC_EXPORT_CAPTION.format(date=texts.fmt_date(today), tasks=wb.tasks,
                                               assignments=wb.assignments, checkins=wb.checkins))


async def chart(update: Update, context: DondocContext) -> None:
    ctx = context.ctx
    today = ctx.clock.today()
    async with ctx.sessions() as s:
        rep = await svc.progress_report(s, today, ctx.settings.tz)
    if not rep.overall.total:
        await update.effective_message.reply_text(texts.SC_CHART_NONE)
        return
    png = await asyncio.to_thread(progress_chart, rep)
    more = texts.SC_CHART_MORE.format(shown=MAX_UNITS, total=len(rep.by_unit)) if len(rep.by_unit) > MAX_UNITS else ""
    await update.effective_message.reply_photo(
        InputFile(png, filename="tiendo.png"),
        caption=texts.SC_CHART_CAPTION.format(date=texts.fmt_date(today), more=more))


async def remind(update: Update, context: DondocContext) -> None:
    code = arg_text(update)
    if not code or len(code) > 50:
        await update.effective_message.reply_text(texts.SC_REMIND_USAGE)
        return
    task_id = await pick_task(update, context, code, "nh")
    if task_id is not None:
        await remind_now(update, context, task_id)


async def remind_now(update: Update, context: DondocContext, task_id: int) -> None:
    ctx = context.ctx
    res = await remind_task_now(ctx, TelegramMessenger(context.bot), task_id)
    async with ctx.sessions() as s:
        audit(s, "remind_now", member=context.member, task_id=task_id, sent=res.sent, failed=res.failed)
        await s.commit()
    if not res.open_assignments:
        text = texts.SC_REMIND_CLOSED.format(code=res.code)
    else:
        lines = [texts.SC_REMIND_DONE.format(code=res.code, sent=res.sent)]
        if res.failed:
            lines.append(texts.SC_REMIND_FAILED.format(n=res.failed))
        if res.nobody_units:
            lines.append(texts.SC_REMIND_NOBODY.format(units="; ".join(res.nobody_units)))
        text = "\n".join(lines)
    await context.bot.send_message(update.effective_chat.id, text)


async def send_files(update: Update, context: DondocContext, task_id: int) -> None:
    ctx = context.ctx
    chat_id = update.effective_chat.id
    async with ctx.sessions() as s:
        files = await task_attachments(s, task_id)
        got = await task_with_plan(s, task_id)
        owners = {}
        for a in files:
            m = await s.get(Member, a.member_id)
            owners[a.id] = (m.unit.name if m and m.unit else texts.NO_UNITS)
    if not files or got is None:
        await context.bot.send_message(chat_id, texts.SC_FILES_NONE)
        return
    code = got[0].code
    for a in files[:MAX_FILES]:
        path = Path(a.stored_path)
        if not path.exists():
            await context.bot.send_message(chat_id, texts.SC_FILE_MISSING.format(name=a.file_name))
            continue
        caption = texts.SC_FILE_CAPTION.format(code=code, name=a.file_name, unit=owners[a.id],
                                               time=texts.fmt_datetime(a.created_at.astimezone(ctx.settings.tz)))
        await context.bot.send_document(chat_id, InputFile(path.read_bytes(), filename=a.file_name),
                                        caption=caption[:1024])
