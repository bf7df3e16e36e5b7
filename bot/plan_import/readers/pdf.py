"""PDF with a text layer (as Word or LibreOffice export it), read with pdfplumber.

Lines come with their position on the page, so paragraphs are restored the way a reader
sees them: a larger vertical gap or a first-line indent starts a new paragraph (a blank
line in the text, as in a plain-text programme), wrapped lines stay joined by the parser.
Ruled tables are read as tables (template tasks or one line per row); page numbers alone
on a line are dropped. A PDF without text (a scan, a photo) is refused with what to send.
"""

from __future__ import annotations

import io
import re
import statistics
import unicodedata
from datetime import date

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from bot import texts
from bot.plan_import.model import ParsedPlan, ParsedTask
from bot.plan_import.readers.assemble import from_parts, table_lines, year_line
from bot.plan_import.readers.errors import MAX_PDF_PAGES, PlanReadError
from bot.plan_import.tables import find_header, read_rows

_PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:trang\s*)?\d{1,4}(?:\s*/\s*\d{1,4})?[-–—\s]*$", re.I)
_MARKER = re.compile(r"^(?:[IVXLC]{1,6}\.|\d{1,3}(?:\.\d{1,3})*[.)]|[a-zđ][.)]|\(\d{1,3}\)|[-+•*–])\s")
MIN_LETTERS = 40


def read_pdf(data: bytes, *, name: str = "", stem: str = "", today: date | None = None) -> ParsedPlan:
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else None
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise PlanReadError(texts.READ_PASSWORD, name) from None
        raise PlanReadError(texts.READ_NOT_REAL_OFFICE.format(what="PDF"), name) from None
    with pdf:
        if len(pdf.pages) > MAX_PDF_PAGES:
            raise PlanReadError(texts.READ_PDF_TOO_MANY_PAGES.format(pages=len(pdf.pages), limit=MAX_PDF_PAGES), name)
        lines: list[str] = []
        table_tasks: list[ParsedTask] = []
        table_title, table_year = "", None
        letters = 0
        last = None  # the last text line of the page before: a paragraph may go on
        scanned: list[int] = []
        for number, page in enumerate(pdf.pages, 1):
            items, last = _page_items(page, last)
            if page.images and not any(kind != "text" or value for kind, value in items):
                scanned.append(number)
            for kind, item in items:
                if kind == "more" and lines and lines[-1]:
                    lines[-1] = f"{lines[-1]} {item}"
                    letters += sum(ch.isalpha() for ch in item)
                    continue
                if kind in ("text", "more"):
                    lines.append(item)
                    letters += sum(ch.isalpha() for ch in item)
                    continue
                rows = item
                letters += sum(ch.isalpha() for row in rows for cell in row for ch in cell)
                header = find_header(rows)
                got = read_rows(rows, today, header=header, year=year_line(lines)) if header is not None else None
                if got is not None:
                    table_tasks.extend(got.tasks)
                    table_title = table_title or got.title
                    table_year = table_year or got.year
                else:
                    lines.extend(table_lines(rows))
            page.close()  # pdfplumber caches each page's objects until closed
        if letters < MIN_LETTERS or len(scanned) > len(pdf.pages) / 2:  # no text, or mostly pictures of it
            raise PlanReadError(texts.READ_PDF_SCANNED, name)
        text = "\n".join(lines)
        if text.count("(cid:") > 20:
            raise PlanReadError(texts.READ_PDF_GARBLED, name)
    plan = from_parts(lines, table_tasks, table_title, table_year, stem, today, name=name)
    if not plan.title:
        plan.title = stem
    if scanned:
        plan.warnings.insert(0, texts.READ_PART_PDF_PAGES.format(pages=", ".join(map(str, scanned))))
    return plan


