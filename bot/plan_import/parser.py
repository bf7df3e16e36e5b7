"""A programme document, as text, -> tasks.

The text becomes an outline tree first (``outline.py``: lines, paragraphs with their list
markers, labelled lines attached to the paragraph above; ``labels.py`` reads the labels,
``document.py`` the title and year). Then:

``_Reader``: walks the tree with the section context (period, skipped section) and
   decides what is a task: a leaf item, a paragraph in a section written in paragraphs,
   a sub-bullet that names its own deadline or its own unit; groups and headings give
   their period and units to what is under them.

Nothing here knows a particular document; the tests hold real ones.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date

from bot.deadlines import find_deadline, is_open_ended, parse_deadline, parse_recurrence, period_end
from bot.plan_import.document import STOP, body, tasks_in_tables, title_and_year
from bot.plan_import.labels import CONTENT_LIST, INLINE, REPORT, subject_unit, units_in
from bot.plan_import.model import ParsedPlan, ParsedTask
from bot.plan_import.outline import BULLETS, Para, outline, paragraphs
from bot.plan_import.periods import is_period_heading, period_of
from bot.plan_import.units import fold

log = logging.getLogger(__name__)

_SKIP_HEADING = re.compile(
    r"^(?:muc dich|yeu cau|muc tieu|quan diem|to chuc thuc hien|kinh phi|dieu khoan|hieu luc|can cu|"
    r"danh gia|ket qua|tinh hinh|phan cong trach nhiem|trach nhiem|che do bao cao|noi nhan|mot so ket qua)")
_TASK_HEADING = re.compile(r"^(?:nhiem vu|noi dung|cac nhiem vu|giai phap|cong viec|chuong trinh|thoi gian thuc hien)")
_PREAMBLE = re.compile(r"^(?:can cu|thuc hien|theo|tren co so|de\s|nham\s|ban chi dao .* (?:xay dung|ban hanh)|kinh gui)")


@dataclass
class _Ctx:
    period: str | None = None
    period_year: int | None = None
    skip: bool = False
    lead: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)
    due_label: str | None = None
    code: str = ""
    in_section: bool = False  # under a heading (the preamble is not)


class _Reader:
    def __init__(self, year: int | None) -> None:
        self.year = year
        self.tasks: list[ParsedTask] = []
        self.codes: set[str] = set()
        self.next_suffix: dict[str, int] = {}

    # -- helpers
    def _code(self, ctx: _Ctx, p: Para, index: int) -> str:
        part = p.marker if p.kind not in BULLETS and p.kind != "para" and p.marker else str(index)
        head, _, last = part.rpartition(".")
        if head and ctx.code.endswith(head):  # "3.1" under "II.3" is "II.3.1"
            part = last
        code = f"{ctx.code}.{part}" if ctx.code else part
        base = code
        n = self.next_suffix.get(base, 2)
        while code in self.codes:  # each base resumes where it stopped: linear in the items
            code, n = f"{base}-{n}", n + 1
        self.next_suffix[base] = n
        return code

    def _heading_ctx(self, p: Para, ctx: _Ctx, index: int) -> _Ctx:
        f = fold(p.text).strip()
        new = _Ctx(ctx.period, ctx.period_year, ctx.skip, list(ctx.lead), list(ctx.support), ctx.due_label,
                   ctx.code, True)
        new.code = self._code(ctx, p, index) if p.kind != "para" else (ctx.code or "")
        per = period_of(p.text) if (is_period_heading(p.text) or _TASK_HEADING.match(f) or p.depth_kind == "caps") else None
        if per:
            new.period = per
            y = re.search(r"\b(20\d\d)\b", f)
            new.period_year = int(y[1]) if y else None
            if p.kind == "para" and not p.marker:
                new.code = self._code(ctx, Para(per, "x", per, 0), index) if not ctx.code else f"{ctx.code}.{per}"
        if _SKIP_HEADING.match(re.sub(r"^\W+", "", f)):
            new.skip = True
        elif _TASK_HEADING.match(f) or per:
            new.skip = False
        self._apply_labels(p, new)
        return new

    def _apply_labels(self, p: Para, ctx: _Ctx) -> None:
        leads = [v for k, v in p.labels if k == "lead"]
        sups = [v for k, v in p.labels if k == "support"]
        dues = [v for k, v in p.labels if k == "due"]
        if leads:
            ctx.lead = units_in(leads)
        if sups:
            ctx.support = units_in(sups)
        if dues:
            ctx.due_label = dues[-1]

    def _is_heading(self, p: Para) -> bool:
        if p.kind in ("roman", "root") or p.depth_kind == "caps":
            return True
        if is_period_heading(p.text):
            return True
        return False

    def _own_weight(self, p: Para) -> bool:
        """A sub-bullet that stands as its own task: it names its own deadline or its own unit."""
        if p.labels and any(k in ("lead", "due") for k, _ in p.labels):
            return True
        return bool(self._explicit_due(p.text)) or bool(subject_unit(p.text))

    def _explicit_due(self, text: str) -> date | None:
        if not self.year:
            return find_deadline(text, date.today())
        d = find_deadline(text, date(self.year, 1, 1), not_before=date(self.year, 1, 1))
        # a yearly programme's task due years later is a horizon ("đến năm 2030"), not a deadline
        return d if d and d.year <= self.year + 1 else None

    def _is_group(self, p: Para) -> bool:
        items = [c for c in p.children if c.kind != "label"]
        if not items:
            return False
        if p.kind == "para" or p.text.rstrip().endswith(":"):
            return False
        return any(not self._explanatory(p, c) for c in items)

    def _explanatory(self, parent: Para, c: Para) -> bool:
        if c.text[:1].islower() or CONTENT_LIST.search(fold(c.text)):
            return True
        if parent.text.rstrip().endswith(":") and not self._own_weight(c):
            return True
        if c.kind == "para" and parent.kind != "para" and not self._is_heading(parent):
            return True  # a plain paragraph under an item explains it
        return len(c.text.split()) < 3

    # -- the walk
    def read(self, node: Para, ctx: _Ctx) -> None:
        items = [c for c in node.children if c.kind != "label"]
        has_items = any(c.kind != "para" or self._is_heading(c) for c in items)
        para_index = 0
        for i, c in enumerate(items, 1):
            f = fold(c.text)
            if STOP.match(f) and (c.kind == "para" or c.kind in BULLETS):
                return
            if self._is_heading(c) or (c.kind == "para" and c.depth_kind == "caps"):
                self.read(c, self._heading_ctx(c, ctx, i))
                continue
            if c.kind == "para":
                para_index += 1
                # paragraphs are tasks in a section written in paragraphs; elsewhere they explain
                is_task = (ctx.in_section and not has_items and not ctx.skip and not _PREAMBLE.match(f)
                           and node.kind != "root") or self._report_duty(c, ctx)
                if is_task:
                    self._task(c, ctx, para_index)
                continue
            if self._is_group(c):
                self.read(c, self._heading_ctx(c, ctx, i))
                continue
            if ctx.skip and not self._report_duty(c, ctx):
                continue
            if not ctx.in_section and node.kind == "root" and c.kind in BULLETS and not self._own_weight(c):
                continue  # bullets before any heading: the preamble's lists
            self._task(c, ctx, i)

    def _report_duty(self, p: Para, ctx: _Ctx) -> bool:
        """In a skipped section only a reporting duty with a date is a task."""
        if not ctx.skip:
            return False
        f = fold(p.text)
        return bool(REPORT.search(f) and self._explicit_due(p.text))

    def _task(self, p: Para, ctx: _Ctx, index: int) -> None:
        code = self._code(ctx, p, index)
        self.codes.add(code)
        own = _Ctx(ctx.period, ctx.period_year, ctx.skip, list(ctx.lead), list(ctx.support), ctx.due_label, code,
                   ctx.in_section)
        labels_before = (list(own.lead), list(own.support))
        self._apply_labels(p, own)
        title, inline = self._strip_inline(p.text)
        for k, v in inline:
            if k == "lead":
                own.lead = units_in([v])
            elif k == "support":
                own.support = units_in([v])
            elif k == "due":
                own.due_label = v
        flags: list[str] = []
        notes = [v for k, v in p.labels if k == "note"]
        separate: list[Para] = []
        for c in p.children:
            if c.kind == "label":
                continue
            if not self._explanatory(p, c) or (c.kind in BULLETS and self._own_weight(c)):
                separate.append(c)
            else:
                notes.append(c.text)
                for k, v in c.labels:
                    if k == "note":
                        notes.append(v)
                self._apply_labels(c, own)
        if (own.lead, own.support) == labels_before and not [k for k, _ in p.labels if k == "lead"]:
            subj = subject_unit(p.text)
            if subj:
                own.lead = units_in([subj])
                own.support = [] if not [k for k, _ in p.labels if k == "support"] else own.support
        due = self._due(p, own, title, flags)
        rec = parse_recurrence(p.text) or (parse_recurrence(own.due_label) if own.due_label else None)
        self.tasks.append(ParsedTask(code=code, title=title, due=due, period=own.period or ("Y" if self.year else None),
                                     recurrence=rec, lead=own.lead, support=own.support, line=p.line,
                                     notes="\n".join(notes)[:2000], flags=flags))
        for j, c in enumerate(separate, 1):
            sub = _Ctx(own.period, own.period_year, own.skip, [], [], None, code, own.in_section)
            if not c.labels and not subject_unit(c.text):
                sub.lead, sub.support = list(own.lead), list(own.support)
            self._task(c, sub, j)

    def _strip_inline(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        found: list[tuple[str, str]] = []
        f = fold(text)
        spans = []
        for m in INLINE.finditer(f):
            k = m["k"]
            kind = "support" if "phoi hop" in k else "due" if k.startswith("thoi") else "lead"
            found.append((kind, text[m.start("v"):m.end("v")].strip(" .;")))
            spans.append(m.span())
        title = text
        for a, b in reversed(spans):
            if a > 10:
                title = title[:a] + title[b:]
        title = re.sub(r"\s*(?:Trong đó|Cụ thể)\s*:?\s*$", "", title.strip()).strip(" :;,")
        return title, found

    def _due(self, p: Para, ctx: _Ctx, title: str, flags: list[str]) -> date | None:
        start = date(self.year, 1, 1) if self.year else None
        if ctx.due_label is not None:
            v = ctx.due_label
            if is_open_ended(v):
                flags.append("open_ended")
                return None
            fv = fold(v).strip()
            if fv.startswith("tu ") and not re.search(r"\b(?:den|toi)\b", fv):
                flags.append("no_due_date")  # "Từ 01/7/2025": a start, not a deadline
                return None
            base = start or date.today()
            d = parse_deadline(v, base)
            if d and (not start or d >= start):
                return d
        d = self._explicit_due(title)
        if d:
            return d
        if re.search(r"\((?:thực hiện )?thường xuyên\)|\bthực hiện thường xuyên\s*[.;]?$", p.text, re.IGNORECASE):
            flags.append("open_ended")
            return None
        if ctx.due_label is not None:
            flags.append("no_due_date")
            return None
        end = period_end(ctx.period or "Y", ctx.period_year or self.year)
        if end is None:
            flags.append("no_due_date")
        return end


def parse_plan_text(text: str, today: date | None = None) -> ParsedPlan:
    """Read a programme from plain text. Never raises on odd text: at worst, no tasks."""
    try:
        return _parse(text or "", today)
    except Exception:  # noqa: BLE001 - a document we cannot read is "no tasks", with the trace logged
        log.exception("plan parser failed")
        return ParsedPlan(title="", year=None, warnings=["Không đọc được cấu trúc tài liệu."])



def _parse(text: str, today: date | None) -> ParsedPlan:
    paras = paragraphs(text)
    title, year = title_and_year(paras)
    if year is None and today is not None:
        year = today.year
    table_tasks = tasks_in_tables(text, year, today) if "|" in text else []
    if len(table_tasks) >= 3:  # a plan annexed as a table: the table is the task list
        reader = _Reader(year)
        reader.tasks = table_tasks
    else:
        reader = _Reader(year)
        reader.read(outline(body(paras)), _Ctx())
    tasks = [t for t in reader.tasks if len(t.title) >= 8 and re.search(r"[^\W\d_]{2}", t.title)]
    warnings = []
    undated = [t.code for t in tasks if t.due is None]
    if undated:
        warnings.append(f"{len(undated)} nhiệm vụ không có hạn hoàn thành: {', '.join(undated[:10])}")
    return ParsedPlan(title=title or "Kế hoạch", year=year, tasks=tasks, warnings=warnings)

