"""The secretariat's commands: /quahan, /sapden, /tiendo, /nhiemvu, /donvi, /xuat,
/bieudo, /nhac, /thongbao (Vietnamese names first, English aliases after).

Only staff (secretariat, admin) may use them: the gate in `handlers.common` refuses the
commands for everyone else and logs the refusal; the buttons (callback prefix ``sc:``) are
re-checked here, because the gate only looks at commands.

Long answers are pages: the message carries ◀/▶ buttons whose callback data names the
view and its argument (``sc:pg:<view>:<arg>:<page>``), and a press recomputes the view and
edits the message — nothing is kept in memory between presses."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import actions, texts
from bot.plan_import.units import unit_key
from bot.services import reports as svc
from handlers.common import STAFF, DondocContext, command, staff_button
from handlers.messenger import TelegramMessenger
from storage.models import Member, Unit
from storage.queries import all_units, audit
from storage.state import clear_state, get_state, set_state, state_key

log = logging.getLogger(__name__)

PREFIX = "sc"
PAGE = "sc:pg"  # args: view, arg, page
UNIT_PICK = "sc:u"  # args: view, unit id
TASK_PICK = "sc:t"  # args: view (tk | nh), task id
FILES = "sc:f"  # arg: task id
REMIND = "sc:n"  # arg: task id
BROADCAST_OK = "sc:bc:ok"
BROADCAST_NO = "sc:bc:no"
NOOP = "sc:x"
MAX_PICK = 20
MAX_FILES = 20
BROADCAST_STATE = "broadcast"

# views: od overdue (arg: unit id or "-"), up upcoming (days), pr progress (a | q | u | unit id),
# tk one task (task id), un one unit (unit id)
VIEWS = ("od", "up", "pr", "tk", "un")

command("quahan", "overdue", description="Nhiệm vụ quá hạn theo đơn vị [tên đơn vị]", roles=STAFF)
command("sapden", "upcoming", description="Nhiệm vụ sắp đến hạn [số ngày, mặc định 7]", roles=STAFF)
command("tiendo", "progress", description="Tiến độ theo quý, theo đơn vị [quý | đơn vị | tên]", roles=STAFF)
command("nhiemvu", "task", description="Lịch sử một nhiệm vụ: nhắc, báo cáo, tệp, gia hạn <mã>", roles=STAFF)
command("donvi", "unit", description="Thông tin một đơn vị: thành viên, nhiệm vụ <tên>", roles=STAFF)
command("xuat", "export", description="Xuất bảng tính Excel toàn bộ dữ liệu", roles=STAFF)
command("bieudo", "chart", description="Biểu đồ tiến độ theo quý và đơn vị", roles=STAFF)
command("nhac", "remind", description="Gửi tin nhắc một nhiệm vụ ngay <mã>", roles=STAFF)
command("thongbao", "broadcast", description="Gửi thông báo tới các đơn vị [đơn vị…:] nội dung", roles=STAFF)


def _arg_text(update: Update, context: DondocContext) -> str:
    """Everything after the command, line breaks kept (context.args loses them)."""
    text = update.effective_message.text or ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


# --- views and pages -------------------------------------------------------------------------


async def render_view(context: DondocContext, view: str, arg: str) -> tuple[list[str], list[list[InlineKeyboardButton]]]:
    """The pages of a view and any buttons it adds under the page buttons."""
    ctx = context.ctx
    today, tz = ctx.clock.today(), ctx.settings.tz
    extra: list[list[InlineKeyboardButton]] = []
    async with ctx.sessions() as s:
        if view == "od":
            unit = await s.get(Unit, int(arg)) if arg.isdigit() else None
            pages = svc.render_overdue(await svc.overdue_report(s, today, tz, unit=unit))
        elif view == "up":
            pages = svc.render_upcoming(await svc.upcoming_report(s, today, int(arg)))
        elif view == "pr":
            unit = await s.get(Unit, int(arg)) if arg.isdigit() else None
            rep = await svc.progress_report(s, today, tz, unit=unit)
            pages = svc.render_progress(rep, "all" if unit else {"a": "all"}.get(arg, arg))
        elif view == "tk":
            d = await svc.task_detail(s, int(arg), today, tz)
            if d is None:
                return [texts.SC_EXPIRED], []
            pages = svc.render_task(d)
            row = []
            if d.files:
                row.append(InlineKeyboardButton(texts.SC_BTN_FILES.format(n=d.files),
                                                callback_data=actions.make(FILES, d.task_id)))
            if d.status == "open":
                row.append(InlineKeyboardButton(texts.SC_BTN_REMIND, callback_data=actions.make(REMIND, d.task_id)))
            if row:
                extra.append(row)
        elif view == "un":
            unit = await s.get(Unit, int(arg))
            if unit is None:
                return [texts.SC_EXPIRED], []
            pages = svc.render_unit(await svc.unit_detail(s, unit, today, tz))
        else:
            return [texts.SC_EXPIRED], []
    return pages, extra


def _markup(view: str, arg: str, page: int, n: int, extra) -> InlineKeyboardMarkup | None:
    rows = []
    if n > 1:
        nav = []
        if page > 0:
            nav.append(InlineKeyboardButton(texts.SC_PREV, callback_data=actions.make(PAGE, view, arg, page - 1)))
        nav.append(InlineKeyboardButton(texts.SC_PAGE.format(i=page + 1, n=n), callback_data=NOOP))
        if page < n - 1:
            nav.append(InlineKeyboardButton(texts.SC_NEXT, callback_data=actions.make(PAGE, view, arg, page + 1)))
        rows.append(nav)
    rows += extra
    return InlineKeyboardMarkup(rows) if rows else None


def _page_text(pages: list[str], page: int) -> str:
    text = pages[page]
    if len(pages) > 1:
        text += "\n\n" + texts.SC_PAGE.format(i=page + 1, n=len(pages))
    return text[:4096]


async def show(update: Update, context: DondocContext, view: str, arg: str, page: int = 0, *,
               edit: bool = False) -> None:
    pages, extra = await render_view(context, view, arg)
    page = max(0, min(page, len(pages) - 1))
    text, markup = _page_text(pages, page), _markup(view, arg, page, len(pages), extra)
    if edit and update.callback_query is not None:
        try:
            await update.callback_query.edit_message_text(text, reply_markup=markup)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
        return
    await update.effective_message.reply_text(text, reply_markup=markup)


async def _pick_unit(update: Update, context: DondocContext, query: str, view: str) -> Unit | None:
    """One unit for ``query``; else answer (not found / choose with buttons) and None."""
    async with context.ctx.sessions() as s:
        units = await svc.match_units(s, query)
    if len(units) == 1:
        return units[0]
    msg = update.effective_message
    if not units:
        await msg.reply_text(texts.SC_UNIT_NOT_FOUND.format(query=query))
        return None
    rows = [[InlineKeyboardButton(u.name[:60], callback_data=actions.make(UNIT_PICK, view, u.id))]
            for u in units[:MAX_PICK]]
    await msg.reply_text(texts.SC_UNIT_PICK.format(n=len(units), query=query), reply_markup=InlineKeyboardMarkup(rows))
    return None


async def _pick_task(update: Update, context: DondocContext, code: str, view: str) -> int | None:
    async with context.ctx.sessions() as s:
        found = await svc.find_tasks(s, code)
    if len(found) == 1:
        return found[0].task_id
    msg = update.effective_message
    if not found:
        await msg.reply_text(texts.SC_TASK_NOT_FOUND.format(code=code))
        return None
    rows = [[InlineKeyboardButton(svc.cut(f"{t.code}. {t.title} — {t.plan_title}", 60),
                                  callback_data=actions.make(TASK_PICK, view, t.task_id))] for t in found[:MAX_PICK]]
    await msg.reply_text(texts.SC_TASK_PICK.format(n=len(found), code=code), reply_markup=InlineKeyboardMarkup(rows))
    return None


# --- commands ----------------------------------------------------------------------------------


async def overdue(update: Update, context: DondocContext) -> None:
    query = _arg_text(update, context)
    if not query:
        await show(update, context, "od", "-")
        return
    unit = await _pick_unit(update, context, query, "od")
    if unit is not None:
        await show(update, context, "od", str(unit.id))


async def upcoming(update: Update, context: DondocContext) -> None:
    arg = _arg_text(update, context)
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
    arg = _arg_text(update, context)
    if not arg:
        await show(update, context, "pr", "a")
        return
    mode = texts.PROGRESS_MODE_WORDS.get(unit_key(arg))
    if mode:
        await show(update, context, "pr", mode)
        return
    unit = await _pick_unit(update, context, arg, "pr")
    if unit is not None:
        await show(update, context, "pr", str(unit.id))


async def task(update: Update, context: DondocContext) -> None:
    code = _arg_text(update, context)
    if not code or len(code) > 50:
        await update.effective_message.reply_text(texts.SC_TASK_USAGE)
        return
    task_id = await _pick_task(update, context, code, "tk")
    if task_id is not None:
        await show(update, context, "tk", str(task_id))


async def unit(update: Update, context: DondocContext) -> None:
    query = _arg_text(update, context)
    if not query:
        await update.effective_message.reply_text(texts.SC_UNIT_USAGE)
        return
    u = await _pick_unit(update, context, query, "un")
    if u is not None:
        await show(update, context, "un", str(u.id))


async def export(update: Update, context: DondocContext) -> None:
    from bot.services.export import build_workbook

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
    from bot.services.charts import MAX_UNITS, progress_chart

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
    code = _arg_text(update, context)
    if not code or len(code) > 50:
        await update.effective_message.reply_text(texts.SC_REMIND_USAGE)
        return
    task_id = await _pick_task(update, context, code, "nh")
    if task_id is not None:
        await _remind(update, context, task_id)


async def _remind(update: Update, context: DondocContext, task_id: int) -> None:
    from bot.services.announce import remind_task_now

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


def split_broadcast(arg: str) -> tuple[list[str], str]:
    """"Sở A, Sở B: nội dung" → (["Sở A", "Sở B"], "nội dung"); no colon → ([], arg)."""
    head, sep, body = arg.partition(":")
    if not sep or "\n" in head or len(head) > 300 or not body.strip():
        return [], arg
    names = [n.strip() for n in head.replace(";", ",").split(",") if n.strip()]
    return names, body.strip()


async def broadcast(update: Update, context: DondocContext) -> None:
    from bot.services.announce import broadcast_audience

    arg = _arg_text(update, context)
    msg, ctx, member = update.effective_message, context.ctx, context.member
    if not arg:
        await msg.reply_text(texts.SC_BROADCAST_USAGE)
        return
    names, body = split_broadcast(arg)
    async with ctx.sessions() as s:
        unit_ids: list[int] | None = None
        chosen: list[Unit] = []
        if names:
            matches = [(n, await svc.match_units(s, n)) for n in names]
            if all(found for _, found in matches):  # every name before ":" is a unit: a targeted announcement
                for n, found in matches:
                    if len(found) > 1:
                        await msg.reply_text(texts.SC_BROADCAST_AMBIGUOUS.format(
                            query=n, units="; ".join(u.name for u in found[:10])))
                        return
                    if found[0] not in chosen:
                        chosen.append(found[0])
                unit_ids = [u.id for u in chosen]
            else:  # "Lưu ý: …" is text, not units
                body = arg
        people, _ = await broadcast_audience(s, unit_ids, ctx.clock.today())
        if not people:
            await msg.reply_text(texts.SC_BROADCAST_NOBODY)
            return
        if unit_ids is None:
            where = texts.SC_BROADCAST_ALL_UNITS.format(n=len(await all_units(s)))
        else:
            where = texts.SC_BROADCAST_SOME_UNITS.format(names="; ".join(u.name for u in chosen))
        await set_state(s, state_key(member.channel, member.user_id or 0, BROADCAST_STATE),
                        {"text": body, "units": unit_ids})
        await s.commit()
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(texts.SC_BTN_SEND, callback_data=BROADCAST_OK),
                                    InlineKeyboardButton(texts.SC_BTN_CANCEL, callback_data=BROADCAST_NO)]])
    await msg.reply_text(texts.SC_BROADCAST_CONFIRM.format(people=len(people), units=where, text=body)[:4096],
                         reply_markup=markup)


async def _broadcast_decided(update: Update, context: DondocContext, send: bool) -> None:
    from bot.services.announce import broadcast as send_all

    query, ctx, member = update.callback_query, context.ctx, context.member
    key = state_key(member.channel, member.user_id or 0, BROADCAST_STATE)
    async with ctx.sessions() as s:
        st = await get_state(s, key)
        await clear_state(s, key)
        await s.commit()
    await query.answer()
    if st is None:
        await query.edit_message_reply_markup(None)
        await query.message.reply_text(texts.SC_EXPIRED)
        return
    if not send:
        await query.edit_message_text(texts.SC_BROADCAST_CANCELLED)
        return
    await query.edit_message_reply_markup(None)
    res = await send_all(ctx, TelegramMessenger(context.bot), texts.SC_BROADCAST_HEADER.format(text=st["text"]),
                         st.get("units"))
    async with ctx.sessions() as s:
        audit(s, "broadcast", member=member, units=st.get("units"), sent=res.sent, failed=res.failed,
              skipped=res.skipped)
        await s.commit()
    text = texts.SC_BROADCAST_DONE.format(
        sent=res.sent, total=res.sent + res.failed,
        failed=texts.SC_BROADCAST_FAILED.format(n=res.failed) if res.failed else "",
        skipped=texts.SC_BROADCAST_SKIPPED.format(n=res.skipped) if res.skipped else "")
    await query.message.reply_text(text)


# --- buttons ----------------------------------------------------------------------------------------


async def _send_files(update: Update, context: DondocContext, task_id: int) -> None:
    from storage.report_queries import task_attachments, task_with_plan

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
                await _remind(update, context, task_id)
            else:
                await show(update, context, "tk", str(task_id))
        elif verb == FILES and len(parts) == 3:
            task_id = int(parts[2])
            await query.answer()
            await _send_files(update, context, task_id)
        elif verb == REMIND and len(parts) == 3:
            task_id = int(parts[2])
            await query.answer()
            await _remind(update, context, task_id)
        elif query.data in (BROADCAST_OK, BROADCAST_NO):
            await _broadcast_decided(update, context, query.data == BROADCAST_OK)
        else:
            await query.answer()
    except ValueError:
        await query.answer(texts.SC_EXPIRED, show_alert=True)


def register(app: Application) -> None:
    app.add_handler(CommandHandler(["quahan", "overdue"], overdue))
    app.add_handler(CommandHandler(["sapden", "upcoming"], upcoming))
    app.add_handler(CommandHandler(["tiendo", "progress"], progress))
    app.add_handler(CommandHandler(["nhiemvu", "task"], task))
    app.add_handler(CommandHandler(["donvi", "unit"], unit))
    app.add_handler(CommandHandler(["xuat", "export"], export))
    app.add_handler(CommandHandler(["bieudo", "chart"], chart))
    app.add_handler(CommandHandler(["nhac", "remind"], remind))
    app.add_handler(CommandHandler(["thongbao", "broadcast"], broadcast))
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"))
