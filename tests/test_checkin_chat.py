"""Check-in conversations end to end through the sandbox: every pending question has an
exit, what people type is understood (a task code, a question, plain-word extensions) or
asked back, reminders stay calm (a task first, answered buttons removed, no
contradictions, working days), and one truth per task (reports, extensions, undo)."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import date, datetime, timedelta

from openpyxl import load_workbook

from bot import actions
from bot.plan_import.model import ParsedTask
from bot.reminders.compose import ReminderItem, compose
from storage.models import CheckIn, ConversationState, ExtensionRequest, ScheduledReminder
from tests.harness import Person, button, buttons
from tests.test_checkin import NOI_VU, PDF, TAI_CHINH, TWO_TASKS, assignment, reminder_for, rows, world

CODED = [
    ParsedTask(code="Q1.1", title="Báo cáo sơ kết công tác quý I", due=date(2026, 3, 13), lead=[NOI_VU]),
    ParsedTask(code="Q2.1", title="Kế hoạch cải cách hành chính", due=date(2026, 4, 30), lead=[NOI_VU]),
]
EXIT = 'Nhắn "thôi"'


async def until(cond, what: str, timeout: float = 10.0):
    """Wait for a condition the bot brings about after its reply (never a fixed sleep)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not (value := cond()):
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
    return value


def message(harness, who, message_id: int) -> dict:
    return next(m for m in harness.messages(who) if m["message_id"] == message_id)


async def colleague(harness) -> Person:
    return await harness.person(2002, "Chị Mai", unit=NOI_VU)


# --- conversations with an exit ------------------------------------------------------------------


