"""The same programme reads the same whatever form it arrives in: the plain text, the
.docx Word writes (one paragraph per paragraph, no empty paragraphs, automatic numbering
whose numbers are not in the text, headings in bold or a heading style, letterhead and
signature in tables) and a PDF with a text layer. A PDF without text is refused with what
to send instead."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import docx
import pytest

from bot.plan_import import PlanReadError, read_plan
from tests.wordlike import text_pdf, word_docx

SAMPLES = Path(__file__).parent.parent / "bot" / "samples"
FORM_SAMPLES = ["plan_thanhxuan_2023.txt", "plan_haiphong_bcd_2023.txt", "plan_trunguong_2024.txt"]
TODAY = date(2023, 1, 10)


def tasks_of(plan):
    return [(t.code, t.title, t.due, t.period, t.recurrence, t.lead, t.support) for t in plan.tasks]


@pytest.fixture(scope="module", params=FORM_SAMPLES)
def sample(request):
    text = (SAMPLES / request.param).read_text(encoding="utf-8")
    return request.param, text, read_plan(text.encode(), request.param, today=TODAY)


def test_word_style_docx_reads_as_the_text(sample):
    name, text, reference = sample
    data = word_docx(text)
    document = docx.Document(io.BytesIO(data))
    assert not [p for p in document.paragraphs if not p.text.strip()], "Word writes no empty paragraphs"
    numbered = [p for p in document.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
    assert numbered and not any(p.text[:3].rstrip(". ").isdigit() for p in numbered), \
        "list numbers live in numbering.xml, not in the text"
    plan = read_plan(data, name.replace(".txt", ".docx"), today=TODAY)
    assert len(plan.tasks) == len(reference.tasks) > 5
    assert tasks_of(plan) == tasks_of(reference)
    assert (plan.title, plan.year) == (reference.title, reference.year)


def test_text_pdf_reads_as_the_text(sample):
    name, text, reference = sample
    plan = read_plan(text_pdf(text), name.replace(".txt", ".pdf"), today=TODAY)
    assert len(plan.tasks) == len(reference.tasks) > 5
    assert tasks_of(plan) == tasks_of(reference)
    assert (plan.title, plan.year) == (reference.title, reference.year)


def test_the_thanh_xuan_programme_as_word_writes_it_keeps_all_its_tasks():
    text = (SAMPLES / "plan_thanhxuan_2023.txt").read_text(encoding="utf-8")
    plan = read_plan(word_docx(text), "kh45.docx", today=TODAY)
    assert len(plan.tasks) == 25  # 12 when paragraphs were run together as wrapped lines
    first = plan.tasks[0]
    assert first.code == "II.1" and first.title.endswith("mô hình chính quyền đô thị.")


def test_word_list_numbers_restart_and_continue_as_written():
    from bot.plan_import.readers import Numbering

    text = ("KẾ HOẠCH NĂM 2025\n\nI. NHIỆM VỤ\n\nQUÝ I\n\n1. Tổ chức hội nghị\n\na) Chuẩn bị tài liệu\n\n"
            "b) Gửi giấy mời\n\n2. Kiểm tra cơ sở\n\nQUÝ II\n\n1. Sơ kết 6 tháng\n\n- Báo cáo\n\n"
            "II. TỔ CHỨC THỰC HIỆN\n\n1. Các đơn vị báo cáo\n")
    document = docx.Document(io.BytesIO(word_docx(text)))
    numbering = Numbering(document)
    seen = [numbering.prefix(p) + p.text for p in document.paragraphs]
    assert seen == [line for line in text.splitlines() if line]


def test_a_huge_list_start_value_is_held_to_words_range():
    from bot.plan_import.readers.word import format_number

    assert len(format_number(2_000_000_000, "lowerLetter")) < 10
    assert format_number(4, "lowerLetter") == "d" and format_number(28, "upperLetter") == "BB"
    assert format_number(9, "upperRoman") == "IX"


def _scanned_pdf() -> bytes:
    """A page that is only a picture of text, as a scanner or a phone makes it."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(img).text((20, 80), "KE HOACH CONG TAC NAM 2025", fill="black")
    pdf = FPDF()
    pdf.add_page()
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    pdf.image(buf, x=10, y=10, w=190)
    return bytes(pdf.output())


