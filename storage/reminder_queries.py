"""Named queries of the reminder engine. Every query the scanner runs on each pass is
bounded by an index and a LIMIT, so its cost follows the number of reminders due, not
the number of tasks stored:

- due reminders: ``ix_sched_pending_fire (done, fire_at)`` range ``done = false AND fire_at <= now``;
- stale claims: ``ix_reminder_log_status (status, claimed_at)``;
- per-assignment rows: ``uq_sched_assignment_kind_member`` (leading ``assignment_id``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Assignment, DigestLog, Member, ReminderLog, ScheduledReminder, Task, Unit

ACTIVE = ("open", "in_progress", "blocked")


def _insert(session: AsyncSession, table):
    return (pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert)(table)


def _is_pg(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"


# --- scheduled reminders ------------------------------------------------------------------


async def due_reminders(session: AsyncSession, now: datetime, limit: int = 500) -> list[ScheduledReminder]:
    """Pending reminders whose time has come, oldest first (read only)."""
    rows = await session.execute(
        select(ScheduledReminder)
        .where(ScheduledReminder.done.is_(False), ScheduledReminder.fire_at <= now)
        .order_by(ScheduledReminder.fire_at)
        .limit(limit)
    )
    return list(rows.scalars())


async def claim_due_reminders(session: AsyncSession, now: datetime, limit: int = 500) -> list:
    """Atomically take up to ``limit`` due reminders: ``UPDATE … SET done = true … RETURNING``.
    On PostgreSQL the inner select uses ``FOR UPDATE SKIP LOCKED`` so concurrent scanners
    split the work; on SQLite the statement runs under the database's single write lock.
    A row returned here belongs to this transaction alone."""
    SR = ScheduledReminder
    inner = (
        select(SR.id)
        .where(SR.done.is_(False), SR.fire_at <= now)
        .order_by(SR.fire_at)
        .limit(limit)
    )
    if _is_pg(session):
        inner = inner.with_for_update(skip_locked=True)
    stmt = (
        update(SR)
        .where(SR.id.in_(inner.scalar_subquery()), SR.done.is_(False))
        .values(done=True)
        .returning(SR.id, SR.assignment_id, SR.member_id, SR.kind, SR.fire_at)
        .execution_options(synchronize_session=False)
    )
    return list((await session.execute(stmt)).all())


async def assignment_reminders(session: AsyncSession, assignment_id: int) -> list[ScheduledReminder]:
    rows = await session.execute(select(ScheduledReminder).where(ScheduledReminder.assignment_id == assignment_id))
    return list(rows.scalars())


async def delete_pending(session: AsyncSession, assignment_id: int, *, include_snoozes: bool = True,
                         keep_ids: set[int] | None = None) -> int:
    SR = ScheduledReminder
    cond = [SR.assignment_id == assignment_id, SR.done.is_(False)]
    if not include_snoozes:
        cond.append(SR.member_id.is_(None))
    if keep_ids:
        cond.append(SR.id.not_in(keep_ids))
    res = await session.execute(delete(SR).where(*cond).execution_options(synchronize_session=False))
    return res.rowcount or 0


async def next_fire_time(session: AsyncSession, after: datetime) -> datetime | None:
    return (await session.execute(
        select(func.min(ScheduledReminder.fire_at)).where(
            ScheduledReminder.done.is_(False), ScheduledReminder.fire_at > after))).scalar_one()


# --- assignments, units, recipients ---------------------------------------------------------


async def assignments_by_id(session: AsyncSession, ids) -> dict[int, Assignment]:
    if not ids:
        return {}
    rows = await session.execute(select(Assignment).where(Assignment.id.in_(list(ids))))
    return {a.id: a for a in rows.scalars()}


async def task_units(session: AsyncSession, task_ids) -> dict[int, tuple[tuple[str, ...], tuple[str, ...]]]:
    """task id → (lead unit names, support unit names), cancelled assignments left out."""
    out: dict[int, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    if task_ids:
        rows = await session.execute(
            select(Assignment.task_id, Assignment.role, Unit.name)
            .join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.task_id.in_(list(task_ids)), Assignment.status != "cancelled")
            .order_by(Assignment.task_id, Assignment.id)
        )
        for task_id, role, name in rows:
            out[task_id][0 if role == "lead" else 1].append(name)
    return {k: (tuple(v[0]), tuple(v[1])) for k, v in out.items()}


async def unit_people(session: AsyncSession, unit_ids) -> dict[int, list[Member]]:
    """Active members of the units with role member or unit_head, by unit."""
    out: dict[int, list[Member]] = defaultdict(list)
    if unit_ids:
        rows = await session.execute(
            select(Member).where(Member.unit_id.in_(list(unit_ids)), Member.active.is_(True),
                                 Member.role.in_(("member", "unit_head"))).order_by(Member.id))
        for m in rows.scalars():
            out[m.unit_id].append(m)
    return out


async def unit_names(session: AsyncSession, ids) -> dict[int, str]:
    if not ids:
        return {}
    return dict((await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(list(ids))))).all())


async def members_by_id(session: AsyncSession, ids) -> dict[int, Member]:
    if not ids:
        return {}
    rows = await session.execute(select(Member).where(Member.id.in_(list(ids))))
    return {m.id: m for m in rows.scalars()}


async def secretariat_contacts(session: AsyncSession) -> list[Member]:
    """Secretariat members the bot can write to."""
    rows = await session.execute(
        select(Member).where(Member.role == "secretariat", Member.active.is_(True), Member.reachable.is_(True),
                             Member.chat_id.is_not(None)).order_by(Member.id))
    return list(rows.scalars())


async def flag_unreachable(session: AsyncSession, member_id: int, now: datetime) -> bool:
    """Mark a member unreachable; True only for the call that flipped the flag, so the
    secretariat is told once however many sends fail."""
    res = await session.execute(
        update(Member).where(Member.id == member_id, Member.reachable.is_(True))
        .values(reachable=False, unreachable_since=now).execution_options(synchronize_session=False))
    return (res.rowcount or 0) == 1


# --- claims (reminder_log) ----------------------------------------------------------------------


async def insert_claims(session: AsyncSession, rows: list[dict]) -> list[tuple[int, int, int, str]]:
    """Insert ``reminder_log`` claims; the unique (assignment, member, kind) key makes a
    claim already taken by anyone a no-op. Returns (log id, assignment id, member id, kind)
    of the claims this call made."""
    if not rows:
        return []
    stmt = (
        _insert(session, ReminderLog)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["assignment_id", "member_id", "kind"])
        .returning(ReminderLog.id, ReminderLog.assignment_id, ReminderLog.member_id, ReminderLog.kind)
    )
    return [tuple(r) for r in (await session.execute(stmt)).all()]


async def stale_claims(session: AsyncSession, cutoff: datetime, limit: int = 500) -> list[ReminderLog]:
    rows = await session.execute(
        select(ReminderLog).where(ReminderLog.status == "claimed", ReminderLog.claimed_at < cutoff)
        .order_by(ReminderLog.claimed_at).limit(limit))
    return list(rows.scalars())


async def reclaim(session: AsyncSession, log_id: int, old_claimed_at: datetime, now: datetime,
                  instance: str, note: str) -> bool:
    """Take over a stale claim (compare-and-set on ``claimed_at``)."""
    res = await session.execute(
        update(ReminderLog)
        .where(ReminderLog.id == log_id, ReminderLog.status == "claimed", ReminderLog.claimed_at == old_claimed_at)
        .values(claimed_at=now, claimed_by=instance, error=note)
        .execution_options(synchronize_session=False))
    return (res.rowcount or 0) == 1


async def mark_sent(session: AsyncSession, log_ids, message_id: int, now: datetime) -> None:
    await session.execute(
        update(ReminderLog).where(ReminderLog.id.in_(list(log_ids)))
        .values(status="sent", sent_at=now, message_id=message_id, error=None)
        .execution_options(synchronize_session=False))


async def mark_failed(session: AsyncSession, log_ids, error: str, *, keep_claimed: bool = False) -> None:
    """``keep_claimed``: leave the claim in place so the stale-claim pass retries it once."""
    values = {"error": error[:500]}
    if not keep_claimed:
        values["status"] = "failed"
    await session.execute(
        update(ReminderLog).where(ReminderLog.id.in_(list(log_ids))).values(**values)
        .execution_options(synchronize_session=False))


# --- digest ---------------------------------------------------------------------------------------


async def claim_digest(session: AsyncSession, member_id: int, day: date, kind: str = "digest") -> int | None:
    """Insert the (member, day, kind) row; its id when this call made it, else None."""
    stmt = (
        _insert(session, DigestLog).values(member_id=member_id, day=day, kind=kind)
        .on_conflict_do_nothing(index_elements=["member_id", "day", "kind"])
        .returning(DigestLog.id))
    return (await session.execute(stmt)).scalar_one_or_none()


async def mark_digest_sent(session: AsyncSession, digest_id: int, message_id: int, now: datetime) -> None:
    await session.execute(update(DigestLog).where(DigestLog.id == digest_id)
                          .values(sent_at=now, message_id=message_id).execution_options(synchronize_session=False))


async def overdue_lead_assignments(session: AsyncSession, today: date) -> list[tuple[str, str, str, date]]:
    """(unit name, task code, task title, due) of open lead assignments past due."""
    rows = await session.execute(
        select(Unit.name, Task.code, Task.title, Assignment.due_date)
        .join(Assignment, Assignment.unit_id == Unit.id).join(Task, Task.id == Assignment.task_id)
        .where(Assignment.status.in_(ACTIVE), Assignment.role == "lead", Assignment.due_date < today)
        .order_by(Unit.name, Assignment.due_date, Task.code))
    return [tuple(r) for r in rows]


async def due_between(session: AsyncSession, first: date, last: date) -> list[tuple[str, str, date, str]]:
    """(task code, title, due, lead unit name) of open lead assignments due in [first, last]."""
    rows = await session.execute(
        select(Task.code, Task.title, Assignment.due_date, Unit.name)
        .join(Assignment, Assignment.task_id == Task.id).join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.status.in_(ACTIVE), Assignment.role == "lead",
               Assignment.due_date >= first, Assignment.due_date <= last)
        .order_by(Assignment.due_date, Task.code))
    return [tuple(r) for r in rows]


async def unreachable_members(session: AsyncSession) -> list[tuple[str, str | None, datetime | None]]:
    rows = await session.execute(
        select(Member.full_name, Unit.name, Member.unreachable_since)
        .outerjoin(Unit, Unit.id == Member.unit_id)
        .where(Member.active.is_(True), Member.reachable.is_(False)).order_by(Unit.name, Member.full_name))
    return [tuple(r) for r in rows]


async def units_without_reachable_people(session: AsyncSession, today: date) -> list[str]:
    """Units with open assignments and nobody the bot can write to today."""
    reachable = (
        select(Member.id).where(
            Member.unit_id == Unit.id, Member.active.is_(True), Member.reachable.is_(True),
            Member.chat_id.is_not(None), Member.role.in_(("member", "unit_head")),
            or_(Member.on_leave_until.is_(None), Member.on_leave_until < today))
        .exists())
    has_work = (select(Assignment.id).where(Assignment.unit_id == Unit.id, Assignment.status.in_(ACTIVE))
                .exists())
    rows = await session.execute(select(Unit.name).where(and_(has_work, ~reachable)).order_by(Unit.name))
    return list(rows.scalars())
