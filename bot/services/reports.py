"""The secretariat's reports as plain dataclasses, and their Vietnamese text split into
pages (≤ PAGE_LIMIT characters) that the chat layer shows one at a time.

No Telegram types here: the handlers turn pages into messages and buttons."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.services.directory import find_units
from storage import report_queries as rq
from storage.models import Unit

MANUAL_MARK = "@manual:"  # in reminder_log.kind of reminders sent by /nhac
PAGE_LIMIT = 3500  # characters per page: well under Telegram's 4096 with the page marker
TITLE_CUT = 150


def cut(s: str, n: int) -> str:
    s = " ".join((s or "").split())
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


def paginate(header: str, blocks: list[str], limit: int = PAGE_LIMIT) -> list[str]:
    """Pages of ``header`` + as many whole blocks as fit; a block never straddles pages."""
    pages: list[str] = []
    body: list[str] = []
    size = len(header)
    for b in blocks:
        b = b if len(b) <= limit - len(header) - 2 else b[: limit - len(header) - 3] + "…"
        if body and size + len(b) + 1 > limit:
            pages.append(header + "\n\n" + "\n".join(body))
            body, size = [], len(header)
        body.append(b)
        size += len(b) + 1
    pages.append(header + ("\n\n" + "\n".join(body) if body else ""))
    return pages


def local_day(dt: datetime | None, tz: ZoneInfo) -> date | None:
    return dt.astimezone(tz).date() if dt else None


# --- units --------------------------------------------------------------------------------


async def match_units(session: AsyncSession, query: str) -> list[Unit]:
    """Forgiving unit lookup (no diacritics, partial names, aliases)."""
    return await find_units(session, query)


# --- overdue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueItem:
    assignment_id: int
    code: str
    title: str
    role: str
    status: str
    progress: int
    due: date
    days_late: int
    reminders_sent: int
    last_checkin: date | None


@dataclass
class UnitOverdue:
    unit_id: int
    unit_name: str
    items: list[OverdueItem] = field(default_factory=list)


@dataclass
class OverdueReport:
    today: date
    units: list[UnitOverdue]
    scope: str | None = None  # the unit name when narrowed to one unit

    @property
    def total(self) -> int:
        return sum(len(u.items) for u in self.units)


async def overdue_report(session: AsyncSession, today: date, tz: ZoneInfo, *, unit: Unit | None = None) -> OverdueReport:
    rows = await rq.overdue_assignments(session, today, [unit.id] if unit else None)
    by_unit: dict[int, UnitOverdue] = {}
    for r in rows:
        u = by_unit.setdefault(r.unit_id, UnitOverdue(r.unit_id, r.unit_name))
        u.items.append(OverdueItem(r.assignment_id, r.code, r.title, r.role, r.status, r.progress, r.due,
                                   (today - r.due).days, r.reminders_sent, local_day(r.last_checkin_at, tz)))
    units = sorted(by_unit.values(), key=lambda u: (-len(u.items), u.unit_name))
    return OverdueReport(today, units, unit.name if unit else None)


def render_overdue(rep: OverdueReport) -> list[str]:
    if not rep.total:
        none = texts.SC_OVERDUE_NONE_UNIT.format(unit=rep.scope) if rep.scope else texts.SC_OVERDUE_NONE
        return [none]
    header = texts.SC_OVERDUE_HEADER.format(date=texts.fmt_date(rep.today), n=rep.total, units=len(rep.units))
    blocks = []
    for u in rep.units:
        lines = [texts.SC_OVERDUE_UNIT.format(unit=u.unit_name, n=len(u.items))]
        for it in u.items:
            last = texts.fmt_date(it.last_checkin) if it.last_checkin else texts.SC_NO_CHECKIN
            status = f"{texts.ASSIGNMENT_STATUS.get(it.status, it.status)}" + (
                f" {it.progress}%" if it.progress else "")
            lines.append(texts.SC_OVERDUE_ITEM.format(
                code=it.code, title=cut(it.title, TITLE_CUT), due=texts.fmt_date(it.due), days=it.days_late,
                sent=it.reminders_sent, last=last, status=status,
                support=texts.TASKS_SUPPORT if it.role == "support" else ""))
        blocks.append("\n".join(lines))
    return paginate(header, blocks)


# --- upcoming -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpcomingItem:
    code: str
    title: str
    unit_name: str
    role: str
    due: date
    status: str
    progress: int


@dataclass
class UpcomingReport:
    today: date
    days: int
    items: list[UpcomingItem]


async def upcoming_report(session: AsyncSession, today: date, days: int) -> UpcomingReport:
    from datetime import timedelta

    rows = await rq.upcoming_assignments(session, today, today + timedelta(days=days))
    return UpcomingReport(today, days, [UpcomingItem(r.code, r.title, r.unit_name, r.role, r.due, r.status, r.progress)
                                        for r in rows])


def render_upcoming(rep: UpcomingReport) -> list[str]:
    if not rep.items:
        return [texts.SC_UPCOMING_NONE.format(days=rep.days)]
    by_task: dict[tuple, list[UpcomingItem]] = defaultdict(list)
    for it in rep.items:
        by_task[(it.due, it.code, it.title)].append(it)
    header = texts.SC_UPCOMING_HEADER.format(days=rep.days, n=len(by_task),
                                             first=texts.fmt_date(rep.today))
    blocks = []
    for (due, code, title), its in by_task.items():
        lead = "; ".join(i.unit_name for i in its if i.role == "lead") or texts.NO_UNITS
        support = "; ".join(i.unit_name for i in its if i.role != "lead")
        blocks.append(texts.SC_UPCOMING_ITEM.format(
            code=code, title=cut(title, TITLE_CUT), due=texts.fmt_date(due),
            phrase=texts.days_phrase(due, rep.today), lead=cut(lead, 300))
            + (texts.SC_UPCOMING_SUPPORT.format(units=cut(support, 300)) if support else ""))
    return paginate(header, blocks)


# --- progress ---------------------------------------------------------------------------------


@dataclass
class Progress:
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(rq.CATEGORIES, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def percent(self, cat: str) -> float:
        return 100.0 * self.counts[cat] / self.total if self.total else 0.0


@dataclass
class ProgressReport:
    today: date
    overall: Progress
    by_quarter: list[Progress]
    by_unit: list[Progress]
    scope: str | None = None  # a unit name when narrowed


def quarter_name(year: int | None, q: int | None) -> str:
    if q is None:
        return texts.SC_NO_DUE
    return texts.SC_QUARTER.format(q="I II III IV".split()[q - 1], year=year)


async def progress_report(session: AsyncSession, today: date, tz: ZoneInfo, *, unit: Unit | None = None) -> ProgressReport:
    ids = [unit.id] if unit else None
    overall = Progress(texts.SC_PROGRESS_ALL)
    units: dict[int, Progress] = {}
    for uid, name, cat, n in await rq.status_counts_by_unit(session, today, tz, unit_ids=ids):
        units.setdefault(uid, Progress(name)).counts[cat] += n
        overall.counts[cat] += n
    quarters: dict[tuple, Progress] = {}
    for y, q, cat, n in await rq.status_counts_by_quarter(session, today, tz, unit_ids=ids):
        quarters.setdefault((y, q), Progress(quarter_name(y, q))).counts[cat] += n
    by_quarter = [quarters[k] for k in sorted(quarters, key=lambda k: (k[0] is None, k[0] or 0, k[1] or 0))]
    by_unit = sorted(units.values(), key=lambda p: (-p.percent(rq.OPEN_LATE) - p.percent(rq.DONE_LATE), p.label))
    return ProgressReport(today, overall, by_quarter, by_unit, unit.name if unit else None)


def _pct(x: float) -> str:
    return f"{x:.0f}%"


def progress_line(p: Progress) -> str:
    c = p.counts
    return texts.SC_PROGRESS_LINE.format(
        label=p.label, total=p.total,
        on_time=c[rq.DONE_ON_TIME], on_time_pct=_pct(p.percent(rq.DONE_ON_TIME)),
        late=c[rq.DONE_LATE], late_pct=_pct(p.percent(rq.DONE_LATE)),
        open=c[rq.OPEN_ON_TIME], open_pct=_pct(p.percent(rq.OPEN_ON_TIME)),
        open_late=c[rq.OPEN_LATE], open_late_pct=_pct(p.percent(rq.OPEN_LATE)))


def render_progress(rep: ProgressReport, mode: str = "all") -> list[str]:
    """``mode``: all | q (by quarter) | u (by unit)."""
    if not rep.overall.total:
        return [texts.SC_PROGRESS_NONE]
    head = texts.SC_PROGRESS_HEADER.format(date=texts.fmt_date(rep.today))
    if rep.scope:
        head += "\n" + texts.SC_PROGRESS_SCOPE.format(unit=rep.scope)
    head += "\n" + texts.SC_PROGRESS_LEGEND + "\n\n" + progress_line(rep.overall)
    blocks = []
    if mode in ("all", "q") and rep.by_quarter:
        blocks.append(texts.SC_PROGRESS_BY_QUARTER)
        blocks += [progress_line(p) for p in rep.by_quarter]
    if mode in ("all", "u") and rep.by_unit and not rep.scope:
        blocks.append(texts.SC_PROGRESS_BY_UNIT)
        blocks += [progress_line(p) for p in rep.by_unit]
    return paginate(head, blocks)


# --- one task ------------------------------------------------------------------------------------


def reminder_kind_label(key: str) -> str:
    """``before_3d@2026-03-13`` → "nhắc trước hạn 3d"; a /nhac reminder is labelled as such."""
    if MANUAL_MARK in key:
        return texts.SC_REMINDER_KIND["manual"]
    base = key.split("@", 1)[0]
    if base.startswith("before_"):
        return f"{texts.SC_REMINDER_KIND['before']} {base[len('before_'):].rstrip('d')} ngày"
    if base.startswith("overdue_"):
        return f"{texts.SC_REMINDER_KIND['overdue']} (lần {base[len('overdue_'):]})"
    return texts.SC_REMINDER_KIND.get(base, base)


@dataclass(frozen=True)
class TaskChoice:
    task_id: int
    code: str
    title: str
    plan_title: str


async def find_tasks(session: AsyncSession, code: str) -> list[TaskChoice]:
    return [TaskChoice(t.id, t.code, t.title, plan) for t, plan in await rq.tasks_by_code(session, code)]


@dataclass(frozen=True)
class TaskDetail:
    task_id: int
    code: str
    title: str
    plan_title: str
    due: date | None
    status: str
    assignments: list[str]
    reminders: list[str]
    checkins: list[str]
    extensions: list[str]
    files: int
    today: date


async def task_detail(session: AsyncSession, task_id: int, today: date, tz: ZoneInfo) -> TaskDetail | None:
    got = await rq.task_with_plan(session, task_id)
    if got is None:
        return None
    task, plan_title = got
    assignments = []
    for a, unit, sent in await rq.task_assignments(session, task_id):
        status = texts.ASSIGNMENT_STATUS.get(a.status, a.status) + (f" {a.progress}%" if a.progress and a.status != "done" else "")
        extra = ""
        if a.status == "done" and a.done_at:
            extra = texts.SC_TASK_DONE_AT.format(date=texts.fmt_date(local_day(a.done_at, tz)))
        elif a.status in rq.ACTIVE:
            extra = f" — {texts.days_phrase(a.due_date, today)}"
        due = texts.SC_TASK_EXTENDED.format(date=texts.fmt_date(a.due_date)) if (
            a.due_date and task.due_date and a.due_date != task.due_date) else ""
        assignments.append(texts.SC_TASK_ASSIGNMENT.format(
            unit=unit, role=texts.SC_ROLE[a.role], status=status, extra=extra, due=due, sent=sent))
    reminders = []
    for r, name, unit in await rq.task_reminders(session, task_id):
        at = r.sent_at or r.claimed_at
        reminders.append(texts.SC_TASK_REMINDER.format(
            time=texts.fmt_datetime(at.astimezone(tz)), kind=reminder_kind_label(r.kind),
            name=name, unit=unit, status=texts.SC_REMINDER_STATUS.get(r.status, r.status)))
    checkins = []
    files = 0
    for c, name, unit in await rq.task_checkins(session, task_id):
        files += len(c.attachments)
        bits = [texts.CI_STATUS.get(c.status, c.status)]
        if c.progress is not None and c.status == "progress":
            bits.append(f"{c.progress}%")
        if c.text:
            bits.append(f"\"{cut(c.text, 120)}\"")
        if c.attachments:
            bits.append(texts.SC_TASK_FILES.format(names=", ".join(a.file_name for a in c.attachments)))
        checkins.append(texts.SC_TASK_CHECKIN.format(time=texts.fmt_datetime(c.created_at.astimezone(tz)),
                                                     name=name, unit=unit, what=" · ".join(bits)))
    extensions = []
    for e, name, unit in await rq.task_extensions(session, task_id):
        extensions.append(texts.SC_TASK_EXTENSION.format(
            unit=unit, name=name, old=texts.fmt_date(e.old_due), new=texts.fmt_date(e.requested_due),
            status=texts.SC_EXTENSION_STATUS.get(e.status, e.status), reason=cut(e.reason, 120) or texts.EXT_NO_REASON))
    return TaskDetail(task.id, task.code, task.title, plan_title, task.due_date, task.status, assignments,
                      reminders, checkins, extensions, files, today)


def render_task(d: TaskDetail) -> list[str]:
    header = texts.SC_TASK_HEADER.format(code=d.code, title=cut(d.title, 600), plan=cut(d.plan_title, 200),
                                         due=texts.fmt_date(d.due), phrase=texts.days_phrase(d.due, d.today)
                                         if d.status == "open" else texts.SC_TASK_STATUS.get(d.status, d.status))
    blocks = [texts.SC_TASK_UNITS] + d.assignments
    blocks += [texts.SC_TASK_REMINDERS.format(n=len(d.reminders))] + (d.reminders or [texts.SC_NONE])
    blocks += [texts.SC_TASK_CHECKINS.format(n=len(d.checkins))] + (d.checkins or [texts.SC_NONE])
    if d.extensions:
        blocks += [texts.SC_TASK_EXTENSIONS.format(n=len(d.extensions))] + d.extensions
    return paginate(header, blocks)


# --- one unit ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberLine:
    name: str
    role: str
    state: str  # ok | unreachable | not_joined | on_leave
    since: date | None


@dataclass
class UnitDetail:
    unit_id: int
    name: str
    aliases: list[str]
    members: list[MemberLine]
    open_items: list[rq.AssignmentRow]
    today: date

    @property
    def late(self) -> list[rq.AssignmentRow]:
        return [a for a in self.open_items if a.due is not None and a.due < self.today]


async def unit_detail(session: AsyncSession, unit: Unit, today: date, tz: ZoneInfo) -> UnitDetail:
    members = []
    for m in await rq.unit_members_all(session, unit.id):
        if m.chat_id is None:
            state, since = "not_joined", None
        elif not m.reachable:
            state, since = "unreachable", local_day(m.unreachable_since, tz)
        elif m.on_leave_until is not None and today <= m.on_leave_until:
            state, since = "on_leave", m.on_leave_until
        else:
            state, since = "ok", None
        members.append(MemberLine(m.full_name, m.role, state, since))
    items = await rq.unit_open_assignments(session, unit.id)
    return UnitDetail(unit.id, unit.name, [a.alias for a in unit.aliases], members, items, today)


def render_unit(d: UnitDetail) -> list[str]:
    header = texts.SC_UNIT_HEADER.format(unit=d.name, open=len(d.open_items), late=len(d.late))
    if d.aliases:
        header += "\n" + texts.SC_UNIT_ALIASES.format(aliases="; ".join(d.aliases))
    blocks = [texts.SC_UNIT_MEMBERS.format(n=len(d.members))]
    if not d.members:
        blocks.append(texts.SC_UNIT_NO_MEMBERS)
    for m in d.members:
        state = texts.SC_MEMBER_STATE[m.state].format(date=texts.fmt_date(m.since))
        blocks.append(texts.SC_UNIT_MEMBER.format(name=m.name, role=texts.ROLE_NAMES.get(m.role, m.role), state=state))
    if not any(m.state == "ok" for m in d.members):
        blocks.append(texts.SC_UNIT_NOBODY)
    blocks.append(texts.SC_UNIT_TASKS.format(n=len(d.open_items)))
    if not d.open_items:
        blocks.append(texts.SC_NONE)
    for a in d.open_items:
        late = a.due is not None and a.due < d.today
        blocks.append(texts.SC_UNIT_TASK.format(
            mark="⚠️" if late else "•", code=a.code, title=cut(a.title, TITLE_CUT), due=texts.fmt_date(a.due),
            phrase=texts.days_phrase(a.due, d.today), status=texts.ASSIGNMENT_STATUS.get(a.status, a.status),
            support=texts.TASKS_SUPPORT if a.role == "support" else ""))
    return paginate(header, blocks)
