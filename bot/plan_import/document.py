"""The document around the tasks: its title, its year, where the body ends, tables in text."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from bot.plan_import.model import ParsedTask
from bot.plan_import.outline import Para, clean_line, is_caps
from bot.plan_import.tables import read_rows
from bot.plan_import.units import fold

STOP = re.compile(r"^(?:noi nhan|tm\.?\s|t/m\s|kt\.?\s|q\.\s|ky thay|tl\.?\s)")

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


def title_and_year(paras: list[Para]) -> tuple[str, int | None]:
    a, b = _title_span(paras)
    title = " ".join(p.text for p in paras[a:b])
    m = _DOC_TYPE.match(fold(title))
    if m:
        # "CHƯƠNG TRÌNH Công tác …" / "KẾ HOẠCH TRIỂN KHAI …" -> "Chương trình công tác …"
        words = title.split()
        n_type = len(m.group(0).split())
        rest = " ".join(words[n_type:])
        rest = rest.lower() if is_caps(rest) else rest[:1].lower() + rest[1:]
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


def body(paras: list[Para]) -> list[Para]:
    """What lies between the title and "Nơi nhận" (the letterhead and signatures are not tasks)."""
    start = _title_span(paras)[1]
    end = next((i for i, p in enumerate(paras) if i >= start and STOP.match(fold(p.text))), len(paras))
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
                rows.append([clean_line(c) for c in s.strip("|").split("|")])
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
            cell.append(clean_line(s))
    flush()
    return tables


def tasks_in_tables(text: str, year: int | None, today: date | None) -> list[ParsedTask]:
    found: list[ParsedTask] = []
    for first_line, rows in _pipe_tables(text.splitlines()):
        if len(rows) < 2:
            continue
        got = read_rows(rows, today, year=year, first_line=first_line)
        if got is not None:
            found.extend(got.tasks)
    return found


