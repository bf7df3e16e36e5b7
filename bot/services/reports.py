"""The secretariat's reports as plain dataclasses, and their Vietnamese text split into
pages (≤ PAGE_LIMIT characters) that the chat layer shows one at a time.

A report is a header and sections (a heading and its lines). `paginate` puts every line
on exactly one page — a section that does not fit continues on the next page under its
heading marked "(tiếp)" — so what the header counts is what the pages list. Where each
assignment stands is worded by `bot.services.status`, the one place every view asks.

No Telegram types here: the handlers turn pages into messages and buttons."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.services import status as st
from bot.services.directory import find_units
from storage import report_queries as rq
from storage.models import Unit

MANUAL_MARK = "@manual:"  # in reminder_log.kind of reminders sent by /nhac
PAGE_LIMIT = 3500  # characters per page: well under Telegram's 4096 with the page marker
TITLE_CUT = 150


def cut(s: str, n: int) -> str:
    s = " ".join((s or "").split())
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


def tg_len(s: str) -> int:
    """Length as Telegram counts it (UTF-16 code units): never less than len(s)."""
    return len(s.encode("utf-16-le")) // 2


def _fit(s: str, room: int) -> str:
    """``s`` cut to ``room`` UTF-16 units, with "…" when cut."""
    if tg_len(s) <= room:
        return s
    out = s[: max(1, room - 1)]
    while tg_len(out) > room - 1:
        out = out[:-1]
    return out.rstrip() + "…"


@dataclass
class Section:
    """A heading (or None) and its lines; a line is one item, possibly several text lines."""
    heading: str | None
    lines: list[str] = field(default_factory=list)


def paginate(header: str, sections: list[Section], limit: int = PAGE_LIMIT) -> list[str]:
    """Pages of ``header`` followed by as many lines as fit. Every line is on exactly one
    page (a line longer than a page is shortened, never dropped); a section that goes on
    to the next page repeats its heading there, marked as continued."""
    header = _fit(header, limit // 2)
    pages: list[str] = []
    body: list[str] = []
    base = tg_len(header) + 2
    size = base

    def flush() -> None:
        nonlocal body, size
        pages.append(header + "\n\n" + "\n".join(body))
        body, size = [], base

    for sec in sections:
        heading, lines = sec.heading, sec.lines
        if not lines and heading is not None:  # a heading alone is a line of its own
            heading, lines = None, [heading]
        shown = False  # whether the heading is on the current page
        for i, line in enumerate(lines):
            def head_now() -> str | None:
                if heading is None or shown:
                    return None
                h = heading if i == 0 else f"{heading.rstrip().rstrip(':')} {texts.SC_CONTINUED}"
                return _fit(h, (limit - base) // 2)

            head = head_now()
            room = limit - base - 1 - (tg_len(head) + 1 if head else 0)
            text = _fit(line, room)
            if body and size + tg_len(text) + 1 + (tg_len(head) + 1 if head else 0) > limit:
                flush()
                shown = False
                head = head_now()
                text = _fit(line, limit - base - 1 - (tg_len(head) + 1 if head else 0))
            if head is not None:
                body.append(head)
                size += tg_len(head) + 1
                shown = True
            body.append(text)
            size += tg_len(text) + 1
    if body or not pages:
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
    assignment_id: int | None  # None: a task nobody leads
    code: str
    title: str
    role: str
    standing: st.Standing
    due: date
    reminders_sent: int
    last_checkin: date | None

    @property
    def days_late(self) -> int:
        return self.standing.days_late


@dataclass
class UnitOverdue:
    unit_id: int | None  # None: the tasks without a lead unit
    unit_name: str
    items: list[OverdueItem] = field(default_factory=list)


@dataclass
class OverdueReport:
    today: date
    units: list[UnitOverdue]
    scope: str | None = None  # the unit name when narrowed to one unit
    unassigned: UnitOverdue | None = None  # overdue tasks without a lead unit (whole programme only)

    @property
    def assignments(self) -> int:
        return sum(len(u.items) for u in self.units)

    @property
    def total(self) -> int:
        return self.assignments + (len(self.unassigned.items) if self.unassigned else 0)


async def overdue_report(session: AsyncSession, today: date, tz: ZoneInfo, *, unit: Unit | None = None) -> OverdueReport:
    rows = await rq.overdue_assignments(session, today, [unit.id] if unit else None)
    by_unit: dict[int, UnitOverdue] = {}
    for r in rows:
        u = by_unit.setdefault(r.unit_id, UnitOverdue(r.unit_id, r.unit_name))
        standing = st.assignment_standing(r.status, r.progress, r.due, today, reported=r.reported)
        u.items.append(OverdueItem(r.assignment_id, r.code, r.title, r.role, standing, r.due, r.reminders_sent,
                                   local_day(r.last_checkin_at, tz)))
    units = sorted(by_unit.values(), key=lambda u: (-len(u.items), u.unit_name))
    unassigned = None
    if unit is None:
        tasks = await rq.overdue_unassigned(session, today)
        if tasks:
            unassigned = UnitOverdue(None, texts.STANDING["unassigned"].capitalize(), [
                OverdueItem(None, t.code, t.title, "lead", st.unassigned_standing(t.status, t.due, today), t.due, 0,
                            None) for t in tasks])
    return OverdueReport(today, units, unit.name if unit else None, unassigned)


def _overdue_line(it: OverdueItem) -> str:
    if it.assignment_id is None:
        return texts.SC_OVERDUE_UNASSIGNED_ITEM.format(code=it.code, title=cut(it.title, TITLE_CUT),
                                                       due=texts.fmt_date(it.due), standing=it.standing.words())
    last = texts.SC_OVERDUE_LAST.format(date=texts.fmt_date(it.last_checkin)) if it.last_checkin else ""
    return texts.SC_OVERDUE_ITEM.format(
        code=it.code, title=cut(it.title, TITLE_CUT), due=texts.fmt_date(it.due), standing=it.standing.words(),
        sent=it.reminders_sent, last=last, support=texts.TASKS_SUPPORT if it.role == "support" else "")


def render_overdue(rep: OverdueReport) -> list[str]:
    if not rep.total:
        none = texts.SC_OVERDUE_NONE_UNIT.format(unit=rep.scope) if rep.scope else texts.SC_OVERDUE_NONE
        return [none]
    date_ = texts.fmt_date(rep.today)
    if rep.assignments:
        header = texts.SC_OVERDUE_HEADER.format(date=date_, n=rep.assignments, units=len(rep.units))
        if rep.unassigned:
            header += texts.SC_OVERDUE_HEADER_UNASSIGNED.format(n=len(rep.unassigned.items))
    else:
        header = texts.SC_OVERDUE_HEADER_ONLY_UNASSIGNED.format(date=date_, n=len(rep.unassigned.items))
    groups = rep.units + ([rep.unassigned] if rep.unassigned else [])
    sections = [Section(texts.SC_OVERDUE_UNIT.format(unit=u.unit_name, n=len(u.items)),
                        [_overdue_line(it) for it in u.items]) for u in groups]
    return paginate(header, sections)


# --- upcoming -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpcomingItem:
    task_id: int
    code: str
    title: str
    unit_name: str | None  # None: no lead unit yet
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
    last = today + timedelta(days=days)
    rows = await rq.upcoming_assignments(session, today, last)
    items = [UpcomingItem(r.task_id, r.code, r.title, r.unit_name, r.role, r.due, r.status, r.progress) for r in rows]
    # tasks nobody leads: listed with "chưa giao đơn vị" as their lead (their support units, if any, come above)
    items += [UpcomingItem(t.task_id, t.code, t.title, None, "lead", t.due, t.status, 0)
              for t in await rq.unassigned_tasks(session, first=today, last=last)]
    items.sort(key=lambda i: (i.due, i.code, i.task_id))
    return UpcomingReport(today, days, items)


def render_upcoming(rep: UpcomingReport) -> list[str]:
    if not rep.items:
        return [texts.SC_UPCOMING_NONE.format(days=rep.days)]
    by_task: dict[int, list[UpcomingItem]] = defaultdict(list)
    for it in rep.items:
        by_task[it.task_id].append(it)
    header = texts.SC_UPCOMING_HEADER.format(days=rep.days, n=len(by_task),
                                             first=texts.fmt_date(rep.today))
    lines = []
    for its in by_task.values():
        first = its[0]
        leads = [i for i in its if i.role == "lead"]
        lead = "; ".join(i.unit_name or texts.STANDING["unassigned"] for i in leads) or texts.STANDING["unassigned"]
        support = "; ".join(i.unit_name for i in its if i.role != "lead" and i.unit_name)
        lines.append(texts.SC_UPCOMING_ITEM.format(
            code=first.code, title=cut(first.title, TITLE_CUT), due=texts.fmt_date(first.due),
            phrase=texts.days_phrase(first.due, rep.today), lead=cut(lead, 300))
            + (texts.SC_UPCOMING_SUPPORT.format(units=cut(support, 300)) if support else ""))
    return paginate(header, [Section(None, lines)])


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
    """Lead assignments by category, overall, by quarter and by unit; over the whole
    programme, tasks without a lead unit count too, as one row "Chưa giao đơn vị"."""
    ids = [unit.id] if unit else None
    overall = Progress(texts.SC_PROGRESS_ALL)
    units: dict[int | None, Progress] = {}
    for uid, name, cat, n in await rq.status_counts_by_unit(session, today, tz, unit_ids=ids):
        units.setdefault(uid, Progress(name)).counts[cat] += n
        overall.counts[cat] += n
    quarters: dict[tuple, Progress] = {}
    for y, q, cat, n in await rq.status_counts_by_quarter(session, today, tz, unit_ids=ids):
        quarters.setdefault((y, q), Progress(quarter_name(y, q))).counts[cat] += n
    if unit is None:
        for y, q, cat, n in await rq.unassigned_counts_by_quarter(session, today, tz):
            units.setdefault(None, Progress(texts.STANDING["unassigned"].capitalize())).counts[cat] += n
            overall.counts[cat] += n
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
    sections = []
    if mode in ("all", "q") and rep.by_quarter:
        sections.append(Section(texts.SC_PROGRESS_BY_QUARTER, [progress_line(p) for p in rep.by_quarter]))
    if mode in ("all", "u") and rep.by_unit and not rep.scope:
        sections.append(Section(texts.SC_PROGRESS_BY_UNIT, [progress_line(p) for p in rep.by_unit]))
    return paginate(head, sections)


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
    rows = await rq.task_assignments(session, task_id)
    if not any(a.role == "lead" and a.status != "cancelled" for a, *_ in rows):
        assignments.append(texts.SC_TASK_NO_LEAD.format(
            standing=st.unassigned_standing(task.status, task.due_date, today).words()))
    for a, unit, sent, reported in rows:
        standing = st.assignment_standing(a.status, a.progress, a.due_date, today, reported=reported)
        extra = ""
        if a.status == "done" and a.done_at:
            extra = texts.SC_TASK_DONE_AT.format(date=texts.fmt_date(local_day(a.done_at, tz)))
        elif a.status in rq.ACTIVE and not standing.late:
            extra = f" — {texts.days_phrase(a.due_date, today)}"
        due = texts.SC_TASK_EXTENDED.format(date=texts.fmt_date(a.due_date)) if (
            a.due_date and task.due_date and a.due_date != task.due_date) else ""
        assignments.append(texts.SC_TASK_ASSIGNMENT.format(
            unit=unit, role=texts.SC_ROLE[a.role], status=standing.words(), extra=extra, due=due, sent=sent))
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
        said = texts.vn_dates(c.text or "")
        if said:
            bits.append(f"\"{cut(said, 120)}\"")
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
    sections = [Section(texts.SC_TASK_UNITS, d.assignments),
                Section(texts.SC_TASK_REMINDERS.format(n=len(d.reminders)), d.reminders or [texts.SC_NONE]),
                Section(texts.SC_TASK_CHECKINS.format(n=len(d.checkins)), d.checkins or [texts.SC_NONE])]
    if d.extensions:
        sections.append(Section(texts.SC_TASK_EXTENSIONS.format(n=len(d.extensions)), d.extensions))
    return paginate(header, sections)


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
        return [a for a in self.open_items if st.days_late(a.due, self.today) > 0]


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
    people = []
    for m in d.members:
        state = texts.SC_MEMBER_STATE[m.state].format(date=texts.fmt_date(m.since))
        people.append(texts.SC_UNIT_MEMBER.format(name=m.name, role=texts.ROLE_NAMES.get(m.role, m.role), state=state))
    if not d.members:
        people.append(texts.SC_UNIT_NO_MEMBERS)
    if not any(m.state == "ok" for m in d.members):
        people.append(texts.SC_UNIT_NOBODY)
    tasks = []
    for a in d.open_items:
        standing = st.assignment_standing(a.status, a.progress, a.due, d.today, reported=a.reported)
        words = standing.words() if standing.late else texts.STANDING_SEP.join(
            (texts.days_phrase(a.due, d.today), standing.state_words()))
        tasks.append(texts.SC_UNIT_TASK.format(
            mark="⚠️" if standing.late else "•", code=a.code, title=cut(a.title, TITLE_CUT), due=texts.fmt_date(a.due),
            standing=words, support=texts.TASKS_SUPPORT if a.role == "support" else ""))
    return paginate(header, [Section(texts.SC_UNIT_MEMBERS.format(n=len(d.members)), people),
                             Section(texts.SC_UNIT_TASKS.format(n=len(d.open_items)), tasks or [texts.SC_NONE])])
