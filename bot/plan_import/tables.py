"""Table rows -> tasks: the spreadsheet template and plans annexed as tables.

Shared by the .docx tables, .xlsx sheets and .csv files. A table is a list of rows, each a
list of cell values (str, number, date/datetime or None). `find_header` looks for the row
that names the template columns (forgivingly: "STT", "Nhiệm vụ", "Cơ quan chủ trì",
"Thời gian dự kiến hoàn thành", ... with or without diacritics); `read_rows` turns the
rows below it into `ParsedTask`s.

The "Ghi chú" column carries what the template writer (`export.py`) knows beyond the
columns — period, recurrence, flags — as tagged lines ("Kỳ: Quý I", "Lặp lại: hằng tháng,
ngày 15", "Chưa có hạn hoàn thành"); they are read back so a corrected sheet gives the same
tasks. Any other text in the column stays as the task's notes.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.plan_import.labels import subject_unit
from bot.plan_import.model import ParsedTask
from bot.plan_import.units import fold, split_units

# The template's columns, in order, as written by export.py.
COLUMNS = ("TT", "Nội dung", "Chủ trì", "Phối hợp", "Hạn hoàn thành", "Ghi chú")
FIELDS = ("code", "title", "lead", "support", "due", "notes")

HEADER_SCAN_ROWS = 40
MAX_HEADER_CELL = 80

# --- Ghi chú tags ----------------------------------------------------------------------------

PERIOD_WORDS = {
    "Q1": "Quý I", "Q2": "Quý II", "Q3": "Quý III", "Q4": "Quý IV",
    "H1": "6 tháng đầu năm", "H2": "6 tháng cuối năm", "9M": "9 tháng đầu năm", "Y": "Cả năm",
    **{f"M{m:02d}": f"Tháng {m}" for m in range(1, 13)},
}
RECURRENCE_WORDS = {
    "weekly": "hằng tuần", "monthly": "hằng tháng", "quarterly": "hằng quý",
    "half-yearly": "6 tháng một lần", "yearly": "hằng năm",
}
FLAG_WORDS = {
    "no_due_date": "Chưa có hạn hoàn thành",
    "open_ended": "Thực hiện thường xuyên",
}
TAG_PERIOD = "Kỳ"
TAG_RECURRENCE = "Lặp lại"
TAG_FLAG = "Cờ"  # flags without a Vietnamese wording of their own


def recurrence_words(rec: str) -> str:
    kind, _, day = rec.partition(":")
    words = RECURRENCE_WORDS.get(kind, kind)
    return f"{words}, ngày {day}" if day else words


def notes_cell(task: ParsedTask) -> str:
    """The "Ghi chú" cell for a task: its notes, then the tagged lines."""
    lines = [task.notes.strip()] if task.notes and task.notes.strip() else []
    if task.period:
        lines.append(f"{TAG_PERIOD}: {PERIOD_WORDS.get(task.period, task.period)}")
    if task.recurrence:
        lines.append(f"{TAG_RECURRENCE}: {recurrence_words(task.recurrence)}")
    for flag in task.flags:
        lines.append(FLAG_WORDS.get(flag) or f"{TAG_FLAG}: {flag}")
    return "\n".join(lines)


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", fold(text)).strip()


_PERIOD_BY_KEY = {_key(w): p for p, w in PERIOD_WORDS.items()}
_REC_BY_KEY = {_key(w): k for k, w in RECURRENCE_WORDS.items()}
_FLAG_BY_KEY = {_key(w): f for f, w in FLAG_WORDS.items()}


def parse_notes_cell(text: str) -> tuple[str, str | None, str | None, list[str]]:
    """Inverse of `notes_cell`: (notes, period, recurrence, flags)."""
    notes: list[str] = []
    period = recurrence = None
    flags: list[str] = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        label, sep, value = line.partition(":")
        lk, vk = _key(label), _key(value)
        if sep and lk == _key(TAG_PERIOD) and vk in _PERIOD_BY_KEY:
            period = _PERIOD_BY_KEY[vk]
        elif sep and lk == _key(TAG_PERIOD) and re.fullmatch(r"[A-Z0-9]{1,4}", value.strip()):
            period = value.strip()
        elif sep and lk == _key(TAG_RECURRENCE) and _recurrence_from_words(value):
            recurrence = _recurrence_from_words(value)
        elif sep and lk == _key(TAG_FLAG) and value.strip():
            flags.append(value.strip())
        elif _key(line) in _FLAG_BY_KEY:
            flags.append(_FLAG_BY_KEY[_key(line)])
        else:
            notes.append(raw.rstrip())
    return "\n".join(notes).strip(), period, recurrence, flags


def _recurrence_from_words(value: str) -> str | None:
    k = _key(value)
    m = re.fullmatch(r"(.*?)\s*ngay (\d{1,2})", k)
    base, day = (m.group(1), m.group(2)) if m else (k, "")
    kind = _REC_BY_KEY.get(base)
    if kind is None:
        if re.fullmatch(r"[a-z\-]+", value.strip().split(":")[0]):  # written as the code itself
            return value.strip()
        return None
    return f"{kind}:{int(day)}" if day else kind


# --- header detection ------------------------------------------------------------------------


def classify_header(cell: object) -> str | None:
    """Which template field a header cell names, or None."""
    if not isinstance(cell, str):
        return None
    n = _key(cell)
    if not n or len(n) > MAX_HEADER_CELL:
        return None
    if n in {"tt", "stt", "so tt", "so thu tu", "thu tu", "ma", "ma nv", "ma so", "ma nhiem vu", "ma cong viec"}:
        return "code"
    if "ghi chu" in n:
        return "notes"
    if n.startswith("so ngay"):  # "Số ngày chậm nhất … trước ngày bầu cử": a count, not a date
        return None
    if "phoi hop" in n:
        return "support"
    if ("chu tri" in n or "tham muu" in n or re.match(r"(?:don vi|co quan|bo phan|nguoi)(?: thuc hien| phu trach)?\b", n)
            or n in {"trach nhiem", "trach nhiem thuc hien", "phu trach"}):
        return "lead"
    if ("thoi gian" in n or "thoi han" in n or "tien do" in n or "hoan thanh" in n
            or re.fullmatch(r"han(?: \w+)*", n) or n in {"ngay", "moc thoi gian"}):
        return "due"
    if "noi dung" in n or "nhiem vu" in n or "cong viec" in n or n in {"ten", "hoat dong", "cac hoat dong"}:
        return "title"
    if "ket qua" in n or "san pham" in n:
        return "product"
    return None


@dataclass
class Header:
    row: int  # index of the (last) header row
    columns: dict[str, int] = field(default_factory=dict)  # field -> column index
    labels: dict[str, str] = field(default_factory=dict)  # field -> header text as written


def _match_row(row: list) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for i, cell in enumerate(row):
        kind = classify_header(cell)
        if kind and kind not in found:
            found[kind] = (i, str(cell).strip())
    return found


def find_header(rows: list[list]) -> Header | None:
    """The header row (within the first rows): it names the content column and at least
    one of TT / Chủ trì / Phối hợp / Hạn. A second header row below it ("Chủ trì" |
    "Phối hợp" under a merged "Đơn vị thực hiện") refines the columns."""
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = _match_row(row)
        if "title" not in found or not ({"code", "lead", "support", "due"} & found.keys()):
            continue
        header = Header(row=r, columns={k: v[0] for k, v in found.items()},
                        labels={k: v[1] for k, v in found.items()})
        if r + 1 < len(rows):
            sub = _match_row(rows[r + 1])
            if sub and "title" not in sub and not _has_long_text(rows[r + 1]):
                for k, (i, label) in sub.items():
                    header.columns[k] = i
                    header.labels[k] = label
                header.row = r + 1
        return header
    return None


def _has_long_text(row: list) -> bool:
    return any(isinstance(c, str) and len(c.strip()) > MAX_HEADER_CELL for c in row)


# --- cells -----------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = unicodedata.normalize("NFC", str(value))
    return s.replace("\r\n", "\n").replace("\r", "\n").strip()


_DMY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T][\d:.]+)?")


def cell_date(value: object, ref: date) -> date | None:
    """A real date cell, a plain dd/mm/yyyy or ISO date, else the Vietnamese phrase."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if not text:
        return None
    for pat, order in ((_DMY, (3, 2, 1)), (_ISO, (1, 2, 3))):
        m = pat.fullmatch(text)
        if m:
            try:
                return date(*(int(m.group(i)) for i in order))
            except ValueError:
                return None
    year = re.fullmatch(r"(?:năm\s+)?(20\d\d)", text, re.IGNORECASE)
    if year:  # "2023" in a deadline column: within that year
        return date(int(year[1]), 12, 31)
    if isinstance(value, (int, float)):
        return None  # a bare number is not a deadline
    from bot.deadlines import parse_deadline

    return parse_deadline(text, ref)


