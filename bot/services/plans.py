"""Plan import into the database: preview first, then an idempotent upsert by task code."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plan_import.model import ParsedPlan, ParsedTask
from bot.plan_import.units import unit_key
from bot.services.directory import ensure_unit, resolve_units
from storage.models import Assignment, Plan, Task, Unit, utcnow


def quarter_label(due: date | None) -> str:
    return f"Quý {'I II III IV'.split()[(due.month - 1) // 3]}" if due else "Không có hạn"


def plan_units(parsed: ParsedPlan) -> list[str]:
    seen: dict[str, None] = {}
    for t in parsed.tasks:
        for n in (*t.lead, *t.support):
            seen.setdefault(n, None)
    return list(seen)


@dataclass
class PlanPreview:
    title: str
    year: int | None
    task_count: int
    by_quarter: dict[str, int]
    units: dict[str, int]  # unit as written → tasks naming it
    unknown_units: list[str]
    no_due: int
    first_tasks: list[ParsedTask]
    updates_plan_id: int | None = None


async def preview_plan(session: AsyncSession, parsed: ParsedPlan, first: int = 5) -> PlanPreview:
    names = plan_units(parsed)
    _, unknown = await resolve_units(session, names)
    counts = Counter(n for t in parsed.tasks for n in {*t.lead, *t.support})
    quarters = Counter(quarter_label(t.due) for t in parsed.tasks)
    order = ["Quý I", "Quý II", "Quý III", "Quý IV", "Không có hạn"]
    existing = await find_existing_plan(session, parsed)
    return PlanPreview(
        title=parsed.title,
        year=parsed.year,
        task_count=len(parsed.tasks),
        by_quarter={q: quarters[q] for q in order if quarters[q]},
        units=dict(counts.most_common()),
        unknown_units=unknown,
        no_due=sum(1 for t in parsed.tasks if t.due is None),
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


async def import_plan(
    session: AsyncSession,
    parsed: ParsedPlan,
    *,
    today: date,
    source_name: str | None = None,
    imported_by_id: int | None = None,
    policy=None,
) -> ImportResult:
    """Write the plan. Re-importing a corrected version updates tasks in place by code;
    tasks missing from the new version are cancelled, never deleted. Names the directory
    does not know become new units (the preview listed them first)."""
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
    for pt in parsed.tasks:
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
        changed += await _sync_assignments(session, task, pt, resolved, old_due)
    for code, task in existing.items():
        if code not in seen and task.status != "cancelled":
            task.status = "cancelled"
            result.cancelled += 1
            for a in (await session.execute(select(Assignment).where(Assignment.task_id == task.id))).scalars():
                if a.status != "done":
                    a.status = "cancelled"
                    changed.append(a)
    await session.flush()
    await _reschedule(session, changed, today, policy)
    result.assignments = [a.id for a in changed]
    return result


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
    from bot.reminders.schedule import reschedule_assignment

    for a in assignments:
        await reschedule_assignment(session, a, policy, today)
