"""What a unit's first contact missed: a unit nobody could be reached in got no reminder
and no "giao phối hợp" notice (the scanner flags it to the secretariat instead). When its
first person joins, they receive its open tasks at once — the same reminder message the
scanner sends (a coordinating task as a "giao phối hợp" notice), recorded in
``reminder_log`` under the kind ``joined`` so that replies and buttons find their tasks and
nobody is briefed twice."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.messenger import DeliveryError, Messenger
from bot.reminders.compose import ReminderItem, compose
from bot.reminders.policy import KIND_OPENED
from bot.reminders.pacing import send_with_retry
from bot.services.checkins import open_assignments
from storage import reminder_queries as q
from storage.models import Member

log = logging.getLogger(__name__)

KIND_JOINED = "joined"


async def brief_newcomer(ctx, messenger: Messenger, member_id: int, *, now: datetime | None = None) -> int:
    """Send the unit's open tasks to its first person; returns how many tasks were sent."""
    now = now or ctx.clock.now()
    today = now.astimezone(ctx.settings.tz).date()
    async with ctx.sessions() as s, s.begin():
        m = await s.get(Member, member_id)
        if m is None or m.unit_id is None or m.chat_id is None or not m.active:
            return 0
        people = (await q.unit_people(s, {m.unit_id})).get(m.unit_id, [])
        if [p.id for p in people] != [m.id]:
            return 0  # not the first: the others have had the reminders
        assignments = await open_assignments(s, m.unit_id)
        units = await q.task_units(s, {a.task_id for a in assignments})
        claims = await q.insert_claims(s, [dict(assignment_id=a.id, member_id=m.id, kind=KIND_JOINED,
                                                status="claimed", claimed_by=ctx.instance, claimed_at=now)
                                           for a in assignments])
        claimed = {aid: log_id for log_id, aid, _, _ in claims}
        fences = [(log_id, 0) for log_id in claimed.values()]  # (log id, generation): claims just made
        items = [ReminderItem(assignment_id=a.id, kind=KIND_OPENED if a.role == "support" else KIND_JOINED,
                              code=a.task.code, title=a.task.title, due=a.due_date,
                              lead_units=units.get(a.task_id, ((), ()))[0],
                              support_units=units.get(a.task_id, ((), ()))[1])
                 for a in assignments if a.id in claimed]
        chat_id, role = m.chat_id, m.role
    if not items:
        return 0
    try:
        first = None
        for text, buttons in compose(items, today, role):
            sent = await send_with_retry(messenger, chat_id, text, buttons)
            first = first if first is not None else sent.message_id
    except DeliveryError as exc:
        log.warning("briefing member %s failed: %r", member_id, exc)
        async with ctx.sessions() as s, s.begin():
            await q.mark_final(s, fences, "failed", f"newcomer brief: {exc!r}")
        return 0
    async with ctx.sessions() as s, s.begin():
        await q.mark_sent(s, [(fences, first)], now)
    return len(items)