def units_of(value: object) -> list[str]:
    text = cell_text(value)
    if not text:
        return []
    # one unit per line or bullet in a cell: the lines are separators too
    text = re.sub(r"(?m)^\s*[-+•*]\s*", "", text)
    return split_units(re.sub(r"\s*\n\s*", "; ", text))


_ROMAN = re.compile(r"(?i)^(?=[ivxlc]+$)c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})$")


def _code_text(value: object) -> str:
    s = cell_text(value)
    return re.sub(r"\s+", " ", s).strip().rstrip(".)").strip()


def year_of(text: str) -> int | None:
    t = fold(text or "")
    m = re.search(r"\bnam\s+(20\d\d)\b", t) or re.search(r"(?<!\d)(20\d\d)(?!\d)", t)
    return int(m.group(1)) if m else None


# --- rows -> tasks ---------------------------------------------------------------------------


@dataclass
class TableRead:
    tasks: list[ParsedTask]
    title: str
    year: int | None
    header: Header


def read_rows(rows: list[list], today: date | None = None, *, header: Header | None = None,
              title: str = "", year: int | None = None, first_line: int = 1) -> TableRead | None:
    """Tasks from a table with a template header; None when no header is found.

    ``first_line`` is the 1-based number of ``rows[0]`` (so ``line`` is the sheet row).
    ``title``/``year`` are used when the rows above the header give none.
    """
    header = header or find_header(rows)
    if header is None:
        return None
    above = [cell_text(c) for row in rows[:header.row] for c in row]
    above = [a for a in above if a and re.search(r"[^\W\d_]", a)]
    head_title = ""
    for a in above:
        if re.fullmatch(r"nam\s*:?\s*\d{4}", fold(a).strip()):
            year = year_of(a) or year  # a "Năm 2025" row under the title
        elif not head_title:
            head_title = re.sub(r"\s*\n\s*", " ", a)
    title = head_title or title
    year = year or year_of(title)
    ref = date(year, 1, 1) if year else (today or date.today())

    col = header.columns
    tasks: list[ParsedTask] = []
    section = ""
    section_period: str | None = None
    seen: Counter[str] = Counter()

    def get(row: list, name: str) -> object:
        i = col.get(name)
        return row[i] if i is not None and i < len(row) else None

    width = len(rows[header.row])
    prev: tuple = (None, None, None)
    for r in range(header.row + 1, len(rows)):
        row, merged = _unmerged(rows[r], width, col)
        content = cell_text(get(row, "title"))
        if not re.search(r"[^\W\d_]", content):
            continue  # empty, or a "(1) (2) (3)" numbering row
        code = _code_text(get(row, "code"))
        lead_v, support_v, due_v = get(row, "lead"), get(row, "support"), get(row, "due")
        if (not any(cell_text(v) for v in (lead_v, support_v, due_v)) or _spans_row(row, col)) and _is_section(
                code, content):
            section = code if code else ""
            section_period = period_in(content)
            continue
        if not code:
            code = str(r + first_line)
        elif section and re.fullmatch(r"\d+", code):
            code = f"{section}.{code}"
        seen[code] += 1
        if seen[code] > 1:
            code = f"{code}-r{r + first_line}"

        if merged:  # cells spanning this row too: the units and the deadline of the row above
            lead_v, support_v, due_v = (v if cell_text(v) else p for v, p in zip((lead_v, support_v, due_v), prev))
        prev = (lead_v, support_v, due_v)
        notes, period, recurrence, flags = parse_notes_cell(cell_text(get(row, "notes")))
        period = period or section_period
        product = cell_text(get(row, "product"))
        if product:
            label = header.labels.get("product", "Kết quả")
            notes = "\n".join(x for x in (notes, f"{label}: {product}") if x)
        due = cell_date(due_v, ref)
        due_text = cell_text(due_v)
        if due is None and due_text:
            from bot.deadlines import is_open_ended, parse_recurrence

            recurrence = recurrence or parse_recurrence(due_text)
            if is_open_ended(due_text) and "open_ended" not in flags:
                flags.append("open_ended")
            if due_text not in notes:
                notes = "\n".join(x for x in (notes, f"Thời hạn: {due_text}") if x)
        if due is None and not flags:
            flags.append("no_due_date")
        lead = units_of(lead_v)
        if "lead" not in col:  # no unit column: the unit a sentence of the content names as its subject
            lead = next(([u] for line in content.split("\n") if (u := subject_unit(line))), [])
        tasks.append(ParsedTask(
            code=code, title=re.sub(r"[ \t]*\n[ \t]*", " ", content).strip(), due=due, period=period,
            recurrence=recurrence, lead=lead, support=units_of(support_v),
            line=r + first_line, notes=notes, flags=flags,
        ))
    if year is None:
        years = Counter(t.due.year for t in tasks if t.due)
        year = years.most_common(1)[0][0] if years else None
    return TableRead(tasks=tasks, title=title, year=year, header=header)


