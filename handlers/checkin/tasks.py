"""/viec (/tasks): the unit's open tasks, earliest due first."""

from __future__ import annotations

from telegram import Update

from bot import texts
from bot.services import checkins as svc
from handlers.checkin.wording import cut
from handlers.common import DondocContext
from storage.models import Member


async def my_tasks(update: Update, context: DondocContext) -> None:
    member, ctx = context.member, context.ctx
    if member.unit_id is None:
        await update.effective_message.reply_text(texts.CI_NO_UNIT)
        return
    today = ctx.clock.today()
    async with ctx.sessions() as s:
        m = await s.get(Member, member.id)
        tasks = await svc.open_tasks(s, m)
        unit = m.unit.name if m.unit else ""
    if not tasks:
        await update.effective_message.reply_text(texts.TASKS_NONE.format(unit=unit))
        return
    lines = [texts.TASKS_HEADER.format(unit=unit, n=len(tasks))]
    for t in tasks:
        status = f" — {texts.ASSIGNMENT_STATUS[t.status]}" + (f" {t.progress}%" if t.progress else "") \
            if t.status != "open" else ""
        lines.append(texts.TASKS_ITEM.format(code=t.code, title=cut(t.title, 160), due=texts.fmt_date(t.due),
                                             phrase=texts.days_phrase(t.due, today), status=status)
                     + (texts.TASKS_SUPPORT if t.role == "support" else ""))
    out, chunk = [], ""
    for line in lines:
        if len(chunk) + len(line) + 1 > 4000:
            out.append(chunk)
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    out.append(chunk)
    for c in out:
        await update.effective_message.reply_text(c)


