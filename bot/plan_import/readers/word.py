"""Word .docx: paragraphs as Word keeps them (each one a paragraph, automatic numbering
rendered from numbering.xml), tables row by row or as template tasks."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from bot import texts
from bot.plan_import.model import ParsedPlan, ParsedTask
from bot.plan_import.readers.assemble import from_parts, table_lines, year_line
from bot.plan_import.tables import find_header, read_rows

MAX_LIST_NUMBER = 32_767  # Word's own limit for a list's start value


def read_docx(data: bytes, *, name: str = "", stem: str = "", today: date | None = None) -> ParsedPlan:
    document = docx.Document(io.BytesIO(data))
    numbering = Numbering(document)
    lines: list[str] = []
    table_tasks: list[ParsedTask] = []
    table_title, table_year, explicit_title = "", None, ""
    for block in blocks(document):
        if isinstance(block, Paragraph):
            text = unicodedata.normalize("NFC", paragraph_text(block._p)).strip()
            if text:
                if _style_name(block) == "Title" and not explicit_title:
                    explicit_title = re.sub(r"\s+", " ", text)
                # a paragraph is a paragraph: the blank line keeps the parser from joining it
                # to the next one as if it were a hard-wrapped line of text
                lines.extend([numbering.prefix(block) + text, ""])
            for box in text_boxes(block._p):  # a letterhead or note in a text box
                lines.extend([box, ""])
            continue
        if isinstance(block, Table):
            rows = table_rows(block)
            header = find_header(rows)
            if header is not None:
                got = read_rows(rows, today, header=header, year=year_line(lines))
                if got is not None:
                    table_tasks.extend(got.tasks)
                    table_title = table_title or got.title
                    table_year = table_year or got.year
                    continue
            lines.extend(table_lines(rows))
    plan = from_parts(lines, table_tasks, table_title, table_year, stem, today, explicit_title, name)
    if not plan.title:
        plan.title = stem
    pictures = large_pictures(document)
    if pictures:
        plan.warnings.insert(0, texts.READ_PART_IMAGES.format(n=pictures))
    return plan


_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_LARGE_EMU = 8 * 360_000  # 8 cm: a picture this wide and tall may be a scanned page or table


def large_pictures(document) -> int:
    """Pictures in the body big enough to hold text (a scanned annex), not a logo."""
    n = 0
    for extent in document.element.body.iter(f"{_WP}extent"):
        if _int_emu(extent.get("cx")) >= _LARGE_EMU and _int_emu(extent.get("cy")) >= _LARGE_EMU:
            n += 1
    return n


def _int_emu(v: str | None) -> int:
    try:
        return int(v or 0)
    except ValueError:
        return 0


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_TEXT_TAGS = {f"{_W}t": None, f"{_W}tab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}
# what Word shows is not inside these: deleted or moved-away text, text boxes (read on
# their own), the fallback copy of a drawing, a field's code
_HIDDEN = {f"{_W}del", f"{_W}moveFrom", f"{_W}txbxContent", _MC_FALLBACK, f"{_W}instrText"}


def blocks(document):
    """Body paragraphs and tables in order, also those inside block-level content controls
    (w:sdt: cover pages, forms), which python-docx's own iteration skips."""
    def walk(parent_el, parent):
        for child in parent_el.iterchildren():
            if child.tag == f"{_W}p":
                yield Paragraph(child, parent)
            elif child.tag == f"{_W}tbl":
                yield Table(child, parent)
            elif child.tag == f"{_W}sdt":
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    yield from walk(content, parent)
    body = document.element.body
    yield from walk(body, document._body)


def paragraph_text(p) -> str:
    """The text Word shows for a paragraph: runs anywhere inside it — tracked insertions,
    smart tags, inline content controls, fields, hyperlinks — but not deleted text."""
    out: list[str] = []
    for el in p.iter(*_TEXT_TAGS):
        if _hidden(el, p):
            continue
        fixed = _TEXT_TAGS[el.tag]
        out.append(el.text or "" if fixed is None else fixed)
    return "".join(out)


def _hidden(el, stop) -> bool:
    for anc in el.iterancestors():
        if anc is stop:
            return False
        if anc.tag in _HIDDEN:
            return True
    return False


def text_boxes(p) -> list[str]:
    """Paragraphs of the text boxes anchored in a paragraph (each once, not its fallback)."""
    lines = []
    for box in p.iter(f"{_W}txbxContent"):
        if any(anc.tag in (_MC_FALLBACK, f"{_W}txbxContent") for anc in box.iterancestors()):
            continue
        for inner in box.iter(f"{_W}p"):
            text = unicodedata.normalize("NFC", paragraph_text(inner)).strip()
            if text:
                lines.append(text)
    return lines


def _style_name(par) -> str:
    try:
        return par.style.name if par.style is not None else ""
    except Exception:  # noqa: BLE001 - a broken styles part only loses the style
        return ""


def table_rows(table) -> list[list[str]]:
    """Rows of cell texts; a cell merged across columns counts once."""
    rows: list[list[str]] = []
    for tr in table.rows:
        row: list[str] = []
        seen: set[int] = set()
        try:
            cells = tr.cells
        except Exception:  # noqa: BLE001 - odd merges: read the row as empty
            cells = []
        for cell in cells:
            tc = cell._tc
            if id(tc) in seen:
                row.append("")
                continue
            seen.add(id(tc))
            text = "\n".join(paragraph_text(p) for p in tc.iterchildren(f"{_W}p"))
            row.append(unicodedata.normalize("NFC", text).strip())
        rows.append(row)
    return rows


class Numbering:
    """Word's automatic list numbers, rendered as the reader sees them ("1.", "a)", "II.");
    bullets become "- ". Anything unresolvable is a "- " bullet too. Start values are held
    to Word's own range, so a crafted file cannot ask for a two-billion-letter number."""

    def __init__(self, document) -> None:
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}  # (numId, ilvl) -> fmt, text, start
        self.abstract_of: dict[str, str] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        self.overrides: dict[tuple[str, int], int] = {}
        try:
            root = document.part.numbering_part.element
        except Exception:  # noqa: BLE001 - no numbering part: bullets only
            root = None
        if root is not None:
            abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
            for an in root.findall(f"{_W}abstractNum"):
                lv: dict[int, tuple[str, str, int]] = {}
                for lvl in an.findall(f"{_W}lvl"):
                    lv[_int(lvl.get(f"{_W}ilvl"))] = (_val(lvl, "numFmt") or "decimal", (_val(lvl, "lvlText") or "")[:40],
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
        except Exception:  # noqa: BLE001 - a broken numbering reference reads as no number
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
            return format_number(counters.get(lv, lstart), lfmt)

        rendered = re.sub(r"%([1-9])", level_text, pattern).strip()
        return f"{rendered} " if rendered else "- "


def _val(el, tag: str) -> str | None:
    child = el.find(f"{_W}{tag}")
    return child.get(f"{_W}val") if child is not None else None


def _int(v: str | None, default: int = 0) -> int:
    try:
        n = int(v) if v is not None else default
    except ValueError:
        return default
    return max(0, min(n, MAX_LIST_NUMBER))


def format_number(n: int, fmt: str) -> str:
    n = max(0, min(n, MAX_LIST_NUMBER + 100_000))  # counters only grow by one per paragraph
    if fmt in ("upperRoman", "lowerRoman"):
        s = _roman(n)
        return s if fmt == "upperRoman" else s.lower()
    if fmt in ("upperLetter", "lowerLetter"):
        if n <= 0 or n > 26 * 5:
            return str(n)  # "aaaaaa…" is no label anybody reads
        s = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
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
