"""Reading plans from real files: .docx (paragraphs, Word numbering, tables), .xlsx and .csv
in the template, the template and .docx export read back, and bad files refused with a
Vietnamese message — never a crash."""

from __future__ import annotations

import csv
import dataclasses
import io
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bot.plan_import import PlanReadError, read_plan
from bot.plan_import.export import write_plan_docx, write_template
from bot.plan_import.model import ParsedPlan, ParsedTask
from bot.plan_import.tables import COLUMNS, notes_cell, parse_notes_cell

TODAY = date(2025, 1, 10)
SAMPLES = Path(__file__).parent.parent / "bot" / "samples"


def make_plan() -> ParsedPlan:
    return ParsedPlan(title="Chương trình công tác của Ban Chỉ đạo", year=2025, tasks=[
        ParsedTask(code="I.1", title="Xây dựng và ban hành Chương trình công tác năm 2025", due=date(2025, 1, 31),
                   period="Q1", lead=["Ban Dân vận Tỉnh ủy"], support=["Các thành viên Ban Chỉ đạo"]),
        ParsedTask(code="I.2", title="Tổ chức hội nghị triển khai nhiệm vụ năm 2025", due=date(2025, 3, 15),
                   period="Q1", lead=["Văn phòng UBND tỉnh"], support=["Sở Nội vụ", "Sở Tư pháp"]),
        ParsedTask(code="II.1", title="Báo cáo tình hình thực hiện quy chế dân chủ", due=None,
                   recurrence="monthly:15", lead=["Tổ Thư ký giúp việc"], notes="Gửi qua hệ thống iOffice",
                   flags=["no_due_date"]),
        ParsedTask(code="II.2", title="Theo dõi, đôn đốc việc thực hiện ở xã, phường, thị trấn", due=None,
                   recurrence="quarterly", lead=["Tổ công tác số 1"], support=["UBND các xã, phường, thị trấn"],
                   flags=["open_ended"]),
        ParsedTask(code="III.1", title="Tổng kết công tác năm 2025, triển khai nhiệm vụ năm 2026",
                   due=date(2025, 12, 20), period="Q4", lead=["Ban Dân vận Tỉnh ủy"],
                   support=["Các thành viên Ban Chỉ đạo"], notes="Dòng ghi chú thứ nhất\nDòng thứ hai"),
    ])


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def encode(text: str, encoding: str) -> bytes:
    """cp1258 as Vietnamese Windows writes it: precomposed letters, tone marks combining."""
    if encoding != "cp1258":
        return text.encode(encoding)
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in _TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES)) + tones)
    return "".join(out).encode("cp1258")


def same(a: ParsedTask, b: ParsedTask) -> bool:
    return dataclasses.replace(a, line=0) == dataclasses.replace(b, line=0)


def xlsx_bytes(plan: ParsedPlan | None = None) -> bytes:
    buf = io.BytesIO()
    write_template(buf, plan)
    return buf.getvalue()


def find_row(ws, code: str) -> int:
    for row in ws.iter_rows(min_row=1):
        if row[0].value == code:
            return row[0].row
    raise AssertionError(f"no row with TT {code}")


def edited_workbook(tmp_path: Path) -> Path:
    """The template with a plan, then the secretariat's corrections made in Excel."""
    path = tmp_path / "ke_hoach.xlsx"
    write_template(path, make_plan())
    wb = openpyxl.load_workbook(path)
    ws = wb["Kế hoạch"]
    r = find_row(ws, "I.2")
    ws.cell(row=r, column=5).value = datetime(2025, 4, 30)
    ws.cell(row=r, column=3).value = "Sở Nội vụ"
    wb.save(path)
    return path


