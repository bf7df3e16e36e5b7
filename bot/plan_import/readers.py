"""Files -> `ParsedPlan`: .docx, .xlsx, .csv, .txt/.md.

`read_plan` takes a path or the bytes of an upload (with its file name) and dispatches on
what the bytes are (a zip holding word/document.xml is a .docx whatever its name says) and
then on the extension. Text goes to the text parser (`parser.parse_plan_text`); tables whose
header names the template columns are read row by row (`tables.read_rows`); other tables
become text lines, one per row, so a plan annexed as a table still yields tasks.

Anything wrong with the file itself — wrong type, corrupt, empty, encrypted, too big — is a
`PlanReadError` whose message is the Vietnamese sentence shown to the user.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import unicodedata
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

from bot.plan_import.model import ParsedPlan, ParsedTask
from bot.plan_import.tables import cell_text, find_header, read_rows, year_of
from bot.plan_import.units import fold

log = logging.getLogger(__name__)

ACCEPTED = (".docx", ".xlsx", ".csv", ".txt", ".md")
ACCEPTED_TEXT = ", ".join(ACCEPTED)
MAX_BYTES = 20 * 1024 * 1024  # what a Telegram bot can download
MAX_UNZIPPED = 300 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLS = 60
MAX_EMPTY_RUN = 1_000

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_OLD_FORMATS = {"doc": "Word", "xls": "Excel", "rtf": "Word", "odt": "OpenDocument", "ods": "OpenDocument"}


class PlanReadError(Exception):
    """The file cannot be read as a plan; ``str(exc)`` is the message for the user."""

    def __init__(self, reason: str, filename: str | None = None) -> None:
        self.reason = reason
        self.filename = filename or ""
        name = f" {self.filename}" if self.filename else ""
        super().__init__(f"Không đọc được tệp{name}: {reason}")


def read_plan(source: Path | str | bytes | bytearray | memoryview, filename: str | None = None,
              today: date | None = None) -> ParsedPlan:
    """The plan in a file (a path, or an upload's bytes with its file name)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = filename or path.name
        try:
            if path.stat().st_size > MAX_BYTES:
                raise PlanReadError(_too_big(path.stat().st_size), name)
            data = path.read_bytes()
        except FileNotFoundError:
            raise PlanReadError("không tìm thấy tệp.", name) from None
        except IsADirectoryError:
            raise PlanReadError("đây là một thư mục, không phải tệp.", name) from None
        except OSError as exc:
            raise PlanReadError(f"không mở được tệp ({exc.strerror or exc}).", name) from None
    else:
        data, name = bytes(source), filename or ""
    if len(data) > MAX_BYTES:
        raise PlanReadError(_too_big(len(data)), name)
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise PlanReadError("tệp trống.", name)

    ext = Path(name).suffix.lower().lstrip(".") if name else ""
    kind = _sniff(data, ext, name)
    stem = Path(name).stem if name else ""
    if kind == "docx":
        return _guard(read_docx, data, name, stem, today)
    if kind == "xlsx":
        return _guard(read_xlsx, data, name, stem, today)
    if kind == "csv":
        return _guard(read_csv, data, name, stem, today)
    return _guard(read_text, data, name, stem, today)


def _too_big(size: int) -> str:
    return f"tệp lớn quá ({size / 1024 / 1024:.1f} MB, tối đa {MAX_BYTES // 1024 // 1024} MB)."


def _unsupported(ext: str) -> str:
    what = f"định dạng .{ext}" if ext else "loại tệp này"
    return f"{what} chưa được hỗ trợ. Hãy gửi một trong các loại tệp: {ACCEPTED_TEXT}."


def _sniff(data: bytes, ext: str, name: str) -> str:
    """"docx", "xlsx", "csv" or "text"; PlanReadError for anything else."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _sniff_zip(data, ext, name)
    if data.startswith(_OLE):
        if _ENCRYPTED_STREAM in data:
            raise PlanReadError("tệp được đặt mật khẩu. Hãy bỏ mật khẩu rồi gửi lại.", name)
        raise PlanReadError("đây là định dạng Word/Excel cũ (.doc/.xls). Hãy mở tệp, lưu lại thành "
                            ".docx hoặc .xlsx rồi gửi lại.", name)
    if data.startswith(b"%PDF"):
        raise PlanReadError("tệp PDF chưa được hỗ trợ. Hãy gửi bản Word (.docx) hoặc văn bản (.txt) "
                            "của kế hoạch.", name)
    if data.startswith(b"{\\rtf"):
        raise PlanReadError("tệp RTF chưa được hỗ trợ. Hãy lưu lại thành .docx rồi gửi lại.", name)
    if ext in ("docx", "xlsx"):
        what = "Word (.docx)" if ext == "docx" else "Excel (.xlsx)"
        raise PlanReadError(f"tệp bị hỏng hoặc không phải là tệp {what} thật.", name)
    if ext == "csv":
        return "csv"
    if ext in ("txt", "md", "text", "markdown"):
        return "text"
    if ext in _OLD_FORMATS:
        raise PlanReadError(f"định dạng .{ext} chưa được hỗ trợ. Hãy lưu lại thành .docx hoặc .xlsx "
                            "rồi gửi lại.", name)
    if ext:
        raise PlanReadError(_unsupported(ext), name)
    return "text"  # no name: try it as text (binary junk is refused there)


def _sniff_zip(data: bytes, ext: str, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if sum(i.file_size for i in infos) > MAX_UNZIPPED:
                raise PlanReadError("nội dung giải nén lớn quá.", name)
            if "EncryptedPackage" in names or any(i.flag_bits & 0x1 for i in infos):
                raise PlanReadError("tệp được đặt mật khẩu. Hãy bỏ mật khẩu rồi gửi lại.", name)
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, KeyError,
            NotImplementedError, RuntimeError):
        if ext in ("docx", "xlsx"):
            what = "Word (.docx)" if ext == "docx" else "Excel (.xlsx)"
            raise PlanReadError(f"tệp bị hỏng hoặc không phải là tệp {what} thật.", name) from None
        raise PlanReadError("tệp nén bị hỏng.", name) from None
    if b"opendocument" in mimetype:
        raise PlanReadError("định dạng OpenDocument (.odt/.ods) chưa được hỗ trợ. Hãy lưu lại thành "
                            ".docx hoặc .xlsx rồi gửi lại.", name)
    if ext in ("docx", "xlsx"):
        what = "Word (.docx)" if ext == "docx" else "Excel (.xlsx)"
        raise PlanReadError(f"tệp bị hỏng hoặc không phải là tệp {what} thật.", name)
    raise PlanReadError(f"đây là tệp nén, không phải kế hoạch. Hãy gửi một trong các loại tệp: "
                        f"{ACCEPTED_TEXT}.", name)


def _guard(reader, data: bytes, name: str, stem: str, today: date | None) -> ParsedPlan:
    """Library errors on a damaged file become a PlanReadError; our own stay visible in the log."""
    try:
        return reader(data, name=name, stem=stem, today=today)
    except PlanReadError:
        raise
    except MemoryError:
        raise PlanReadError("tệp lớn quá.", name) from None
    except Exception as exc:  # noqa: BLE001 - a damaged upload must get an answer, not a crash
        log.warning("plan file %r unreadable: %r", name, exc, exc_info=True)
        raise PlanReadError("tệp bị hỏng hoặc có nội dung không đọc được.", name) from None


# --- text ------------------------------------------------------------------------------------


def decode_text(data: bytes, name: str = "") -> str:
    """Bytes of a text file -> NFC text: UTF-8 (with or without BOM), UTF-16 (BOM or
    obviously so), else the Vietnamese Windows code page, else Latin-1. Binary junk is a
    PlanReadError."""
    text = None
    if data.startswith(codecs.BOM_UTF8):
        text = data[3:].decode("utf-8", errors="replace")
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) and len(data) % 4 == 0:
        text = data.decode("utf-32", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data[:4000]:
        head = data[:4000]
        even, odd = head[0::2].count(0), head[1::2].count(0)
        half = max(1, len(head) // 2)
        if odd / half > 0.3 and even / half < 0.05:
            text = data.decode("utf-16-le", errors="replace")
        elif even / half > 0.3 and odd / half < 0.05:
            text = data.decode("utf-16-be", errors="replace")
    if text is None:
        for enc in ("utf-8", "cp1258", "latin-1"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
    assert text is not None
    if _looks_binary(text):
        raise PlanReadError("nội dung không phải là văn bản (tệp bị hỏng hoặc sai đuôi tệp).", name)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return unicodedata.normalize("NFC", text)


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    sample = text[:20000]
    bad = sum(1 for c in sample if c == "\ufffd" or (unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v"))
    return "\x00" in sample or bad / len(sample) > 0.02


def read_text(data: bytes, *, name: str = "", stem: str = "", today: date | None = None) -> ParsedPlan:
    text = decode_text(data, name)
    if not text.strip():
        raise PlanReadError("tệp trống.", name)
    return _parse_text(text, stem, today)


def _parse_text(text: str, stem: str, today: date | None) -> ParsedPlan:
    from bot.plan_import.parser import parse_plan_text

    plan = parse_plan_text(text, today=today)
    if not plan.title and stem:
        plan.title = stem
    return plan


# --- tables in common ------------------------------------------------------------------------


def _row_lines(row: list) -> list[str]:
    """A non-template table row as text: its distinct non-empty cells on one line, a
    leading number as the item's number; cells that are only a deadline ("Quý II",
    "30/6/2025") go on a labelled line below so they do not end up in the title."""
    from bot.deadlines import parse_deadline

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


_REF_DAY = date(2000, 1, 1)


def _merge(text_plan: ParsedPlan | None, table_tasks: list[ParsedTask], *, title: str, year: int | None,
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


def _year_line(lines: list[str]) -> int | None:
    for line in lines[:30]:
        if re.fullmatch(r"nam\s*:?\s*\d{4}", fold(line.strip())):
            return year_of(line)
    return None


def _from_parts(lines: list[str], table_tasks: list[ParsedTask], table_title: str, table_year: int | None,
                stem: str, today: date | None, explicit_title: str = "") -> ParsedPlan:
    """Text lines (paragraphs, non-template rows) and template-table tasks -> one plan."""
    text = "\n".join(lines).strip()
    if not table_tasks:
        if not text:
            return ParsedPlan(title=explicit_title or stem, year=None)
        plan = _parse_text(text, stem, today)
        if explicit_title:
            plan.title = explicit_title
        return plan
    text_plan = None
    if text:
        try:
            text_plan = _parse_text(text, stem, today)
        except ImportError:  # the text parser is optional for template tables
            text_plan = None
    title = explicit_title or table_title or _first_title(lines) or (text_plan.title if text_plan else "") or stem
    year = _year_line(lines) or table_year or (text_plan.year if text_plan else None) or year_of(title)
    return _merge(text_plan, table_tasks, title=title, year=year, warnings=[])


# --- docx ------------------------------------------------------------------------------------


def read_docx(data: bytes, *, name: str = "", stem: str = "", today: date | None = None) -> ParsedPlan:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    numbering = _Numbering(document)
    lines: list[str] = []
    table_tasks: list[ParsedTask] = []
    table_title, table_year, explicit_title = "", None, ""
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = unicodedata.normalize("NFC", block.text or "").strip()
            if not text:
                lines.append("")
                continue
            style = _style_name(block)
            if style == "Title" and not explicit_title:
                explicit_title = re.sub(r"\s+", " ", text)
            prefix = numbering.prefix(block)
            lines.append(prefix + text)
            continue
        if isinstance(block, Table):
            rows = _table_rows(block)
            header = find_header(rows)
            if header is not None:
                got = read_rows(rows, today, header=header, year=_year_line(lines))
                if got is not None:
                    table_tasks.extend(got.tasks)
                    table_title = table_title or got.title
                    table_year = table_year or got.year
                    continue
            lines.append("")
            for row in rows:
                got_lines = _row_lines(row)
                if got_lines:
                    lines.extend([*got_lines, ""])
    plan = _from_parts(lines, table_tasks, table_title, table_year, stem, today, explicit_title)
    if not plan.title:
        plan.title = stem
    return plan


def _style_name(par) -> str:
    try:
        return par.style.name if par.style is not None else ""
    except Exception:  # noqa: BLE001 - a broken styles part only loses the style
        return ""


def _table_rows(table) -> list[list[str]]:
    """Rows of cell texts; a cell merged across columns counts once."""
    rows: list[list[str]] = []
    for tr in table.rows:
        row: list[str] = []
        seen: list = []
        try:
            cells = tr.cells
        except Exception:  # noqa: BLE001 - odd merges: read the raw cells
            cells = []
        for cell in cells:
            tc = cell._tc
            if any(tc is s for s in seen):
                row.append("")
                continue
            seen.append(tc)
            row.append(unicodedata.normalize("NFC", cell.text or "").strip())
        rows.append(row)
    return rows


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class _Numbering:
    """Word's automatic list numbers, rendered as the reader sees them ("1.", "a)", "II.");
    bullets become "- ". Anything unresolvable is a "- " bullet too."""

    def __init__(self, document) -> None:
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}  # (numId, ilvl) -> fmt, text, start
        self.abstract_of: dict[str, str] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        self.overrides: dict[tuple[str, int], int] = {}
        self.style_num: dict[str, tuple[str, int]] = {}
        try:
            root = document.part.numbering_part.element
        except Exception:  # noqa: BLE001 - no numbering part: bullets only
            root = None
        if root is not None:
            abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
            for an in root.findall(f"{_W}abstractNum"):
                lv: dict[int, tuple[str, str, int]] = {}
                for lvl in an.findall(f"{_W}lvl"):
                    lv[_int(lvl.get(f"{_W}ilvl"))] = (_val(lvl, "numFmt") or "decimal", _val(lvl, "lvlText") or "",
                                                     _int(_val(lvl, "start"), 1))
                abstract[an.get(f"{_W}abstractNumId") or ""] = lv
            for num in root.findall(f"{_W}num"):
                num_id = num.get(f"{_W}numId") or ""
                aid = _val(num, "abstractNumId") or ""
                self.abstract_of[num_id] = aid
                for ilvl, spec in abstract.get(aid, {}).items():
                    self.levels[(num_id, ilvl)] = spec
                for ov in num.findall(f"{_W}lvlOverride"):
                    so = _val(ov, "startOverride")
                    if so is not None:
                        self.overrides[(num_id, _int(ov.get(f"{_W}ilvl")))] = _int(so, 1)

    def _num_pr(self, par) -> tuple[str, int] | None:
        ppr = par._p.pPr
        num_pr = ppr.numPr if ppr is not None else None
        if num_pr is not None and num_pr.numId is not None:
            return str(num_pr.numId.val), int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0
        style = par.style
        depth = 0
        while style is not None and depth < 10:
            sppr = style.element.pPr
            snum = sppr.numPr if sppr is not None else None
            if snum is not None and snum.numId is not None:
                return str(snum.numId.val), int(snum.ilvl.val) if snum.ilvl is not None else 0
            style, depth = style.base_style, depth + 1
        return None

    def prefix(self, par) -> str:
        try:
            num = self._num_pr(par)
        except Exception:  # noqa: BLE001
            num = None
        if num is None:
            name = _style_name(par)
            return "- " if name.startswith("List") and name != "List Paragraph" else ""
        num_id, ilvl = num
        if num_id == "0":
            return ""  # numbering switched off for this paragraph
        spec = self.levels.get((num_id, ilvl))
        if spec is None:
            return "- "
        fmt, pattern, _ = spec
        aid = self.abstract_of.get(num_id, num_id)
        counters = self.counters.setdefault(aid, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for (nid, lv), start in self.overrides.items():
                if nid == num_id:
                    counters[lv] = start - 1
                    for deeper in [k for k in counters if k > lv]:
                        del counters[deeper]
        counters[ilvl] = counters.get(ilvl, spec[2] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt in ("bullet", "none") or not pattern:
            return "- "

        def level_text(m: re.Match) -> str:
            lv = int(m.group(1)) - 1
            lfmt, _, lstart = self.levels.get((num_id, lv), (fmt, "", 1))
            return _format_number(counters.get(lv, lstart), lfmt)

        rendered = re.sub(r"%([1-9])", level_text, pattern).strip()
        return f"{rendered} " if rendered else "- "


def _val(el, tag: str) -> str | None:
    child = el.find(f"{_W}{tag}")
    return child.get(f"{_W}val") if child is not None else None


def _int(v: str | None, default: int = 0) -> int:
    try:
        return int(v) if v is not None else default
    except ValueError:
        return default


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("upperRoman", "lowerRoman"):
        s = _roman(n)
        return s if fmt == "upperRoman" else s.lower()
    if fmt in ("upperLetter", "lowerLetter"):
        s = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else "a"
        return s.upper() if fmt == "upperLetter" else s
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                       (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + sym, n - value
    return out


# --- xlsx ------------------------------------------------------------------------------------


def read_xlsx(data: bytes, *, name: str = "", stem: str = "", today: date | None = None) -> ParsedPlan:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheets = []
        for ws in wb.worksheets:
            if fold(ws.title).strip() in ("huong dan", "hd", "instructions"):
                continue
            sheets.append((ws.title, _sheet_rows(ws)))
    finally:
        wb.close()
    return _from_sheets(sheets, stem, today)


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


def _from_sheets(sheets: list[tuple[str, list[list]]], stem: str, today: date | None) -> ParsedPlan:
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
        plan = _merge(None, tasks, title=title or stem, year=year, warnings=[])
        return plan
    lines: list[str] = []
    for _, rows in sheets:
        for row in rows:
            got_lines = _row_lines(row)
            if got_lines:
                lines.extend([*got_lines, ""])
    return _from_parts(lines, [], "", None, stem, today)


# --- csv -------------------------------------------------------------------------------------


def read_csv(data: bytes, *, name: str = "", stem: str = "", today: date | None = None) -> ParsedPlan:
    text = decode_text(data, name)
    if not text.strip():
        raise PlanReadError("tệp trống.", name)
    rows = csv_rows(text)
    return _from_sheets([(stem, rows)], stem, today)


def csv_rows(text: str) -> list[list[str]]:
    """Rows with the delimiter that finds the template header, else the one that gives the
    most consistent row widths (",", ";" or tab)."""
    csv.field_size_limit(10 * 1024 * 1024)
    best: tuple[tuple[int, int], list[list[str]]] | None = None
    for delim in (",", ";", "\t"):
        try:
            rows = [r for i, r in zip(range(MAX_ROWS), csv.reader(io.StringIO(text), delimiter=delim))]
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
