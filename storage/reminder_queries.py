"""Named queries of the reminder engine. Every query the scanner runs on each pass is
bounded by an index and a LIMIT, so its cost follows the number of reminders due, not
the number of tasks stored:

- due reminders: ``ix_sched_pending_fire (done, fire_at)`` range ``done = false AND fire_at <= now``;
- expired leases and due retries: ``ix_reminder_log_status_lease (status, lease_until)``;
- per-assignment rows: ``uq_sched_assignment_kind_member`` (leading ``assignment_id``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import and_, bindparam, delete, func, or_, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Assignment, DigestLog, Member, ReminderLog, ScheduledReminder, Task, Unit

ACTIVE = ("open", "in_progress", "blocked")
CLAIM_LEASE = timedelta(seconds=30)  # a new claim's lease; the sender renews it while it sends


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
    claim already taken by anyone a no-op. A row without a ``lease_until`` gets
    ``claimed_at + CLAIM_LEASE``. Returns (log id, assignment id, member id, kind) of the
    claims this call made (generation 0, first attempt)."""
    if not rows:
        return []
    rows = [{"attempts": 1, "generation": 0, **r,
             "lease_until": r.get("lease_until") or r["claimed_at"] + CLAIM_LEASE} for r in rows]
    stmt = (
        _insert(session, ReminderLog)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["assignment_id", "member_id", "kind"])
        .returning(ReminderLog.id, ReminderLog.assignment_id, ReminderLog.member_id, ReminderLog.kind)
    )
    return [tuple(r) for r in (await session.execute(stmt)).all()]


async def take_over(session: AsyncSession, now: datetime, lease_until: datetime, instance: str,
                    limit: int = 500) -> list:
    """Take claims whose lease ran out (their process died or stalled) and retries whose
    time has come: ``status → claimed``, ``generation + 1`` (the old holder can no longer
    mark them), ``attempts + 1``, a new lease. ``FOR UPDATE SKIP LOCKED`` on PostgreSQL
    splits them between processes. Returns rows (id, assignment_id, member_id, kind,
    generation, attempts, claimed_at, status before, error)."""
    RL = ReminderLog
    inner = (select(RL.id).where(RL.status.in_(("claimed", "retry")), RL.lease_until <= now)
             .order_by(RL.lease_until).limit(limit))
    if _is_pg(session):
        inner = inner.with_for_update(skip_locked=True)
    ids = list((await session.execute(inner)).scalars())
    if not ids:
        return []
    before = {r.id: (r.status, r.error) for r in (await session.execute(
        select(RL.id, RL.status, RL.error).where(RL.id.in_(ids)))).all()}
    stmt = (
        update(RL)
        .where(RL.id.in_(ids), RL.status.in_(("claimed", "retry")), RL.lease_until <= now)
        .values(status="claimed", generation=RL.generation + 1, attempts=RL.attempts + 1,
                claimed_by=instance, lease_until=lease_until)
        .returning(RL.id, RL.assignment_id, RL.member_id, RL.kind, RL.generation, RL.attempts, RL.claimed_at)
        .execution_options(synchronize_session=False)
    )
    return [(*r, *before.get(r[0], ("claimed", None))) for r in (await session.execute(stmt)).all()]


async def superseded(session: AsyncSession, pairs) -> set[tuple[int, int]]:
    """Of (assignment, member) pairs with a claim being retried, those that already got a
    later reminder (a newer row sent): that one carries the task, the old one is moot."""
    pairs = {(a, m, i) for a, m, i in pairs}
    if not pairs:
        return set()
    RL = ReminderLog
    rows = await session.execute(
        select(RL.assignment_id, RL.member_id, func.max(RL.id))
        .where(RL.assignment_id.in_({a for a, _, _ in pairs}), RL.status == "sent")
        .group_by(RL.assignment_id, RL.member_id))
    newest = {(a, m): i for a, m, i in rows.all()}
    return {(a, m) for a, m, i in pairs if newest.get((a, m), 0) > i}


def _fenced(pairs, t=ReminderLog.__table__):
    """Rows still held by this generation: only the holder of a claim may change it."""
    pairs = [tuple(p) for p in pairs]
    return and_(t.c.id.in_([i for i, _ in pairs]),  # the primary key narrows first
                tuple_(t.c.id, t.c.generation).in_(pairs))


async def renew_leases(session: AsyncSession, pairs, lease_until: datetime) -> int:
    if not pairs:
        return 0
    res = await session.execute(
        update(ReminderLog).where(_fenced(pairs), ReminderLog.status == "claimed")
        .values(lease_until=lease_until).execution_options(synchronize_session=False))
    return res.rowcount or 0


