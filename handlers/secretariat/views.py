"""The secretariat's views as Telegram messages: a view is recomputed from the database
and split into pages (`bot.services.reports`); the message carries ◀/▶ buttons whose
callback data names the view, its argument and the page (``sc:pg:<view>:<arg>:<page>``),
so a press recomputes the view and edits the message — nothing is kept in memory."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import actions, texts
from bot.services import reports as svc
from handlers.common import DondocContext
from storage.models import Unit

PREFIX = "sc"
PAGE = "sc:pg"  # args: view, arg, page
UNIT_PICK = "sc:u"  # args: view, unit id
TASK_PICK = "sc:t"  # args: view (tk | nh), task id
FILES = "sc:f"  # arg: task id
REMIND = "sc:n"  # arg: task id
NOOP = "sc:x"
MAX_PICK = 20

# views: od overdue (arg: unit id or "-"), up upcoming (days), pr progress (a | q | u | unit id),
# tk one task (task id), un one unit (unit id)
VIEWS = ("od", "up", "pr", "tk", "un")


def arg_text(update: Update) -> str:
    """Everything after the command, line breaks kept (context.args loses them)."""
    text = update.effective_message.text or ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


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
    return text


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


async def pick_unit(update: Update, context: DondocContext, query: str, view: str) -> Unit | None:
    """One unit for ``query``; else answer (not found / choose with buttons) and None."""
    async with context.ctx.sessions() as s:
        units = await svc.match_units(s, query)
    if len(units) == 1:
        return units[0]
    msg = update.effective_message
    if not units:
        await msg.reply_text(texts.SC_UNIT_NOT_FOUND.format(query=svc.cut(query, 100)))
        return None
    rows = [[InlineKeyboardButton(u.name[:60], callback_data=actions.make(UNIT_PICK, view, u.id))]
            for u in units[:MAX_PICK]]
    await msg.reply_text(texts.SC_UNIT_PICK.format(n=len(units), query=svc.cut(query, 100)),
                         reply_markup=InlineKeyboardMarkup(rows))
    return None


async def pick_task(update: Update, context: DondocContext, code: str, view: str) -> int | None:
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
