"""Build a programme the way people really send it, from its plain-text form:

- `word_docx(text)`: a .docx as Word writes it — one paragraph per paragraph and no empty
  paragraphs, list numbers and bullets as Word's automatic numbering (the numbers are not
  in the text, they live in numbering.xml), headings bold or in a heading style, *italic*
  and **bold** as runs, the letterhead before the title and the recipients and signature
  after "Nơi nhận" as borderless two-column tables;
- `text_pdf(text)`: a PDF with a text layer (fpdf2, with the DejaVu font matplotlib ships).

Only the text's own shape is used (markers, capitals, "Nơi nhận"); nothing knows a sample.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

# marker -> (ilvl, numFmt, lvlText)
_LEVELS = [
    (re.compile(r"^([IVX]{1,5})\.\s+"), 0, "upperRoman", "%1."),
    (re.compile(r"^(\d{1,2})\.\s+"), 1, "decimal", "%2."),
    (re.compile(r"^([a-z])\)\s+"), 2, "lowerLetter", "%3)"),
    (re.compile(r"^(-)\s+"), 3, "bullet", "-"),
    (re.compile(r"^(\+)\s+"), 4, "bullet", "+"),
]
_TITLE = re.compile(r"^(?:\*\*)?(KẾ HOẠCH|CHƯƠNG TRÌNH|QUYẾT ĐỊNH|BÁO CÁO)\b")
_RIGHT_HEAD = re.compile(r"CỘNG HÒA|CỘNG HOÀ|ĐẢNG CỘNG SẢN|Độc lập|, ngày .* năm \d{4}", re.I)


def _roman_value(s: str) -> int:
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for i, ch in enumerate(s):
        v = values[ch]
        total += -v if i + 1 < len(s) and values[s[i + 1]] > v else v
    return total


def _number_value(ilvl: int, token: str) -> int:
    if ilvl == 0:
        return _roman_value(token)
    if ilvl == 1:
        return int(token)
    if ilvl == 2:
        return ord(token) - ord("a") + 1
    return 1


class _Numbering:
    """One abstract list (I. / 1. / a) / - / +) and a w:num per restart, as Word does when
    "Restart numbering" or "Set numbering value" is used."""

    ABSTRACT_ID = 90

    def __init__(self, document) -> None:
        self.root = document.part.numbering_part.element
        levels = "".join(
            f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{360 * (ilvl + 1)}" w:hanging="360"/></w:pPr></w:lvl>'
            for _, ilvl, fmt, text in _LEVELS)
        abstract = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{self.ABSTRACT_ID}">'
                             f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>')
        first_num = self.root.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            self.root.append(abstract)
        self.next_id = 900
        self.num_id = self._new_num({})
        self.expected: dict[int, int] = {}

    def _new_num(self, overrides: dict[int, int]) -> int:
        self.next_id += 1
        body = "".join(f'<w:lvlOverride w:ilvl="{lv}"><w:startOverride w:val="{v}"/></w:lvlOverride>'
                       for lv, v in overrides.items())
        self.root.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{self.next_id}">'
                                   f'<w:abstractNumId w:val="{self.ABSTRACT_ID}"/>{body}</w:num>'))
        return self.next_id

    def apply(self, par, ilvl: int, value: int) -> None:
        if ilvl <= 2 and self.expected.get(ilvl, 1) != value:
            self.num_id = self._new_num({ilvl: value})  # "Set numbering value"
        if ilvl <= 2:
            self.expected[ilvl] = value + 1
            for deeper in [k for k in self.expected if k > ilvl]:
                del self.expected[deeper]
        num_pr = par._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = ilvl
        num_pr.get_or_add_numId().val = self.num_id


def _runs(par, text: str, bold: bool = False) -> None:
    """Markdown emphasis as Word runs: **bold**, *italic*."""
    for part in re.split(r"(\*\*[^*]+\*\*|\*[^*\s][^*]*\*)", text):
        if not part:
            continue
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            run = par.add_run(part[2:-2])
            run.bold = True
        elif part.startswith("*") and part.endswith("*") and len(part) > 2:
            run = par.add_run(part[1:-1])
            run.italic = True
            run.bold = bold or None
        else:
            run = par.add_run(part.replace("*", "") if part.strip() == "*" else part)
            run.bold = bold or None


def _is_caps(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _layout_table(document, left: list[str], right: list[str]) -> None:
    table = document.add_table(rows=1, cols=2)
    for cell, lines in zip(table.rows[0].cells, (left, right)):
        first = True
        for line in lines:
            par = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            _runs(par, line, bold=_is_caps(line))


def split_parts(text: str) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """(letterhead left, letterhead right, body, recipients, signature) lines, non-empty."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if _TITLE.match(ln)), 0)
    head, body = lines[:start], lines[start:]
    left = [ln for ln in head if not _RIGHT_HEAD.search(ln)]
    right = [ln for ln in head if _RIGHT_HEAD.search(ln)]
    end = next((i for i, ln in enumerate(body) if re.match(r"^(?:\*\*)?Nơi nhận", ln)), len(body))
    tail = body[end:]
    body = body[:end]
    k = 1
    while k < len(tail) and tail[k].startswith("-"):
        k += 1
    return left, right, body, tail[:k], tail[k:]


def word_docx(text: str) -> bytes:
    document = docx.Document()
    numbering = _Numbering(document)
    left, right, body, recipients, signature = split_parts(text)
    if left or right:
        _layout_table(document, left, right)
    for line in body:
        for rx, ilvl, _, _ in _LEVELS:
            m = rx.match(line)
            if m:
                par = document.add_paragraph()
                numbering.apply(par, ilvl, _number_value(ilvl, m.group(1)))
                _runs(par, line[m.end():], bold=ilvl == 0)
                break
        else:
            if _is_caps(line.replace("*", "")) and not _TITLE.match(line):
                par = document.add_paragraph(style="Heading 2")
                _runs(par, line.replace("**", ""))
            else:
                par = document.add_paragraph()
                _runs(par, line, bold=_is_caps(line.replace("*", "")))
    if recipients or signature:
        _layout_table(document, recipients, signature)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


_FONT_DIR = None


def _font_dir() -> Path:
    global _FONT_DIR
    if _FONT_DIR is None:
        import matplotlib

        _FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return _FONT_DIR


def text_pdf(text: str) -> bytes:
    """A PDF with a text layer as a word processor prints the programme: body lines as
    paragraphs wrapped at the page width (markers as typed, emphasis stars dropped), the
    letterhead and the recipients / signature as two columns side by side."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.add_font("DejaVu", "", str(_font_dir() / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(_font_dir() / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    left, right, body, recipients, signature = split_parts(text)

    def columns(a: list[str], b: list[str]) -> None:
        top = pdf.get_y()
        ends = []
        for lines, x in ((a, 20), (b, 110)):
            pdf.set_xy(x, top)
            for line in lines:
                pdf.set_font("DejaVu", "B" if _is_caps(line.replace("*", "")) else "", 10)
                pdf.set_x(x)
                pdf.multi_cell(80, 5, _plain(line), align="C", new_x="LEFT", new_y="NEXT")
            ends.append(pdf.get_y())
        pdf.set_xy(20, max(ends) + 6)

    if left or right:
        columns(left, right)
    for line in body:
        pdf.set_font("DejaVu", "B" if _is_caps(line.replace("*", "")) else "", 11)
        pdf.multi_cell(0, 6, _plain(line), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    if recipients or signature:
        columns(recipients, signature)
    return bytes(pdf.output())


def _plain(line: str) -> str:
    return line.replace("**", "").replace("*", "") or "*"
