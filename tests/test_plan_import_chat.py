"""The secretariat imports the year's programme in chat: preview first, nothing written
before confirmation, a corrected version updates tasks in place."""

from pathlib import Path

from sqlalchemy import func, select

from storage.models import Assignment, Plan, Task
from tests.harness import button

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
