"""A programme document, as text, -> tasks.

The reading is in four passes, each small enough to reason about:

1. ``_clean_lines``: markdown emphasis, table pipes and rules go; Unicode NFC.
2. ``_paragraphs``: hard line breaks in mid-sentence (text copied from PDFs and web pages)
   are joined; every paragraph gets its list marker ("II.", "1.2.", "a)", "(3)", "-", "+")
   or none.
3. ``_outline``: paragraphs become a tree. A marker style seen for the first time nests
   under the previous paragraph; a style seen before closes everything opened after it.
   Labelled lines ("Chủ trì: …", "Thời gian thực hiện: …") attach to the paragraph above.
4. ``_Reader``: walks the tree with the section context (period, skipped section) and
   decides what is a task: a leaf item, a paragraph in a section written in paragraphs,
   a sub-bullet that names its own deadline or its own unit; groups and headings give
   their period and units to what is under them.

Nothing here knows a particular document; the tests hold real ones.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from bot.deadlines import find_deadline, is_open_ended, parse_deadline, parse_recurrence, period_end
from bot.plan_import.model import ParsedPlan, ParsedTask
from bot.plan_import.units import fold, split_units

log = logging.getLogger(__name__)

# --- 1. lines -------------------------------------------------------------------------------


def _clean_line(line: str) -> str:
    s = unicodedata.normalize("NFC", line).replace("\u00a0", " ").replace("\t", " ")
    s = s.strip()
    if re.fullmatch(r"[|\-–—_=~*.✓\s]*", s):
        return ""
    s = re.sub(r"^#{1,6}\s+", "", s)  # markdown headings
    s = re.sub(r"^\|+\s*|\s*\|+$", "", s)  # table pipes at the edges
    bullet = ""
    m = re.match(r"^\*\s+(?=\S)", s)  # "* item" is a bullet, "*text*" is emphasis
    if m:
        bullet, s = "- ", s[m.end():]
    s = s.replace("**", "").replace("__", "")
    s = re.sub(r"(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])", "", s)
    s = s.replace("*", "").replace("✓", "")
    return (bullet + re.sub(r"\s+", " ", s)).strip()


# --- 2. paragraphs --------------------------------------------------------------------------

_ROMAN = r"(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_MARKERS = [
    ("roman", re.compile(rf"^(?P<m>(?=[IVXL])(?:{_ROMAN}))\s*[.):/–-]\s*(?=\S)")),
    ("num", re.compile(r"^(?P<m>\d{1,2}(?:\.\d{1,2}){1,3})\.?\s+(?=\D)|^(?P<m2>\d{1,2})\s*[.)](?![\d/])\s*")),
    ("alpha", re.compile(r"^(?P<m>[a-zđ])\s*[).]\s+(?=\S)")),
    ("paren", re.compile(r"^\((?P<m>\d{1,2}|[a-zđ]|[ivx]{1,4})\)\s*(?=\S)")),
    ("plus", re.compile(r"^(?P<m>\+)\s*(?=\S)")),
    ("dash", re.compile(r"^(?P<m>[-–—])\s*(?=\S)")),
    ("dot", re.compile(r"^(?P<m>[•●▪◦·■□○◆♦➢➤✓√])\s*(?=\S)")),
]
BULLETS = frozenset({"plus", "dash", "dot"})
_TERMINAL = ".;:!?…)\"”"
_CONNECTIVES = frozenset(
    "so va cua cac ve theo ngay tai voi cho trong den tu duoc la nhung thang nam quy hoac cung nhu de "
    "nham tren duoi sau truoc khi ma thi".split())


@dataclass
class Para:
    text: str
    kind: str  # a marker kind above, "para" (no marker) or "label"
    marker: str
    line: int
    children: list[Para] = field(default_factory=list)
    labels: list[tuple[str, str]] = field(default_factory=list)  # (label kind, value)
    parent: Para | None = None
    depth_kind: str = ""  # the kind used for nesting (numbers nest by their dot depth)


def _marker(s: str) -> tuple[str, str, str]:
    for kind, pat in _MARKERS:
        m = pat.match(s)
        if m:
            rest = s[m.end():].strip()
            marker = m.groupdict().get("m") or m.groupdict().get("m2") or ""
            if kind == "num":
                # "2023 ..." or "15/3" are not list numbers; "1.5 triệu" is rare in programmes
                if re.match(r"^\d{1,2}[/-]\d", s):
                    continue
            if kind == "roman" and not rest:
                continue
            return kind, marker, rest
    return "para", "", s


def _is_caps(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) / len(letters) > 0.85


def _continues(prev: Para, s: str, blank: bool) -> bool:
    """Whether line `s` (no marker of its own) continues paragraph `prev`."""
    if prev.kind == "label" and not blank:
        return not s.rstrip().endswith(":") or s[:1].islower()
    ptext = prev.text.rstrip()
    if not ptext:
        return True  # a marker alone on its line ("1." then the text)
    first = s[:1]
    prev_caps, caps = _is_caps(ptext), _is_caps(s)
    if prev_caps and caps:
        return not blank and ptext[-1:] not in ".:;"
    if prev_caps != caps and not first.islower():
        return False
    ends = ptext[-1:] in _TERMINAL
    if first.islower():
        return not ends or not blank
    if not blank:
        return not ends
    last = fold(ptext.split()[-1]) if ptext.split() else ""
    return not ends and (last in _CONNECTIVES or first.isdigit())


def _paragraphs(text: str) -> list[Para]:
    out: list[Para] = []
    blank = True
    for i, raw in enumerate(text.splitlines(), 1):
        s = _clean_line(raw)
        if not s:
            blank = True
            continue
        kind, marker, rest = _marker(s)
        prev = out[-1] if out else None
        starts_own = kind == "para" and (_label(s) is not None or is_period_heading(s))
        if prev is not None and kind == "para" and not starts_own and _continues(prev, s, blank):
            prev.text = f"{prev.text} {s}".strip()
        else:
            out.append(Para(rest, kind, marker, i))
        blank = False
    for p in out:
        p.text = re.sub(r"\s+", " ", p.text).strip()
    return [p for p in out if p.text]


# --- labels ------------------------------------------------------------------------------------

_LABELS = [
    ("support", r"(?:co quan|don vi|cac co quan|cac don vi)?\s*(?:phoi hop(?: thuc hien)?|cung phoi hop)"),
    ("lead", r"(?:co quan|don vi|cac co quan|cac don vi)?\s*(?:tham muu(?: thuc hien)?|chu tri(?:,? tham muu)?(?: thuc hien)?)"
             r"|(?:co quan|don vi|bo phan)\s*(?:/\s*don vi\s*)?(?:thuc hien|chiu trach nhiem|phu trach|tham muu|chu tri)"
             r"|trach nhiem thuc hien|thuc hien|phu trach|chiu trach nhiem"),
    ("due", r"thoi (?:gian|han)(?: thuc hien| hoan thanh| trien khai)?|han hoan thanh|tien do(?: thuc hien)?|thoi diem"),
    ("note", r"ket qua(?: dau ra)?|san pham(?: dau ra)?|noi dung(?: thuc hien)?|kinh phi|hinh thuc|ghi chu|"
             r"muc tieu|yeu cau|dia diem|thanh phan|nguon kinh phi|chi tieu"),
]
_LABEL_RE = [(k, re.compile(rf"^(?:{p})\s*[:：]\s*")) for k, p in _LABELS]


def _label(text: str) -> tuple[str, str] | None:
    f = fold(text)
    for kind, pat in _LABEL_RE:
        m = pat.match(f)
        if m:
            return kind, text[m.end():].strip(" .;")
    return None


_INLINE = re.compile(
    r"[(\[;,.]?\s*(?P<k>(?:co quan |don vi )?(?:chu tri|tham muu|phoi hop|thuc hien)|thoi gian(?: thuc hien| hoan thanh)?|"
    r"thoi han)\s*:\s*(?P<v>[^();\]]+)[)\]]?")


# --- 3. the outline ------------------------------------------------------------------------------

_PERIODS = [
    (re.compile(r"\bquy\s+(iv|iii|ii|i|[1-4])\b"), lambda m: "Q" + str({"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(m[1], m[1]))),
    (re.compile(r"\b(?:6|sau) thang dau nam\b|\bnua dau nam\b"), lambda m: "H1"),
    (re.compile(r"\b(?:6|sau) thang cuoi nam\b|\bnua cuoi nam\b"), lambda m: "H2"),
    (re.compile(r"\b9 thang\b"), lambda m: "9M"),
    (re.compile(r"\bthang\s+(1[0-2]|0?[1-9])\b"), lambda m: f"M{int(m[1]):02d}"),
    (re.compile(r"\b(?:ca nam|hang nam|nam\s+20\d\d|trong nam)\b"), lambda m: "Y"),
]
_PERIOD_HEADING = re.compile(
    r"^(?:cac\s+)?(?:nhiem vu|cong viec|noi dung|chuong trinh|ke hoach|trong tam)?(?:\s+(?:cong tac|trong tam))*\s*"
    r"(?:thuc hien\s+)?(?:trong\s+)?(?:quy\s+(?:iv|iii|ii|i|[1-4])|thang\s+\d{1,2}|(?:6|sau|9|chin) thang (?:dau|cuoi) nam|"
    r"nua (?:dau|cuoi) nam)(?:\s*(?:nam\s*)?[/-]?\s*20\d\d)?\s*[:.]?$")
_SKIP_HEADING = re.compile(
    r"^(?:muc dich|yeu cau|muc tieu|quan diem|to chuc thuc hien|kinh phi|dieu khoan|hieu luc|can cu|"
    r"danh gia|ket qua|tinh hinh|phan cong trach nhiem|trach nhiem|che do bao cao|noi nhan|mot so ket qua)")
_TASK_HEADING = re.compile(r"^(?:nhiem vu|noi dung|cac nhiem vu|giai phap|cong viec|chuong trinh|thoi gian thuc hien)")
_STOP = re.compile(r"^(?:noi nhan|tm\.?\s|t/m\s|kt\.?\s|q\.\s|ky thay|tl\.?\s)")
_PREAMBLE = re.compile(r"^(?:can cu|thuc hien|theo|tren co so|de\s|nham\s|ban chi dao .* (?:xay dung|ban hanh)|kinh gui)")


def period_of(text: str) -> str | None:
    f = fold(text)
    for pat, build in _PERIODS:
        m = pat.search(f)
        if m:
            return build(m)
    return None


def is_period_heading(text: str) -> bool:
    return bool(_PERIOD_HEADING.match(fold(text).strip()))


def _outline(paras: list[Para]) -> Para:
    root = Para("", "root", "", 0, depth_kind="root")
    stack: list[Para] = [root]
    for p in paras:
        lab = _label(p.text) if p.kind in BULLETS or p.kind == "para" else None
        if lab:
            # a "- Chủ trì: …" line after "+" sub-bullets belongs to the item above the "-" level
            if p.kind in BULLETS and any(n.depth_kind == p.kind for n in stack):
                while stack[-1].depth_kind != p.kind:
                    stack.pop()
                stack.pop()
            p.kind = "label"
            stack[-1].labels.append(lab)
            continue
        if p.kind == "num":
            p.depth_kind = f"num{p.marker.count('.') + 1}"
        elif p.kind == "para" and (_is_caps(p.text) or is_period_heading(p.text)):
            p.depth_kind = "caps"
        else:
            p.depth_kind = p.kind
        if p.depth_kind not in BULLETS and p.depth_kind != "para":
            while stack[-1].depth_kind == "para":  # a list item never hangs under a plain paragraph
                stack.pop()
        kinds = [n.depth_kind for n in stack]
        if p.depth_kind == "para":
            while stack[-1].depth_kind == "para" or stack[-1].depth_kind in BULLETS:
                stack.pop()
        elif p.depth_kind in kinds:
            while stack[-1].depth_kind != p.depth_kind:
                stack.pop()
            stack.pop()
        elif p.depth_kind == "caps":  # a heading without a number: under the last numbered heading
            while stack[-1].depth_kind not in ("roman", "root"):
                stack.pop()
        parent = stack[-1]
        p.parent = parent
        parent.children.append(p)
        stack.append(p)
    return root


# --- 4. reading the tree --------------------------------------------------------------------------

_VERBS = re.compile(
    r"\b(?:xay dung|tong hop|tham muu|chu tri|phoi hop|gui|bao cao|to chuc|trien khai|thuc hien|hoan thien|hoan thanh|"
    r"chu dong|huong dan|ra soat|kiem tra|co trach nhiem|can cu|theo doi|ban hanh|don doc|nop|tien hanh|de xuat|"
    r"cap nhat|tham gia|tuyen truyen|quan triet|lanh dao|chi dao|nghien cuu|danh gia|so ket|tong ket|phat dong|"
    r"cung co|kien toan|giam sat|tiep nhan|xu ly|bao dam|dam bao|tang cuong|day manh|phan cong|chuan bi|bien soan|"
    r"tiep tuc|duy tri|phat huy|lam tot|thong bao|cung cap|tap hop|bo tri|trinh|ky|xem xet|thuc thi)\b")
_UNIT_HEAD = re.compile(
    r"^(?:cac|nhung)\s+(?:co so|don vi|so|ban|nganh|phong|co quan|dia phuong|xa|phuong|huyen|quan|thanh vien|to|"
    r"chi bo|dang bo|cap uy|to chuc chinh tri|doan the|hoi|truong|ubnd|uy ban|dong chi|tinh uy|thanh uy|huyen uy|"
    r"quan uy|dang uy|ban chi dao|bo|to cong tac)\b"
    r"|^(?:ban|so|phong|uy ban|ubnd|van phong|to cong tac|to thu ky|dang uy|dang doan|cong an|bo chi huy|cuc|"
    r"chi cuc|trung tam|mat tran|mttq|thuong truc|thanh doan|huyen doan|lien doan|bao|dai|vien|kho bac|"
    r"quan uy|huyen uy|thanh uy|tinh uy|thi uy|hoi (?:nong dan|phu nu|cuu chien binh|lien hiep)|doan thanh nien)\b")
_NOT_UNIT = re.compile(r"^(?:ban hanh|bao cao|bao dam|hoi nghi|to chuc|so ket|dai hoi|cac noi dung|cac van ban|"
                       r"cac hoat dong|cac chuong trinh|cac ke hoach|cac nhiem vu|cac giai phap|cac bien phap)\b")
# "Các nội dung hỗ trợ gồm:", "Cụ thể như sau:": a list of what the task above covers
_CONTENT_LIST = re.compile(r"^(?:cac |nhung )?(?:noi dung|cu the|bao gom|gom|trong do)\b.*:$|\b(?:bao gom|gom|nhu sau)\s*:$")
_REPORT = re.compile(r"\b(?:bao cao|gui|nop)\b")


def subject_unit(text: str) -> str | None:
    """"Ban Dân vận Quận ủy tổng hợp, …" -> "Ban Dân vận Quận ủy" (a sentence's subject)."""
    f = fold(text)
    if not _UNIT_HEAD.match(f) or _NOT_UNIT.match(f):
        return None
    m = _VERBS.search(f)
    if not m or m.start() < 3:
        return None
    subject = text[:m.start()].strip(" ,;:-")
    n = len(subject.split())
    if n < 2 or n > 14 or re.search(r"[.:;]", subject):
        return None
    return subject


def _cut_at_verb(value: str) -> str:
    """A label value that runs on into a sentence: keep the units before the verb."""
    f = fold(value)
    m = re.search(r"\b(?:tien hanh|co trach nhiem|chiu trach nhiem|to chuc|thuc hien|ra soat|tong hop|gui|bao cao|"
                  r"theo doi|huong dan|xay dung|tham muu|de)\b", f)
    if m and m.start() > 3:
        value = value[:m.start()]
    value = re.split(r"\.\s|\s\(", value)[0]
    return value


def _units(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        for u in split_units(_cut_at_verb(v)):
            if u not in out and len(u) <= 120:
                out.append(u)
    return out


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

    # -- helpers
    def _code(self, ctx: _Ctx, p: Para, index: int) -> str:
        part = p.marker if p.kind not in BULLETS and p.kind != "para" and p.marker else str(index)
        head, _, last = part.rpartition(".")
        if head and ctx.code.endswith(head):  # "3.1" under "II.3" is "II.3.1"
            part = last
        code = f"{ctx.code}.{part}" if ctx.code else part
        base, n = code, 2
        while code in self.codes:
            code, n = f"{base}-{n}", n + 1
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
            ctx.lead = _units(leads)
        if sups:
            ctx.support = _units(sups)
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
        if c.text[:1].islower() or _CONTENT_LIST.search(fold(c.text)):
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
            if _STOP.match(f) and (c.kind == "para" or c.kind in BULLETS):
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
        return bool(_REPORT.search(f) and self._explicit_due(p.text))

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
                own.lead = _units([v])
            elif k == "support":
                own.support = _units([v])
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
                own.lead = _units([subj])
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
        for m in _INLINE.finditer(f):
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


# --- title and year ---------------------------------------------------------------------------

_DOC_TYPE = re.compile(r"^(?:chuong trinh|ke hoach|quyet dinh|thong bao|huong dan|de an)\b")


def _title_span(paras: list[Para]) -> tuple[int, int]:
    """Where the title is: "KẾ HOẠCH …", or "KẾ HOẠCH" alone and the line under it. (0, 0): none."""
    for i, p in enumerate(paras[:40]):
        if p.kind == "para" and _DOC_TYPE.match(fold(p.text)) and len(p.text) < 300:
            end = i + 1
            if len(p.text.split()) <= 3 and end < len(paras) and paras[end].kind == "para":
                end += 1
            return i, end
    return 0, 0


def _title_and_year(paras: list[Para]) -> tuple[str, int | None]:
    a, b = _title_span(paras)
    title = " ".join(p.text for p in paras[a:b])
    m = _DOC_TYPE.match(fold(title))
    if m:
        # "CHƯƠNG TRÌNH Công tác …" / "KẾ HOẠCH TRIỂN KHAI …" -> "Chương trình công tác …"
        words = title.split()
        n_type = len(m.group(0).split())
        rest = " ".join(words[n_type:])
        rest = rest.lower() if _is_caps(rest) else rest[:1].lower() + rest[1:]
        title = (" ".join(words[:n_type]).capitalize() + " " + rest).strip()
    year = None
    issued = None
    for p in paras[:30]:
        dm = re.search(r"ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+(20\d\d)", p.text, re.IGNORECASE)
        if dm:
            issued = int(dm[1])
            break
    span = re.search(r"\b(20\d\d)\s*[-–]\s*(20\d\d)\b", title)
    m = re.search(r"\b(?:năm|nam|NĂM)\s+(20\d\d)\b", title) or re.search(r"\b(20\d\d)\s*$", title)
    if span:  # a multi-year plan: its year of issue, within the span
        year = issued if issued and int(span[1]) - 1 <= issued <= int(span[2]) else int(span[1])
    elif m:
        year = int(m[1])
    if year is None:
        year = issued
    if year is None:
        years = Counter(int(y) for p in paras for y in re.findall(r"\bnăm\s+(20\d\d)\b", p.text))
        if years:
            year = years.most_common(1)[0][0]
    return title.strip(), year


def parse_plan_text(text: str, today: date | None = None) -> ParsedPlan:
    """Read a programme from plain text. Never raises on odd text: at worst, no tasks."""
    try:
        return _parse(text or "", today)
    except Exception:  # noqa: BLE001 - a document we cannot read is "no tasks", with the trace logged
        log.exception("plan parser failed")
        return ParsedPlan(title="", year=None, warnings=["Không đọc được cấu trúc tài liệu."])


def _body(paras: list[Para]) -> list[Para]:
    """What lies between the title and "Nơi nhận" (the letterhead and signatures are not tasks)."""
    start = _title_span(paras)[1]
    end = next((i for i, p in enumerate(paras) if i >= start and _STOP.match(fold(p.text))), len(paras))
    return paras[start:end]


def _pipe_tables(lines: list[str]) -> list[tuple[int, list[list[str]]]]:
    """Tables in text: markdown rows ("| a | b |"), or cells as runs of lines between lone
    "|" lines with two lone "|" in a row ending a table row (how web pages copy tables).
    A blank line ends a table."""
    tables: list[tuple[int, list[list[str]]]] = []
    rows: list[list[str]] = []
    row: list[str] = []
    cell: list[str] = []
    start, inside, last_pipe = 0, False, False

    def flush() -> None:
        nonlocal rows, row, cell, inside
        if cell:
            row.append(" ".join(cell).strip())
        if row:
            rows.append(row)
        if rows:
            tables.append((start, rows))
        rows, row, cell, inside = [], [], [], False

    for i, raw in enumerate(lines, 1):
        s = raw.strip()
        if s.startswith("|") and s.endswith("|") and s.count("|") >= 3:  # a markdown row
            if not re.fullmatch(r"[|:\-\s]+", s):
                if not rows:
                    start = i
                rows.append([_clean_line(c) for c in s.strip("|").split("|")])
            inside = True
            continue
        if s == "|":
            if not inside:
                start, inside = i, True
            if cell:
                row.append(" ".join(cell).strip())
                cell = []
            elif last_pipe and row:
                rows.append(row)
                row = []
            last_pipe = True
            continue
        last_pipe = False
        if not s:
            if inside:
                flush()
            continue
        if inside:
            cell.append(_clean_line(s))
    flush()
    return tables


def _table_tasks(text: str, year: int | None, today: date | None) -> list[ParsedTask]:
    from bot.plan_import.tables import read_rows

    found: list[ParsedTask] = []
    for first_line, rows in _pipe_tables(text.splitlines()):
        if len(rows) < 2:
            continue
        got = read_rows(rows, today, year=year, first_line=first_line)
        if got is not None:
            found.extend(got.tasks)
    return found


def _parse(text: str, today: date | None) -> ParsedPlan:
    paras = _paragraphs(text)
    title, year = _title_and_year(paras)
    if year is None and today is not None:
        year = today.year
    table_tasks = _table_tasks(text, year, today) if "|" in text else []
    if len(table_tasks) >= 3:  # a plan annexed as a table: the table is the task list
        reader = _Reader(year)
        reader.tasks = table_tasks
    else:
        reader = _Reader(year)
        reader.read(_outline(_body(paras)), _Ctx())
    tasks = [t for t in reader.tasks if len(t.title) >= 8 and re.search(r"[^\W\d_]{2}", t.title)]
    warnings = []
    undated = [t.code for t in tasks if t.due is None]
    if undated:
        warnings.append(f"{len(undated)} nhiệm vụ không có hạn hoàn thành: {', '.join(undated[:10])}")
    return ParsedPlan(title=title or "Kế hoạch", year=year, tasks=tasks, warnings=warnings)
