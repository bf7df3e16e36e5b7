"""The secretariat imports the year's programme in chat: preview first, nothing written
before confirmation, a corrected version updates tasks in place."""

from pathlib import Path

from sqlalchemy import func, select

from storage.models import Assignment, Plan, Task, Unit
from tests.harness import button, buttons

SAMPLE = Path(__file__).parent.parent / "bot" / "samples" / "plan_haiphong_bcd_2023.txt"


async def count(ctx, model) -> int:
    async with ctx.sessions() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


async def test_preview_then_confirm_imports_the_programme(harness, ctx):
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    preview = await harness.send_file(lan, "chuong_trinh_2023.txt", SAMPLE.read_bytes())
    assert "Số nhiệm vụ:" in preview["text"] and "Quý I" in preview["text"]
    assert "Ban Dân vận Thành ủy" in preview["text"]
    assert await count(ctx, Task) == 0, "nothing is written before confirmation"

    done = await harness.press(lan, preview, button(preview, "✅"))
    assert done["text"].startswith("Đã nhập kế hoạch:")
    n_tasks = await count(ctx, Task)
    assert n_tasks >= 10 and await count(ctx, Assignment) >= n_tasks

    # the same programme again: updated in place, never duplicated
    again = await harness.send_file(lan, "chuong_trinh_2023.txt", SAMPLE.read_bytes())
    assert "cập nhật" in again["text"]
    await harness.press(lan, again, button(again, "✅"))
    assert await count(ctx, Task) == n_tasks and await count(ctx, Plan) == 1


async def test_cancel_writes_nothing_and_the_sheet_comes_back(harness, ctx):
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    preview = await harness.send_file(lan, "ct.txt", SAMPLE.read_bytes())
    sheet = await harness.press(lan, preview, button(preview, "📊"))
    assert sheet["document"]["file_name"].endswith(".xlsx")
    cancelled = await harness.press(lan, preview, button(preview, "✖"))
    assert "chưa ghi gì" in cancelled["text"]
    assert await count(ctx, Task) == 0 and await count(ctx, Plan) == 0


async def test_a_preview_whose_state_is_gone_says_so(harness, ctx):
    from storage.models import ConversationState

    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    preview = await harness.send_file(lan, "ct.txt", SAMPLE.read_bytes())
    async with ctx.sessions() as s:  # e.g. cleaned up after a long pause
        await s.execute(ConversationState.__table__.delete())
        await s.commit()
    expired = await harness.press(lan, preview, button(preview, "✅"))
    assert "không còn hiệu lực" in expired["text"]
    assert await count(ctx, Task) == 0


async def test_a_file_that_is_not_a_programme_gets_a_clear_answer(harness, ctx):
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    reply = await harness.send_file(lan, "hong.docx", b"this is not a zip")
    assert "Không đọc được" in reply["text"]
    empty = await harness.send_file(lan, "trong.txt", "Kính gửi các đồng chí.\n".encode())
    assert "Không tìm thấy nhiệm vụ" in empty["text"]
    assert await count(ctx, Task) == 0


async def test_the_template_is_sent_on_request(harness):
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    reply = await harness.say(lan, "/maukehoach")
    assert reply["document"]["file_name"] == "mau_ke_hoach.xlsx"


# --- forms and files that are not programmes ------------------------------------------------


async def test_a_pdf_programme_gets_the_same_preview_as_its_text(harness, ctx):
    from tests.wordlike import text_pdf

    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    as_text = await harness.send_file(lan, "ct.txt", SAMPLE.read_bytes())
    as_pdf = await harness.send_file(lan, "ct.pdf", text_pdf(SAMPLE.read_text(encoding="utf-8")), timeout=30)
    assert as_pdf["text"] == as_text["text"] and "Số nhiệm vụ: 14" in as_pdf["text"]
    done = await harness.press(lan, as_pdf, button(as_pdf, "✅"))
    assert done["text"].startswith("Đã nhập kế hoạch: 14 nhiệm vụ mới")


