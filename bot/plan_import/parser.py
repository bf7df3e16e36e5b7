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
from dataclasses import dataclass, field, replace
from datetime import date

from bot import texts
from bot.deadlines import find_deadline, is_open_ended, parse_deadline, parse_recurrence, period_end
from bot.plan_import.document import STOP, body, event_end, issue_date, tasks_in_tables, title_and_year
from bot.plan_import.labels import (CONTENT_LIST, INLINE, NOT_UNIT, UNIT_HEAD, VERBS, assigned_units, label_of,
                                    lead_in_end, subject_unit, units_in)
from bot.plan_import.model import ParsedPlan, ParsedTask
from bot.plan_import.outline import BULLETS, Para, outline, paragraphs
from bot.plan_import.periods import is_period_heading, is_phase_heading, period_of
from bot.plan_import.units import fold, looks_run_together

log = logging.getLogger(__name__)

_SKIP_HEADING = re.compile(
    r"^(?:muc dich|yeu cau|muc tieu|quan diem|kinh phi|dieu khoan|hieu luc|can cu|nguyen tac|"
    r"danh gia|ket qua|tinh hinh|phan cong trach nhiem|trach nhiem|che do bao cao|noi nhan|mot so ket qua)")
# an event's participants, agenda, procedure and rules; slogans, audiences, forms: no tasks there
_EVENT_HEADING = re.compile(
    r"^(?:noi dung,?\s*(?:va\s+)?)?(?:trinh tu|thu tuc|thanh phan|phuong thuc|hinh thuc|dia diem|khach moi|"
    r"doi tuong|khau hieu|quy dinh|so luong|chuong trinh (?:hoi nghi|dai hoi|buoi|le))")
_TCTH = re.compile(r"^to chuc thuc hien\b")
# closing exhortations ("… yêu cầu các đơn vị nghiêm túc triển khai thực hiện"): not a task
_EXHORTATION = re.compile(r"\b(?:yeu cau|de nghi)\b.*\bnghiem tuc\b|\bnghiem tuc (?:trien khai|thuc hien)")
_DAY = re.compile(r"\b\d{1,2}\s*[/.-]\s*\d{1,2}\b|\b(?:ngay|thang)\s+\d{1,2}\b")
_RANGE_END = re.compile(r"\s[-–—]\s*|[-–—]\s(?=\S)|(?<=\S)[-–—](?=\s*(?:quy|thang|nam|ngay)\b)|\b(?:den|toi)\b")
# "(trung hạn đến năm 2030)" beside a deadline: the horizon of the work, not its deadline
_HORIZON = re.compile(r"\b(?:trung han|dai han|dinh huong|tam nhin)\b")
_TASK_HEADING = re.compile(r"^(?:nhiem vu|noi dung|cac nhiem vu|giai phap|cong viec|chuong trinh|thoi gian thuc hien)")
_PREAMBLE = re.compile(r"^(?:can cu|thuc hien|theo|tren co so|de\s|nham\s|ban chi dao .* (?:xay dung|ban hanh)|kinh gui)")


@dataclass
class _Ctx:
    period: str | None = None
    period_year: int | None = None
    skip: str = ""  # why this section holds no tasks (see `_skip_kind`); "" when it may
    lead: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)
    due_label: str | None = None
    code: str = ""
    in_section: bool = False  # under a heading (the preamble is not)
    fallback: date | None = None  # an event plan's date for what names none (the step before it, the event)


def _skip_kind(folded: str) -> str:
    """Why a heading's section holds no tasks: "tcth" (Tổ chức thực hiện: duties, read apart),
    "event" (participants, agenda, rules), "other" (purposes, funding…), "" (it may hold tasks)."""
    f = re.sub(r"^\W+", "", folded)
    if _TCTH.match(f):
        return "tcth"
    if _EVENT_HEADING.match(f):
        return "event"
    if _SKIP_HEADING.match(f):
        return "other"
    return ""