def _unmerged(row: list, width: int, col: dict[str, int]) -> tuple[list, bool]:
    """A row under a cell merged down from the row above (the number, the deadline) comes
    with fewer cells, its task text first: put its cells back under their columns.
    Returns the row and whether it continues the row above."""
    title_at = col.get("title", 0)
    if not row or len(row) >= width or title_at == 0:
        return row, False
    first = cell_text(row[0])
    if len(first) < 20 or not re.search(r"[^\W\d_]{2}", first) or classify_header(first):
        return row, False
    return [None] * title_at + list(row), True


_QUARTERS = {"i": "Q1", "ii": "Q2", "iii": "Q3", "iv": "Q4", "1": "Q1", "2": "Q2", "3": "Q3", "4": "Q4"}


def period_in(text: str) -> str | None:
    """The period a section heading names: "QUÝ II" -> "Q2", "6 tháng đầu năm" -> "H1"."""
    t = _key(text)
    m = re.match(r"quy (iv|iii|ii|i|[1-4])\b", t)
    if m:
        return _QUARTERS[m.group(1)]
    if re.match(r"6 thang dau nam", t):
        return "H1"
    if re.match(r"6 thang cuoi nam", t):
        return "H2"
    m = re.match(r"thang (\d{1,2})\b", t)
    if m and 1 <= int(m.group(1)) <= 12:
        return f"M{int(m.group(1)):02d}"
    return None


def _spans_row(row: list, col: dict[str, int]) -> bool:
    """A cell merged across the row, copied into every column ("I | Công tác X | Công tác X |
    Công tác X"): a heading row, its text is no unit and no deadline."""
    texts = {cell_text(c) for i, c in enumerate(row) if i != col.get("code") and cell_text(c)}
    return len(texts) == 1


def _is_section(code: str, content: str) -> bool:
    """A group heading row: "I | CÔNG TÁC TUYÊN TRUYỀN", "A | ...", "QUÝ I"."""
    if code and (_ROMAN.match(code) or re.fullmatch(r"[A-Za-z]", code)):
        return True
    folded = fold(content)
    if re.match(r"(?:quy|thang|6 thang)\s+[ivx\d]+\b", folded) and len(content) < 40:
        return True
    letters = [c for c in content if c.isalpha()]
    return not code and len(letters) > 3 and all(c.isupper() for c in letters)
