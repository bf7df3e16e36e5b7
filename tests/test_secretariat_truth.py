"""One truth per task, end to end on SQLite and PostgreSQL: the same status words in
/quahan, /nhiemvu, /donvi, /sapden, /tiendo, the workbook, the chart's figures and the
digest; tasks imported without a lead unit are counted everywhere as "chưa giao đơn vị";
history lines write dates dd/mm/yyyy."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import load_workbook

from bot.plan_import.model import ParsedTask
from bot.reminders.digest import send_digests
from bot.services.reports import progress_report
from handlers.messenger import TelegramMessenger

MONDAY = datetime(2026, 3, 16, 9, 0)


async def test_status_words_agree_everywhere_and_tasks_without_a_lead_are_counted(harness, ctx):
    ctx.clock.set(MONDAY.replace(tzinfo=ctx.settings.tz))
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    minh = await harness.person(2001, "Anh Minh", unit="Sở Tài chính")
    hoa = await harness.person(2002, "Chị Hoa", unit="Sở Nội vụ")
    await harness.plan([
        ParsedTask(code="1", title="Báo cáo quyết toán ngân sách", due=date(2026, 3, 6), lead=["Sở Tài chính"]),
        ParsedTask(code="2", title="Rà soát biên chế công chức", due=date(2026, 3, 13), lead=["Sở Nội vụ"]),
        ParsedTask(code="3", title="Tuyên truyền quy chế dân chủ", due=date(2026, 3, 10)),  # no lead
        ParsedTask(code="4", title="Hội nghị sơ kết quý I", due=date(2026, 3, 18), support=["Sở Tư pháp"]),
        ParsedTask(code="5", title="Kiểm tra, giám sát 6 tháng", due=date(2026, 6, 30)),
    ], year=2026, today=date(2026, 3, 2))
    await harness.send_file(minh, "quyet_toan.pdf", b"%PDF-1.4\n%%EOF\n" * 50)  # a report, no words
    await harness.say(hoa, "đang làm 60%")
    await harness.say(hoa, "xin gia hạn đến 30/3 vì chờ số liệu")
    await harness.sandbox.wait_for_message(lan.user_id, lambda m: m["text"].startswith("🕒 Đề nghị gia hạn"))

    reported, started = "đã báo cáo · quá hạn 10 ngày", "đang làm 60% · quá hạn 3 ngày"
    unassigned = "chưa giao đơn vị · quá hạn 6 ngày"

    overdue = (await harness.say(lan, "/quahan"))["text"]
    assert "2 phân công ở 2 đơn vị; 1 nhiệm vụ chưa giao đơn vị" in overdue
    assert f"Hạn 06/03/2026 — {reported}" in overdue and f"Hạn 13/03/2026 — {started}" in overdue
    assert "🏢 Chưa giao đơn vị (1):\n• [3] Tuyên truyền quy chế dân chủ" in overdue and unassigned in overdue
    assert "[5]" not in overdue and "[4]" not in overdue

    task1 = (await harness.say(lan, "/nhiemvu 1"))["text"]
    assert f"• Sở Tài chính (chủ trì): {reported}" in task1
    task2 = (await harness.say(lan, "/nhiemvu 2"))["text"]
    assert f"• Sở Nội vụ (chủ trì): {started}" in task2
    assert "30/03/2026" in task2 and "2026-03-30" not in task2  # the extension's history line
    task3 = (await harness.say(lan, "/nhiemvu 3"))["text"]
    assert f"• Chủ trì: {unassigned}" in task3
    unit = (await harness.say(lan, "/donvi tai chinh"))["text"]
    assert f"[1] Báo cáo quyết toán ngân sách\n   Hạn 06/03/2026 — {reported}" in unit

    upcoming = (await harness.say(lan, "/sapden"))["text"]
    assert "[4] Hội nghị sơ kết quý I" in upcoming and "chủ trì: chưa giao đơn vị; phối hợp: Sở Tư pháp" in upcoming

    progress = (await harness.say(lan, "/tiendo"))["text"]
    assert "• Toàn bộ: 5 — ✅ 0 (0%) · ☑️ 0 (0%) · ⏳ 2 (40%) · ⚠️ 3 (60%)" in progress
    assert "• Chưa giao đơn vị: 3 — ✅ 0 (0%) · ☑️ 0 (0%) · ⏳ 2 (67%) · ⚠️ 1 (33%)" in progress
    assert "• Quý II/2026: 1 —" in progress
    async with ctx.sessions() as s:  # what /bieudo draws
        rep = await progress_report(s, ctx.clock.today(), ctx.settings.tz)
    assert {p.label: p.total for p in rep.by_unit} == {"Sở Tài chính": 1, "Sở Nội vụ": 1, "Chưa giao đơn vị": 3}

    doc = (await harness.say(lan, "/xuat"))["document"]
    wb = load_workbook(io.BytesIO(harness.sandbox.file_content(doc["file_id"])))
    tasks = {r[1]: r for r in wb["Nhiệm vụ"].iter_rows(min_row=2, values_only=True)}
    assert [c.value for c in wb["Nhiệm vụ"][1]][5:7] == ["Chủ trì", "Trạng thái"]
    assert tasks["1"][5:7] == ("Sở Tài chính", reported) and tasks["2"][5:7] == ("Sở Nội vụ", started)
    assert tasks["3"][5:7] == ("chưa giao đơn vị", unassigned)
    assert tasks["5"][5:7] == ("chưa giao đơn vị", "chưa giao đơn vị")
    assigned = {(r[0], r[2]): r[4] for r in wb["Phân công"].iter_rows(min_row=2, values_only=True)}
    assert assigned[("1", "Sở Tài chính")] == reported and assigned[("2", "Sở Nội vụ")] == started
    late = {(r[0], r[1]): r for r in wb["Quá hạn"].iter_rows(min_row=2, values_only=True)}
    assert set(late) == {("Sở Tài chính", "1"), ("Sở Nội vụ", "2"), ("chưa giao đơn vị", "3")}
    assert late[("Sở Tài chính", "1")][6] == "đã báo cáo" and late[("chưa giao đơn vị", "3")][5] == 6
    units = {r[0]: r for r in wb["Đơn vị"].iter_rows(min_row=2, values_only=True)}
    assert units["Chưa giao đơn vị"][4:] == (3, 0, 0, 2, 1)

    assert await send_digests(ctx, TelegramMessenger(harness.app.bot), force=True) == 1
    digest = harness.messages(lan)[-1]["text"]
    assert digest.startswith("📰 Bản tin sáng 16/03/2026")
    assert "• Chưa giao đơn vị: 3 (quá hạn 6 ngày)" in digest and "⚠️ Quá hạn (3 nhiệm vụ):" in digest
    assert "[4] Hội nghị sơ kết quý I — 18/03/2026 — chưa giao đơn vị" in digest