@pytest.mark.parametrize("data,name,words", [
    (_scanned_pdf(), "ban_quet.pdf", "bản quét"),
    (b"%PDF-1.4\n" + b"0" * 100, "hong.pdf", "không phải là tệp PDF thật"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "cu.doc", "lưu thành .docx"),
], ids=["scanned", "broken", "old-word"])
def test_files_without_readable_text_say_what_to_send(data, name, words):
    with pytest.raises(PlanReadError) as exc:
        read_plan(data, name)
    assert words.lower() in str(exc.value).lower()
    assert "\n" not in str(exc.value)


def _png(width: int = 800, height: int = 1000) -> io.BytesIO:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buf, format="PNG")
    buf.seek(0)
    return buf


def test_parts_that_could_not_be_read_are_named():
    from docx.shared import Cm
    from fpdf import FPDF

    text = (SAMPLES / "plan_haiphong_bcd_2023.txt").read_text(encoding="utf-8")
    document = docx.Document(io.BytesIO(word_docx(text)))
    document.add_picture(_png(), width=Cm(16))  # a scanned annex pasted as a picture
    document.add_picture(_png(100, 100), width=Cm(2))  # a logo: not worth a word
    buf = io.BytesIO()
    document.save(buf)
    plan = read_plan(buf.getvalue(), "kh.docx", today=TODAY)
    assert len(plan.tasks) == 14
    assert plan.warnings[0] == "Không đọc được: 1 hình ảnh lớn trong tài liệu (chữ trong ảnh không đọc được)."

    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(Path(__import__("matplotlib").get_data_path()) / "fonts/ttf/DejaVuSans.ttf"))
    pdf.set_font("DejaVu", size=11)
    pdf.add_page()
    for line in ["KẾ HOẠCH CÔNG TÁC NĂM 2025", "1. Tổ chức hội nghị triển khai, hoàn thành trước ngày 15/3/2025",
                 "- Chủ trì: Văn phòng"]:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.image(_png(), x=10, y=10, w=190)
    plan = read_plan(bytes(pdf.output()), "kh.pdf", today=TODAY)
    assert [t.due for t in plan.tasks] == [date(2025, 3, 15)]
    assert plan.warnings[0] == "Không đọc được: trang 2 của tệp PDF là ảnh quét, không có chữ."