async def test_a_refused_extension_date_is_left_with_thoi_and_the_next_answer_counts(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    refused = await harness.say(minh, "xin gia hạn đến 10/3")  # before the current due date
    assert "phải sau hôm nay và sau hạn hiện tại (13/03/2026)" in refused["text"] and EXIT in refused["text"]
    left = await harness.say(minh, "thôi")
    assert left["text"] == "Đã bỏ câu hỏi về ngày xin gia hạn nhiệm vụ 1. Không có gì được ghi nhận."
    assert await rows(ctx, ConversationState) == [] and await rows(ctx, ExtensionRequest) == []
    receipt = await harness.say(minh, "xong")
    assert "Đã hoàn thành" in receipt["text"]
    assert (await assignment(ctx, "1")).status == "done"


async def test_an_unreadable_answer_is_asked_once_more_then_the_question_is_dropped(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reminder = await reminder_for(harness, minh)
    ask = await harness.press(minh, reminder, button(reminder, "🕒"))
    assert EXIT in ask["text"]
    again = await harness.say(minh, "để em hỏi sếp đã")
    assert "Chưa đọc được ngày xin gia hạn" in again["text"] and EXIT in again["text"]
    dropped = await harness.say(minh, "ừm chưa biết")
    assert dropped["text"].startswith("Tôi bỏ câu hỏi về ngày xin gia hạn nhiệm vụ 1")
    assert await rows(ctx, ConversationState) == []
    unknown = await harness.say(minh, "ừm chưa biết")  # no trap: an ordinary answer now
    assert "chưa hiểu" in unknown["text"]


async def test_a_new_request_while_asked_for_a_date_is_taken(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reminder = await reminder_for(harness, minh)
    await harness.press(minh, reminder, button(reminder, "🕒"))
    receipt = await harness.say(minh, "thôi xong rồi")
    assert "Đã hoàn thành" in receipt["text"]
    assert (await assignment(ctx, "1")).status == "done" and await rows(ctx, ExtensionRequest) == []
    assert await rows(ctx, ConversationState) == []


async def test_leave_question_has_an_exit_and_a_new_intent_leaves_it(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    ask = await harness.say(minh, "em nghỉ phép")
    assert "nghỉ đến ngày nào" in ask["text"] and EXIT in ask["text"]
    receipt = await harness.say(minh, "đang làm 30%")
    assert "Tiến độ: 30%" in receipt["text"]
    assert await rows(ctx, ConversationState) == []


async def test_undo_first_leaves_a_pending_question_and_says_nothing_was_undone(harness, ctx):
    _, minh, _ = await world(harness, ctx, CODED)
    await harness.say(minh, "Q2.1 đang làm 40%")
    reminder = await reminder_for(harness, minh)  # only Q1.1 is overdue
    await harness.press(minh, reminder, button(reminder, "📊"))
    first = await harness.say(minh, "/huy")
    assert first["text"].startswith("↩️ Đã bỏ câu hỏi về tiến độ nhiệm vụ Q1.1. Chưa hủy câu trả lời nào")
    assert (await assignment(ctx, "Q2.1")).progress == 40 and await rows(ctx, ConversationState) == []
    second = await harness.say(minh, "/huy")
    assert '"Đang thực hiện 40%"' in second["text"] and "nhiệm vụ Q2.1" in second["text"]
    assert (await assignment(ctx, "Q2.1")).progress == 0


async def test_undo_never_takes_back_an_answer_a_colleague_has_overtaken(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    mai = await colleague(harness)
    await harness.say(minh, "đang làm 40%")
    await harness.say(mai, "đang làm 70%")
    reply = await harness.say(minh, "/huy")
    assert reply["text"].startswith("Không hủy được câu trả lời lúc 16/03/2026 09:00 cho nhiệm vụ 1")
    assert (await assignment(ctx, "1")).progress == 70
    assert [c.undone_at for c in await rows(ctx, CheckIn)] == [None, None]


async def test_thoi_without_a_pending_question_is_answered(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reply = await harness.say(minh, "thôi")
    assert reply["text"].startswith("Không có câu hỏi nào đang chờ")


# --- understanding ----------------------------------------------------------------------------------


async def test_a_typed_task_code_picks_that_task(harness, ctx):
    _, minh, _ = await world(harness, ctx, CODED)
    receipt = await harness.say(minh, "Q2.1 xong rồi nhé")
    assert "Q2.1. Kế hoạch cải cách hành chính" in receipt["text"] and "Đã hoàn thành" in receipt["text"]
    assert (await assignment(ctx, "Q2.1")).status == "done" and (await assignment(ctx, "Q1.1")).status == "open"


async def test_a_task_code_answers_the_which_task_question(harness, ctx):
    _, minh, _ = await world(harness, ctx, CODED)
    ask = await harness.say(minh, "đang làm 60%")
    assert "nhiệm vụ nào" in ask["text"]
    receipt = await harness.say(minh, "q2.1")
    assert "Q2.1." in receipt["text"] and "Tiến độ: 60%" in receipt["text"]
    assert (await assignment(ctx, "Q2.1")).progress == 60


async def test_an_unknown_code_is_said_and_asked_back(harness, ctx):
    _, minh, _ = await world(harness, ctx, CODED)
    ask = await harness.say(minh, "Q9.9 xong")
    assert ask["text"].startswith("Không thấy nhiệm vụ mã Q9.9") and "nhiệm vụ nào" in ask["text"]
    assert await rows(ctx, CheckIn) == []


async def test_a_question_is_answered_from_the_database_never_recorded(harness, ctx):
    _, minh, _ = await world(harness, ctx, CODED)
    await harness.say(minh, "Q2.1 đang làm 40%")
    status = await harness.say(minh, "Q2.1 xong chưa?")
    assert "Q2.1. Kế hoạch cải cách hành chính" in status["text"] and "30/04/2026" in status["text"]
    assert "Đang thực hiện, tiến độ 40%" in status["text"] and "không được ghi nhận" in status["text"]
    due = await harness.say(minh, "hạn khi nào vậy?")
    assert "13/03/2026 (quá hạn 3 ngày)" in due["text"] and "30/04/2026 (còn 45 ngày)" in due["text"]
    assert len(await rows(ctx, CheckIn)) == 1
    assert (await assignment(ctx, "Q1.1")).status == "open"


async def test_numbers_in_a_reason_are_not_progress(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    receipt = await harness.say(minh, "chưa làm được vì kinh phí < 50%")
    assert "Gặp vướng mắc" in receipt["text"] and "50%" not in receipt["text"].split("Lý do")[0]
    a = await assignment(ctx, "1")
    assert (a.status, a.progress) == ("blocked", 0)


async def test_plain_word_extension_requests(harness, ctx):
    lan, minh, _ = await world(harness, ctx)
    after = harness.last_id(lan)
    receipt = await harness.say(minh, "cho em lùi sang tuần sau")
    assert "Xin gia hạn đến: 27/03/2026" in receipt["text"]
    request = await harness.wait(lan, after=after)
    assert "27/03/2026" in request["text"]
    asked = await harness.say(minh, "xin thêm thời gian")  # no date named: asked, never guessed
    assert "đến ngày nào" in asked["text"] and EXIT in asked["text"]
    (req,) = await rows(ctx, ExtensionRequest)
    assert req.requested_due == date(2026, 3, 27)


async def test_unclear_is_asked_back_never_guessed(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reply = await harness.say(minh, "để mai tính")
    assert "chưa hiểu" in reply["text"]
    assert await rows(ctx, CheckIn) == [] and (await assignment(ctx, "1")).status == "open"


# --- calm chats ----------------------------------------------------------------------------------------

THREE_LATE = [
    ParsedTask(code="Q1.1", title="Báo cáo sơ kết công tác quý I", due=date(2026, 3, 13), lead=[NOI_VU]),
    ParsedTask(code="Q1.2", title="Báo cáo phòng chống tham nhũng", due=date(2026, 3, 12), lead=[NOI_VU]),
    ParsedTask(code="Q1.3", title="Báo cáo cải cách hành chính", due=date(2026, 3, 11), lead=[NOI_VU]),
]


async def test_a_combined_reminder_picks_the_task_first_and_drops_it_once_answered(harness, ctx):
    _, minh, _ = await world(harness, ctx, THREE_LATE)
    reminder = await reminder_for(harness, minh)
    assert [t for t, _ in buttons(reminder)] == ["Q1.3", "Q1.2", "Q1.1"]  # one row of tasks, nothing else
    q12 = (await assignment(ctx, "Q1.2")).id
    await harness.sandbox.wait_for_callback_answer(
        await harness.sandbox.press_button(minh.user_id, reminder["message_id"], actions.make(actions.CI_SELECT, q12)))
    picked = harness.sandbox.messages(minh.user_id)[-1]
    assert picked["message_id"] == reminder["message_id"]  # the same message, not a new one
    labels = [t for t, _ in buttons(picked)]
    assert labels[:3] == ["Q1.3", "▸ Q1.2", "Q1.1"] and "✅ Đã hoàn thành" in labels
    receipt = await harness.press(minh, picked, button(picked, "✅"))
    assert "Q1.2. Báo cáo phòng chống tham nhũng" in receipt["text"]
    assert (await assignment(ctx, "Q1.2")).status == "done"
    await until(lambda: [t for t, _ in buttons(message(harness, minh, reminder["message_id"]))] == ["Q1.3", "Q1.1"],
                "the answered task to leave the combined reminder")


async def test_an_answered_reminder_loses_its_buttons(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reminder = await reminder_for(harness, minh)
    assert buttons(reminder)
    await harness.say(minh, "đang làm 50%", reply_to=reminder["message_id"])
    await until(lambda: buttons(message(harness, minh, reminder["message_id"])) == [], "the buttons to go")


async def test_the_heads_escalation_says_why_the_head_receives_it(harness, ctx):
    _, minh, _ = await world(harness, ctx, [
        ParsedTask(code="1", title="Báo cáo sơ kết công tác quý I", due=date(2026, 3, 6), lead=[NOI_VU])])
    head = await harness.person(2009, "Ông Hùng", role="unit_head", unit=NOI_VU)
    for _ in range(10):  # overdue levels come one at a time; the head's from level 2
        await harness.scan()
        if harness.messages(head):
            break
        ctx.clock.advance(timedelta(days=1))
    (h,) = harness.messages(head)
    late = (ctx.clock.today() - date(2026, 3, 6)).days
    assert h["text"].startswith(f"🔺 Gửi lãnh đạo đơn vị: nhiệm vụ quá hạn {late} ngày")
    assert "Lãnh đạo đơn vị nhận tin này vì nhiệm vụ đã quá hạn" in h["text"]
    assert "🔺" not in harness.messages(minh)[-1]["text"]


def test_combined_lines_never_contradict_themselves():
    today = date(2026, 3, 13)  # Friday; a Saturday deadline's "due today" reminder comes now
    items = [ReminderItem(1, "due_today", "A", "Việc A", date(2026, 3, 14)),
             ReminderItem(2, "overdue_2", "B", "Việc B", date(2026, 3, 11)),
             ReminderItem(3, "before_3d", "C", "Việc C", date(2026, 3, 16))]
    ((text, _),) = compose(items, today)
    assert "Hạn 14/03/2026 — còn 1 ngày\n" in text and "hạn hôm nay" not in text
    assert "Hạn 11/03/2026 — quá hạn 2 ngày\n" in text and "quá hạn 2 ngày ·" not in text
    single, _ = compose([items[0]], today)[0]
    assert single.startswith("⏰ Nhắc việc: còn 1 ngày")


async def _snooze(harness, ctx, minh, when: datetime, days: int) -> tuple[dict, ScheduledReminder]:
    ctx.clock.set(when)
    reminder = await reminder_for(harness, minh)
    aid = (await assignment(ctx, "1")).id
    data = actions.make(actions.CI_SNOOZE, aid, days)
    if data not in [d for _, d in buttons(reminder)]:
        reminder = harness.sandbox.messages(minh.user_id)[-1]
    reply = await harness.press(minh, reminder, data)
    (snz,) = await rows(ctx, ScheduledReminder, ScheduledReminder.member_id == minh.member_id)
    return reply, snz


async def test_snooze_three_days_from_a_friday_lands_on_wednesday(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reply, snz = await _snooze(harness, ctx, minh, datetime(2026, 3, 20, 9, tzinfo=ctx.settings.tz), 3)
    assert snz.fire_at.astimezone(ctx.settings.tz).date() == date(2026, 3, 25)
    assert "25/03/2026" in reply["text"]


async def test_snooze_one_day_skips_the_weekend_and_the_holidays(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    # Wednesday 29/04/2026: 30/04 and 01/05 are public holidays, then a weekend
    reply, snz = await _snooze(harness, ctx, minh, datetime(2026, 4, 29, 9, tzinfo=ctx.settings.tz), 1)
    assert snz.fire_at.astimezone(ctx.settings.tz).date() == date(2026, 5, 4)
    assert "04/05/2026" in reply["text"]


# --- one truth per task -------------------------------------------------------------------------------------


async def test_an_approved_extension_moves_the_coordinating_unit_too(harness, ctx):
    lan, minh, hoa = await world(harness, ctx, [
        ParsedTask(code="1", title="Báo cáo sơ kết công tác quý I", due=date(2026, 3, 13), lead=[NOI_VU],
                   support=[TAI_CHINH])])
    after = harness.last_id(lan)
    await harness.say(minh, "xin gia hạn đến 15/4 vì chờ số liệu")
    request = await harness.wait(lan, after=after)
    after = harness.last_id(minh)
    await harness.press(lan, request, button(request, "✅"), expect_message=False)
    assert "đã được đồng ý" in (await harness.wait(minh, after=after))["text"]
    assert (await assignment(ctx, "1")).due_date == date(2026, 4, 15)
    assert (await assignment(ctx, "1", TAI_CHINH)).due_date == date(2026, 4, 15)
    overdue = await harness.say(lan, "/quahan")
    assert "Không có nhiệm vụ nào quá hạn" in overdue["text"], overdue["text"]


async def test_an_undone_answer_disappears_from_quahan(harness, ctx):
    lan, minh, _ = await world(harness, ctx)
    await harness.say(minh, "đang làm 40%")
    before = await harness.say(lan, "/quahan")
    assert "đang làm 40%" in before["text"] and "báo cáo gần nhất: 16/03/2026" in before["text"]
    await harness.say(minh, "/huy")
    after = await harness.say(lan, "/quahan")
    assert "— chưa báo cáo · quá hạn" in after["text"] and "báo cáo gần nhất" not in after["text"], after["text"]
    assert "đang làm" not in after["text"], after["text"]


async def test_a_file_sent_with_the_paperclip_counts_as_reported_in_the_export_too(harness, ctx):
    lan, minh, _ = await world(harness, ctx, TWO_TASKS)
    ask = await harness.send_file(minh, "bao_cao.pdf", PDF)
    await harness.press(minh, ask, button(ask, "1."))
    view = await harness.say(lan, "/donvi Phòng Nội vụ")
    first = view["text"][view["text"].index("[1]"):view["text"].index("[2]")]
    assert "chưa báo cáo" not in first and "đã báo cáo" in first, view["text"]
    doc = (await harness.say(lan, "/xuat"))["document"]
    wb = load_workbook(io.BytesIO(harness.sandbox.file_content(doc["file_id"])))
    assigned = {(r[0], r[2]): r[4] for r in wb["Phân công"].iter_rows(min_row=2, values_only=True)}
    assert assigned[("1", NOI_VU)].startswith("đã báo cáo"), assigned


async def test_a_coordinating_unit_whose_first_contact_joins_after_the_import_gets_its_notice(harness, ctx):
    lan, minh, _ = await world(harness, ctx, [
        ParsedTask(code="Q2.1", title="Kế hoạch cải cách hành chính", due=date(2026, 4, 30), lead=[NOI_VU],
                   support=["Phòng Tư pháp"])])
    await harness.scan()  # the notice is due now, and nobody in Phòng Tư pháp can receive it
    invite = await harness.say(lan, "/moi Phòng Tư pháp")
    code = re.search(r"start=(\S+)", invite["text"]).group(1)
    harness.sandbox.add_user(4001, "Anh Tuấn")
    tuan = Person(4001, "Anh Tuấn", "member", "Phòng Tư pháp", 0)
    welcome = await harness.say(tuan, f"/start {code}")
    assert "Chào mừng Anh Tuấn" in welcome["text"]
    notice = await harness.wait(tuan, after=welcome["message_id"])
    assert notice["text"].startswith("📌 Đơn vị được giao phối hợp thực hiện nhiệm vụ")
    assert "Q2.1. Kế hoạch cải cách hành chính" in notice["text"] and "30/04/2026" in notice["text"]
    receipt = await harness.press(tuan, notice, button(notice, "✅"))
    assert "phối hợp" in receipt["text"]
    assert (await assignment(ctx, "Q2.1", "Phòng Tư pháp")).status == "done"
    again = await harness.say(tuan, "/start")  # briefed once only
    assert again["text"].startswith("Xin chào Anh Tuấn")


async def test_a_newer_reminder_retires_the_older_ones_buttons(harness, ctx):
    _, minh, _ = await world(harness, ctx, [
        ParsedTask(code="1", title="Báo cáo sơ kết công tác quý I", due=date(2026, 3, 20), lead=[NOI_VU])])
    first = await reminder_for(harness, minh)  # "còn 4 ngày"
    ctx.clock.set(datetime(2026, 3, 19, 9, tzinfo=ctx.settings.tz))
    second = await reminder_for(harness, minh)  # the day before
    assert second["message_id"] != first["message_id"] and button(second, "✅")
    await until(lambda: buttons(message(harness, minh, first["message_id"])) == [], "the older buttons to go")


async def test_one_catch_up_message_counts_as_one_reminder(harness, ctx):
    lan, minh, _ = await world(harness, ctx)  # imported 02/03, due 13/03, first scan 16/03: a catch-up
    await reminder_for(harness, minh)
    view = await harness.say(lan, "/nhiemvu 1")
    assert "đã nhắc 1 lần" in view["text"], view["text"]


async def test_an_extension_request_reads_in_dates_people_use_and_undo_withdraws_it(harness, ctx):
    lan, minh, _ = await world(harness, ctx)
    after = harness.last_id(lan)
    await harness.say(minh, "xin gia hạn đến 15/4 vì chờ số liệu")
    await harness.wait(lan, after=after)  # the request to decide
    view = await harness.say(lan, "/nhiemvu 1")
    assert "15/04/2026 chờ số liệu" in view["text"] and "2026-04-15" not in view["text"], view["text"]
    undone = await harness.say(minh, "/huy")
    assert '"Xin gia hạn đến 15/04/2026"' in undone["text"] and "rút lại" in undone["text"]
    (req,) = await rows(ctx, ExtensionRequest)
    assert req.status == "withdrawn"