def check_edited(plan: ParsedPlan) -> None:
    original = make_plan()
    assert plan.title == original.title and plan.year == 2025
    assert [t.code for t in plan.tasks] == [t.code for t in original.tasks]
    got = {t.code: t for t in plan.tasks}
    assert got["I.2"].due == date(2025, 4, 30) and got["I.2"].lead == ["Sở Nội vụ"]
    assert got["I.2"].support == ["Sở Nội vụ", "Sở Tư pháp"] and got["I.2"].period == "Q1"
    for t in original.tasks:
        if t.code != "I.2":
            assert same(got[t.code], t), (got[t.code], t)


# --- the template ------------------------------------------------------------------------


def test_the_empty_template_has_the_columns_a_guide_and_no_tasks(tmp_path):
    path = tmp_path / "mau.xlsx"
    write_template(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Kế hoạch", "Hướng dẫn"]
    ws = wb["Kế hoạch"]
    header = [c.value for c in ws[3]][: len(COLUMNS)]
    assert header == list(COLUMNS) == ["TT", "Nội dung", "Chủ trì", "Phối hợp", "Hạn hoàn thành", "Ghi chú"]
    assert ws.freeze_panes == "A4"
    assert ws.column_dimensions["B"].width >= 40
    guide = " ".join(str(c.value) for c in wb["Hướng dẫn"]["A"] if c.value)
    assert "dấu chấm phẩy" in guide and "TT" in guide
    plan = read_plan(path)
    assert plan.tasks == [] and plan.title.startswith("CHƯƠNG TRÌNH CÔNG TÁC")


def test_a_plan_written_to_the_template_reads_back_as_the_same_tasks():
    original = make_plan()
    plan = read_plan(xlsx_bytes(original), "ke_hoach.xlsx", today=TODAY)
    assert plan.title == original.title and plan.year == original.year
    assert len(plan.tasks) == len(original.tasks)
    for a, b in zip(plan.tasks, original.tasks):
        assert same(a, b), (a, b)
    assert [t.line for t in plan.tasks] == [4, 5, 6, 7, 8]  # sheet rows


def test_dates_are_real_dates_and_units_are_joined_with_semicolons(tmp_path):
    path = tmp_path / "k.xlsx"
    write_template(path, make_plan())
    ws = openpyxl.load_workbook(path)["Kế hoạch"]
    r = find_row(ws, "I.2")
    due = ws.cell(row=r, column=5)
    assert isinstance(due.value, datetime) and due.number_format == "dd/mm/yyyy"
    assert ws.cell(row=r, column=4).value == "Sở Nội vụ; Sở Tư pháp"
    notes = ws.cell(row=find_row(ws, "II.1"), column=6).value
    assert "Lặp lại: hằng tháng, ngày 15" in notes and "Chưa có hạn hoàn thành" in notes
    assert ws["A1"].value == "Chương trình công tác của Ban Chỉ đạo" and ws["A2"].value == "Năm 2025"


def test_corrections_made_in_excel_come_back(tmp_path):
    check_edited(read_plan(edited_workbook(tmp_path), today=TODAY))


@pytest.mark.parametrize("delimiter,encoding", [(";", "utf-8-sig"), (",", "utf-8"), ("\t", "utf-16"),
                                                (",", "cp1258")])
def test_the_sheet_saved_as_csv_reads_the_same(tmp_path, delimiter, encoding):
    ws = openpyxl.load_workbook(edited_workbook(tmp_path))["Kế hoạch"]
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    for row in ws.iter_rows(values_only=True):
        writer.writerow(["" if v is None else v.strftime("%d/%m/%Y") if isinstance(v, datetime) else v
                         for v in row])
    path = tmp_path / "ke_hoach.csv"
    path.write_bytes(encode(buf.getvalue(), encoding))
    check_edited(read_plan(path, today=TODAY))


def test_the_notes_column_round_trips_period_recurrence_and_flags():
    for t in make_plan().tasks:
        notes, period, recurrence, flags = parse_notes_cell(notes_cell(t))
        assert (notes, period, recurrence, flags) == (t.notes, t.period, t.recurrence, t.flags)
    # words a person would type are understood too
    assert parse_notes_cell("Lặp lại: hang quy\nKy: quy ii")[1:3] == ("Q2", "quarterly")


def test_the_docx_export_reads_back_as_the_same_tasks(tmp_path):
    original = make_plan()
    path = tmp_path / "ke_hoach.docx"
    write_plan_docx(path, original)
    d = docx.Document(str(path))
    assert d.paragraphs[0].text == original.title
    assert [c.text for c in d.tables[0].rows[0].cells] == list(COLUMNS)
    plan = read_plan(path, today=TODAY)
    assert plan.title == original.title and plan.year == 2025
    assert len(plan.tasks) == len(original.tasks)
    for a, b in zip(plan.tasks, original.tasks):
        assert same(a, b), (a, b)


@pytest.mark.parametrize("sample", ["plan_haiphong_bcd_2023.txt", "plan_thanhxuan_2023.txt"])
def test_a_parsed_programme_survives_the_sheet_and_the_docx(sample):
    parsed = read_plan(SAMPLES / sample)
    assert parsed.tasks
    sheet = read_plan(xlsx_bytes(parsed), "x.xlsx")
    buf = io.BytesIO()
    write_plan_docx(buf, parsed)
    document = read_plan(buf.getvalue(), "x.docx")
    for back in (sheet, document):
        assert back.title == parsed.title and back.year == parsed.year
        assert len(back.tasks) == len(parsed.tasks)
        assert all(same(a, b) for a, b in zip(back.tasks, parsed.tasks))


# --- other people's spreadsheets -----------------------------------------------------------


def test_an_annex_spreadsheet_with_its_own_headers_and_groups(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục"
    ws.append(["PHỤ LỤC: NHIỆM VỤ TRIỂN KHAI KẾ HOẠCH SỐ 141/KH-UBND NĂM 2025"])
    ws.append([])
    ws.append(["STT", "Nhiệm vụ", "Đơn vị thực hiện", None, "Thời gian dự kiến hoàn thành", "Kết quả dự kiến"])
    ws.append([None, None, "Cơ quan chủ trì", "Cơ quan phối hợp", None, None])
    ws.append(["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"])
    ws.append(["I", "HOÀN THIỆN THỂ CHẾ", None, None, None, None])
    ws.append([1, "Rà soát văn bản quy phạm pháp luật", "Sở Tư pháp", "Các sở, ngành; UBND các xã, phường",
               datetime(2025, 6, 30), "Báo cáo"])
    ws.append([2, "Cập nhật cơ sở dữ liệu", "Sở Tài chính", None, "Hằng quý", None])
    ws.append(["II", "ĐÀO TẠO, BỒI DƯỠNG", None, None, None, None])
    ws.append([1, "Tập huấn cho công chức cấp xã", "Sở Nội vụ\nTrường Chính trị tỉnh", None, "Quý III", None])
    ws.append([None, None, None, None, None, None])
    ws.append([3, "   ", "Sở Y tế", None, None, None])  # no content: skipped
    path = tmp_path / "phu_luc.xlsx"
    wb.save(path)

    plan = read_plan(path, today=TODAY)
    assert plan.title.startswith("PHỤ LỤC") and plan.year == 2025
    assert [t.code for t in plan.tasks] == ["I.1", "I.2", "II.1"]
    first, second, third = plan.tasks
    assert first.due == date(2025, 6, 30) and first.lead == ["Sở Tư pháp"]
    assert first.support == ["Các sở, ngành", "UBND các xã, phường"]
    assert "Kết quả dự kiến: Báo cáo" in first.notes and first.line == 7
    assert second.due is None and second.recurrence == "quarterly"
    assert third.lead == ["Sở Nội vụ", "Trường Chính trị tỉnh"] and third.due == date(2025, 9, 30)


# --- .docx ---------------------------------------------------------------------------------


def _numbered(par, num_id: int, ilvl: int = 0) -> None:
    num_pr = par._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_numId().val = num_id
    num_pr.get_or_add_ilvl().val = ilvl


def programme_docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("KẾ HOẠCH CÔNG TÁC NĂM 2025")
    d.add_paragraph("Căn cứ Nghị quyết số 08-NQ/TU ngày 06/12/2024 của Tỉnh ủy;")
    d.add_paragraph("QUÝ I")
    list_number = d.styles["List Number"].element.pPr.numPr.numId.val
    p = d.add_paragraph("Xây dựng chương trình công tác năm 2025")
    _numbered(p, list_number)  # a Normal paragraph with Word's own w:numPr
    d.add_paragraph("Chủ trì: Văn phòng UBND tỉnh", style="List Bullet")
    d.add_paragraph("Phối hợp: Sở Nội vụ, Sở Tư pháp", style="List Bullet")
    d.add_paragraph("Tổ chức hội nghị triển khai nhiệm vụ năm 2025", style="List Number")
    d.add_paragraph("Chủ trì: Sở Tư pháp", style="List Bullet")
    d.add_paragraph("Thời gian: trước ngày 15/3/2025", style="List Bullet")
    d.add_paragraph("Các nhiệm vụ khác theo bảng sau:")
    t = d.add_table(rows=1, cols=5)
    for c, n in zip(t.rows[0].cells, ["STT", "Nội dung công việc", "Đơn vị chủ trì", "Đơn vị phối hợp",
                                        "Thời gian hoàn thành"]):
        c.text = n
    for row in (["1", "Rà soát văn bản quy phạm pháp luật", "Sở Tư pháp", "Các sở, ngành", "30/06/2025"],
                ["2", "Báo cáo sơ kết 6 tháng", "Văn phòng UBND tỉnh", "", "Quý III"]):
        for c, v in zip(t.add_row().cells, row):
            c.text = v
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_word_numbering_is_seen_as_list_markers():
    from bot.plan_import.readers import Numbering

    d = docx.Document(io.BytesIO(programme_docx()))
    numbering = Numbering(d)
    seen = [numbering.prefix(p) + p.text for p in d.paragraphs]
    assert "1. Xây dựng chương trình công tác năm 2025" in seen
    assert "2. Tổ chức hội nghị triển khai nhiệm vụ năm 2025" in seen
    assert "- Chủ trì: Sở Tư pháp" in seen
    assert "KẾ HOẠCH CÔNG TÁC NĂM 2025" in seen  # plain paragraphs unchanged


def test_a_docx_programme_gives_the_paragraph_tasks_and_the_table_tasks():
    plan = read_plan(programme_docx(), "kh.docx", today=TODAY)
    titles = [t.title for t in plan.tasks]
    assert plan.year == 2025
    assert titles[:2] == ["Xây dựng chương trình công tác năm 2025", "Tổ chức hội nghị triển khai nhiệm vụ năm 2025"]
    assert titles[-2:] == ["Rà soát văn bản quy phạm pháp luật", "Báo cáo sơ kết 6 tháng"]
    by_title = {t.title: t for t in plan.tasks}
    first = by_title["Xây dựng chương trình công tác năm 2025"]
    assert first.lead == ["Văn phòng UBND tỉnh"] and first.support == ["Sở Nội vụ", "Sở Tư pháp"]
    assert by_title["Tổ chức hội nghị triển khai nhiệm vụ năm 2025"].due == date(2025, 3, 15)
    assert len({t.code for t in plan.tasks}) == len(plan.tasks), "codes stay unique across text and table"


def test_a_table_without_template_headers_still_yields_tasks():
    d = docx.Document()
    d.add_paragraph("KẾ HOẠCH KIỂM TRA NĂM 2025")
    t = d.add_table(rows=1, cols=4)
    for c, n in zip(t.rows[0].cells, ["Số", "Việc", "Ai làm", "Khi nào"]):
        c.text = n
    for row in (["1", "Tổ chức tập huấn nghiệp vụ cho cán bộ", "Sở Tư pháp", "Quý II"],
                ["2", "Kiểm tra việc thực hiện tại cơ sở", "Thanh tra tỉnh", "Tháng 9/2025"]):
        for c, v in zip(t.add_row().cells, row):
            c.text = v
    buf = io.BytesIO()
    d.save(buf)
    plan = read_plan(buf.getvalue(), "kiem_tra.docx", today=TODAY)
    assert [t.title.split(" | ")[0] for t in plan.tasks] == ["Tổ chức tập huấn nghiệp vụ cho cán bộ",
                                                             "Kiểm tra việc thực hiện tại cơ sở"]
    assert [t.due for t in plan.tasks] == [date(2025, 6, 30), date(2025, 9, 30)]


# --- text ----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_text_files_in_any_usual_encoding_read_the_same(encoding):
    text = (SAMPLES / "plan_haiphong_bcd_2023.txt").read_text(encoding="utf-8")
    reference = read_plan(text.encode("utf-8"), "ct.txt")
    plan = read_plan(encode(text, encoding), "ct.md")
    assert plan.title == reference.title and len(plan.tasks) == len(reference.tasks)
    assert [t.lead for t in plan.tasks] == [t.lead for t in reference.tasks]


def test_the_package_exports_the_text_parser():
    from bot.plan_import import parse_plan_text

    assert parse_plan_text("QUÝ I\n1. Tổ chức hội nghị sơ kết\n- Chủ trì: Sở Nội vụ", today=TODAY).tasks


# --- bad files -----------------------------------------------------------------------------


def _zip(names: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n, data in names.items():
            zf.writestr(n, data)
    return buf.getvalue()


@pytest.mark.parametrize("data,name,words", [
    (b"this is not a zip", "hong.docx", "bị hỏng"),
    (b"PK\x03\x04 truncated", "hong.xlsx", "bị hỏng"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "ke_hoach.pdf", "PDF"),
    (b"Chuong trinh cong tac", "ke_hoach.pdf", "không phải là tệp PDF thật"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "anh.png", "đây là ảnh"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "scan.pdf", "đây là ảnh"),
    (b"GIF89a\x01\x00", "khong_ten", "đây là ảnh"),
    (b"\x00\x00\x00\x18ftypheic", "IMG_0001.HEIC", "đây là ảnh"),
    (b"Chuong trinh cong tac", "ke_hoach.pptx", "Hãy gửi bản Word (.docx), PDF"),
    (b"", "trong.txt", "trống"),
    (b"  \r\n\n ", "trong.docx", "trống"),
    (bytes(range(256)) * 8, "rac.txt", "không phải là văn bản"),
    (b"\x00\x01\x02\x03" * 100, "rac.csv", "không phải là văn bản"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "cu.doc", ".doc/.xls"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), "mat_khau.xlsx", "mật khẩu"),
    (_zip({"a.txt": b"x"}), "nen.zip", "tệp nén"),
    (_zip({"word/other.xml": b"x"}), "la.docx", "bị hỏng"),
    (_zip({"word/document.xml": b"<not xml"}), "hong2.docx", "bị hỏng"),
])
def test_bad_files_are_refused_in_vietnamese(data, name, words):
    with pytest.raises(PlanReadError) as exc:
        read_plan(data, name)
    message = str(exc.value)
    assert message.startswith(f"Không đọc được tệp {name}: ")
    assert words in message


def test_a_missing_file_and_a_too_big_file(tmp_path, monkeypatch):
    with pytest.raises(PlanReadError, match="không tìm thấy"):
        read_plan(tmp_path / "khong_co.docx")
    import bot.plan_import.readers as readers

    monkeypatch.setattr(readers, "MAX_BYTES", 1000)
    with pytest.raises(PlanReadError, match="lớn quá"):
        read_plan(b"x" * 2000, "to.txt")


def test_a_docx_sent_with_the_wrong_name_is_still_read():
    plan = read_plan(xlsx_bytes(make_plan()), "ke_hoach.docx")  # really a workbook
    assert len(plan.tasks) == 5


EXTENSIONS = ["docx", "xlsx", "csv", "txt", "md", "pdf", ""]
_VALID = {"docx": None, "xlsx": None, "pdf": None}


def _valid(kind: str) -> bytes:
    if _VALID.get(kind) is None:
        if kind == "xlsx":
            _VALID[kind] = xlsx_bytes(make_plan())
        elif kind == "pdf":
            from tests.wordlike import text_pdf

            _VALID[kind] = text_pdf((SAMPLES / "plan_trunguong_2024.txt").read_text(encoding="utf-8"))
        else:
            buf = io.BytesIO()
            write_plan_docx(buf, make_plan())
            _VALID[kind] = buf.getvalue()
    return _VALID[kind]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=3000), st.binary(max_size=500).map(lambda b: b"PK\x03\x04" + b),
                      st.binary(max_size=800).map(lambda b: b"%PDF-1.4\n" + b),
                      st.text(max_size=800).map(lambda s: s.encode("utf-8"))),
       ext=st.sampled_from(EXTENSIONS))
