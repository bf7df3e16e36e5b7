"""The plan template and a parsed plan as files the secretariat can correct and send back.

`write_template` writes the .xlsx template (empty, or one row per task of a plan);
`write_plan_docx` writes a .docx with the same table. Both read back through `read_plan`
as the same tasks: the code stays in TT, dates are real dates, units are joined with "; ",
and period / recurrence / flags go into "Ghi chú" as tagged lines (see `tables.notes_cell`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import BinaryIO

from bot.plan_import.model import ParsedPlan, ParsedTask
from bot.plan_import.tables import COLUMNS, FLAG_WORDS, PERIOD_WORDS, RECURRENCE_WORDS, TAG_PERIOD, TAG_RECURRENCE, notes_cell

SHEET = "Kế hoạch"
HELP_SHEET = "Hướng dẫn"
WIDTHS = (9, 60, 30, 30, 16, 34)
DATE_FORMAT = "dd/mm/yyyy"
HEADER_ROW = 3  # row 1: title, row 2: "Năm 2025", row 3: the columns

HELP_LINES = [
    "HƯỚNG DẪN ĐIỀN BẢNG KẾ HOẠCH",
    "",
    "Mỗi dòng ở trang \"Kế hoạch\" là một nhiệm vụ. Không đổi tên các cột ở dòng tiêu đề.",
    "Dòng 1 là tên kế hoạch; dòng 2 là năm của kế hoạch (ví dụ: Năm 2025).",
    "",
    "TT: số thứ tự hoặc mã nhiệm vụ (ví dụ 1, 2, II.3). Khi sửa một bảng bot đã gửi, giữ nguyên "
    "cột TT để bot cập nhật đúng nhiệm vụ cũ thay vì tạo nhiệm vụ mới.",
    "Nội dung: nội dung nhiệm vụ. Dòng để trống cột này sẽ được bỏ qua.",
    "Chủ trì: đơn vị chủ trì. Nhiều đơn vị thì cách nhau bằng dấu chấm phẩy (;), "
    "ví dụ: Ban Dân vận Thành ủy; Sở Nội vụ.",
    "Phối hợp: các đơn vị phối hợp, cách nhau bằng dấu chấm phẩy (;).",
    "Hạn hoàn thành: ngày (dd/mm/yyyy, ví dụ 31/03/2025) hoặc cách viết thường dùng như "
    "\"Quý II\", \"cuối tháng 6\", \"trước ngày 15/11\". Để trống nếu chưa có hạn.",
    "Ghi chú: ghi chú tự do. Bot hiểu thêm các dòng sau trong ô Ghi chú:",
    f"    {TAG_PERIOD}: {PERIOD_WORDS['Q1']}   (hoặc {PERIOD_WORDS['H1']}, Tháng 3, {PERIOD_WORDS['Y']})",
    f"    {TAG_RECURRENCE}: {RECURRENCE_WORDS['monthly']}, ngày 15   (hoặc {RECURRENCE_WORDS['weekly']}, "
    f"{RECURRENCE_WORDS['quarterly']}, {RECURRENCE_WORDS['yearly']})",
    f"    {FLAG_WORDS['open_ended']}   (nhiệm vụ thường xuyên, không có hạn cụ thể)",
    "",
    "Có thể thêm dòng nhóm (ví dụ: I | CÔNG TÁC TUYÊN TRUYỀN, hoặc QUÝ II) với cột Chủ trì, "
    "Phối hợp, Hạn để trống: các nhiệm vụ bên dưới được đánh mã theo nhóm.",
    "Điền xong, lưu tệp (.xlsx) và gửi lại cho bot để xem trước rồi xác nhận nhập.",
]


def _title_rows(plan: ParsedPlan | None) -> tuple[str, str]:
    if plan is None:
        year = date.today().year
        return f"CHƯƠNG TRÌNH CÔNG TÁC NĂM {year}", f"Năm {year}"
    return plan.title or "Kế hoạch", (f"Năm {plan.year}" if plan.year else "")


def task_cells(task: ParsedTask) -> list:
    return [task.code, task.title, "; ".join(task.lead), "; ".join(task.support), task.due, notes_cell(task)]


def write_template(target: Path | str | BinaryIO, plan: ParsedPlan | None = None) -> None:
    """The .xlsx template; with a plan, one row per task, ready to correct and send back."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    title, year_line = _title_rows(plan)
    ncol = len(COLUMNS)
    last = get_column_letter(ncol)
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=13)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells(f"A1:{last}1")
    ws.row_dimensions[1].height = 36
    if year_line:
        ws["A2"] = year_line
        ws["A2"].alignment = Alignment(horizontal="center")
        ws["A2"].font = Font(italic=True)
    ws.merge_cells(f"A2:{last}2")

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for i, name in enumerate(COLUMNS, start=1):
        c = ws.cell(row=HEADER_ROW, column=i, value=name)
        c.font = Font(bold=True)
        c.fill = fill
        c.border = border
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS[i - 1]
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)

    wrap = Alignment(vertical="top", wrap_text=True)
    tasks = plan.tasks if plan is not None else []
    for r, task in enumerate(tasks, start=HEADER_ROW + 1):
        for i, value in enumerate(task_cells(task), start=1):
            c = ws.cell(row=r, column=i, value=value if value not in ("", None) else None)
            c.alignment = wrap
            c.border = border
            if i == 5:
                c.number_format = DATE_FORMAT
            elif i == 1:
                c.number_format = "@"  # "1.10" stays text, not a number
    # blank rows keep the date format and wrapping for whoever adds tasks by hand
    for r in range(HEADER_ROW + 1 + len(tasks), HEADER_ROW + 1 + len(tasks) + (50 if plan is None else 10)):
        for i in range(1, ncol + 1):
            c = ws.cell(row=r, column=i)
            c.alignment = wrap
            if i == 5:
                c.number_format = DATE_FORMAT
            elif i == 1:
                c.number_format = "@"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"

    help_ws = wb.create_sheet(HELP_SHEET)
    help_ws.column_dimensions["A"].width = 110
    for r, line in enumerate(HELP_LINES, start=1):
        c = help_ws.cell(row=r, column=1, value=line or None)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        if r == 1:
            c.font = Font(bold=True, size=13)

    if isinstance(target, (str, Path)):
        wb.save(str(target))
    else:
        wb.save(target)


def write_plan_docx(target: Path | str | BinaryIO, plan: ParsedPlan) -> None:
    """A .docx with the plan's title and one table row per task (the template columns)."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.5))
    document.add_paragraph(plan.title or "Kế hoạch", style="Title")
    if plan.year:
        document.add_paragraph(f"Năm {plan.year}")
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, COLUMNS):
        cell.text = ""
        run = cell.paragraphs[0].add_run(name)
        run.bold = True
    for task in plan.tasks:
        cells = table.add_row().cells
        for cell, value in zip(cells, task_cells(task)):
            if isinstance(value, date):
                value = value.strftime("%d/%m/%Y")
            _set_cell_text(cell, value or "")
    widths = [Cm(w * 0.45) for w in (4, 27, 11, 11, 6, 12)]
    for row in table.rows:
        for cell, w in zip(row.cells, widths):
            cell.width = w
    for p in document.paragraphs:
        for run in p.runs:
            run.font.size = run.font.size or Pt(12)
    if isinstance(target, (str, Path)):
        document.save(str(target))
    else:
        document.save(target)


def _set_cell_text(cell, text: str) -> None:
    """Multi-line text as separate paragraphs (Word's own way), not line breaks."""
    lines = str(text).split("\n")
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)