async def mark_sent(session: AsyncSession, items: list[tuple[list[tuple[int, int]], int | None]],
                    now: datetime) -> set[int]:
    """Mark claims sent in one statement: ``items`` are (the (log id, generation) claims
    one message carried, its message id). Returns the ids this holder still owned (a claim
    taken over meanwhile is left to its new holder).

    On PostgreSQL the commit does not wait for the WAL flush: the row survives the death
    of this process (only a database crash could lose it, costing one copy, never a
    reminder), and the window in which a kill leaves a delivered message unmarked shrinks."""
    rows = [{"lid": log_id, "gen": gen, "mid": mid} for fences, mid in items for log_id, gen in fences]
    if not rows:
        return set()
    if _is_pg(session):
        await session.execute(text("SET LOCAL synchronous_commit = off"))
    t = ReminderLog.__table__
    if len(items) == 1:  # the usual case: one statement, one round trip
        [(fences, mid)] = items
        res = await session.execute(
            update(t).where(_fenced(fences), t.c.status == "claimed")
            .values(status="sent", sent_at=now, error=None, lease_until=None, message_id=mid).returning(t.c.id))
        return set(res.scalars())
    await session.execute(
        update(t).where(t.c.id == bindparam("lid"), t.c.generation == bindparam("gen"), t.c.status == "claimed")
        .values(status="sent", sent_at=now, error=None, lease_until=None, message_id=bindparam("mid")), rows)
    mine = {(r["lid"], r["gen"]) for r in rows}
    got = await session.execute(select(t.c.id, t.c.generation).where(t.c.id.in_([r["lid"] for r in rows]),
                                                                     t.c.status == "sent"))
    return {i for i, g in got.all() if (i, g) in mine}


async def mark_retry(session: AsyncSession, pairs, error: str, next_at: datetime) -> int:
    """An attempt failed: the claims wait until ``next_at`` for the next one."""
    if not pairs:
        return 0
    res = await session.execute(
        update(ReminderLog).where(_fenced(pairs), ReminderLog.status == "claimed")
        .values(status="retry", lease_until=next_at, error=error[:500])
        .execution_options(synchronize_session=False))
    return res.rowcount or 0


async def mark_final(session: AsyncSession, pairs, status: str, error: str) -> int:
    """``failed`` (unreachable, member gone, the retry ceiling) or ``dropped`` (no longer
    relevant)."""
    if not pairs:
        return 0
    res = await session.execute(
        update(ReminderLog).where(_fenced(pairs), ReminderLog.status.in_(("claimed", "retry")))
        .values(status=status, error=error[:500], lease_until=None)
        .execution_options(synchronize_session=False))
    return res.rowcount or 0


async def take_unreported_give_ups(session: AsyncSession, now: datetime, prefix: str,
                                   limit: int = 200) -> list[tuple[str, str | None, str, str]]:
    """Reminders given up (``error`` starting with ``prefix``) the secretariat has not been
    told about: marked reported here (so one process tells), returned as (member name,
    unit name, task code, task title)."""
    RL = ReminderLog
    ids = list((await session.execute(
        select(RL.id).where(RL.status == "failed", RL.reported_at.is_(None), RL.error.like(prefix + "%"))
        .order_by(RL.id).limit(limit))).scalars())
    if not ids:
        return []
    taken = list((await session.execute(
        update(RL).where(RL.id.in_(ids), RL.reported_at.is_(None)).values(reported_at=now)
        .returning(RL.id).execution_options(synchronize_session=False))).scalars())
    if not taken:
        return []
    rows = await session.execute(
        select(Member.full_name, Unit.name, Task.code, Task.title)
        .select_from(RL).join(Member, Member.id == RL.member_id).outerjoin(Unit, Unit.id == Member.unit_id)
        .join(Assignment, Assignment.id == RL.assignment_id).join(Task, Task.id == Assignment.task_id)
        .where(RL.id.in_(taken)).order_by(Task.code, Member.full_name))
    return [tuple(r) for r in rows.all()]


async def open_deliveries(session: AsyncSession) -> int:
    """Claims not yet final (being sent or waiting for a retry)."""
    return (await session.execute(select(func.count()).select_from(ReminderLog).where(
        ReminderLog.status.in_(("claimed", "retry"))))).scalar_one()


# --- the global send rate -----------------------------------------------------------------------


async def take_send_slot(session: AsyncSession, name: str, interval: float) -> float:
    """Reserve the next sending slot of the rate shared by every process (PostgreSQL:
    one row, serialised by its row lock, on the server's clock). Returns how many seconds
    to wait for it."""
    await session.execute(text(
        "INSERT INTO send_slots (name, next_at) VALUES (:n, 0) ON CONFLICT (name) DO NOTHING"), {"n": name})
    row = (await session.execute(text(
        "UPDATE send_slots SET next_at = GREATEST(next_at, extract(epoch from clock_timestamp())) + :i "
        "WHERE name = :n RETURNING next_at - :i - extract(epoch from clock_timestamp())"),
        {"n": name, "i": interval})).scalar_one()
    return max(0.0, float(row))


async def give_back_send_slot(session: AsyncSession, name: str, interval: float) -> None:
    """A send Telegram refused (5xx, 429) used no slot: hand it back if it is still ahead."""
    await session.execute(text(
        "UPDATE send_slots SET next_at = next_at - :i "
        "WHERE name = :n AND next_at - :i >= extract(epoch from clock_timestamp())"), {"n": name, "i": interval})


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