async def test_files_that_are_not_programmes_get_one_line_saying_what_to_send(harness, ctx):
    from tests.test_plan_forms import _scanned_pdf

    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    for name, content, words in [
        ("ban_quet.pdf", _scanned_pdf(), "bản quét"),
        ("anh_ke_hoach.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "đây là ảnh"),
        ("ke_hoach_cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ".docx"),
        ("trinh_chieu.pptx", b"PK\x05\x06" + b"\x00" * 18, "tệp nén"),
        ("ghi_am.ogg", b"OggS\x00\x02", "Hãy gửi bản Word (.docx), PDF"),
    ]:
        reply = await harness.send_file(lan, name, content, timeout=30)
        assert reply["text"].startswith(f"Không đọc được tệp {name}: ") and words in reply["text"], reply["text"]
        assert "\n" not in reply["text"]
    after = harness.last_id(lan)
    await harness.sandbox.send_photo(lan.user_id, b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    photo = await harness.wait(lan, after=after)
    assert "đây là ảnh" in photo["text"]
    assert await count(ctx, Task) == 0


async def test_other_members_are_answered_while_a_long_file_is_read(harness, ctx):
    """A plan that takes long to read (here 1.5 MB of text) is read off the update loop:
    a member's question sent after it is answered before the plan's answer comes."""
    from bot.plan_import.hostile import long_text_plan

    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    minh = await harness.person(2001, "Anh Minh", unit="Phòng Nội vụ")
    before = harness.last_id(lan)
    await harness.sandbox.send_document(lan.user_id, "rat_dai.txt", long_text_plan(kb=1500))
    reply = await harness.say(minh, "/viec")
    assert "Phòng Nội vụ" in reply["text"]
    assert not [m for m in harness.messages(lan) if m["message_id"] > before], \
        "the member was answered while the plan was still being read"
    answer = await harness.wait(lan, after=before, timeout=60)
    assert "Số nhiệm vụ:" in answer["text"] or answer["text"].startswith("Không đọc được tệp rat_dai.txt: ")


# --- nothing untracked: the preview says first what needs attention --------------------------

WITHOUT_LEADS = """KẾ HOẠCH CÔNG TÁC NĂM 2025

QUÝ I

1. Tổ chức hội nghị triển khai nhiệm vụ năm 2025

- Chủ trì: Văn phòng Ủy ban nhân dân

2. Rà soát, sửa đổi quy chế làm việc của Ban Chỉ đạo

3. Kiểm tra việc thực hiện quy chế dân chủ tại cơ sở, hoàn thành trước ngày 15/3/2025
"""


async def test_tasks_without_a_lead_come_first_and_get_one_in_chat(harness, ctx):
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    preview = await harness.send_file(lan, "kh.txt", WITHOUT_LEADS.encode())
    text = preview["text"]
    assert "⚠️ Cần xem trước khi nhập:" in text
    assert "• 2 nhiệm vụ chưa có đơn vị chủ trì (Q1.2, Q1.3)" in text
    assert text.index("chưa có đơn vị chủ trì") < text.index("Theo thời hạn")
    assert "chưa giao đơn vị" in text

    # the corrected spreadsheet sent as a reply to the preview is read as the programme too
    sheet = await harness.press(lan, preview, button(preview, "📊"))
    again = await harness.send_file(lan, "ke_hoach_de_sua.xlsx", harness.sandbox.file_content(
        sheet["document"]["file_id"]), reply_to=preview["message_id"])
    assert "• 2 nhiệm vụ chưa có đơn vị chủ trì (Q1.2, Q1.3)" in again["text"]

    prompt = await harness.press(lan, preview, button(preview, "🏷"))
    assert prompt["text"].startswith("Trả lời tin nhắn này bằng tên đơn vị chủ trì cho 2 nhiệm vụ")
    fixed = await harness.say(lan, "Văn phòng Ban Chỉ đạo", reply_to=prompt["message_id"])
    assert "chưa có đơn vị chủ trì" not in fixed["text"] and "Văn phòng Ban Chỉ đạo" in fixed["text"]
    assert not any(text.startswith("🏷") for text, _ in buttons(fixed))

    done = await harness.press(lan, fixed, button(fixed, "✅"))
    assert done["text"].startswith("Đã nhập kế hoạch: 3 nhiệm vụ mới")
    async with ctx.sessions() as s:
        leads = (await s.execute(select(Task.code, Unit.name).join(Assignment, Assignment.task_id == Task.id)
                                 .join(Unit, Unit.id == Assignment.unit_id).where(Assignment.role == "lead"))).all()
    assert sorted(name for _, name in leads) == ["Văn phòng Ban Chỉ đạo", "Văn phòng Ban Chỉ đạo",
                                                 "Văn phòng Ủy ban nhân dân"]


async def test_a_configured_default_lead_takes_the_tasks_the_document_leaves_open(harness, ctx):
    ctx.settings.default_lead_unit = "Văn phòng Ban Chỉ đạo"
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    preview = await harness.send_file(lan, "kh.txt", WITHOUT_LEADS.encode())
    assert "2 nhiệm vụ văn bản không ghi đơn vị chủ trì được giao cho đơn vị mặc định Văn phòng Ban Chỉ đạo" \
        in preview["text"]
    assert "chưa có đơn vị chủ trì" not in preview["text"]
    await harness.press(lan, preview, button(preview, "✅"))
    async with ctx.sessions() as s:
        unassigned = (await s.execute(select(func.count()).select_from(Task).where(
            ~Task.id.in_(select(Assignment.task_id).where(Assignment.role == "lead"))))).scalar_one()
    assert unassigned == 0


async def test_the_preview_is_honest_about_years_dates_and_whole_year_tasks(harness, ctx):
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    text = ("KẾ HOẠCH CÔNG TÁC NĂM 2025\n\nI. NHIỆM VỤ CẢ NĂM\n\n1. Theo dõi việc thực hiện quy chế dân chủ\n\n"
            "- Chủ trì: Văn phòng\n\n- Thời gian: thường xuyên\n\n2. Tổng kết công tác năm\n\n- Chủ trì: Văn phòng\n")
    preview = (await harness.send_file(lan, "kh.txt", text.encode()))["text"]
    assert "năm 2025 — năm 2025" not in preview and "hạn không có hạn" not in preview
    assert "chưa có hạn" in preview
    assert "Quý IV" not in preview and "Cả năm: 1" in preview


async def test_a_double_pressed_confirmation_imports_once(harness, ctx):
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    preview = await harness.send_file(lan, "ct.txt", SAMPLE.read_bytes())
    after = harness.last_id(lan)
    data = button(preview, "✅")
    await harness.sandbox.press_button(lan.user_id, preview["message_id"], data)
    await harness.sandbox.press_button(lan.user_id, preview["message_id"], data)
    await harness.sandbox.wait_for_message(
        lan.user_id, lambda m: m["message_id"] > after and m.get("text", "").startswith("Đã nhập kế hoạch"), timeout=30)
    second = await harness.sandbox.wait_for_message(
        lan.user_id, lambda m: m["message_id"] > after and "đã được xác nhận" in m.get("text", ""), timeout=30)
    assert second["text"] == "Kế hoạch này đã được xác nhận nhập rồi; không nhập lần nữa."
    imported = [m for m in harness.messages(lan) if m.get("text", "").startswith("Đã nhập kế hoạch")]
    assert len(imported) == 1 and await count(ctx, Task) == 14 and await count(ctx, Plan) == 1


async def test_parts_of_the_document_not_read_are_named_first(harness, ctx):
    import io

    import docx
    from docx.shared import Cm

    from tests.test_plan_forms import _png
    from tests.wordlike import word_docx

    document = docx.Document(io.BytesIO(word_docx(SAMPLE.read_text(encoding="utf-8"))))
    document.add_picture(_png(), width=Cm(16))
    buf = io.BytesIO()
    document.save(buf)
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    preview = (await harness.send_file(lan, "ct.docx", buf.getvalue()))["text"]
    assert "⚠️ Cần xem trước khi nhập:" in preview
    assert "• Không đọc được: 1 hình ảnh lớn trong tài liệu" in preview
    assert preview.index("Không đọc được") < preview.index("Theo thời hạn")


async def test_the_preview_names_units_written_together_and_numbered_lines_left_out(harness, ctx):
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    text = ("KẾ HOẠCH CÔNG TÁC NĂM 2025\n\nQUÝ I\n\n1. Rà soát danh sách hộ nghèo\n\n"
            "- Chủ trì: Ban Chỉ huy Quân sự xã Công an xã\n\n2. x\n\n3. Việc ba\n\n- Chủ trì: Văn phòng\n")
    preview = (await harness.send_file(lan, "kh.txt", text.encode()))["text"]
    attention = preview[preview.index("⚠️ Cần xem trước khi nhập:"):preview.index("Theo thời hạn")]
    assert '• "Ban Chỉ huy Quân sự xã Công an xã" (Q1.1) có thể là hai đơn vị viết liền' in attention
    assert "• Không đọc được: 1 dòng đánh số không ghi việc gì («x»)" in attention
    assert "Số nhiệm vụ: 2" in preview and "Việc ba" in preview
    assert await count(ctx, Task) == 0  # nothing is saved before the confirmation
