"""Plan import into the database: preview first, then an idempotent upsert by task code."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plan_import.model import ParsedPlan, ParsedTask
from bot.plan_import.readers import UNREAD_PREFIX
from bot.plan_import.units import unit_key
from bot.reminders.schedule import reschedule_assignment
from bot.services.directory import ensure_unit, resolve_units
from storage.models import Assignment, Plan, Task, Unit, utcnow


PERIOD_ORDER = ["Quý I", "Quý II", "Quý III", "Quý IV", "6 tháng đầu năm", "6 tháng cuối năm", "Cả năm",
                "Chưa có hạn"]
_PERIOD_LABELS = {"Q1": "Quý I", "Q2": "Quý II", "Q3": "Quý III", "Q4": "Quý IV", "H1": "6 tháng đầu năm",
                  "H2": "6 tháng cuối năm", "Y": "Cả năm"}


def quarter_label(due: date | None) -> str:
    return f"Quý {'I II III IV'.split()[(due.month - 1) // 3]}" if due else "Chưa có hạn"


def period_label(task: ParsedTask) -> str:
    """The stretch of the year a task belongs to, as the document gave it: a whole-year
    task due 31/12 is "Cả năm", not "Quý IV"; a month counts in its quarter."""
    if task.due is None:
        return "Chưa có hạn"
    label = _PERIOD_LABELS.get(task.period or "")
    return label or quarter_label(task.due)


def plan_units(parsed: ParsedPlan) -> list[str]:
    seen: dict[str, None] = {}
    for t in parsed.tasks:
        for n in (*t.lead, *t.support):
            seen.setdefault(n, None)
    return list(seen)


DEFAULT_LEAD_FLAG = "default_lead"


def apply_default_lead(parsed: ParsedPlan, unit_name: str) -> int:
    """Give `unit_name` the lead of every task the document names no lead for (flagged, so
    the preview says so); returns how many. An empty name changes nothing."""
    unit_name = unit_name.strip()
    if not unit_name:
        return 0
    n = 0
    for t in parsed.tasks:
        if not t.lead:
            t.lead = [unit_name]
            t.support = [u for u in t.support if u != unit_name]
            if DEFAULT_LEAD_FLAG not in t.flags:
                t.flags.append(DEFAULT_LEAD_FLAG)
            n += 1
    return n


@dataclass
class PlanPreview:
    title: str
    year: int | None
    task_count: int
    by_period: dict[str, int]
    units: dict[str, int]  # unit as written → tasks naming it
    unknown_units: list[str]
    no_due: list[str]  # codes of tasks without a due date
    no_lead: list[str]  # codes of tasks without a lead unit
    default_lead: dict[str, list[str]]  # unit given by default → codes it was given for
    unread: list[str]  # parts of the document that could not be read
    review_units: dict[str, list[str]]  # a unit name that may be two run together → codes naming it
    first_tasks: list[ParsedTask]
    updates_plan_id: int | None = None

    @property
    def needs_attention(self) -> bool:
        return bool(self.no_lead or self.no_due or self.unknown_units or self.unread or self.review_units)


async def preview_plan(session: AsyncSession, parsed: ParsedPlan, first: int = 5) -> PlanPreview:
    names = plan_units(parsed)
    _, unknown = await resolve_units(session, names)
    counts = Counter(n for t in parsed.tasks for n in {*t.lead, *t.support})
    periods = Counter(period_label(t) for t in parsed.tasks)
    existing = await find_existing_plan(session, parsed)
    defaults: dict[str, list[str]] = {}
    review: dict[str, list[str]] = {}
    for t in parsed.tasks:
        if DEFAULT_LEAD_FLAG in t.flags:
            for u in t.lead:
                defaults.setdefault(u, []).append(t.code)
        for u in t.review_units:
            review.setdefault(u, []).append(t.code)
    return PlanPreview(
        title=parsed.title,
        year=parsed.year,
        task_count=len(parsed.tasks),
        by_period={p: periods[p] for p in PERIOD_ORDER if periods[p]},
        units=dict(counts.most_common()),
        unknown_units=unknown,
        no_due=[t.code for t in parsed.tasks if t.due is None],
        no_lead=[t.code for t in parsed.tasks if not t.lead],
        default_lead=defaults,
        unread=[w for w in parsed.warnings if w.startswith(UNREAD_PREFIX)],
        review_units=review,
        first_tasks=parsed.tasks[:first],
        updates_plan_id=existing.id if existing else None,
    )


async def find_existing_plan(session: AsyncSession, parsed: ParsedPlan) -> Plan | None:
    key = unit_key(parsed.title)[:300]
    row = await session.execute(select(Plan).where(Plan.title_key == key, Plan.year == parsed.year))
    return row.scalars().first()


@dataclass
class ImportResult:
    plan_id: int
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    new_units: list[str] = field(default_factory=list)
    assignments: list[int] = field(default_factory=list)  # ids created or changed


IMPORT_BATCH = 100  # tasks written per transaction when committing in batches


async def import_plan(
    session: AsyncSession,
    parsed: ParsedPlan,
    *,
    today: date,
    source_name: str | None = None,
    imported_by_id: int | None = None,
    policy=None,
    batch_size: int | None = None,
) -> ImportResult:
    """Write the plan. Re-importing a corrected version updates tasks in place by code;
    tasks missing from the new version are cancelled, never deleted. Names the directory
    does not know become new units (the preview listed them first).

    With `batch_size`, the session is committed after every `batch_size` tasks, so a long
    import never holds SQLite's single write lock for long and other writers (members
    answering, reminders being claimed) go on in between. Each batch is whole; if the
    import stops half-way, importing the same file again finishes it (tasks are matched by
    code). Without it the caller commits once."""
    plan = await find_existing_plan(session, parsed)
    if plan is None:
        plan = Plan(title=parsed.title, title_key=unit_key(parsed.title)[:300], year=parsed.year,
                    source_name=source_name, imported_by_id=imported_by_id)
        session.add(plan)
        await session.flush()
    plan.updated_at = utcnow()
    result = ImportResult(plan_id=plan.id)

    names = plan_units(parsed)
    resolved, unknown = await resolve_units(session, names)
    for name in unknown:
        resolved[name] = await ensure_unit(session, name)
        result.new_units.append(resolved[name].name)

    existing = {
        t.code: t
        for t in (await session.execute(select(Task).where(Task.plan_id == plan.id))).scalars()
    }
    seen: set[str] = set()
    changed: list[Assignment] = []
    pending: list[Assignment] = []  # changed since the last batch was written
    for i, pt in enumerate(parsed.tasks, 1):
        code = pt.code if pt.code not in seen else f"{pt.code}#{pt.line}"
        seen.add(code)
        task = existing.get(code)
        if task is None:
            task = Task(plan_id=plan.id, code=code, title=pt.title)
            session.add(task)
            result.created += 1
        else:
            result.updated += 1
            if task.status == "cancelled":
                task.status = "open"
        old_due = task.due_date
        task.title, task.due_date, task.period = pt.title, pt.due, pt.period
        task.recurrence, task.notes, task.source_line = pt.recurrence, pt.notes or "", pt.line
        await session.flush()
        pending += await _sync_assignments(session, task, pt, resolved, old_due)
        if batch_size and i % batch_size == 0:
            changed += await _write_batch(session, pending, today, policy)
            pending = []
    for code, task in existing.items():
        if code not in seen and task.status != "cancelled":
            task.status = "cancelled"
            result.cancelled += 1
            for a in (await session.execute(select(Assignment).where(Assignment.task_id == task.id))).scalars():
                if a.status != "done":
                    a.status = "cancelled"
                    pending.append(a)
    await session.flush()
    await _reschedule(session, pending, today, policy)
    changed += pending
    result.assignments = [a.id for a in changed]
    return result


# SQLite has one write lock and a waiting writer retries on a backoff of up to 100 ms: after
# each batch the import pauses that long, or it would take the lock back before anyone else.
SQLITE_BATCH_PAUSE = 0.15


async def _write_batch(session: AsyncSession, assignments: list[Assignment], today: date, policy) -> list[Assignment]:
    await session.flush()
    await _reschedule(session, assignments, today, policy)
    await session.commit()
    if session.get_bind().dialect.name == "sqlite":
        await asyncio.sleep(SQLITE_BATCH_PAUSE)  # let the other writers in between batches
    return assignments


async def _sync_assignments(session, task: Task, pt: ParsedTask, resolved: dict[str, Unit],
                            old_due: date | None) -> list[Assignment]:
    wanted: dict[int, str] = {}
    for role, names in (("support", pt.support), ("lead", pt.lead)):  # lead wins
        for n in names:
            wanted[resolved[n].id] = role
    current = {a.unit_id: a for a in (await session.execute(
        select(Assignment).where(Assignment.task_id == task.id))).scalars()}
    changed = []
    for unit_id, role in wanted.items():
        a = current.get(unit_id)
        if a is None:
            a = Assignment(task_id=task.id, unit_id=unit_id, role=role, due_date=task.due_date)
            session.add(a)
            changed.append(a)
            continue
        extended = a.due_date is not None and old_due is not None and a.due_date > old_due
        if a.role != role or (not extended and a.due_date != task.due_date) or a.status == "cancelled":
            a.role = role
            if not extended:
                a.due_date = task.due_date
            if a.status == "cancelled":
                a.status = "open"
            changed.append(a)
    for unit_id, a in current.items():
        if unit_id not in wanted and a.status not in ("done", "cancelled"):
            a.status = "cancelled"
            changed.append(a)
    await session.flush()
    return changed


async def _reschedule(session, assignments: list[Assignment], today: date, policy) -> None:
    if policy is None:
        return
    for a in assignments:
        await reschedule_assignment(session, a, policy, today)
