"""The document around the tasks: its title, its year, where the body ends, tables in text."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from bot.plan_import.model import ParsedTask
from bot.plan_import.outline import Para, clean_line
from bot.plan_import.tables import MAX_HEADER_CELL, classify_header, read_rows
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


_ISSUED = re.compile(r"\bngay\s*(\d{1,2})?[\s.…_]*thang\s*(\d{1,2})?[\s.…_]*nam\s*(20\d\d)\b")


def issue_date(paras: list[Para]) -> tuple[int, date] | None:
    """The date of issue in the letterhead ("…, ngày 25 tháng 11 năm 2025"), with or without
    diacritics, the day or the month left blank for the signer ("ngày    tháng 01 năm 2026"):
    (year, the earliest day it can be)."""
    for text in _letterhead(paras):
        for dm in _ISSUED.finditer(text):
            y = int(dm[3])
            month = int(dm[2]) if dm[2] and 1 <= int(dm[2]) <= 12 else 1
            day = int(dm[1]) if dm[1] and dm[2] and 1 <= int(dm[1]) <= 28 else 1
            before = text[:dm.start()]
            if re.search(r"\b(?:so|can cu|thuc hien|theo)\b", before[-80:]) and "," not in before[-3:]:
                continue  # a cited document's date, not ours
            return y, date(y, month, day)
    return None


def _letterhead(paras: list[Para]) -> list[str]:
    """The first paragraphs, folded, each joined to the next: the place and date are often
    broken over two lines ("Bắc Ninh, ngày 20" / "tháng 11 năm 2025")."""
    texts = [fold(p.text) for p in paras[:30]]
    return [f"{a} {b}" for a, b in zip(texts, [*texts[1:], ""])]


_YEAR_IN_TEXT = re.compile(
    r"(?:\b\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*|\b(?:thang\s+\d{1,2}|quy\s+[ivx1-4]+)\s*[/-]\s*)(20\d\d)\b")


def title_and_year(paras: list[Para]) -> tuple[str, int | None]:
    a, b = _title_span(paras)
    title = " ".join(p.text for p in paras[a:b])
    # the title as the document writes it: "KẾ HOẠCH … TỈNH LAI CHÂU" keeps its capitals
    year = None
    issued = issue_date(paras)
    issued = issued[0] if issued else None
    ftitle = fold(title)
    span = re.search(r"\b(20\d\d)\s*[-–]\s*(20\d\d)\b", ftitle)
    # "… đến năm 2030", "0 giờ ngày 01/01/2026": a horizon or a moment, not the plan's year
    m = (re.search(r"(?<!den )(?<!toi )\bnam\s+(20\d\d)\b(?!\s*[-–])", ftitle)
         or re.search(r"(?<![/.\d-])\b(20\d\d)\s*$", ftitle))
    if m and issued and re.search(rf"\b(?:den|toi)\s+(?:het\s+)?nam\s+{m[1]}", ftitle):
        m = None
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
    if year is None:
        # no "năm …" anywhere: the year its dates name ("31-7-2021", "tháng 4/2021", "quý II/2021"),
        # when two of them do (one date alone is one step's, not the plan's year)
        years = Counter(int(y) for p in paras for y in _YEAR_IN_TEXT.findall(fold(p.text)))
        if years and years.most_common(1)[0][1] >= 2:
            year = years.most_common(1)[0][0]
    return title.strip(), year


# --- an event's dates ------------------------------------------------------------------------

_EVENT_TITLE = re.compile(
    r"\b(?:hoi nghi|dai hoi|le (?:ky niem|phat dong|ra quan|khai mac|be mac|tong ket|trao)|hoi thi|hoi thao|"
    r"ngay hoi|dien tap|tap huan|giai (?:chay|bong|the thao)|hoi dien|hoi trai|hien mau|tiep xuc cu tri)\b")
_DATE = re.compile(r"\b(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(20\d\d)\b|\bngay (\d{1,2}) thang (\d{1,2}) nam (20\d\d)\b")
_CITING = re.compile(r"^(?:can cu|thuc hien|theo|tren co so)\b")
EVENT_SPAN_DAYS = 120


def _dates(node: Para, after: date) -> list[date]:
    found: list[date] = []
    stack = [node]
    while stack:
        p = stack.pop()
        f = fold(p.text)
        if not _CITING.match(f):
            for text in [f, *(fold(v) for _, v in p.labels)]:
                for m in _DATE.finditer(text):
                    d, mo, y = (m[1], m[2], m[3]) if m[1] else (m[4], m[5], m[6])
                    try:
                        when = date(int(y), int(mo), int(d))
                    except ValueError:
                        continue
                    if when >= after:
                        found.append(when)
        stack.extend(p.children)
    return found


def event_end(title: str, root: Para, issued: date | None, year: int | None) -> date | None:
    """The last day of the event an event plan organises ("Kế hoạch tổ chức hội nghị …"), when
    its own dates lie within a few weeks: the dates of its "Thời gian" section, else all of
    them. Duties that name no date are due then, not at the end of the year. None for a
    programme of work."""
    if not _EVENT_TITLE.search(fold(title)):
        return None
    after = issued or (date(year, 1, 1) if year else date.min)
    every = _dates(root, after)
    if not every or (max(every) - min(every)).days > EVENT_SPAN_DAYS:
        return None
    timed: list[date] = []
    stack = list(root.children)
    while stack:
        p = stack.pop()
        if p.children and p.kind != "para" and fold(p.text).startswith("thoi gian"):
            timed.extend(_dates(p, after))
        else:
            stack.extend(p.children)
    return max(timed or every)


def body(paras: list[Para]) -> list[Para]:
    """What lies between the title and "Nơi nhận" (the letterhead and signatures are not tasks)."""
    start = _title_span(paras)[1]
    end = next((i for i, p in enumerate(paras) if i >= start and STOP.match(fold(p.text))), len(paras))
    annex = _annexed_plan(paras, end)
    if annex is not None:  # a decision issuing a plan: the plan after the signature is the body
        return body(paras[annex:])
    return paras[start:end]


_ANNEX_TYPE = re.compile(r"^(?:chuong trinh|ke hoach|de an)\b")


def _annexed_plan(paras: list[Para], end: int) -> int | None:
    """Where a plan annexed after the signature starts ("KẾ HOẠCH" under "Nơi nhận" and the
    signer), if the document is a decision that issues one."""
    a, _ = _title_span(paras)
    if not paras or not fold(paras[a].text).startswith("quyet dinh"):
        return None
    for i in range(end, len(paras)):
        p = paras[i]
        if p.kind == "para" and _ANNEX_TYPE.match(fold(p.text)) and len(p.text) < 300:
            return i
    return None


_BARE_ROW = re.compile(r"^[^|]+(?:\|[^|]*){2,}$")


def _pipe_tables(lines: list[str]) -> list[tuple[int, list[list[str]]]]:
    """Tables in text: markdown rows ("| a | b |"), or cells as runs of lines between lone
    "|" lines with two lone "|" in a row ending a table row (how web pages copy tables),
    or one row a line with its cells between "|" and no outer pipes ("1 | Nhiệm vụ | Sở X |
    2025", how legal-text sites copy an annexed table), rows apart by blank lines. A blank
    line ends the first two kinds; any other line ends the third."""
    tables: list[tuple[int, list[list[str]]]] = []
    rows: list[list[str]] = []
    row: list[str] = []
    cell: list[str] = []
    start, inside, last_pipe, bare = 0, False, False, False

    def flush() -> None:
        nonlocal rows, row, cell, inside, bare
        if cell:
            row.append(" ".join(cell).strip())
        if row:
            rows.append(row)
        if rows:
            tables.append((start, rows))
        rows, row, cell, inside, bare = [], [], [], False, False

    for i, raw in enumerate(lines, 1):
        s = raw.strip()
        if _BARE_ROW.match(s) and (bare or not inside):  # "a | b | c": a row of three cells or more
            if not bare:
                flush()
                start, bare = i, True
            rows.append([clean_line(c) for c in s.split("|")])
            continue
        if bare:
            if not s:
                continue  # such rows are apart by blank lines
            flush()
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


_ROW_NUMBER = re.compile(r"(?P<n>\d{1,3})\.?")
_SECTION_NUMBER = re.compile(r"(?:[IVX]{1,5}|[A-Z])\.?")
_ROMANS = ("I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII XIX XX").split()
_HEADING = re.compile(r"(?:[IVX]{1,5}|\d{1,2})\.\s+\S")
MAX_TAIL_CELL = 160  # a column after the content (units, dates, notes) holds a short cell
MAX_COLUMNS = 10
MAX_CODE_CELL = 20


def _is_code(cell: str) -> bool:
    """A header cell of the number column ("TT", "STT", "Số thứ tự")."""
    return len(cell) <= MAX_CODE_CELL and classify_header(cell) == "code"


def _cells(lines: list[str]) -> list[tuple[int, str]]:
    """(line number, cell) for each line but empty ones, which separate cells; a line of
    spaces is an empty cell ("")."""
    return [(i, clean_line(raw) if raw.strip() else "") for i, raw in enumerate(lines, 1) if raw]


def _cell_header(cells: list[tuple[int, str]], start: int) -> list[str] | None:
    """The header cells from ``start`` ("TT" first) up to the first row: "1", or a section "I"."""
    head: list[str] = []
    for _, c in cells[start:start + MAX_COLUMNS + 1]:
        m = _ROW_NUMBER.fullmatch(c)
        if m or _SECTION_NUMBER.fullmatch(c):
            if m and m["n"] != "1":
                return None
            kinds = [classify_header(h) for h in head]
            ok = len(head) >= 3 and "title" in kinds and {"due", "lead", "support"} & set(kinds)
            return head if ok else None
        if not c or len(c) > MAX_HEADER_CELL:
            return None
        head.append(c)
    return None


def _fill(cells: list[str], kinds: list[str | None]) -> list[str]:
    """One row's cells (after its number) in its columns: the columns before the content take
    one cell each from the left, those after it one each from the right (a long cell stays with
    the content); the content is what is left, over one paragraph or several."""
    width = len(kinds)
    t = kinds.index("title")
    row = [""] * width
    rest = list(cells)
    while len(rest) > width - 1 and rest and not rest[-1]:
        rest.pop()  # the empty cells after the last column
    for col in range(1, t):
        if len(rest) > 1:
            row[col] = rest.pop(0)
    for col in range(width - 1, t, -1):
        if len(rest) > 1 and len(rest[-1]) <= MAX_TAIL_CELL:
            row[col] = rest.pop()
    row[t] = "\n".join(c for c in rest if c)
    return row


def _next_sections(section: str) -> tuple[str, ...]:
    """The section markers that may follow ``section``: the next numeral, or the next letter."""
    if section in _ROMANS[:-1]:
        return (_ROMANS[_ROMANS.index(section) + 1],)
    return (chr(ord(section) + 1),) if len(section) == 1 and section < "Z" else ()


def _cell_tables(lines: list[str]) -> list[tuple[int, list[list[str]]]]:
    """Tables copied one cell a line (how many pages and PDFs give a table as text): header
    cells, "TT" first, with a content column and a unit or date column ("TT", "Nội dung công
    việc", "Thời gian hoàn thành"), then rows, each starting with its number alone ("1", "2",
    …, or a section "I", "A"), a line of spaces for an empty cell. A table ends at the
    signature block or a numbered heading ("III. TỔ CHỨC THỰC HIỆN")."""
    if not any(len(line) <= MAX_CODE_CELL and _is_code(clean_line(line)) for line in lines):
        return []  # (the common case, read at the cost of a length check a line)
    cells = _cells(lines)
    tables: list[tuple[int, list[list[str]]]] = []
    k = 0
    while k < len(cells):
        if not _is_code(cells[k][1]) or (head := _cell_header(cells, k)) is None:
            k += 1
            continue
        kinds = [classify_header(h) for h in head]
        first_line = cells[k][0]
        rows: list[list[str]] = [head]
        k += len(head)
        expected, number, body, sections = 1, "", [], ("I", "A")
        while True:
            c = cells[k][1] if k < len(cells) else None
            m = _ROW_NUMBER.fullmatch(c) if c is not None else None
            # a section is the next in its series: "II" after "I" ("X" alone is a mark, not the tenth)
            section = c is not None and c.rstrip(".") in sections
            # the next number, or 1 again under a section
            starts = section or (m is not None and (int(m["n"]) == expected or (
                m["n"] == "1" and _SECTION_NUMBER.fullmatch(number) is not None)))
            ends = c is None or STOP.match(fold(c)) is not None or (
                _HEADING.match(c) is not None and c.upper() == c and any(ch.isalpha() for ch in c))
            if (starts or ends) and number:
                rows.append([number, *_fill(body, kinds)[1:]])
            if ends:
                break
            if starts:
                number, body = c.rstrip("."), []
                if m is not None:
                    expected = int(m["n"]) + 1
                else:
                    sections = _next_sections(number)
            else:
                body.append(c)
            k += 1
        if len(rows) > 1:
            tables.append((first_line, rows))
    return tables


def tasks_in_tables(text: str, year: int | None, today: date | None) -> list[ParsedTask]:
    found: list[ParsedTask] = []
    lines = text.splitlines()
    for first_line, rows in _pipe_tables(lines) + _cell_tables(lines):
        if len(rows) < 2:
            continue
        got = read_rows(rows, today, year=year, first_line=first_line)
        if got is not None:
            found.extend(got.tasks)
    return found


