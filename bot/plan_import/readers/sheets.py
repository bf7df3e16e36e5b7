"""Spreadsheets (.xlsx, .csv): template sheets row by row; any other sheet as text lines."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date

import openpyxl

from bot import texts
from bot.plan_import.model import ParsedPlan, ParsedTask
from bot.plan_import.readers.assemble import from_parts, merge, row_lines
from bot.plan_import.readers.errors import MAX_COLS, MAX_EMPTY_RUN, MAX_ROWS, PlanReadError
from bot.plan_import.readers.text import decode_text
from bot.plan_import.tables import find_header, read_rows, year_of
from bot.plan_import.units import fold


def read_xlsx(data: bytes, *, name: str = "", stem: str = "", today: date | None = None) -> ParsedPlan:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheets = []
        for ws in wb.worksheets:
            if fold(ws.title).strip() in ("huong dan", "hd", "instructions"):
                continue
            sheets.append((ws.title, _sheet_rows(ws)))
    finally:
        wb.close()
    return from_sheets(sheets, stem, today, name)


def _sheet_rows(ws) -> list[list]:
    rows: list[list] = []
    empty_run = 0
    for i, row in enumerate(ws.iter_rows(values_only=True)):
        if i >= MAX_ROWS:
            break
        cells = list(row[:MAX_COLS])
        if any(c is not None and str(c).strip() for c in cells):
            empty_run = 0
        else:
            empty_run += 1
            if empty_run > MAX_EMPTY_RUN:
                break
        rows.append(cells)
    while rows and not any(c is not None and str(c).strip() for c in rows[-1]):
        rows.pop()
    return rows


def from_sheets(sheets: list[tuple[str, list[list]]], stem: str, today: date | None, name: str = "") -> ParsedPlan:
    """Sheets with a template header give tasks; with none, all rows are read as text."""
    tasks: list[ParsedTask] = []
    title, year = "", None
    for sheet_name, rows in sheets:
        got = read_rows(rows, today, year=year_of(sheet_name) or year_of(stem))
        if got is None:
            continue
        tasks.extend(got.tasks)
        title = title or got.title
        year = year or got.year
    if tasks or any(find_header(rows) for _, rows in sheets):
        return merge(None, tasks, title=title or stem, year=year, warnings=[])
    lines: list[str] = []
    for _, rows in sheets:
        for row in rows:
            got_lines = row_lines(row)
            if got_lines:
                lines.extend([*got_lines, ""])
    return from_parts(lines, [], "", None, stem, today, name=name)


def read_csv(data: bytes, *, name: str = "", stem: str = "", today: date | None = None) -> ParsedPlan:
    text = decode_text(data, name)
    if not text.strip():
        raise PlanReadError(texts.READ_EMPTY, name)
    return from_sheets([(stem, csv_rows(text))], stem, today, name)


def csv_rows(text: str) -> list[list[str]]:
    """Rows with the delimiter that finds the template header, else the one that gives the
    most consistent row widths (",", ";" or tab)."""
    csv.field_size_limit(10 * 1024 * 1024)
    best: tuple[tuple[int, int], list[list[str]]] | None = None
    for delim in (",", ";", "\t"):
        try:
            rows = [r for _, r in zip(range(MAX_ROWS), csv.reader(io.StringIO(text), delimiter=delim))]
        except csv.Error:
            continue
        if find_header(rows):
            return rows
        widths = Counter(len(r) for r in rows if any(c.strip() for c in r))
        width, count = widths.most_common(1)[0] if widths else (1, 0)
        score = (count if width > 1 else 0, width)
        if best is None or score > best[0]:
            best = (score, rows)
    if best is None:
        return [[line] for line in text.splitlines()[:MAX_ROWS]]
    return best[1]