def _page_items(page, last: dict | None) -> tuple[list[tuple[str, object]], dict | None]:
    """("text", line), ("more", the rest of the line before), ("table", rows) in reading
    order, with "" lines between paragraphs; and the page's last text line."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    raw = [seg for ln in page.extract_text_lines(keep_blank_chars=False)
           if not any(_inside(ln, b) for b in boxes) for seg in _segments(ln) if seg["text"].strip()]
    raw = _drop_page_numbers(raw, page.height)
    spacing = _line_spacing(raw)
    left = min((ln["x0"] for ln in raw), default=0.0)
    right = max((ln["x1"] for ln in raw), default=0.0)
    items: list[tuple[float, str, object]] = []
    prev = None
    for ln in raw:
        text = unicodedata.normalize("NFC", ln["text"]).strip()
        if prev is None:  # first line of the page: the paragraph may run on from the page before
            kind = "more" if last is not None and not boxes and _wraps(last, text, right, left) else "text"
            if kind == "text" and last is not None:
                items.append((ln["top"] - 0.01, "text", ""))
            items.append((ln["top"], kind, text))
        elif _new_paragraph(prev, ln, spacing, left, right):
            items.extend([(ln["top"] - 0.01, "text", ""), (ln["top"], "text", text)])
        elif _wraps(prev, text, right, left):
            top, kind, before = items[-1]
            items[-1] = (top, kind, f"{before} {text}")  # a line the page width wrapped
        else:
            items.append((ln["top"], "text", text))
        prev = ln
    for t in tables:
        rows = [[unicodedata.normalize("NFC", c or "").strip() for c in row] for row in t.extract()]
        items.append((t.bbox[1], "table", rows))
    items.sort(key=lambda it: it[0])
    return [(kind, value) for _, kind, value in items], (prev if not boxes else None)


COLUMN_GAP = 24.0  # points of blank between two words that are not on one line of text


def _segments(line: dict) -> list[dict]:
    """A line as pdfplumber joins it may hold two columns side by side (the letterhead's
    two blocks, "Nơi nhận" beside the signature): split it where the gap is wide."""
    chars = [c for c in line.get("chars", []) if c["text"].strip()]
    if not chars:
        return [line]
    parts: list[list[dict]] = [[chars[0]]]
    for prev, ch in zip(chars, chars[1:]):
        if ch["x0"] - prev["x1"] > COLUMN_GAP:
            parts.append([])
        parts[-1].append(ch)
    if len(parts) == 1:
        return [line]
    out = []
    for part in parts:
        text = ""
        for prev, ch in zip([None, *part], part):
            if prev is not None and ch["x0"] - prev["x1"] > 0.15 * max(1.0, ch.get("size", 10)):
                text += " "
            text += ch["text"]
        out.append({"text": text, "x0": part[0]["x0"], "x1": part[-1]["x1"], "top": line["top"],
                    "bottom": line["bottom"], "chars": part})
    return out


def _inside(line: dict, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    mid = (line["top"] + line["bottom"]) / 2
    return top <= mid <= bottom and line["x0"] >= x0 - 1 and line["x1"] <= x1 + 1


def _drop_page_numbers(lines: list[dict], height: float) -> list[dict]:
    return [ln for ln in lines
            if not (_PAGE_NUMBER.match(ln["text"]) and (ln["top"] < height * 0.1 or ln["bottom"] > height * 0.9))]


def _line_spacing(lines: list[dict]) -> float:
    steps = [b["top"] - a["top"] for a, b in zip(lines, lines[1:]) if 0 < b["top"] - a["top"] < 60]
    return statistics.median(steps) if steps else 14.0


def _wraps(prev: dict, text: str, right: float, left: float) -> bool:
    """Whether a line is the rest of the line above, wrapped at the page edge: the line
    above runs to the right margin and this one does not start a list item after a
    finished sentence."""
    full = prev["x1"] > right - 0.08 * max(1.0, right - left)
    if not full:
        return False
    return not (_MARKER.match(text) and prev["text"].rstrip()[-1:] in ".;:!?")


def _new_paragraph(prev: dict, line: dict, spacing: float, left: float, right: float) -> bool:
    step = line["top"] - prev["top"]
    if step > spacing * 1.3 or step < 0:
        return True
    indented = line["x0"] > left + 12 and line["x0"] > prev["x0"] + 8
    return indented and prev["x1"] > right - 30  # a full line, then an indented first line
