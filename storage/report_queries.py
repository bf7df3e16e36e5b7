"""Named queries behind the secretariat's reports (/quahan, /sapden, /tiendo, /nhiemvu,
/donvi, /xuat, /bieudo). Each report is a few grouped queries, never one query per row:

- overdue / upcoming: one join of assignments, tasks and units over the
  ``ix_assignments_status_due (status, due_date)`` range, with the number of reminders
  sent as a correlated count on ``uq_reminder_assignment_member_kind`` (leading
  ``assignment_id``);
- status counts: one ``GROUP BY`` per unit and one per quarter, the four progress
  categories computed by a ``CASE`` in the database;
- one task's or one unit's history: a handful of queries keyed by its id;
- tasks nobody leads yet ("chưa giao đơn vị"): the same filters over ``tasks`` with
  ``NOT EXISTS`` a lead assignment, so such a task is counted and listed, never lost.

Plain rows and dataclasses only: no Telegram types here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, extract, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Assignment,
    Attachment,
    CheckIn,
    ExtensionRequest,
    Member,
    Plan,
    ReminderLog,
    Task,
    Unit,
)

ACTIVE = ("open", "in_progress", "blocked")

# progress categories (keys used by the services, the workbook and the chart)
DONE_ON_TIME = "done_on_time"
DONE_LATE = "done_late"
OPEN_ON_TIME = "open_on_time"
OPEN_LATE = "open_late"
CATEGORIES = (DONE_ON_TIME, DONE_LATE, OPEN_ON_TIME, OPEN_LATE)


def _is_pg(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"


@dataclass(frozen=True)
class AssignmentRow:
    assignment_id: int
    task_id: int
    unit_id: int
    unit_name: str
    code: str
    title: str
    role: str
    status: str
    progress: int
    due: date | None
    last_checkin_at: datetime | None
    reminders_sent: int
    reported: bool = False  # a check-in not undone exists


def _sent_count():
    return (
        select(func.count(func.distinct(ReminderLog.message_id)))  # one combined catch-up is one reminder
        .where(ReminderLog.assignment_id == Assignment.id, ReminderLog.status == "sent")
        .correlate(Assignment)
        .scalar_subquery()
    )


def _reported():
    """Whether the assignment has a check-in that was not undone (the one truth behind
    "đã báo cáo": a report file counts, an undone answer does not)."""
    return (
        select(CheckIn.id)
        .where(CheckIn.assignment_id == Assignment.id, CheckIn.undone_at.is_(None))
        .correlate(Assignment)
        .exists()
    )


def _assignment_select():
    return (
        select(Assignment.id, Assignment.task_id, Assignment.unit_id, Unit.name, Task.code, Task.title,
               Assignment.role, Assignment.status, Assignment.progress, Assignment.due_date,
               Assignment.last_checkin_at, _sent_count(), _reported())
        .join(Task, Task.id == Assignment.task_id)
        .join(Unit, Unit.id == Assignment.unit_id)
    )


def _rows(result) -> list[AssignmentRow]:
    return [AssignmentRow(aid, tid, uid, uname, code, title, role, status, progress or 0, due, last, sent or 0,
                          bool(rep))
            for aid, tid, uid, uname, code, title, role, status, progress, due, last, sent, rep in result]


async def overdue_assignments(session: AsyncSession, today: date, unit_ids=None) -> list[AssignmentRow]:
    """Assignments still to do whose (effective) due date is before ``today``, by unit
    name then most late first."""
    stmt = _assignment_select().where(Assignment.status.in_(ACTIVE), Task.status == "open",
                                      Assignment.due_date < today)
    if unit_ids is not None:
        stmt = stmt.where(Assignment.unit_id.in_(list(unit_ids)))
    stmt = stmt.order_by(Unit.name, Assignment.due_date, Task.code, Assignment.id)
    return _rows(await session.execute(stmt))


async def upcoming_assignments(session: AsyncSession, first: date, last: date, unit_ids=None) -> list[AssignmentRow]:
    """Assignments still to do due in [first, last], earliest first."""
    stmt = _assignment_select().where(Assignment.status.in_(ACTIVE), Task.status == "open",
                                      Assignment.due_date >= first, Assignment.due_date <= last)
    if unit_ids is not None:
        stmt = stmt.where(Assignment.unit_id.in_(list(unit_ids)))
    stmt = stmt.order_by(Assignment.due_date, Task.code, Unit.name, Assignment.id)
    return _rows(await session.execute(stmt))


async def unit_open_assignments(session: AsyncSession, unit_id: int) -> list[AssignmentRow]:
    stmt = (_assignment_select()
            .where(Assignment.unit_id == unit_id, Assignment.status.in_(ACTIVE), Task.status == "open")
            .order_by(Assignment.due_date.is_(None), Assignment.due_date, Task.code))
    return _rows(await session.execute(stmt))


# --- tasks nobody leads ----------------------------------------------------------------------


def _has_lead():
    return (
        select(Assignment.id)
        .where(Assignment.task_id == Task.id, Assignment.role == "lead", Assignment.status != "cancelled")
        .correlate(Task)
        .exists()
    )


@dataclass(frozen=True)
class UnassignedTask:
    task_id: int
    code: str
    title: str
    due: date | None
    status: str


async def unassigned_tasks(session: AsyncSession, *, first: date | None = None, last: date | None = None,
                           open_only: bool = True) -> list[UnassignedTask]:
    """Tasks without a lead unit (not cancelled), due in [first, last] when given, by due date."""
    stmt = select(Task.id, Task.code, Task.title, Task.due_date, Task.status).where(~_has_lead())
    stmt = stmt.where(Task.status == "open") if open_only else stmt.where(Task.status != "cancelled")
    if first is not None:
        stmt = stmt.where(Task.due_date >= first)
    if last is not None:
        stmt = stmt.where(Task.due_date <= last)
    stmt = stmt.order_by(Task.due_date.is_(None), Task.due_date, Task.code, Task.id)
    return [UnassignedTask(*r) for r in await session.execute(stmt)]


async def overdue_unassigned(session: AsyncSession, today: date) -> list[UnassignedTask]:
    """Open tasks without a lead unit whose due date is before ``today``."""
    return await unassigned_tasks(session, last=today - timedelta(days=1))


# --- progress categories ------------------------------------------------------------------


def _local_date(session: AsyncSession, col, tz: ZoneInfo, today: date):
    """The local calendar date of an aware-UTC column, in SQL."""
    if _is_pg(session):
        return func.date(func.timezone(tz.key, col))
    offset = tz.utcoffset(datetime(today.year, today.month, today.day))
    minutes = int((offset or timedelta(0)).total_seconds() // 60)
    return func.date(col, f"{minutes:+d} minutes")


def _category(session: AsyncSession, today: date, tz: ZoneInfo):
    done_day = _local_date(session, Assignment.done_at, tz, today)
    return case(
        (and_(Assignment.status == "done",
              or_(Assignment.due_date.is_(None), Assignment.done_at.is_(None), done_day <= Assignment.due_date)),
         literal(DONE_ON_TIME)),
        (Assignment.status == "done", literal(DONE_LATE)),
        (or_(Assignment.due_date.is_(None), Assignment.due_date >= today), literal(OPEN_ON_TIME)),
        else_=literal(OPEN_LATE),
    )


def _counted(roles):
    cond = [Assignment.status != "cancelled", Task.status != "cancelled"]
    if roles:
        cond.append(Assignment.role.in_(list(roles)))
    return cond


async def status_counts_by_unit(session: AsyncSession, today: date, tz: ZoneInfo, *,
                                roles=("lead",), unit_ids=None) -> list[tuple[int, str, str, int]]:
    """(unit id, unit name, category, count) for assignments not cancelled."""
    cat = _category(session, today, tz).label("cat")
    stmt = (select(Unit.id, Unit.name, cat, func.count(Assignment.id))
            .select_from(Assignment).join(Task, Task.id == Assignment.task_id)
            .join(Unit, Unit.id == Assignment.unit_id)
            .where(*_counted(roles)))
    if unit_ids is not None:
        stmt = stmt.where(Assignment.unit_id.in_(list(unit_ids)))
    stmt = stmt.group_by(Unit.id, Unit.name, cat).order_by(Unit.name)
    return [tuple(r) for r in await session.execute(stmt)]


async def status_counts_by_quarter(session: AsyncSession, today: date, tz: ZoneInfo, *,
                                   roles=("lead",), unit_ids=None) -> list[tuple[int | None, int | None, str, int]]:
    """(year, quarter 1–4, category, count); year and quarter None for no due date."""
    month = extract("month", Assignment.due_date)
    quarter = case((month <= 3, 1), (month <= 6, 2), (month <= 9, 3), (month <= 12, 4), else_=None).label("q")
    year = extract("year", Assignment.due_date).label("y")
    cat = _category(session, today, tz).label("cat")
    stmt = (select(year, quarter, cat, func.count(Assignment.id))
            .select_from(Assignment).join(Task, Task.id == Assignment.task_id)
            .where(*_counted(roles)))
    if unit_ids is not None:
        stmt = stmt.where(Assignment.unit_id.in_(list(unit_ids)))
    stmt = stmt.group_by(year, quarter, cat)
    out = []
    for y, q, c, n in await session.execute(stmt):
        out.append((int(y) if y is not None else None, int(q) if q is not None else None, c, n))
    return out


def _task_category(session: AsyncSession, today: date, tz: ZoneInfo):
    done_day = _local_date(session, Task.done_at, tz, today)
    return case(
        (and_(Task.status == "done", or_(Task.due_date.is_(None), Task.done_at.is_(None), done_day <= Task.due_date)),
         literal(DONE_ON_TIME)),
        (Task.status == "done", literal(DONE_LATE)),
        (or_(Task.due_date.is_(None), Task.due_date >= today), literal(OPEN_ON_TIME)),
        else_=literal(OPEN_LATE),
    )


async def unassigned_counts_by_quarter(session: AsyncSession, today: date,
                                       tz: ZoneInfo) -> list[tuple[int | None, int | None, str, int]]:
    """(year, quarter, category, count) of tasks without a lead unit, not cancelled —
    the same categories as the assignments', from the task's own due date and status."""
    month = extract("month", Task.due_date)
    quarter = case((month <= 3, 1), (month <= 6, 2), (month <= 9, 3), (month <= 12, 4), else_=None).label("q")
    year = extract("year", Task.due_date).label("y")
    cat = _task_category(session, today, tz).label("cat")
    stmt = (select(year, quarter, cat, func.count(Task.id))
            .where(Task.status != "cancelled", ~_has_lead()).group_by(year, quarter, cat))
    return [(int(y) if y is not None else None, int(q) if q is not None else None, c, n)
            for y, q, c, n in await session.execute(stmt)]


# --- one task -------------------------------------------------------------------------------


async def tasks_by_code(session: AsyncSession, code: str) -> list[tuple[Task, str]]:
    """Tasks with this code (any case), newest plan first, with the plan title."""
    rows = await session.execute(
        select(Task, Plan.title).join(Plan, Plan.id == Task.plan_id)
        .where(func.lower(Task.code) == code.strip().lower())
        .order_by(Plan.id.desc(), Task.id))
    return [(t, title) for t, title in rows]


async def task_with_plan(session: AsyncSession, task_id: int) -> tuple[Task, str] | None:
    row = (await session.execute(select(Task, Plan.title).join(Plan, Plan.id == Task.plan_id)
                                 .where(Task.id == task_id))).first()
    return (row[0], row[1]) if row else None


async def task_assignments(session: AsyncSession, task_id: int) -> list[tuple[Assignment, str, int, bool]]:
    """(assignment, unit name, reminders sent, reported) of a task, leads first."""
    rows = await session.execute(
        select(Assignment, Unit.name, _sent_count(), _reported()).join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.task_id == task_id)
        .order_by(Assignment.role != "lead", Unit.name))
    return [(a, n, s or 0, bool(r)) for a, n, s, r in rows]


async def task_reminders(session: AsyncSession, task_id: int) -> list[tuple[ReminderLog, str, str]]:
    """(reminder log row, member name, unit name) of a task, oldest first."""
    rows = await session.execute(
        select(ReminderLog, Member.full_name, Unit.name)
        .join(Assignment, Assignment.id == ReminderLog.assignment_id)
        .join(Member, Member.id == ReminderLog.member_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.task_id == task_id)
        .order_by(ReminderLog.claimed_at, ReminderLog.id))
    return [tuple(r) for r in rows]


async def task_checkins(session: AsyncSession, task_id: int) -> list[tuple[CheckIn, str, str]]:
    """(check-in with attachments, member name, unit name), oldest first, undone ones left out."""
    rows = await session.execute(
        select(CheckIn, Member.full_name, Unit.name)
        .join(Assignment, Assignment.id == CheckIn.assignment_id)
        .join(Member, Member.id == CheckIn.member_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.task_id == task_id, CheckIn.undone_at.is_(None))
        .order_by(CheckIn.created_at, CheckIn.id))
    return [tuple(r) for r in rows]


async def task_extensions(session: AsyncSession, task_id: int) -> list[tuple[ExtensionRequest, str, str]]:
    rows = await session.execute(
        select(ExtensionRequest, Member.full_name, Unit.name)
        .join(Assignment, Assignment.id == ExtensionRequest.assignment_id)
        .join(Member, Member.id == ExtensionRequest.member_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.task_id == task_id)
        .order_by(ExtensionRequest.created_at, ExtensionRequest.id))
    return [tuple(r) for r in rows]


async def task_attachments(session: AsyncSession, task_id: int) -> list[Attachment]:
    """Files sent back for a task (through check-ins not undone), oldest first."""
    rows = await session.execute(
        select(Attachment).join(CheckIn, CheckIn.id == Attachment.checkin_id)
        .join(Assignment, Assignment.id == CheckIn.assignment_id)
        .where(Assignment.task_id == task_id, CheckIn.undone_at.is_(None))
        .order_by(Attachment.created_at, Attachment.id))
    return list(rows.scalars())


# --- one unit, all units ----------------------------------------------------------------------


async def unit_members_all(session: AsyncSession, unit_id: int) -> list[Member]:
    rows = await session.execute(
        select(Member).where(Member.unit_id == unit_id, Member.active.is_(True))
        .order_by(Member.role != "unit_head", Member.full_name, Member.id))
    return list(rows.scalars())


async def member_counts_by_unit(session: AsyncSession, today: date) -> dict[int, tuple[int, int]]:
    """unit id → (active members, members the bot can write to today)."""
    reachable = case((and_(Member.reachable.is_(True), Member.chat_id.is_not(None),
                           or_(Member.on_leave_until.is_(None), Member.on_leave_until < today)), 1), else_=0)
    rows = await session.execute(
        select(Member.unit_id, func.count(Member.id), func.sum(reachable))
        .where(Member.active.is_(True), Member.unit_id.is_not(None)).group_by(Member.unit_id))
    return {uid: (n, int(r or 0)) for uid, n, r in rows}


# --- the workbook -----------------------------------------------------------------------------------


async def export_tasks(session: AsyncSession) -> list[tuple]:
    """(task id, plan title, code, title, due, status, done_at, period, notes, has lead) of every task."""
    rows = await session.execute(
        select(Task.id, Plan.title, Task.code, Task.title, Task.due_date, Task.status, Task.done_at,
               Task.period, Task.notes, _has_lead())
        .join(Plan, Plan.id == Task.plan_id).order_by(Plan.id, Task.source_line, Task.id))
    return [tuple(r) for r in rows]


async def lead_names_by_task(session: AsyncSession) -> dict[int, list[str]]:
    """task id → names of its lead units (not cancelled)."""
    rows = await session.execute(
        select(Assignment.task_id, Unit.name).join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.role == "lead", Assignment.status != "cancelled").order_by(Assignment.task_id, Unit.name))
    out: dict[int, list[str]] = {}
    for tid, name in rows:
        out.setdefault(tid, []).append(name)
    return out


async def export_assignments(session: AsyncSession) -> list[tuple]:
    """(task code, task title, unit, role, status, progress, task due, effective due, done_at,
    last check-in, reminders sent, reported, task id) of every assignment."""
    rows = await session.execute(
        select(Task.code, Task.title, Unit.name, Assignment.role, Assignment.status, Assignment.progress,
               Task.due_date, Assignment.due_date, Assignment.done_at, Assignment.last_checkin_at, _sent_count(),
               _reported(), Task.id)
        .join(Task, Task.id == Assignment.task_id).join(Unit, Unit.id == Assignment.unit_id)
        .order_by(Task.plan_id, Task.source_line, Task.id, Assignment.role != "lead", Unit.name))
    return [tuple(r) for r in rows]


async def export_checkins(session: AsyncSession) -> list[tuple]:
    """(created_at, task code, task title, unit, member, status, progress, text, file names)."""
    rows = await session.execute(
        select(CheckIn, Task.code, Task.title, Unit.name, Member.full_name)
        .join(Assignment, Assignment.id == CheckIn.assignment_id)
        .join(Task, Task.id == Assignment.task_id).join(Unit, Unit.id == Assignment.unit_id)
        .join(Member, Member.id == CheckIn.member_id)
        .where(CheckIn.undone_at.is_(None)).order_by(CheckIn.created_at, CheckIn.id))
    return [(c.created_at, code, title, unit, name, c.status, c.progress, c.text,
             ", ".join(a.file_name for a in c.attachments)) for c, code, title, unit, name in rows]
