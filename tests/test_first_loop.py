"""The first loop, end to end through the sandbox (issue 2): a late task produces a reminder
to its unit's member; the member answers "xong" with a PDF; the check-in and the file are
stored; the secretariat's /quahan no longer lists it."""

import hashlib
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from bot.plan_import.model import ParsedTask
from storage.models import Assignment, Attachment, CheckIn, ReminderLog
from tests.harness import buttons

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes(range(256)) * 40


async def test_reminder_then_done_with_pdf_then_quahan_is_clear(harness, ctx):
    ctx.clock.set(datetime(2026, 3, 16, 9, 0, tzinfo=ctx.settings.tz))  # Monday 09:00 local
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    minh = await harness.person(2001, "Anh Minh", unit="Phòng Nội vụ")
    await harness.plan([ParsedTask(code="1", title="Báo cáo sơ kết công tác quý I", due=date(2026, 3, 13),
                                   lead=["Phòng Nội vụ"])], year=2026, today=date(2026, 3, 2))

    before = await harness.say(lan, "/quahan")
    assert "Báo cáo sơ kết công tác quý I" in before["text"] and "Phòng Nội vụ" in before["text"]

    await harness.scan()
    reminder = harness.messages(minh)[-1]
    assert "Báo cáo sơ kết công tác quý I" in reminder["text"]
    assert "13/03/2026" in reminder["text"] and "quá hạn 3 ngày" in reminder["text"]
    assert any(text.startswith("✅") for text, _ in buttons(reminder))
    async with ctx.sessions() as s:
        log = (await s.execute(select(ReminderLog))).scalars().all()
    # the catch-up claims every reminder kind missed since the import (before_7d … overdue_1);
    # the scanner delivers them as this one message, and every claim records it
    assert log and {(r.status, r.message_id) for r in log} == {("sent", reminder["message_id"])}

    receipt = await harness.send_file(minh, "bao_cao_quy_1.pdf", PDF, caption="xong",
                                      reply_to=reminder["message_id"])
    assert "bao_cao_quy_1.pdf" in receipt["text"]

    async with ctx.sessions() as s:
        assignment = (await s.execute(select(Assignment))).scalar_one()
        checkin = (await s.execute(select(CheckIn))).scalar_one()
        attachment = (await s.execute(select(Attachment))).scalar_one()
    assert assignment.status == "done" and checkin.status == "done"
    assert attachment.checkin_id == checkin.id and attachment.file_name == "bao_cao_quy_1.pdf"
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert Path(attachment.stored_path).read_bytes() == PDF

    after = await harness.say(lan, "/quahan")
    assert "Báo cáo sơ kết công tác quý I" not in after["text"]