def test_the_command_line_says_the_same_one_line(tmp_path, capsys):
    from bot.cli import main

    path = tmp_path / "ban_quet.pdf"
    path.write_bytes(_scanned_pdf())
    assert main(["plan", "parse", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("Không đọc được tệp ban_quet.pdf: tệp PDF này là bản quét") and "\n" not in err


def test_word_text_in_tracked_changes_smart_tags_content_controls_and_text_boxes_is_read():
    """What Word shows is read: a tracked insertion, a smart tag, a field's result, a block
    content control, a text box; a tracked deletion is not."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH CÔNG TÁC NĂM 2025")
    body = document.element.body
    w = nsdecls("w")
    for xml in [
        f'<w:p {w}><w:r><w:t xml:space="preserve">1. Tổ chức hội nghị sơ kết, hoàn thành </w:t></w:r>'
        f'<w:del w:id="1" w:author="A"><w:r><w:delText>trước ngày 30/6/2025</w:delText></w:r></w:del>'
        f'<w:ins w:id="2" w:author="A"><w:r><w:t>trước ngày 15/7/2025</w:t></w:r></w:ins></w:p>',
        f'<w:p {w}><w:r><w:t xml:space="preserve">- Chủ trì: </w:t></w:r><w:smartTag w:uri="x" w:element="place">'
        f'<w:r><w:t>Văn phòng UBND tỉnh</w:t></w:r></w:smartTag></w:p>',
        f'<w:sdt {w}><w:sdtContent><w:p><w:r><w:t xml:space="preserve">2. Kiểm tra cơ sở, hoàn thành </w:t></w:r>'
        f'<w:fldSimple w:instr="DATE"><w:r><w:t>trước ngày 30/9/2025</w:t></w:r></w:fldSimple></w:p>'
        f'<w:p><w:r><w:t>- Chủ trì: Thanh tra tỉnh</w:t></w:r></w:p></w:sdtContent></w:sdt>',
        f'<w:p {w}><w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox><w:txbxContent>'
        f'<w:p><w:r><w:t>3. Báo cáo kết quả, hoàn thành trước ngày 15/12/2025</w:t></w:r></w:p>'
        f'</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>',
    ]:
        body.insert(len(body) - 1, parse_xml(xml))  # before w:sectPr
    buf = io.BytesIO()
    document.save(buf)
    plan = read_plan(buf.getvalue(), "kh.docx", today=TODAY)
    assert [(t.due, t.lead) for t in plan.tasks] == [
        (date(2025, 7, 15), ["Văn phòng UBND tỉnh"]), (date(2025, 9, 30), ["Thanh tra tỉnh"]),
        (date(2025, 12, 15), [])]


def test_word_tables_with_merged_cells():
    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH TRIỂN KHAI NĂM 2025")
    table = document.add_table(rows=1, cols=5)
    for cell, head in zip(table.rows[0].cells, ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp",
                                                 "Thời gian hoàn thành"]):
        cell.text = head
    group = table.add_row().cells
    group[0].merge(group[4]).text = "I. HOÀN THIỆN THỂ CHẾ"  # merged across the row
    for row in (["1", "Rà soát văn bản quy phạm pháp luật", "Sở Tư pháp", "Các sở, ngành", "Quý II/2025"],
                ["2", "Xây dựng quy chế phối hợp", "", "Sở Nội vụ", "Quý III/2025"],
                ["3", "Tập huấn cán bộ", "Sở Nội vụ", "", "Tháng 9/2025"]):
        for cell, value in zip(table.add_row().cells, row):
            cell.text = value
    table.rows[2].cells[2].merge(table.rows[3].cells[2])  # one lead for two rows
    buf = io.BytesIO()
    document.save(buf)
    plan = read_plan(buf.getvalue(), "kh.docx", today=TODAY)
    assert [(t.title, t.due, t.lead, t.support) for t in plan.tasks] == [
        ("Rà soát văn bản quy phạm pháp luật", date(2025, 6, 30), ["Sở Tư pháp"], ["Các sở, ngành"]),
        ("Xây dựng quy chế phối hợp", date(2025, 9, 30), ["Sở Tư pháp"], ["Sở Nội vụ"]),
        ("Tập huấn cán bộ", date(2025, 9, 30), ["Sở Nội vụ"], [])]


def test_a_ruled_table_in_a_pdf_is_read_as_a_table():
    from fpdf import FPDF

    fonts = Path(__import__("matplotlib").get_data_path()) / "fonts/ttf"
    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_font("DejaVu", size=10)
    pdf.add_page()
    pdf.multi_cell(0, 6, "PHỤ LỤC NHIỆM VỤ NĂM 2025", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    with pdf.table(col_widths=(12, 70, 40, 40, 28)) as table:
        for row in (["TT", "Nội dung", "Chủ trì", "Phối hợp", "Hạn hoàn thành"],
                    ["1", "Rà soát văn bản quy phạm pháp luật của tỉnh", "Sở Tư pháp", "Các sở, ngành", "30/06/2025"],
                    ["2", "Tập huấn cho công chức cấp xã", "Sở Nội vụ", "", "Quý III/2025"]):
            cells = table.row()
            for value in row:
                cells.cell(value)
    plan = read_plan(bytes(pdf.output()), "phu_luc.pdf", today=TODAY)
    assert [(t.title, t.due, t.lead, t.support) for t in plan.tasks] == [
        ("Rà soát văn bản quy phạm pháp luật của tỉnh", date(2025, 6, 30), ["Sở Tư pháp"], ["Các sở, ngành"]),
        ("Tập huấn cho công chức cấp xã", date(2025, 9, 30), ["Sở Nội vụ"], [])]


@pytest.mark.parametrize("rows,layout", [
    ([["ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU\nSố: 7360/KH-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do"]], True),
    ([["Nơi nhận:\n- Như trên;\n- Lưu: VT.", "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"]], True),
    ([["STT", "Nội dung", "Thời gian"], ["1", "Tổ chức tập huấn", "Quý II"]], False),
    ([["Việc", "Khi nào"]] * 3, False),
    ([["a", "b", "c", "d"]], False),
])
def test_layout_tables_are_told_from_tables_of_items(rows, layout):
    from bot.plan_import.readers.assemble import is_layout_table

    assert is_layout_table(rows) is layout
