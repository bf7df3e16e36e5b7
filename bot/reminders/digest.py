"""The secretariat's morning digest: overdue tasks by unit, tasks due this week,
members the bot cannot reach, units with nobody reachable. Sent each working day from
the reminder hour on, once per secretariat member and day (``digest_log`` unique key),
so calling it from every scan pass is cheap and catches up a missed morning."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta

from bot import texts
from bot.messenger import DeliveryError, Messenger
from bot.reminders.pacing import send_with_retry
from bot.reminders.policy import ReminderPolicy, is_working_day
from storage import reminder_queries as q
from storage import report_queries as rq

log = logging.getLogger(__name__)

MAX_LINES = 25
MAX_TEXT = 4000


def _limited(lines: list[str], n: int = MAX_LINES) -> list[str]:
    return lines if len(lines) <= n else lines[:n] + [texts.DIGEST_MORE.format(n=len(lines) - n)]


async def build_digest(session, today: date) -> str:
    overdue = await q.overdue_lead_assignments(session, today)
    week_end = today + timedelta(days=6 - today.weekday())
    due_week = await q.due_between(session, today, week_end)
    unreachable = await q.unreachable_members(session)
    nobody = await q.units_without_reachable_people(session, today)
    # tasks nobody leads are listed as "chưa giao đơn vị", never left out
    unassigned = texts.STANDING["unassigned"].capitalize()
    for t in await rq.overdue_unassigned(session, today):
        overdue.append((unassigned, t.code, t.title, t.due))
    for t in await rq.unassigned_tasks(session, first=today, last=week_end):
        due_week.append((t.code, t.title, t.due, texts.STANDING["unassigned"]))

    lines = [texts.DIGEST_HEADER.format(date=texts.fmt_date(today))]
    if overdue:
        by_unit: dict[str, list[str]] = defaultdict(list)
        for unit, code, _title, due in overdue:
            by_unit[unit].append(f"{code} ({texts.days_phrase(due, today)})")
        lines += ["", texts.DIGEST_OVERDUE.format(n=len(overdue))]
        lines += _limited([texts.DIGEST_OVERDUE_UNIT.format(unit=u, tasks=", ".join(t[:10]) + (" …" if len(t) > 10 else ""))
                           for u, t in by_unit.items()])
    if due_week:
        by_task: dict[tuple[str, str, date], list[str]] = defaultdict(list)
        for code, title, due, unit in due_week:
            by_task[(code, title, due)].append(unit)
        lines += ["", texts.DIGEST_DUE_WEEK.format(n=len(by_task))]
        lines += _limited([texts.DIGEST_DUE_ITEM.format(code=c, title=t[:80], date=texts.fmt_date(d), units="; ".join(u))
                           for (c, t, d), u in by_task.items()])
    if unreachable:
        lines += ["", texts.DIGEST_UNREACHABLE.format(n=len(unreachable))]
        lines += _limited([texts.DIGEST_UNREACHABLE_ITEM.format(
            name=n, unit=u or texts.NO_UNITS, since=texts.fmt_date(s.date()) if s else texts.NO_UNITS)
            for n, u, s in unreachable])
    if nobody:
        lines += ["", texts.DIGEST_NOBODY.format(units="; ".join(nobody[:30]) + (" …" if len(nobody) > 30 else ""))]
    if not overdue and not due_week:
        lines += ["", texts.DIGEST_ALL_CLEAR]
    return "\n".join(lines)[:MAX_TEXT]


async def send_digests(ctx, messenger: Messenger, *, now: datetime | None = None, force: bool = False) -> int:
    """Send today's digest to each secretariat member who has not had it; returns how many
    were sent. Does nothing before the reminder hour or on a day off (unless ``force``)."""
    now = now or ctx.clock.now()
    policy = ReminderPolicy.from_settings(ctx.settings)
    local = now.astimezone(policy.tz)
    today = local.date()
    if not force and (local.hour < policy.hour or not is_working_day(today)):
        return 0
    async with ctx.sessions() as s, s.begin():
        todo = []
        for m in await q.secretariat_contacts(s):
            digest_id = await q.claim_digest(s, m.id, today, "digest")
            if digest_id:
                todo.append((m, digest_id))
        text = await build_digest(s, today) if todo else ""
    sent = 0
    for m, digest_id in todo:
        try:
            msg = await send_with_retry(messenger, m.chat_id, text)
        except DeliveryError as exc:
            log.warning("digest to member %s failed: %r", m.id, exc)
            continue
        async with ctx.sessions() as s, s.begin():
            await q.mark_digest_sent(s, digest_id, msg.message_id, now)
        sent += 1
    return sent
