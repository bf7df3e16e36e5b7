"""Writing the policy into ``scheduled_reminders``. The database is the only place a
reminder lives: the scanner reads these rows, nothing is kept in the scheduler's memory.

Callers (plan import, check-in, extensions) use three functions, inside their own
transaction (they commit):

- ``await reschedule_assignment(session, assignment, policy, today)`` after an assignment
  is created, its ``due_date`` changes (an approved extension) or its status changes
  (done / cancelled / reopened). Idempotent: call it whenever in doubt.
- ``await cancel_assignment_reminders(session, assignment_id)`` drops every pending row.
- ``await snooze(session, assignment_id, member_id, until)`` — "Nhắc lại sau": one extra
  reminder for that member only at ``until`` (aware datetime).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.reminders.policy import (
    ACTIVE_STATUSES,
    KIND_OPENED,
    KIND_SNOOZE,
    ReminderPolicy,
    overdue_day,
    overdue_kind,
    overdue_level,
    reminder_times,
)
from storage import reminder_queries as q
from storage.models import Assignment, ScheduledReminder


async def reschedule_assignment(session: AsyncSession, assignment: Assignment, policy: ReminderPolicy,
                                today: date) -> None:
    """Make the assignment's pending reminders match the policy from ``today`` on.

    Future rows are inserted or moved; pending rows no longer wanted are deleted (an
    extension moves them, done/cancelled removes them, snoozes included). Rows already
    sent are left as they are; ``opened`` is never sent twice."""
    if assignment.id is None:
        session.add(assignment)
        await session.flush()
    if assignment.status not in ACTIVE_STATUSES:
        await q.delete_pending(session, assignment.id)
        return

    existing = [r for r in await q.assignment_reminders(session, assignment.id) if r.member_id is None]
    by_kind: dict[str, ScheduledReminder] = {}
    for r in sorted(existing, key=lambda r: not r.done):  # a pending row wins over a sent one
        by_kind[r.kind] = r
    wanted = reminder_times(assignment.due_date, assignment.role, today, policy)
    wanted = _skip_sent_overdue(wanted, by_kind, assignment.due_date, policy)

    keep: set[int] = set()
    for kind, fire_at in wanted:
        row = by_kind.get(kind)
        if row is None:
            row = ScheduledReminder(assignment_id=assignment.id, member_id=None, kind=kind, fire_at=fire_at)
            session.add(row)
            continue
        if row.done and (kind == KIND_OPENED or row.fire_at == fire_at):
            continue  # already sent for this date (and the claim key would stop a resend anyway)
        row.fire_at, row.done = fire_at, False
        keep.add(row.id)
    for r in existing:
        if not r.done and r.id not in keep:
            await session.delete(r)  # no longer wanted (moved, or a duplicate)
    await session.flush()


def _skip_sent_overdue(wanted, by_kind, due, policy):
    """If the overdue level the policy points at was already sent today, aim at the next."""
    out = []
    for kind, fire_at in wanted:
        level = overdue_level(kind)
        while level is not None:
            row = by_kind.get(overdue_kind(level))
            if not (row is not None and row.done and row.fire_at == fire_at):
                break
            level += 1
            kind, fire_at = overdue_kind(level), policy.at(overdue_day(due, level, policy))
        out.append((kind, fire_at))
    return out


async def cancel_assignment_reminders(session: AsyncSession, assignment_id: int) -> int:
    """Delete every pending reminder of the assignment (snoozes too). Returns how many."""
    return await q.delete_pending(session, assignment_id)


async def snooze(session: AsyncSession, assignment_id: int, member_id: int, until: datetime) -> ScheduledReminder:
    """One extra reminder for ``member_id`` alone at ``until``; a second snooze moves it."""
    if until.tzinfo is None:
        raise ValueError("snooze time must be timezone-aware")
    for r in await q.assignment_reminders(session, assignment_id):
        if r.member_id == member_id and r.kind == KIND_SNOOZE:
            r.fire_at, r.done = until, False
            await session.flush()
            return r
    row = ScheduledReminder(assignment_id=assignment_id, member_id=member_id, kind=KIND_SNOOZE, fire_at=until)
    session.add(row)
    await session.flush()
    return row


def snooze_until(today: date, days: int, policy: ReminderPolicy) -> datetime:
    """"Nhắc lại sau N ngày" → the reminder hour N days from today."""
    return policy.at(today + timedelta(days=days))