class _Reader:
    def __init__(self, year: int | None, event_end: date | None = None) -> None:
        self.year = year
        self.event_end = event_end
        self.deferred: list[tuple[Para, _Ctx, int]] | None = []  # "Tổ chức thực hiện", read last
        self.duties_open = False  # its duties are tasks: the plan names no work elsewhere
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
                   ctx.code, True, ctx.fallback)
        new.code = self._code(ctx, p, index) if p.kind != "para" else (ctx.code or "")
        per = period_of(p.text) if (is_period_heading(p.text) or _TASK_HEADING.match(f) or p.depth_kind == "caps") else None
        if per:
            new.period = per
            y = re.search(r"\b(20\d\d)\b", f)
            new.period_year = int(y[1]) if y else None
            if p.kind == "para" and not p.marker:
                new.code = self._code(ctx, Para(per, "x", per, 0), index) if not ctx.code else f"{ctx.code}.{per}"
        kind = _skip_kind(f)
        if kind == "tcth":
            new.skip = "" if self.duties_open else "tcth"
        elif kind:
            new.skip = kind
        elif _TASK_HEADING.match(f) or per:
            new.skip = ""
        unit = self._unit_heading(p)
        if unit:  # "1. Ban Thường trực Ủy ban MTTQ xã" over its duties
            new.lead, new.support = unit, []
            if new.skip == "tcth":
                new.skip = ""
        self._apply_labels(p, new)
        if is_phase_heading(p.text) and new.due_label is None:
            new.due_label = re.sub(r"^[^:(]*[:(]\s*", "", p.text)  # its span: the end is the deadline
        return new

    def _unit_heading(self, p: Para) -> list[str]:
        """A numbered line that is only a unit's name: the units of the duties under it."""
        if p.kind in BULLETS or p.kind == "para" or not p.children:
            return []
        text = p.text.rstrip(" :")
        f = fold(text)
        if (len(text.split()) > 14 or text[-1:] in ".;" or not UNIT_HEAD.match(f) or NOT_UNIT.match(f)
                or VERBS.search(f)):
            return []
        return units_in([text])

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
        if p.kind == "para":
            return False
        if p.text.rstrip().endswith(":"):
            # "Phương thức tổ chức:" over its points: a heading; "Tổ chức hội nghị, gồm:": a task
            return len(p.text.split()) <= 6 and not VERBS.match(fold(p.text))
        return any(not self._explanatory(p, c) for c in items)

    def _actionable(self, p: Para) -> bool:
        """In an event plan a task is a duty: it starts with what to do, names who does it or
        when, not a description of the event ("Tại hội nghị, cử tri …", "Biên bản phải …")."""
        if any(k in ("lead", "due") for k, _ in p.labels):
            return True
        f = fold(p.text)
        f = f[lead_in_end(f):]
        return bool(VERBS.match(f) or subject_unit(p.text) or self._explicit_due(p.text))

    def _kept_when_skipped(self, p: Para, ctx: _Ctx) -> bool:
        """What a section without tasks still gives: a duty with its own date; in an event's
        participants or agenda, a unit's preparation duty ("Trưởng ban … lập danh sách …")."""
        if not ctx.skip:
            return False
        if _DAY.search(fold(p.text)) and (self._explicit_due(p.text) or self._lead_in_due(p.text)):
            return True  # a day, not a period ("trong năm 2025")
        return (ctx.skip == "event" and not p.text.rstrip().endswith(":") and bool(subject_unit(p.text)))

    def _explanatory(self, parent: Para, c: Para) -> bool:
        if self._is_heading(c):
            return False
        if c.text[:1].islower() or CONTENT_LIST.search(fold(c.text)):
            return True
        # (a paragraph's text is stripped: rstrip/lstrip are the same here)
        if parent.text.rstrip().endswith(":") and not self._own_weight(c):  # pragma: no mutate - see above
            return True
        # (the outline never hangs a paragraph under a paragraph: the "para" test only documents it)
        if c.kind == "para" and parent.kind != "para" and not self._is_heading(parent):  # pragma: no mutate
            return True  # a plain paragraph under an item explains it
        return len(c.text.split()) < 3

    # -- the walk
    def read(self, node: Para, ctx: _Ctx) -> None:
        items = [c for c in node.children if c.kind != "label"]
        _share_labels(items)
        has_items = any(c.kind != "para" or self._is_heading(c) for c in items)
        para_index = 0
        inherited = ctx.fallback
        for i, c in enumerate(items, 1):
            f = fold(c.text)
            if STOP.match(f) and (c.kind == "para" or c.kind in BULLETS):
                return
            here = replace(ctx, fallback=inherited)
            if self._is_heading(c) or (c.kind == "para" and c.depth_kind == "caps") or (
                    self._is_group(c) and not self._is_content_group(c)):
                if self.deferred is not None and _skip_kind(f) == "tcth":
                    self.deferred.append((c, here, i))
                    continue
                self.read(c, self._heading_ctx(c, here, i))
                continue
            if _EXHORTATION.search(f):
                continue
            if c.kind == "para":
                para_index += 1
                # paragraphs are tasks in a section written in paragraphs; elsewhere they explain
                is_task = (ctx.in_section and not has_items and not ctx.skip and not _PREAMBLE.match(f)
                           and node.kind != "root") or self._kept_when_skipped(c, ctx)
                if is_task and (not self.event_end or self._actionable(c)):
                    self._task(c, here, para_index)
                elif not ctx.in_section and node.kind == "root" and any(k.kind in BULLETS for k in c.children):
                    self.read(c, here)  # a list under the opening paragraph: what has a date or a unit
                continue
            if ctx.skip and not self._kept_when_skipped(c, ctx):
                continue
            if not ctx.in_section and node.kind in ("root", "para") and c.kind in BULLETS and not self._own_weight(c):
                continue  # bullets before any heading: the preamble's lists
            lab = label_of(c.text)
            if lab and lab[0] == "note" and not self._own_weight(c):
                continue  # "2. Địa điểm: …": what the event is like, not a duty
            if self.event_end and not self._actionable(c) and not self._is_content_group(c):
                continue
            task = self._task(c, here, i)
            if task is not None and self.event_end and any(k == "due" for k, _ in c.labels) and task.due:
                inherited = task.due  # the next step happens after this one: its date carries on

    def read_duties(self) -> None:
        """The "Tổ chức thực hiện" sections, after the rest: when the plan named no work of its
        own (an event plan: participants, agenda, time), the duties listed there are its tasks."""
        deferred, self.deferred = self.deferred or [], None
        self.duties_open = len(self.tasks) < 3
        for c, ctx, i in deferred:
            self.read(c, self._heading_ctx(c, ctx, i))

    def _is_content_group(self, p: Para) -> bool:
        """A group that says what is to be done ("Nội dung: …") and by whom or when is a task
        itself, with its steps as sub-tasks."""
        kinds = {k for k, _ in p.labels}
        return "content" in kinds and bool(kinds & {"lead", "due"})

    def _task(self, p: Para, ctx: _Ctx, index: int) -> ParsedTask | None:
        code = self._code(ctx, p, index)
        self.codes.add(code)
        own = _Ctx(ctx.period, ctx.period_year, ctx.skip, list(ctx.lead), list(ctx.support), ctx.due_label, code,
                   ctx.in_section, ctx.fallback)
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
        notes = [v for k, v in p.labels if k in ("note", "content")]
        separate: list[Para] = []
        for c in p.children:
            if c.kind == "label":
                continue
            if not self._explanatory(p, c) or (c.kind in BULLETS and self._own_weight(c)):
                separate.append(c)
            else:
                notes.append(c.text)
                for k, v in c.labels:
                    if k in ("note", "content"):
                        notes.append(v)
                self._apply_labels(c, own)
        labelled = {k for k, _ in p.labels}
        if (own.lead, own.support) == labels_before and "lead" not in labelled:
            named, with_ = assigned_units(p.text)
            subj = named or subject_unit(p.text)
            if subj:
                own.lead = units_in([subj])
                own.support = [] if "support" not in labelled else own.support
            if with_ and "support" not in labelled:
                own.support = units_in([with_])
        own_label = own.due_label != ctx.due_label or any(k == "due" for k, _ in p.labels)
        due = self._due(p, own, title, flags, inherited=not own_label)
        rec = parse_recurrence(p.text) or (parse_recurrence(own.due_label) if own.due_label else None)
        task = ParsedTask(code=code, title=title, due=due, period=own.period or ("Y" if self.year else None),
                          recurrence=rec, lead=own.lead, support=own.support, line=p.line,
                          notes="\n".join(notes)[:2000], flags=flags)
        # "Thời gian: … như sau:" over dated steps: a labelled line introducing the tasks
        intro = (p.text.rstrip().endswith(":") and bool(separate) and label_of(p.text) is not None
                 and not labelled & {"lead", "due"})
        if not intro:
            self.tasks.append(task)
        for j, c in enumerate(separate, 1):
            sub = _Ctx(own.period, own.period_year, own.skip, [], [], None, code, own.in_section,
                       due if self.event_end else None)
            if not c.labels and not subject_unit(c.text):
                sub.lead, sub.support = list(own.lead), list(own.support)
            self._task(c, sub, j)
        return None if intro else task

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

    def _due(self, p: Para, ctx: _Ctx, title: str, flags: list[str], *, inherited: bool = False) -> date | None:
        """The item's own deadline label; else a deadline written in the item; else the span of
        the phase it is under ("Đợt 2: từ 01/3 đến 31/3" over "tọa đàm … trước ngày 20/3": the
        20th), its period's end."""
        start = date(self.year, 1, 1) if self.year else None
        if inherited and ctx.due_label is not None and (d := self._explicit_due(title)):
            return d
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
            v = re.sub(r"\([^()]*\)", lambda m: " " if _HORIZON.search(fold(m[0])) else m[0], v)
            d = _range_end(v, base) or parse_deadline(v, base)
            if d and (not start or d >= start):
                return d
        d = self._explicit_due(title) or self._lead_in_due(title)
        if d:
            return d
        if re.search(r"\((?:thực hiện )?thường xuyên\)|\bthực hiện thường xuyên\s*[.;]?$", p.text, re.IGNORECASE):
            flags.append("open_ended")
            return None
        if ctx.due_label is not None:
            flags.append("no_due_date")
            return None
        if self.event_end and not ctx.period:
            return ctx.fallback or self.event_end
        end = period_end(ctx.period or "Y", ctx.period_year or self.year)
        if end is None:
            flags.append("no_due_date")
        return end


    def _lead_in_due(self, text: str) -> date | None:
        """"Từ ngày 05/02/2026 - 08/02/2026: …" opening a step: the end of that span."""
        m = re.match(r"^\s*((?:từ|tu|trong|ngày|ngay)\b[^:]{3,60}):", text, re.IGNORECASE)
        if not m:
            return None
        base = date(self.year, 1, 1) if self.year else date.today()
        return _range_end(m[1], base) or parse_deadline(m[1], base)


