"""The secretariat's commands end to end through the sandbox, on SQLite and PostgreSQL:
each answer checked against what the database holds."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from bot.plan_import.model import ParsedTask
from storage.models import Assignment, AuditLog, ReminderLog
from tests.harness import button, buttons

MONDAY = datetime(2026, 3, 16, 9, 0)  # local


def at(ctx, dt: datetime = MONDAY) -> None:
    ctx.clock.set(dt.replace(tzinfo=ctx.settings.tz))


async def world(harness, ctx):
    """Three units, one contact each, the secretariat; tasks late, due soon, done."""
    at(ctx)
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    minh = await harness.person(2001, "Anh Minh", unit="Sở Tài chính")
    hoa = await harness.person(2002, "Chị Hoa", unit="Sở Nội vụ")
    tuan = await harness.person(2003, "Anh Tuấn", unit="Sở Tư pháp")
    await harness.plan([
        ParsedTask(code="1", title="Báo cáo quyết toán ngân sách", due=date(2026, 3, 6), lead=["Sở Tài chính"],
                   support=["Sở Nội vụ"]),
        ParsedTask(code="2", title="Rà soát biên chế công chức", due=date(2026, 3, 13), lead=["Sở Nội vụ"]),
        ParsedTask(code="3", title="Tổng kết công tác pháp chế", due=date(2026, 3, 20), lead=["Sở Tư pháp"]),
        ParsedTask(code="4", title="Kế hoạch chuyển đổi số quý II", due=date(2026, 4, 30), lead=["Sở Tài chính"]),
    ], year=2026, today=date(2026, 3, 2))
    return lan, minh, hoa, tuan


async def test_quahan_lists_overdue_by_unit_with_days_late(harness, ctx):
    lan, *_ = await world(harness, ctx)
    reply = await harness.say(lan, "/quahan")
    text = reply["text"]
    async with ctx.sessions() as s:
        late = (await s.execute(select(Assignment).where(Assignment.due_date < date(2026, 3, 16)))).scalars().all()
    assert len(late) == 3  # task 1 lead + support, task 2 lead
    assert "3 phân công ở 2 đơn vị" in text
    assert "[1] Báo cáo quyết toán ngân sách" in text and "quá hạn 10 ngày" in text
    assert "[2] Rà soát biên chế công chức" in text and "quá hạn 3 ngày" in text
    assert "Sở Tài chính (1)" in text and "Sở Nội vụ (2)" in text
    assert "Tổng kết công tác pháp chế" not in text and "chuyển đổi số" not in text
    assert "chưa báo cáo" in text and "đã nhắc 0 lần" in text

    narrowed = await harness.say(lan, "/overdue tai chinh")  # no diacritics, part of the name
    assert "[1] Báo cáo quyết toán" in narrowed["text"] and "[2]" not in narrowed["text"]
    assert "Sở Nội vụ" not in narrowed["text"]


async def test_quahan_pages_with_buttons_that_edit_the_message(harness, ctx):
    at(ctx)
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    long = "Xây dựng và triển khai kế hoạch nâng cao năng lực quản lý nhà nước trên địa bàn, số "
    tasks = [ParsedTask(code=f"{i}", title=long + str(i), due=date(2026, 2, 1 + i % 27),
                        lead=[f"Phòng Ban {i % 5}"]) for i in range(1, 61)]
    await harness.plan(tasks, year=2026, today=date(2026, 1, 5))
    first = await harness.say(lan, "/quahan")
    assert "Trang 1/" in first["text"] and len(first["text"]) <= 4096
    n_pages = int(first["text"].rsplit("Trang 1/", 1)[1].split()[0])
    assert n_pages >= 2
    assert [t for t, _ in buttons(first)] == [f"Trang 1/{n_pages}", "▶"]

    def codes(text: str) -> set[str]:
        return {line.split("]")[0].split("[")[1] for line in text.splitlines() if line.startswith("• [")}

    seen = [codes(first["text"])]
    msg = first
    for page in range(2, n_pages + 1):
        await harness.sandbox.press_button(lan.user_id, msg["message_id"], button(msg, "▶"))
        msg = await harness.sandbox.wait_for_message(
            lan.user_id, lambda m, p=page: m["message_id"] == first["message_id"] and f"Trang {p}/" in m["text"])
        assert msg["edited"] and len(msg["text"]) <= 4096
        seen.append(codes(msg["text"]))
    assert seen[0] != seen[1] and not seen[0] & seen[1]
    assert "◀" in [t for t, _ in buttons(msg)] and "▶" not in [t for t, _ in buttons(msg)]
    async with ctx.sessions() as s:
        late = {a.task.code for a in (await s.execute(select(Assignment))).scalars()}
    assert set().union(*seen) == late and sum(map(len, seen)) == 60
    assert len(harness.messages(lan)) == 1  # one message, edited in place


async def test_sapden_default_week_and_bad_argument(harness, ctx):
    lan, *_ = await world(harness, ctx)
    week = await harness.say(lan, "/sapden")
    assert "[3] Tổng kết công tác pháp chế" in week["text"] and "20/03/2026 (còn 4 ngày)" in week["text"]
    assert "Sở Tư pháp" in week["text"] and "chuyển đổi số" not in week["text"]
    assert "[1]" not in week["text"]  # overdue is not upcoming
    longer = await harness.say(lan, "/upcoming 60")
    assert "[4] Kế hoạch chuyển đổi số quý II" in longer["text"] and "2 nhiệm vụ" in longer["text"]
    bad = await harness.say(lan, "/sapden mai")
    assert bad["text"].startswith("Cách dùng: /sapden")


async def test_tiendo_categories_use_local_dates(harness, ctx):
    from storage.models import Task

    lan, *_ = await world(harness, ctx)
    await harness.plan([ParsedTask(code="5", title="Báo cáo chỉ số cải cách hành chính", due=date(2026, 3, 10),
                                   lead=["Sở Tư pháp"])], title="Kế hoạch cải cách", year=2026,
                       today=date(2026, 3, 1))
    tz = ctx.settings.tz
    async with ctx.sessions() as s:
        for code, done_local in (("1", datetime(2026, 3, 7, 0, 30)),  # due 06/03: late, though still 06/03 in UTC
                                 ("2", datetime(2026, 3, 13, 23, 30))):  # due 13/03: on time, late evening
            a = (await s.execute(select(Assignment).join(Task).where(Task.code == code,
                                                                       Assignment.role == "lead"))).scalar_one()
            a.status, a.progress, a.done_at = "done", 100, done_local.replace(tzinfo=tz)
        await s.commit()
    reply = await harness.say(lan, "/tiendo")
    text = reply["text"]
    assert "• Toàn bộ: 5 — ✅ 1 (20%) · ☑️ 1 (20%) · ⏳ 2 (40%) · ⚠️ 1 (20%)" in text
    assert "• Quý I/2026: 4 — ✅ 1 (25%) · ☑️ 1 (25%) · ⏳ 1 (25%) · ⚠️ 1 (25%)" in text
    assert "• Quý II/2026: 1 — ✅ 0 (0%) · ☑️ 0 (0%) · ⏳ 1 (100%) · ⚠️ 0 (0%)" in text
    assert "• Sở Tài chính: 2 — ✅ 0 (0%) · ☑️ 1 (50%) · ⏳ 1 (50%) · ⚠️ 0 (0%)" in text
    assert "• Sở Nội vụ: 1 — ✅ 1 (100%)" in text
    by_quarter = await harness.say(lan, "/tiendo quý")
    assert "Quý II/2026" in by_quarter["text"] and "Sở Tài chính" not in by_quarter["text"]
    one_unit = await harness.say(lan, "/progress tu phap")
    assert "Đơn vị: Sở Tư pháp" in one_unit["text"]
    assert "• Toàn bộ: 2 — ✅ 0 (0%) · ☑️ 0 (0%) · ⏳ 1 (50%) · ⚠️ 1 (50%)" in one_unit["text"]


async def test_donvi_ambiguous_name_offers_buttons(harness, ctx):
    lan, minh, *_ = await world(harness, ctx)
    await harness.person(2004, "Chị Mai", role="unit_head", unit="Phòng Tài chính - Ngân sách")
    ask = await harness.say(lan, "/donvi tai chinh")
    assert "Có 2 đơn vị khớp" in ask["text"]
    assert sorted(t for t, _ in buttons(ask)) == ["Phòng Tài chính - Ngân sách", "Sở Tài chính"]
    detail = await harness.press(lan, ask, button(ask, "Sở Tài chính"))
    text = detail["text"]
    assert text.startswith("🏢 Sở Tài chính") and "Nhiệm vụ đang mở: 2 (quá hạn: 1)" in text
    assert "Anh Minh — đầu mối: ✅ nhận được tin" in text and "Chị Mai" not in text
    assert "⚠️ [1] Báo cáo quyết toán ngân sách" in text and "• [4] Kế hoạch chuyển đổi số" in text
    harness.sandbox.block(minh.user_id)
    async with ctx.sessions() as s:
        from storage.reminder_queries import flag_unreachable

        await flag_unreachable(s, minh.member_id, ctx.clock.now())
        await s.commit()
    again = await harness.say(lan, "/unit So Tai chinh")  # exact name without diacritics: no question
    assert "Anh Minh — đầu mối: 📵 không nhận được tin từ 16/03/2026" in again["text"]
    assert "không có ai nhận được tin" in again["text"]
    missing = await harness.say(lan, "/donvi Sở Xây dựng")
    assert "Không tìm thấy đơn vị" in missing["text"]
    usage = await harness.say(lan, "/donvi")
    assert usage["text"].startswith("Cách dùng: /donvi")


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes(range(256)) * 20


async def test_nhiemvu_history_and_files_sent_back(harness, ctx):
    lan, minh, hoa, _ = await world(harness, ctx)
    await harness.scan()
    reminder = harness.messages(minh)[-1]
    assert "Báo cáo quyết toán ngân sách" in reminder["text"]
    await harness.send_file(minh, "quyet_toan.pdf", PDF, caption="đang làm 60%", reply_to=reminder["message_id"])
    async with ctx.sessions() as s:
        from storage.models import Task

        logs = (await s.execute(select(ReminderLog).join(Assignment).join(Task).where(Task.code == "1"))).scalars().all()
    assert {r.member_id for r in logs} == {minh.member_id, hoa.member_id}  # the lead's reminders, the support's notice
    detail = await harness.say(lan, "/nhiemvu 1")
    text = detail["text"]
    assert text.startswith("📋 [1] Báo cáo quyết toán ngân sách") and "Hạn: 06/03/2026 (quá hạn 10 ngày)" in text
    assert "• Sở Tài chính (chủ trì): đang làm 60% · quá hạn 10 ngày" in text
    assert "• Sở Nội vụ (phối hợp): chưa báo cáo · quá hạn 10 ngày" in text
    assert f"Tin nhắc ({len(logs)})" in text and "quá hạn (lần 1) → Anh Minh (Sở Tài chính): đã gửi" in text
    assert "giao phối hợp → Chị Hoa (Sở Nội vụ)" in text
    assert "Báo cáo (1)" in text and "Anh Minh (Sở Tài chính): Đang thực hiện · 60%" in text
    assert "quyet_toan.pdf" in text
    sent = await harness.press(lan, detail, button(detail, "📎"))
    assert sent["document"]["file_name"] == "quyet_toan.pdf" and sent["caption"].startswith("[1] quyet_toan.pdf")
    assert harness.sandbox.file_content(sent["document"]["file_id"]) == PDF
    assert "Không tìm thấy nhiệm vụ" in (await harness.say(lan, "/task 99"))["text"]
    assert (await harness.say(lan, "/nhiemvu"))["text"].startswith("Cách dùng: /nhiemvu")


async def test_nhiemvu_same_code_in_two_plans_asks_which(harness, ctx):
    lan, *_ = await world(harness, ctx)
    await harness.plan([ParsedTask(code="1", title="Sơ kết phong trào thi đua", due=date(2026, 6, 30),
                                   lead=["Sở Nội vụ"])], title="Kế hoạch thi đua", year=2026, today=date(2026, 3, 16))
    ask = await harness.say(lan, "/nhiemvu 1")
    assert "Có 2 nhiệm vụ mang mã \"1\"" in ask["text"] and len(buttons(ask)) == 2
    detail = await harness.press(lan, ask, button(ask, "1. Sơ kết"))
    assert "Sơ kết phong trào thi đua" in detail["text"] and "Kế hoạch: Kế hoạch thi đua" in detail["text"]


async def test_xuat_workbook_matches_the_database(harness, ctx):
    import io

    from openpyxl import load_workbook

    lan, *_ = await world(harness, ctx)
    reply = await harness.say(lan, "/xuat")
    doc = reply["document"]
    assert doc["file_name"] == "dondoc_20260316.xlsx" and "4 nhiệm vụ, 5 phân công" in reply["caption"]
    wb = load_workbook(io.BytesIO(harness.sandbox.file_content(doc["file_id"])))
    assert wb.sheetnames == ["Nhiệm vụ", "Phân công", "Báo cáo", "Quá hạn", "Đơn vị"]
    tasks = wb["Nhiệm vụ"]
    assert [c.value for c in tasks[1]][:4] == ["Kế hoạch", "Mã", "Nhiệm vụ", "Hạn"]
    assert [r[1] for r in tasks.iter_rows(min_row=2, values_only=True)] == ["1", "2", "3", "4"]
    due = tasks["D2"]
    assert due.value.date() == date(2026, 3, 6) and due.number_format == "DD/MM/YYYY"
    assert tasks.freeze_panes == "A2" and tasks.auto_filter.ref == "A1:I5"
    assert tasks.page_setup.orientation == "landscape" and tasks.page_setup.fitToWidth == 1
    assert tasks.column_dimensions["C"].width == 70
    late = list(wb["Quá hạn"].iter_rows(min_row=2, values_only=True))
    assert sorted((r[0], r[1], r[5]) for r in late) == [("Sở Nội vụ", "1", 10), ("Sở Nội vụ", "2", 3),
                                                         ("Sở Tài chính", "1", 10)]
    assign = list(wb["Phân công"].iter_rows(min_row=2, values_only=True))
    assert len(assign) == 5 and ("1", "Sở Nội vụ", "phối hợp") in {(r[0], r[2], r[3]) for r in assign}
    units = {r[0]: r for r in wb["Đơn vị"].iter_rows(min_row=2, values_only=True)}
    assert set(units) == {"Sở Tài chính", "Sở Nội vụ", "Sở Tư pháp"}
    assert units["Sở Nội vụ"][2:5] == (1, 1, 2)  # members, reachable, assignments
    assert wb["Báo cáo"].max_row == 1  # no check-ins yet: header only


async def test_bieudo_sends_a_png(harness, ctx):
    lan, *_ = await world(harness, ctx)
    reply = await harness.say(lan, "/bieudo", timeout=30)
    photo = reply["photo"]
    content = harness.sandbox.file_content(photo["file_id"])
    assert content[:8] == b"\x89PNG\r\n\x1a\n" and photo["width"] == 1100
    assert "Tiến độ đến 16/03/2026" in reply["caption"]


async def test_nhac_sends_the_reminder_now_through_the_dispatcher(harness, ctx):
    lan, minh, hoa, tuan = await world(harness, ctx)
    reply = await harness.say(lan, "/nhac 2")
    assert reply["text"] == "🔔 Đã gửi nhắc nhiệm vụ [2]: 1 người nhận được."
    got = harness.messages(hoa)[-1]
    assert "Rà soát biên chế công chức" in got["text"] and "quá hạn 3 ngày" in got["text"]
    assert any(t.startswith("✅") for t, _ in buttons(got))
    assert not harness.messages(minh) and not harness.messages(tuan)
    async with ctx.sessions() as s:
        log = (await s.execute(select(ReminderLog))).scalars().all()
    assert [(r.status, r.message_id, "@manual:" in r.kind) for r in log] == [("sent", got["message_id"], True)]
    receipt = await harness.say(hoa, "xong", reply_to=got["message_id"])  # a reply to it is a check-in
    assert "Đã hoàn thành" in receipt["text"]
    async with ctx.sessions() as s:
        a = (await s.execute(select(Assignment).where(Assignment.id == log[0].assignment_id))).scalar_one()
    assert a.status == "done"
    closed = await harness.say(lan, "/nhac 2")
    assert "không còn đơn vị nào chưa hoàn thành" in closed["text"]
    assert (await harness.say(lan, "/remind"))["text"].startswith("Cách dùng: /nhac")


async def test_thongbao_to_chosen_units_then_everyone(harness, ctx):
    lan, minh, hoa, tuan = await world(harness, ctx)
    ask = await harness.say(lan, "/thongbao tai chinh, Sở Nội vụ: Họp giao ban lúc 8h thứ Hai.")
    assert "tới 2 người của Sở Tài chính; Sở Nội vụ" in ask["text"]
    assert not harness.messages(minh)  # nothing sent before the confirmation
    done = await harness.press(lan, ask, button(ask, "📢"))
    assert done["text"] == "📢 Đã gửi thông báo: 2/2 người nhận được."
    assert harness.messages(minh)[-1]["text"].endswith("Họp giao ban lúc 8h thứ Hai.")
    assert harness.messages(hoa)[-1]["text"].startswith("📢 Thông báo của bộ phận thường trực")
    assert not harness.messages(tuan)

    harness.sandbox.block(tuan.user_id)
    ask = await harness.say(lan, "/broadcast Lưu ý: nộp báo cáo trước thứ Sáu")  # "Lưu ý" is not a unit
    assert "tất cả các đơn vị (3)" in ask["text"] and "3 người" in ask["text"]
    done = await harness.press(lan, ask, button(ask, "📢"))
    assert done["text"].startswith("📢 Đã gửi thông báo: 2/3 người nhận được; không gửi được 1 người")
    assert harness.messages(minh)[-1]["text"].endswith("Lưu ý: nộp báo cáo trước thứ Sáu")
    async with ctx.sessions() as s:
        from storage.models import Member

        assert (await s.get(Member, tuan.member_id)).reachable is False
        rows = (await s.execute(select(AuditLog).where(AuditLog.action == "broadcast"))).scalars().all()
    assert [(r.detail["sent"], r.detail["failed"]) for r in rows] == [(2, 0), (2, 1)]

    ask = await harness.say(lan, "/thongbao Sở Nội vụ: không gửi")
    before = {who.user_id: len(harness.messages(who)) for who in (minh, hoa, tuan)}
    qid = await harness.sandbox.press_button(lan.user_id, ask["message_id"], button(ask, "✖️"))
    assert not (await harness.sandbox.wait_for_callback_answer(qid)).get("text")  # answered, no alert
    msg = await harness.sandbox.wait_for_message(
        lan.user_id, lambda m: m["message_id"] == ask["message_id"] and m["text"].startswith("Đã hủy"))
    assert not buttons(msg)
    assert {who.user_id: len(harness.messages(who)) for who in (minh, hoa, tuan)} == before
    async with ctx.sessions() as s:
        assert len((await s.execute(select(AuditLog).where(AuditLog.action == "broadcast"))).scalars().all()) == 2
    assert (await harness.say(lan, "/thongbao"))["text"].startswith("Cách dùng: /thongbao")


SECRETARIAT_COMMANDS = ["quahan", "sapden", "tiendo", "nhiemvu 1", "donvi tai chinh", "xuat", "bieudo", "nhac 1",
                        "thongbao Họp lúc 8h"]


@pytest.mark.parametrize("cmd", SECRETARIAT_COMMANDS)
async def test_every_role_against_every_secretariat_command(harness, ctx, cmd):
    from bot import texts

    await world(harness, ctx)
    name = cmd.split()[0]
    people = {
        "member": await harness.person(3001, "Anh Nam", role="member", unit="Sở Tài chính"),
        "unit_head": await harness.person(3002, "Bà Thu", role="unit_head", unit="Sở Tài chính"),
        "secretariat": await harness.person(3003, "Chị Vân", role="secretariat"),
        "admin": await harness.person(3004, "Ông Hải", role="admin"),
    }
    for role, who in people.items():
        reply = await harness.say(who, f"/{cmd}", timeout=30)
        async with ctx.sessions() as s:
            refused = (await s.execute(select(AuditLog).where(AuditLog.action == "permission_refused",
                                                              AuditLog.member_id == who.member_id))).scalars().all()
        if role in ("secretariat", "admin"):
            assert reply.get("text") != texts.NOT_ALLOWED and not refused, (role, reply)
        else:
            assert reply["text"] == texts.NOT_ALLOWED, (role, reply)
            assert [r.detail["command"] for r in refused] == [name]
    harness.sandbox.add_user(9001, "Người lạ")
    from tests.harness import Person

    stranger = Person(9001, "Người lạ", "stranger", None, 0)
    reply = await harness.say(stranger, f"/{cmd}")
    assert reply["text"] == texts.STRANGER
    async with ctx.sessions() as s:
        refused = (await s.execute(select(AuditLog).where(AuditLog.action == "permission_refused",
                                                          AuditLog.user_id == 9001))).scalars().all()
    assert [r.detail["command"] for r in refused] == [name]


async def test_secretariat_buttons_are_refused_to_non_staff(harness, ctx):
    from bot import texts

    lan, minh, *_ = await world(harness, ctx)
    detail = await harness.say(lan, "/nhiemvu 1")
    data = button(detail, "🔔")
    target = await harness.say(minh, "/viec")  # any bot message in the member's chat
    # a modified client sends the staff button's data from the member's chat
    m = harness.sandbox._messages[minh.user_id][target["message_id"]]  # noqa: SLF001 - forging on purpose
    m.data.setdefault("reply_markup", {"inline_keyboard": []})["inline_keyboard"].append(
        [{"text": "forged", "callback_data": data}])
    qid = await harness.sandbox.press_button(minh.user_id, target["message_id"], data)
    answer = await harness.sandbox.wait_for_callback_answer(qid)
    assert answer["text"] == texts.NOT_ALLOWED
    async with ctx.sessions() as s:
        refused = (await s.execute(select(AuditLog).where(AuditLog.action == "permission_refused",
                                                          AuditLog.member_id == minh.member_id))).scalars().all()
        sent = (await s.execute(select(ReminderLog))).scalars().all()
    assert [r.detail["data"] for r in refused] == [data] and sent == []


def test_bench_quahan_runs_and_reports_timings(capsys):
    import json

    from bot.bench.quahan import TODAY, _rows, main

    assert main(["--tasks", "300", "--units", "20", "--runs", "3"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    _, _, tasks, assigns, _, _ = _rows(300, 20)
    open_tasks = {t[0] for t in tasks if t[5] == "open"}
    expected = sum(1 for a in assigns if a[1] in open_tasks and a[6] < TODAY)
    assert out["overdue"] == expected > 0 and out["tasks"] == 300 and out["units"] == 20
    assert out["listed"] == out["overdue"]  # every overdue assignment on exactly one page
    assert out["median_ms"] > 0 and out["pages"] >= 2 and out["max_page_chars"] <= 4096
