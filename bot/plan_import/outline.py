"""Text -> paragraphs -> an outline tree.

1. ``clean_line``: markdown emphasis, table pipes and rules go; Unicode NFC.
2. ``paragraphs``: hard line breaks in mid-sentence (text copied from PDFs and web pages)
   are joined; every paragraph gets its list marker ("II.", "1.2.", "a)", "(3)", "-", "+")
   or none.
3. ``outline``: paragraphs become a tree. A marker style seen for the first time nests
   under the previous paragraph; a style seen before closes everything opened after it.
   Labelled lines ("Chủ trì: …", "Thời gian thực hiện: …") attach to the paragraph above.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from bot.plan_import.labels import label_of, labels_of
from bot.plan_import.periods import is_period_heading, is_phase_heading
from bot.plan_import.units import fold

# --- 1. lines -------------------------------------------------------------------------------


def clean_line(line: str) -> str:
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
    # "1.", "1)", "1.2." and, on web pages, "1- " (a hyphen then a space: "1-4" is a range)
    ("num", re.compile(r"^(?P<m>\d{1,2}(?:\.\d{1,2}){1,3})\.?\s+(?=\D)|^(?P<m2>\d{1,2})(?:\s*[.)](?![\d/])\s*|-\s+(?=\D))")),
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


def is_caps(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) / len(letters) > 0.85


@dataclass
class _Growing:
    """The paragraph being read: its lines, and what the next line's decision needs
    (counted as lines arrive, so a paragraph of many lines is read in linear time)."""

    para: Para
    parts: list[str]
    letters: int = 0
    upper: int = 0
    tail: str = ""  # the last line with text

    def add(self, s: str) -> None:
        self.parts.append(s)
        letters = [c for c in s if c.isalpha()]
        self.letters += len(letters)
        self.upper += sum(c.isupper() for c in letters)
        if s.strip():
            self.tail = s.rstrip()

    def caps(self) -> bool:
        return self.letters >= 3 and self.upper / self.letters > 0.85


def _continues(prev: _Growing, s: str, blank: bool) -> bool:
    """Whether line `s` (no marker of its own) continues paragraph `prev`."""
    ptext = prev.tail
    if not ptext:
        return True  # a marker alone on its line ("1." then the text)
    first = s[:1]
    prev_caps, caps = prev.caps(), is_caps(s)
    if prev_caps and caps:
        return not blank and ptext[-1:] not in ".:;"
    if prev_caps != caps and not first.islower():
        return False
    ends = ptext[-1:] in _TERMINAL
    if first.islower():
        return not ends or not blank
    if not blank:
        return not ends
    words = ptext.split()
    last = fold(words[-1]) if words else ""
    return not ends and (last in _CONNECTIVES or first.isdigit())


def _star_bullets(lines: list[str]) -> bool:
    """"*Chậm nhất …" on its own lines, no star anywhere else: a page that marks its items with
    a star stuck to the word, not one that marks emphasis."""
    starts = [ln for ln in lines if re.match(r"\s*\*[^\W\d_]", ln)]
    return bool(starts) and sum(ln.count("*") for ln in lines) == len(starts)


def paragraphs(text: str) -> list[Para]:
    out: list[_Growing] = []
    blank = True
    lines = text.splitlines()
    stars = _star_bullets(lines)
    for i, raw in enumerate(lines, 1):
        s = clean_line(re.sub(r"^(\s*\*)", r"\1 ", raw) if stars else raw)
        if not s:
            blank = True
            continue
        kind, marker, rest = _marker(s)
        prev = out[-1] if out else None
        starts_own = kind == "para" and (label_of(s) is not None or is_period_heading(s))
        if prev is not None and kind == "para" and not starts_own and _continues(prev, s, blank):
            prev.add(s)
        else:
            grown = _Growing(Para("", kind, marker, i), [])
            grown.add(rest)
            out.append(grown)
        blank = False
    paras = []
    for g in out:
        g.para.text = re.sub(r"\s+", " ", " ".join(g.parts)).strip()
        if g.para.text:
            paras.append(g.para)
    return paras


def _resume_list(stack: list[Para], kind: str) -> None:
    """"- item", a plain paragraph or two, "- item": the list goes on; the paragraphs between
    explain the item above them (web pages put a bullet's details in their own paragraphs)."""
    if len(stack) < 2 or stack[-1].depth_kind != "para":
        return
    siblings = stack[-2].children
    i = len(siblings)
    while i and siblings[i - 1].depth_kind == "para" and not siblings[i - 1].children \
            and not siblings[i - 1].text.rstrip().endswith(":"):
        i -= 1
    if i == len(siblings) or not i:
        return
    chain = [siblings[i - 1]]
    if chain[0].depth_kind == "para" and chain[0].children:  # the list hangs under an opening paragraph
        chain.append(chain[0].children[-1])
    if chain[-1].depth_kind != kind:
        return
    item, moved = chain[-1], siblings[i:]
    del siblings[i:]
    for para in moved:
        para.parent = item
        item.children.append(para)
    stack.pop()
    stack.extend(chain)


def outline(paras: list[Para]) -> Para:
    root = Para("", "root", "", 0, depth_kind="root")
    stack: list[Para] = [root]
    for p in paras:
        # "a) Nhiệm vụ: …  b) Cơ quan thực hiện: …  c) Thời gian thực hiện: …": one task's labels
        labs = labels_of(p.text) if p.kind in BULLETS or p.kind in ("para", "alpha", "paren") else []
        if labs:
            # a "- Chủ trì: …" line after "+" sub-bullets belongs to the item above the "-" level
            if p.kind in BULLETS and any(n.depth_kind == p.kind for n in stack):
                while stack[-1].depth_kind != p.kind:
                    stack.pop()
                stack.pop()
            p.kind = "label"
            stack[-1].labels.extend(labs)
            continue
        if p.kind == "num":
            p.depth_kind = f"num{p.marker.count('.') + 1}"
        elif p.kind == "para" and is_phase_heading(p.text):
            p.depth_kind = "phase"  # "Đợt 1: từ … đến …" inside the item it schedules
        elif p.kind == "para" and (is_caps(p.text) or is_period_heading(p.text)):
            p.depth_kind = "caps"
        else:
            p.depth_kind = p.kind
        if p.depth_kind not in BULLETS and p.depth_kind != "para":
            while stack[-1].depth_kind == "para":  # a list item never hangs under a plain paragraph
                stack.pop()
        if p.depth_kind.startswith("num") or p.depth_kind == "roman":
            while stack[-1].depth_kind in BULLETS:  # nor a numbered one under a bullet ("- …" then "3. …")
                stack.pop()
        if p.depth_kind in BULLETS:
            _resume_list(stack, p.depth_kind)
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