def _share_labels(items: list[Para]) -> None:
    """Labels after the last of a run of bullets ("- A", "- B", then "Đơn vị thực hiện: …",
    "Thời gian thực hiện: …") cover the whole run, not only the bullet they follow."""
    run: list[Para] = []
    for c in items:
        if c.kind not in BULLETS or c.children:
            run = []
            continue
        if not c.labels:
            run.append(c)
            continue
        if any(k in ("lead", "due") for k, _ in c.labels):
            for r in run:
                if r.kind == c.kind:
                    r.labels = list(c.labels)
        run = []


def _range_end(value: str, base: date) -> date | None:
    """The end of a span: "Quý IV/2025- Quý II/2026" -> 30/06/2026; "từ 04/02 đến 08/02" -> 08/02."""
    parts = _RANGE_END.split(fold(value))
    if len(parts) < 2:
        return None
    tail = value[len(value) - len(parts[-1]):]
    end = parse_deadline(tail, base)
    start = parse_deadline(value[:len(parts[0])], base)
    # (when the span is one day, the caller's whole-value reading gives that same day: ">" is alike)
    if end and start and end >= start:  # pragma: no mutate - see above
        return end
    return None


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
    table_tasks = tasks_in_tables(text, year, today)
    if len(table_tasks) >= 3:  # a plan annexed as a table: the table is the task list
        reader = _Reader(year)
        reader.tasks = table_tasks
    else:
        root = outline(body(paras))
        issued = issue_date(paras)
        reader = _Reader(year, event_end(title, root, issued[1] if issued else None, year))
        reader.read(root, _Ctx())
        reader.read_duties()
    tasks = [t for t in reader.tasks if _worded(t.title)]
    fragments = [t.title for t in reader.tasks if not _worded(t.title)]
    for t in tasks:
        t.review_units = [u for u in t.lead + t.support if looks_run_together(u)]
        if t.review_units:
            t.flags.append("unit_review")
    warnings = []
    undated = [t.code for t in tasks if t.due is None]
    if undated:
        warnings.append(f"{len(undated)} nhiệm vụ không có hạn hoàn thành: {', '.join(undated[:10])}")
    if fragments:
        warnings.append(texts.READ_PART_FRAGMENTS.format(
            n=len(fragments), lines="; ".join(f"«{f[:30]}»" for f in fragments[:5])))
    return ParsedPlan(title=title or "Kế hoạch", year=year, tasks=tasks, warnings=warnings)


def _worded(title: str) -> bool:
    """A task says what to do in words: two words ("Việc ba", "Sơ kết"), or one long one; a
    numbered fragment ("a)", "1.2", "x") does not."""
    words = re.findall(r"[^\W\d_]{2,}", title)
    return len(words) >= 2 or (len(words) == 1 and len(title) >= 8)

