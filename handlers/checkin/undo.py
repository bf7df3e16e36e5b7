"""/huy (/undo): first a pending question is left (nothing is undone then); otherwise the
member's last answer within ten minutes is taken back, saying exactly which — never one
that someone's later answer on the same task has overtaken."""

from __future__ import annotations

from telegram import Update

from bot import texts
from bot.services import checkins as svc
from bot.services.checkins import CheckinRefused
from handlers.checkin import conversation as conv
from handlers.checkin.answers import policy
from handlers.checkin.wording import cut
from handlers.common import DondocContext
from storage.models import Member
from storage.queries import audit


def undone_what(res: svc.UndoResult) -> str:
    template = texts.CI_UNDONE_WHAT.get(res.kind)
    if template is None:
        return texts.CI_STATUS.get(res.kind, res.kind)
    return template.format(progress=res.progress if res.progress is not None else 0,
                           date=texts.fmt_date(res.requested_due))


async def undo(update: Update, context: DondocContext) -> None:
    member, ctx = context.member, context.ctx
    tz = ctx.settings.tz
    now = ctx.clock.now()
    async with ctx.sessions() as s:
        m = await s.get(Member, member.id)
        st = await conv.load(s, m, now)
        if st is not None:
            await conv.drop(s, m)
            await s.commit()
            await update.effective_message.reply_text(texts.CI_UNDO_QUESTION.format(what=conv.describe(st)))
            return
        try:
            res = await svc.undo_last(s, m, now=now, today=ctx.clock.today(), policy=policy(context))
        except CheckinRefused:
            ci = await svc.last_checkin(s, m)
            a = await svc.member_assignment(s, m, ci.assignment_id)
            await update.effective_message.reply_text(texts.CI_UNDO_SUPERSEDED.format(
                time=texts.fmt_datetime(ci.created_at.astimezone(tz)), code=a.task.code))
            return
        if res is not None:
            audit(s, "checkin_undone", member=m, assignment_id=res.task.assignment_id, kind=res.kind)
        await s.commit()
    if res is None:
        await update.effective_message.reply_text(texts.CI_NOTHING_TO_UNDO)
        return
    text = texts.CI_UNDONE.format(what=undone_what(res), time=texts.fmt_datetime(res.at.astimezone(tz)),
                                  code=res.task.code, title=cut(res.task.title, 200),
                                  status=texts.ASSIGNMENT_STATUS.get(res.task.status, res.task.status),
                                  progress=res.task.progress)
    if res.kind == "extension":
        text += "\n" + texts.CI_UNDONE_EXTENSION
    if res.files:
        text += "\n" + texts.CI_UNDONE_FILES.format(files=", ".join(f.name for f in res.files))
    await update.effective_message.reply_text(text)