def test_arbitrary_bytes_never_raise_anything_but_plan_read_error(data, ext):
    try:
        read_plan(data, f"tep.{ext}" if ext else None, today=TODAY)
    except PlanReadError as exc:
        assert str(exc).startswith("Không đọc được tệp")


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(["docx", "xlsx", "pdf"]), cut=st.integers(min_value=0, max_value=10_000),
       noise=st.binary(min_size=1, max_size=64))
def test_damaged_office_files_never_crash(kind, cut, noise):
    valid = _valid(kind)
    at = cut % len(valid)
    damaged = valid[:at] + noise + valid[at + len(noise):]
    try:
        read_plan(damaged, f"tep.{kind}", today=TODAY)
    except PlanReadError as exc:
        assert str(exc).startswith("Không đọc được tệp tep.")


def test_a_spreadsheet_without_template_headers_is_read_as_text(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in ["CHƯƠNG TRÌNH CÔNG TÁC NĂM 2025", "QUÝ I", "1. Tổ chức hội nghị triển khai nhiệm vụ năm 2025",
                 "- Chủ trì: Sở Nội vụ", "2. Kiểm tra việc thực hiện quy chế dân chủ", "- Chủ trì: Thanh tra tỉnh"]:
        ws.append([line])
    path = tmp_path / "chuong_trinh.xlsx"
    wb.save(path)
    plan = read_plan(path, today=TODAY)
    assert plan.year == 2025
    assert [(t.title, t.lead) for t in plan.tasks] == [
        ("Tổ chức hội nghị triển khai nhiệm vụ năm 2025", ["Sở Nội vụ"]),
        ("Kiểm tra việc thực hiện quy chế dân chủ", ["Thanh tra tỉnh"])]
    assert all(t.due == date(2025, 3, 31) for t in plan.tasks)


_VI = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
_PLANLIKE = st.lists(st.one_of(
    st.text(alphabet=_VI + _VI.upper() + " ,.;:-+()/0123456789", max_size=120),
    st.sampled_from(["", "QUÝ I", "I. NHIỆM VỤ", "1. Tổ chức hội nghị", "- Chủ trì: Văn phòng", "a) Kiểm tra",
                     "- Thời gian: trước ngày 15/3/2025", "Nơi nhận:", "KẾ HOẠCH CÔNG TÁC NĂM 2025"])),
    max_size=40).map("\n".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_PLANLIKE, form=st.sampled_from(["docx", "pdf"]))
def test_arbitrary_programmes_in_word_and_pdf_never_raise_anything_but_plan_read_error(text, form):
    from tests.wordlike import text_pdf, word_docx

    data = word_docx(text) if form == "docx" else text_pdf(text)
    try:
        plan = read_plan(data, f"kh.{form}", today=TODAY)
    except PlanReadError as exc:
        assert str(exc).startswith(f"Không đọc được tệp kh.{form}: ")
    else:
        assert all(t.title for t in plan.tasks)
