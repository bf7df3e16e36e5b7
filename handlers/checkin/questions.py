"""A member's question ("xong chưa?", "hạn khi nào?", "Q2.1 thế nào rồi?", "làm sao gửi báo
cáo?") is answered from the database — the task typed, the replied-to reminder's tasks, or
the unit's open tasks — and never recorded as a check-in. Thanks and greetings get a
short answer too: no message goes unanswered."""

from __future__ import annotations

from bot import texts
from bot.intents import Intent
from bot.services import checkins as svc
from handlers.checkin.wording import cut, send
from handlers.common import DondocContext
from storage.models import Member

MAX_LISTED = 10


async def answer_question(context: DondocContext, member: Member, chat_id: int, intent: Intent,
                          reply_to: int | None) -> None:
    if intent.topic == "how":
        await send(context, chat_id, texts.CI_HOW_TO_ANSWER)
        return
    today = context.ctx.clock.today()
    async with context.ctx.sessions() as s:
        m = await s.get(Member, member.id)
        unit = m.unit.name if m.unit else ""
        assignments = []
        if intent.task_code:
            a = await svc.unit_assignment_by_code(s, m, intent.task_code)
            if a is None:
                await send(context, chat_id, texts.CI_CODE_NOT_FOUND.format(code=intent.task_code))
                return
            assignments = [a]
        elif reply_to:
            ids = set(await svc.assignments_of_message(s, m.id, reply_to))
            assignments = [a for a in await svc.open_assignments(s, m.unit_id) if a.id in ids]
        if not assignments:
            assignments = await svc.open_assignments(s, m.unit_id)
        if not assignments:
            await send(context, chat_id, texts.TASKS_NONE.format(unit=unit))
            return
        lines = [texts.CI_ANSWER_HEAD.format(unit=unit)]
        for a in assignments[:MAX_LISTED]:
            line = texts.CI_ANSWER_TASK.format(
                code=a.task.code, title=cut(a.task.title, 160), due=texts.fmt_date(a.due_date),
                phrase=texts.days_phrase(a.due_date, today) if a.status in svc.OPEN_STATUSES
                else texts.ASSIGNMENT_STATUS[a.status].lower(),
                status=texts.ASSIGNMENT_STATUS.get(a.status, a.status),
                progress=texts.CI_ANSWER_PROGRESS.format(progress=a.progress) if a.progress else "",
                role=texts.TASKS_SUPPORT if a.role == "support" else "")
            ext = await svc.pending_extension(s, a.id)
            if ext is not None:
                line += texts.CI_ANSWER_PENDING_EXT.format(date=texts.fmt_date(ext.requested_due))
            lines.append(line)
        if len(assignments) > MAX_LISTED:
            lines.append(texts.DIGEST_MORE.format(n=len(assignments) - MAX_LISTED))
    lines.append(texts.CI_ANSWER_NOT_RECORDED)
    await send(context, chat_id, "\n".join(lines))


async def answer_chatter(context: DondocContext, member: Member, chat_id: int, intent: Intent) -> bool:
    """Thanks and greetings: a short, friendly answer. False for anything else."""
    if intent.topic == "thanks":
        await send(context, chat_id, texts.CI_THANKS)
        return True
    if intent.topic == "greeting":
        await send(context, chat_id, texts.CI_GREETING.format(name=member.full_name or ""))
        return True
    return False
