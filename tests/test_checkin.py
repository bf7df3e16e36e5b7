"""Check-ins end to end through the sandbox: unit contacts answer reminders with buttons,
free text and files; the secretariat decides extensions; nothing crosses units."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot import actions
from bot.plan_import.model import ParsedTask
from storage.models import (
    Assignment,
    Attachment,
    AuditLog,
    CheckIn,
    ConversationState,
    ExtensionRequest,
    Member,
    ScheduledReminder,
    Task,
    Unit,
)
from tests.harness import button, buttons

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes(range(256)) * 40
NOI_VU, TAI_CHINH = "Phòng Nội vụ", "Phòng Tài chính"


async def given_units(ctx, *names: str) -> None:
    from bot.plan_import.units import normalize_unit_name, unit_key

    async with ctx.sessions() as s:
        for n in names:
            s.add(Unit(name=normalize_unit_name(n), key=unit_key(n), aliases=[]))
        await s.commit()


async def world(harness, ctx, tasks: list[ParsedTask] | None = None):
    """Monday 16/03/2026 09:00; Chị Lan (secretariat), Anh Minh (Phòng Nội vụ), Chị Hoa
    (Phòng Tài chính); by default one task of Phòng Nội vụ, three days overdue."""
    ctx.clock.set(datetime(2026, 3, 16, 9, 0, tzinfo=ctx.settings.tz))
    await given_units(ctx, NOI_VU, TAI_CHINH)
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    minh = await harness.person(2001, "Anh Minh", unit=NOI_VU)
    hoa = await harness.person(3001, "Chị Hoa", unit=TAI_CHINH)
    tasks = tasks if tasks is not None else [
        ParsedTask(code="1", title="Báo cáo sơ kết công tác quý I", due=date(2026, 3, 13), lead=[NOI_VU])]
    await harness.plan(tasks, year=2026, today=date(2026, 3, 2))
    return lan, minh, hoa


async def reminder_for(harness, who) -> dict:
    await harness.scan()
    msg = harness.messages(who)[-1]
    assert any(d.startswith((actions.CI_DONE, actions.CI_SELECT)) for _, d in buttons(msg)), msg
    return msg


async def rows(ctx, model, *where):
    async with ctx.sessions() as s:
        order = model.key if model is ConversationState else model.id
        return list((await s.execute(select(model).where(*where).order_by(order))).scalars())


async def assignment(ctx, code: str, unit: str = NOI_VU) -> Assignment:
    async with ctx.sessions() as s:
        return (await s.execute(select(Assignment).join(Task).join(Unit, Unit.id == Assignment.unit_id)
                                .where(Task.code == code, Unit.name == unit))).scalar_one()


async def press_crafted(harness, who, message: dict, data: str) -> dict:
    """A modified client sends callback data the bot never offered on that message."""
    stored = harness.sandbox._messages[who.user_id][message["message_id"]]  # noqa: SLF001 - forging on purpose
    markup = stored.data.setdefault("reply_markup", {"inline_keyboard": []})
    markup["inline_keyboard"].append([{"text": "forged", "callback_data": data}])
    qid = await harness.sandbox.press_button(who.user_id, message["message_id"], data)
    return await harness.sandbox.wait_for_callback_answer(qid)


# --- done ------------------------------------------------------------------------------------


async def test_done_button_closes_assignment_task_and_reminders(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reminder = await reminder_for(harness, minh)
    receipt = await harness.press(minh, reminder, button(reminder, "✅"))

    text = receipt["text"]
    assert "1. Báo cáo sơ kết công tác quý I" in text and "Đã hoàn thành" in text
    assert "Tiến độ: 100%" in text and "16/03/2026 09:0" in text and "/huy" in text
    a = await assignment(ctx, "1")
    assert (a.status, a.progress) == ("done", 100) and a.done_at is not None
    (ci,) = await rows(ctx, CheckIn)
    assert (ci.status, ci.previous_status, ci.member_id) == ("done", "open", minh.member_id)
    (task,) = await rows(ctx, Task)
    assert task.status == "done"
    assert await rows(ctx, ScheduledReminder, ScheduledReminder.assignment_id == a.id,
                      ScheduledReminder.done.is_(False)) == []


@pytest.mark.parametrize("caption", ["đã hoàn thành", "da hoan thanh", "done"])
async def test_done_by_free_text_with_a_pdf(harness, ctx, caption):
    _, minh, _ = await world(harness, ctx)
    receipt = await harness.send_file(minh, "Báo cáo quý I.pdf", PDF, caption=caption)

    assert "Đã hoàn thành" in receipt["text"] and "Báo cáo quý I.pdf (10 KB)" in receipt["text"]
    (ci,) = await rows(ctx, CheckIn)
    (att,) = await rows(ctx, Attachment)
    assert ci.status == "done" and att.checkin_id == ci.id
    assert (att.file_name, att.size, att.mime_type) == ("Báo cáo quý I.pdf", len(PDF), "application/pdf")
    assert (await assignment(ctx, "1")).status == "done"


async def test_report_button_then_file_counts_as_reported_everywhere_then_done(harness, ctx):
    lan, minh, _ = await world(harness, ctx)
    reminder = await reminder_for(harness, minh)
    ask = await harness.press(minh, reminder, button(reminder, "📎"))
    assert "Hãy gửi tệp" in ask["text"]
    assert (await rows(ctx, ConversationState))[0].data["await"] == "file"  # the waiting is saved
    receipt = await harness.send_file(minh, "bao_cao.docx", b"PK\x03\x04 docx" * 50)
    assert "Nộp báo cáo" in receipt["text"] and "bao_cao.docx" in receipt["text"]
    a = await assignment(ctx, "1")
    for command in ("/nhiemvu 1", "/donvi Phòng Nội vụ"):  # reported: no longer "chưa báo cáo"
        view = await harness.say(lan, command)
        assert "Phòng Nội vụ" in view["text"] and "chưa báo cáo" not in view["text"], view["text"]
        assert "đã báo cáo" in view["text"], view["text"]
    (att,) = await rows(ctx, Attachment)
    (ci,) = await rows(ctx, CheckIn)
    assert (ci.status, ci.assignment_id, att.checkin_id) == ("file", a.id, ci.id)

    done = await harness.say(minh, "xong", reply_to=reminder["message_id"])
    assert "Đã hoàn thành" in done["text"]
    assert (await assignment(ctx, "1")).status == "done"


async def test_support_unit_done_does_not_close_the_task(harness, ctx):
    _, minh, hoa = await world(harness, ctx, [
        ParsedTask(code="2", title="Rà soát thủ tục hành chính", due=date(2026, 4, 30), lead=[NOI_VU],
                   support=[TAI_CHINH])])
    receipt = await harness.say(hoa, "xong")
    assert "phối hợp" in receipt["text"]
    assert (await assignment(ctx, "2", TAI_CHINH)).status == "done"
    assert (await rows(ctx, Task))[0].status == "open"
    await harness.say(minh, "xong")
    assert (await rows(ctx, Task))[0].status == "done"


# --- progress, blocked, leave -------------------------------------------------------------------


async def test_progress_button_asks_percent_then_button(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reminder = await reminder_for(harness, minh)
    ask = await harness.press(minh, reminder, button(reminder, "📊"))
    assert "bao nhiêu %" in ask["text"]
    assert [t for t, _ in buttons(ask)] == ["25%", "50%", "75%", "100%"]
    receipt = await harness.press(minh, ask, button(ask, "50%"))
    assert "Đang thực hiện" in receipt["text"] and "Tiến độ: 50%" in receipt["text"]
    a = await assignment(ctx, "1")
    assert (a.status, a.progress) == ("in_progress", 50)


@pytest.mark.parametrize("text", ["đang làm, được 60%", "dang lam 60%", "in progress 60%"])
async def test_progress_by_free_text(harness, ctx, text):
    _, minh, _ = await world(harness, ctx)
    receipt = await harness.say(minh, text)
    assert "Tiến độ: 60%" in receipt["text"]
    a = await assignment(ctx, "1")
    assert (a.status, a.progress) == ("in_progress", 60)
    (ci,) = await rows(ctx, CheckIn)
    assert (ci.status, ci.progress, ci.text) == ("progress", 60, text)


async def test_blocked_with_reason(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    receipt = await harness.say(minh, "chưa làm được vì thiếu kinh phí")
    assert "Gặp vướng mắc" in receipt["text"] and "Lý do: thiếu kinh phí" in receipt["text"]
    assert (await assignment(ctx, "1")).status == "blocked"
    (ci,) = await rows(ctx, CheckIn)
    assert (ci.status, ci.text) == ("blocked", "thiếu kinh phí")


async def test_leave_sets_on_leave_until(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reply = await harness.say(minh, "nghỉ phép đến 20/4")
    assert "20/04/2026" in reply["text"]
    (m,) = await rows(ctx, Member, Member.id == minh.member_id)
    assert m.on_leave_until == date(2026, 4, 20)


async def test_unknown_text_gets_help_and_a_greeting_an_answer(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reply = await harness.say(minh, "trời hôm nay đẹp quá")
    assert "chưa hiểu" in reply["text"] and '"xong"' in reply["text"]
    hello = await harness.say(minh, "xin chào bot")
    assert hello["text"].startswith("Xin chào Anh Minh!") and "/viec" in hello["text"]
    thanks = await harness.say(minh, "cảm ơn bot nhé")
    assert thanks["text"].startswith("Không có gì")
    assert await rows(ctx, CheckIn) == [] and await rows(ctx, ConversationState) == []


# --- extensions ----------------------------------------------------------------------------------


async def test_extension_by_button_approved(harness, ctx):
    lan, minh, _ = await world(harness, ctx)
    reminder = await reminder_for(harness, minh)
    ask = await harness.press(minh, reminder, button(reminder, "🕒"))
    assert "đến ngày nào" in ask["text"] and "13/03/2026" in ask["text"]
    after_lan = harness.last_id(lan)
    receipt = await harness.say(minh, "đến 15/4 vì chờ số liệu của Sở")
    assert "Xin gia hạn đến: 15/04/2026" in receipt["text"] and "chờ số liệu của Sở" in receipt["text"]

    request = await harness.wait(lan, after=after_lan)
    assert "Anh Minh" in request["text"] and "15/04/2026" in request["text"] and "chờ số liệu" in request["text"]
    qid = await harness.sandbox.press_button(lan.user_id, request["message_id"], button(request, "✅"))
    answer = await harness.sandbox.wait_for_callback_answer(qid)
    assert answer["text"] is None and not answer["show_alert"]  # a plain answer: the press worked
    decision = await harness.wait(minh, after=receipt["message_id"])
    assert "đã được đồng ý" in decision["text"] and "15/04/2026" in decision["text"]

    a = await assignment(ctx, "1")
    assert a.due_date == date(2026, 4, 15)
    (req,) = await rows(ctx, ExtensionRequest)
    assert (req.status, req.old_due, req.requested_due, req.reason) == (
        "approved", date(2026, 3, 13), date(2026, 4, 15), "chờ số liệu của Sở")
    pending = await rows(ctx, ScheduledReminder, ScheduledReminder.assignment_id == a.id,
                         ScheduledReminder.done.is_(False), ScheduledReminder.member_id.is_(None))
    assert pending and min(r.fire_at for r in pending) > datetime(2026, 4, 1, tzinfo=ctx.settings.tz)
    staff_view = harness.messages(lan)[-1] if harness.messages(lan)[-1]["message_id"] == request["message_id"] \
        else next(m for m in harness.messages(lan) if m["message_id"] == request["message_id"])
    assert "Đã đồng ý gia hạn bởi Chị Lan" in staff_view["text"] and buttons(staff_view) == []


async def test_extension_by_text_refused_and_only_staff_decide(harness, ctx):
    lan, minh, _ = await world(harness, ctx)
    after_lan = harness.last_id(lan)
    receipt = await harness.say(minh, "xin gia han den 15/4 vi cho so lieu")
    assert "15/04/2026" in receipt["text"]
    request = await harness.wait(lan, after=after_lan)

    (req,) = await rows(ctx, ExtensionRequest)
    answer = await press_crafted(harness, minh, receipt, f"ext:ok:{req.id}")
    assert "không có quyền" in answer["text"]
    assert (await rows(ctx, ExtensionRequest))[0].status == "pending"

    await harness.press(lan, request, button(request, "✖️"), expect_message=False)
    decision = await harness.wait(minh, after=receipt["message_id"])
    assert "không được đồng ý" in decision["text"] and "13/03/2026" in decision["text"]
    assert (await rows(ctx, ExtensionRequest))[0].status == "refused"
    assert (await assignment(ctx, "1")).due_date == date(2026, 3, 13)


# --- which task? ------------------------------------------------------------------------------------

TWO_TASKS = [
    ParsedTask(code="1", title="Báo cáo sơ kết công tác quý I", due=date(2026, 3, 13), lead=[NOI_VU]),
    ParsedTask(code="2", title="Kế hoạch cải cách hành chính", due=date(2026, 4, 30), lead=[NOI_VU]),
]


async def test_several_open_tasks_ask_which_and_survive_a_restart(harness, ctx):
    _, minh, _ = await world(harness, ctx, TWO_TASKS)
    ask = await harness.say(minh, "xong")
    assert "nhiệm vụ nào" in ask["text"]
    assert [t.split(".")[0] for t, _ in buttons(ask)] == ["1", "2"]
    assert len(await rows(ctx, ConversationState)) == 1

    await harness.restart()
    receipt = await harness.press(minh, ask, button(ask, "2."))
    assert "2. Kế hoạch cải cách hành chính" in receipt["text"] and "Đã hoàn thành" in receipt["text"]
    assert (await assignment(ctx, "2")).status == "done"
    assert (await assignment(ctx, "1")).status == "open"
    assert await rows(ctx, ConversationState) == []


async def test_reply_to_a_reminder_applies_to_its_task(harness, ctx):
    _, minh, _ = await world(harness, ctx, TWO_TASKS)
    reminder = await reminder_for(harness, minh)  # only task 1 is overdue
    receipt = await harness.say(minh, "da xong", reply_to=reminder["message_id"])
    assert "1. Báo cáo sơ kết công tác quý I" in receipt["text"] and "Đã hoàn thành" in receipt["text"]
    assert (await assignment(ctx, "1")).status == "done" and (await assignment(ctx, "2")).status == "open"


async def test_reply_to_a_combined_reminder_asks_among_its_tasks(harness, ctx):
    _, minh, _ = await world(harness, ctx, [
        *TWO_TASKS, ParsedTask(code="4", title="Báo cáo phòng chống tham nhũng", due=date(2026, 3, 12),
                               lead=[NOI_VU])])
    reminder = await reminder_for(harness, minh)
    assert "Báo cáo sơ kết" in reminder["text"] and "phòng chống tham nhũng" in reminder["text"]
    ask = await harness.say(minh, "đang làm 50%", reply_to=reminder["message_id"])
    assert sorted(t.split(".")[0] for t, _ in buttons(ask)) == ["1", "4"]  # not task 2
    receipt = await harness.press(minh, ask, button(ask, "4."))
    assert "Tiến độ: 50%" in receipt["text"]
    assert (await assignment(ctx, "4")).progress == 50 and (await assignment(ctx, "1")).progress == 0


async def test_file_without_task_is_kept_then_linked(harness, ctx):
    _, minh, _ = await world(harness, ctx, TWO_TASKS)
    ask = await harness.send_file(minh, "so_lieu.xlsx", b"PK\x03\x04 xlsx" * 30)
    assert "Tệp này thuộc nhiệm vụ nào" in ask["text"]
    (att,) = await rows(ctx, Attachment)
    assert att.checkin_id is None and att.file_name == "so_lieu.xlsx"

    receipt = await harness.press(minh, ask, button(ask, "1."))
    assert "so_lieu.xlsx" in receipt["text"] and "Nộp báo cáo" in receipt["text"]
    (ci,) = await rows(ctx, CheckIn)
    (att,) = await rows(ctx, Attachment)
    assert att.checkin_id == ci.id and ci.assignment_id == (await assignment(ctx, "1")).id


async def test_restart_while_waiting_for_percent(harness, ctx):
    """With two open tasks, "60%" alone would be asked "which task?"; only the saved
    "waiting for a percent on task 1" explains a receipt for task 1 straight away."""
    _, minh, _ = await world(harness, ctx, TWO_TASKS)
    reminder = await reminder_for(harness, minh)  # only task 1 is overdue
    ask = await harness.press(minh, reminder, button(reminder, "📊"))
    assert "bao nhiêu %" in ask["text"]
    await harness.restart()
    receipt = await harness.say(minh, "60%")
    assert "1. Báo cáo sơ kết công tác quý I" in receipt["text"] and "Tiến độ: 60%" in receipt["text"]
    assert (await assignment(ctx, "1")).progress == 60 and (await assignment(ctx, "2")).progress == 0


async def test_restart_while_waiting_for_a_file(harness, ctx):
    """Same for 📎: after a restart the file goes to the task whose button was pressed."""
    _, minh, _ = await world(harness, ctx, TWO_TASKS)
    reminder = await reminder_for(harness, minh)
    await harness.press(minh, reminder, button(reminder, "📎"))
    await harness.restart()
    receipt = await harness.send_file(minh, "bao_cao.pdf", PDF)
    assert "1. Báo cáo sơ kết công tác quý I" in receipt["text"] and "bao_cao.pdf" in receipt["text"]
    (ci,) = await rows(ctx, CheckIn)
    assert ci.assignment_id == (await assignment(ctx, "1")).id


@pytest.mark.parametrize("label", ["📊", "📎", "🕒", "🔁"])
async def test_every_reminder_button_press_is_answered(harness, ctx, label):
    _, minh, _ = await world(harness, ctx)
    reminder = await reminder_for(harness, minh)
    qid = await harness.sandbox.press_button(minh.user_id, reminder["message_id"], button(reminder, label))
    answer = await harness.sandbox.wait_for_callback_answer(qid)
    assert answer["text"] is None and not answer["show_alert"]


async def test_messages_sent_while_the_bot_was_stopped_are_answered(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    after = harness.last_id(minh)
    await harness.stop()
    await harness.sandbox.send_text(minh.user_id, "đã xong")
    await harness.start()
    receipt = await harness.wait(minh, after=after)
    assert "Đã hoàn thành" in receipt["text"]
    assert (await assignment(ctx, "1")).status == "done"


# --- files: limits and groups -------------------------------------------------------------------------


async def test_oversize_file_refused_before_download_and_caption_still_recorded(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    ctx.settings.max_file_mb = 0.005  # ≈ 5 KB, so the test needs no 20 MB upload
    reply = await harness.send_file(minh, "bao_cao_lon.pdf", PDF, caption="xong")
    lines = reply["text"].splitlines()
    assert lines[0].startswith("⚠️ Không nhận tệp bao_cao_lon.pdf") and "MB" in lines[0]
    assert "Đã hoàn thành" in reply["text"]
    assert await rows(ctx, Attachment) == []
    assert harness.sandbox.calls("getFile") == []
    assert (await assignment(ctx, "1")).status == "done"


async def test_photo_with_caption_is_a_report(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 200
    after = harness.last_id(minh)
    await harness.sandbox.send_photo(minh.user_id, png, caption="dang lam 75%")
    receipt = await harness.wait(minh, after=after)
    assert "Tiến độ: 75%" in receipt["text"] and ".jpg" in receipt["text"]
    (att,) = await rows(ctx, Attachment)
    (ci,) = await rows(ctx, CheckIn)
    assert att.checkin_id == ci.id and att.mime_type == "image/jpeg" and att.size == len(png)


async def test_forbidden_type_told_in_one_line(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reply = await harness.send_file(minh, "cai_dat.exe", b"MZ" + b"\0" * 100)
    assert reply["text"].startswith("⚠️ Không nhận tệp cai_dat.exe: loại tệp .exe")
    assert len(reply["text"].splitlines()) == 1
    assert await rows(ctx, Attachment) == [] and await rows(ctx, CheckIn) == []


async def test_media_group_is_confirmed_once(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    after = harness.last_id(minh)
    sb = harness.sandbox
    await sb.send_document(minh.user_id, "phu_luc_1.pdf", PDF, caption="xong", media_group_id="g1")
    await sb.send_document(minh.user_id, "phu_luc_2.pdf", PDF + b"2", media_group_id="g1")
    await sb.send_document(minh.user_id, "macro.exe", b"MZ", media_group_id="g1")
    receipt = await harness.wait(minh, after=after)
    assert "phu_luc_1.pdf" in receipt["text"] and "phu_luc_2.pdf" in receipt["text"]
    assert "⚠️ Không nhận tệp macro.exe" in receipt["text"] and "Đã hoàn thành" in receipt["text"]
    (ci,) = await rows(ctx, CheckIn)
    atts = await rows(ctx, Attachment)
    assert [(a.file_name, a.checkin_id, a.media_group_id) for a in atts] == [
        ("phu_luc_1.pdf", ci.id, "g1"), ("phu_luc_2.pdf", ci.id, "g1")]
    # one confirmation only: /viec answers next, nothing else came in between
    listing = await harness.say(minh, "/viec")
    assert listing["message_id"] == receipt["message_id"] + 2  # +1 is the user's /viec


# --- undo, snooze, /viec -----------------------------------------------------------------------------------


async def test_undo_within_ten_minutes(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    await harness.send_file(minh, "bc.pdf", PDF, caption="xong")
    ctx.clock.advance(timedelta(minutes=5))
    reply = await harness.say(minh, "/huy")
    assert 'Đã hủy câu trả lời "Đã hoàn thành" gửi lúc 16/03/2026 09:0' in reply["text"] and "bc.pdf" in reply["text"]
    a = await assignment(ctx, "1")
    assert (a.status, a.progress, a.done_at) == ("open", 0, None)
    (task,) = await rows(ctx, Task)
    assert task.status == "open"
    (ci,) = await rows(ctx, CheckIn)
    assert ci.undone_at is not None
    (att,) = await rows(ctx, Attachment)
    assert att.checkin_id is None
    assert await rows(ctx, ScheduledReminder, ScheduledReminder.assignment_id == a.id,
                      ScheduledReminder.done.is_(False))

    again = await harness.say(minh, "/undo")
    assert "Không có câu trả lời nào" in again["text"]


async def test_undo_after_ten_minutes_is_refused(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    await harness.say(minh, "đang làm 40%")
    ctx.clock.advance(timedelta(minutes=11))
    reply = await harness.say(minh, "/huy")
    assert "Không có câu trả lời nào trong 10 phút" in reply["text"]
    assert (await assignment(ctx, "1")).progress == 40


async def test_snooze_makes_a_reminder_for_that_member(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reminder = await reminder_for(harness, minh)
    reply = await harness.press(minh, reminder, button(reminder, "🔁 Nhắc lại sau (ngày mai)"))
    when = date(2026, 3, 17)  # pressed on Monday 16/03
    assert f"{when:%d/%m/%Y} 08:00" in reply["text"]
    a = await assignment(ctx, "1")
    (snz,) = await rows(ctx, ScheduledReminder, ScheduledReminder.assignment_id == a.id,
                        ScheduledReminder.member_id == minh.member_id)
    assert snz.kind == "snooze" and not snz.done
    assert snz.fire_at.astimezone(ctx.settings.tz).date() == when


async def test_tasks_lists_open_tasks_by_due_date(harness, ctx):
    _, minh, _ = await world(harness, ctx, [*TWO_TASKS, ParsedTask(
        code="3", title="Việc của phòng khác", due=date(2026, 3, 20), lead=[TAI_CHINH])])
    reply = await harness.say(minh, "/viec")
    text = reply["text"]
    assert text.index("1. Báo cáo sơ kết") < text.index("2. Kế hoạch cải cách")
    assert "quá hạn 3 ngày" in text and "còn 45 ngày" in text and "Việc của phòng khác" not in text


# --- security ----------------------------------------------------------------------------------------------


async def test_another_units_task_by_crafted_callback_is_refused(harness, ctx):
    _, minh, hoa = await world(harness, ctx, [
        *TWO_TASKS, ParsedTask(code="3", title="Việc của phòng Tài chính", due=date(2026, 3, 13), lead=[TAI_CHINH])])
    await harness.scan()
    hoa_reminder = harness.messages(hoa)[-1]
    other = await assignment(ctx, "1")  # Phòng Nội vụ's
    for verb in (actions.CI_DONE, actions.CI_PROGRESS, actions.CI_FILE, actions.CI_EXTEND, actions.CI_PICK):
        answer = await press_crafted(harness, hoa, hoa_reminder, actions.make(verb, other.id))
        assert answer["text"] == "Nhiệm vụ này không thuộc đơn vị của bạn." and answer["show_alert"]
    answer = await press_crafted(harness, hoa, hoa_reminder, actions.make(actions.CI_SNOOZE, other.id, 1))
    assert "không thuộc đơn vị" in answer["text"]
    answer = await press_crafted(harness, hoa, hoa_reminder, actions.make(actions.CI_PROGRESS, other.id, 100))
    assert "không thuộc đơn vị" in answer["text"]

    a = await assignment(ctx, "1")
    assert (a.status, a.progress) == ("open", 0)
    assert await rows(ctx, CheckIn) == []
    assert await rows(ctx, ConversationState) == []
    assert await rows(ctx, ScheduledReminder, ScheduledReminder.member_id == hoa.member_id) == []
    async with ctx.sessions() as s:
        refused = await s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "checkin_refused"))
    assert refused == 7
    # and her own free text still goes to her own task only
    receipt = await harness.say(hoa, "xong")
    assert "Việc của phòng Tài chính" in receipt["text"]
    assert (await assignment(ctx, "1")).status == "open"


async def test_stranger_cannot_press_checkin_buttons(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reminder = await reminder_for(harness, minh)
    harness.sandbox.add_user(9009, "Người lạ")
    # a stranger's client replays Anh Minh's button in its own chat
    stranger_msg = await harness.say(type(minh)(9009, "Người lạ", "member", None, 0), "chào")
    answer = await press_crafted(harness, type(minh)(9009, "Người lạ", "member", None, 0), stranger_msg,
                                 button(reminder, "✅"))
    assert answer["show_alert"]
    assert await rows(ctx, CheckIn) == []
    assert (await assignment(ctx, "1")).status == "open"


async def test_two_processes_marking_done_at_once_record_it_once(harness, ctx):
    """Two bot processes (or a double tap handled in parallel) both read the task open; only
    the first "done" is recorded, the second is refused as already done."""
    from bot.services import checkins as svc

    _, minh, _ = await world(harness, ctx)
    aid = (await assignment(ctx, "1")).id
    now = ctx.clock.now()
    async with ctx.sessions() as first, ctx.sessions() as second:
        m1, m2 = await first.get(Member, minh.member_id), await second.get(Member, minh.member_id)
        seen = await svc.member_assignment(first, m1, aid)  # read (and held) before the other wrote
        assert seen.status == "open"
        await svc.record_checkin(second, m2, aid, kind="done", now=now)
        await second.commit()
        with pytest.raises(svc.CheckinRefused) as refused:
            await svc.record_checkin(first, m1, aid, kind="done", now=now)
        assert refused.value.code == "already_done"
        await first.rollback()
    assert [c.status for c in await rows(ctx, CheckIn)] == ["done"]
