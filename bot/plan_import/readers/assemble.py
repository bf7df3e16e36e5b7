"""Text lines and tables from any format -> one `ParsedPlan`.

Readers of structured formats (Word, PDF, spreadsheets) hand over the document as text
lines — paragraphs separated by a blank line, as in a plain-text programme — and the tasks
of tables whose header names the template columns (`tables.read_rows`). Other tables become
lines, one per row; a layout table (letterhead, recipients, signature) becomes its cells'
paragraphs, as they read in a plain-text copy of the document.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from bot.deadlines import parse_deadline
from bot.plan_import.model import ParsedPlan, ParsedTask
from bot.plan_import.readers.text import parse_text
from bot.plan_import.tables import cell_text, year_of
from bot.plan_import.units import fold

_REF_DAY = date(2000, 1, 1)


def row_lines(row: list) -> list[str]:
    """A non-template table row as text: its distinct non-empty cells on one line, a
    leading number as the item's number; cells that are only a deadline ("Quý II",
    "30/6/2025") go on a labelled line below so they do not end up in the title."""
    cells: list[str] = []
    for c in row:
        s = re.sub(r"\s*\n\s*", " ", cell_text(c)).strip()
        if s and s not in cells:
            cells.append(s)
    if not cells:
        return []
    number = ""
    if len(cells) > 1 and re.fullmatch(r"(?:\d{1,2}(?:\.\d{1,2})*|[IVXLivxl]{1,5}|[a-zđ])\.?", cells[0]):
        number, cells = cells[0].rstrip("."), cells[1:]
    when = [c for c in cells[1:] if len(c) <= 40 and parse_deadline(c, _REF_DAY) is not None]
    rest = [c for c in cells if c not in when]
    line = " | ".join(rest)
    lines = [f"{number}. {line}" if number else line]
    lines += [f"Thời gian thực hiện: {w}" for w in when[:1]]
    return lines


def is_layout_table(rows: list[list[str]]) -> bool:
    """A table used to place text side by side — the letterhead, "Nơi nhận" and the
    signature — rather than to list items: one or two rows, at most three columns."""
    filled = [r for r in rows if any(c.strip() for c in r)]
    numbered = any(re.fullmatch(r"\d{1,3}\.?", c.strip()) for r in filled for c in r)  # an item's number
    return 0 < len(filled) <= 2 and max(len(r) for r in filled) <= 3 and not numbered


def layout_lines(rows: list[list[str]]) -> list[str]:
    """A layout table as a plain-text copy reads it: cell by cell, each line of a cell a
    paragraph."""
    lines: list[str] = []
    for row in rows:
        for cell in row:
            for line in cell.splitlines():
                if line.strip():
                    lines.extend([line.strip(), ""])
    return lines


def table_lines(rows: list[list[str]]) -> list[str]:
    if is_layout_table(rows):
        return layout_lines(rows)
    lines = [""]
    for row in rows:
        got = row_lines(row)
        if got:
            lines.extend([*got, ""])
    return lines


def merge(text_plan: ParsedPlan | None, table_tasks: list[ParsedTask], *, title: str, year: int | None,
          warnings: list[str]) -> ParsedPlan:
    tasks = list(text_plan.tasks) if text_plan else []
    seen = Counter(t.code for t in tasks)
    for t in table_tasks:
        seen[t.code] += 1
        if seen[t.code] > 1:
            t.code = f"{t.code}-b{seen[t.code]}"
        tasks.append(t)
    if year is None:
        years = Counter(t.due.year for t in tasks if t.due)
        year = years.most_common(1)[0][0] if years else None
    return ParsedPlan(title=title, year=year, tasks=tasks,
                      warnings=(list(text_plan.warnings) if text_plan else []) + warnings)


def _first_title(lines: list[str]) -> str:
    for line in lines:
        s = line.strip().lstrip("-").strip()
        if re.search(r"[^\W\d_]{2}", s) and not re.fullmatch(r"nam\s*:?\s*\d{4}", fold(s)):
            return s
    return ""


def year_line(lines: list[str]) -> int | None:
    for line in lines[:30]:
        if re.fullmatch(r"nam\s*:?\s*\d{4}", fold(line.strip())):
            return year_of(line)
    return None


def from_parts(lines: list[str], table_tasks: list[ParsedTask], table_title: str, table_year: int | None,
               stem: str, today: date | None, explicit_title: str = "", name: str = "") -> ParsedPlan:
    """Text lines (paragraphs, non-template rows) and template-table tasks -> one plan."""
    text = "\n".join(lines).strip()
    if not table_tasks:
        if not text:
            return ParsedPlan(title=explicit_title or stem, year=None)
        plan = parse_text(text, stem, today, name)
        if explicit_title:
            plan.title = explicit_title
        return plan
    text_plan = parse_text(text, stem, today, name) if text else None
    title = explicit_title or table_title or _first_title(lines) or (text_plan.title if text_plan else "") or stem
    year = year_line(lines) or table_year or (text_plan.year if text_plan else None) or year_of(title)
    return merge(text_plan, table_tasks, title=title, year=year, warnings=[])
