"""Check-ins under real Telegram behaviour (the strict sandbox): a button answered too late,
presses on old messages that arrive without their content, edited messages, double taps.
Nothing is lost, nothing is recorded twice, and nobody sees the generic error."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot import actions, texts
from bot.plan_import.model import ParsedTask
from storage.models import AuditLog, CheckIn, ExtensionRequest, InboxUpdate
from tests.harness import button, buttons
from tests.test_checkin import NOI_VU, TWO_TASKS, assignment, reminder_for, rows, world
from tests.test_checkin_chat import THREE_LATE, message, until
from tests.test_inbox import unhandled
from tests.test_inbox import until as until_async


def no_generic_error(harness, who) -> bool:
    return all(texts.ERROR_GENERIC not in (m.get("text") or "") for m in harness.messages(who))


async def errors(ctx) -> list[AuditLog]:
    return await rows(ctx, AuditLog, AuditLog.action == "error")


# --- late answers -------------------------------------------------------------------------------


async def test_a_done_press_answered_too_late_is_still_saved_and_confirmed(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reminder = await reminder_for(harness, minh)
    harness.sandbox.rules.callback_timeout = 0.0  # every answer comes too late (a slow handler, downtime)
    receipt = await harness.press(minh, reminder, button(reminder, "✅"))
    assert "Đã hoàn thành" in receipt["text"]
    assert (await assignment(ctx, "1")).status == "done"
    assert no_generic_error(harness, minh) and await errors(ctx) == []


async def test_a_percent_press_answered_too_late_is_still_saved(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reminder = await reminder_for(harness, minh)
    ask = await harness.press(minh, reminder, button(reminder, "📊"))
    harness.sandbox.expire_callback_queries()
    harness.sandbox.rules.callback_timeout = 0.0
    receipt = await harness.press(minh, ask, button(ask, "75%"))
    assert "Tiến độ: 75%" in receipt["text"] and (await assignment(ctx, "1")).progress == 75
    assert no_generic_error(harness, minh) and await errors(ctx) == []


# --- presses on old messages ------------------------------------------------------------------------


async def test_an_extension_decided_from_an_inaccessible_message_keeps_the_request_text(harness, ctx):
    lan, minh, _ = await world(harness, ctx)
    after = harness.last_id(lan)
    await harness.say(minh, "xin gia hạn đến 15/4 vì chờ số liệu của Sở")
    request = await harness.wait(lan, after=after)
    harness.sandbox.forget_messages(lan.user_id)  # days later: the press comes with chat and id only
    after_minh = harness.last_id(minh)
    qid = await harness.sandbox.press_button(lan.user_id, request["message_id"], button(request, "✅"))
    assert (await harness.sandbox.wait_for_callback_answer(qid))["text"] is None
    decided = await harness.wait(minh, after=after_minh)
    assert "đã được đồng ý" in decided["text"]
    staff = await until(lambda: (m := message(harness, lan, request["message_id"]))["edited"] and m,
                        "the staff message to show the decision")
    assert "None" not in staff["text"] and "Anh Minh" in staff["text"] and "chờ số liệu của Sở" in staff["text"]
    assert "15/04/2026" in staff["text"] and "Đã đồng ý gia hạn bởi Chị Lan" in staff["text"]
    assert buttons(staff) == []
    (req,) = await rows(ctx, ExtensionRequest)
    assert (req.status, req.reason) == ("approved", "chờ số liệu của Sở")


async def test_a_done_press_on_an_inaccessible_reminder_is_recorded(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reminder = await reminder_for(harness, minh)
    after = harness.last_id(minh)
    await harness.sandbox.press_button(minh.user_id, reminder["message_id"], button(reminder, "✅"),
                                       inaccessible=True)
    receipt = await harness.wait(minh, after=after)
    assert "Đã hoàn thành" in receipt["text"] and (await assignment(ctx, "1")).status == "done"


async def test_picking_a_task_on_an_inaccessible_combined_reminder_uses_the_database(harness, ctx):
    _, minh, _ = await world(harness, ctx, THREE_LATE)
    reminder = await reminder_for(harness, minh)
    q11 = (await assignment(ctx, "Q1.1")).id
    harness.sandbox.forget_messages(minh.user_id)
    qid = await harness.sandbox.press_button(minh.user_id, reminder["message_id"],
                                             actions.make(actions.CI_SELECT, q11), inaccessible=True)
    await harness.sandbox.wait_for_callback_answer(qid)
    shown = [m for m in harness.messages(minh) if any(d == actions.make(actions.CI_DONE, q11) for _, d in buttons(m))]
    assert shown, harness.messages(minh)
    assert no_generic_error(harness, minh)


# --- edited messages ------------------------------------------------------------------------------------


async def _said(harness, who, text: str) -> tuple[dict, dict]:
    """The member's own message and the bot's reply to it."""
    after = harness.last_id(who)
    mine = await harness.sandbox.send_text(who.user_id, text)
    return mine, await harness.wait(who, after=after)


async def test_an_edit_within_ten_minutes_corrects_the_check_in(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    mine, receipt = await _said(harness, minh, "đang làm 50%")
    assert "Tiến độ: 50%" in receipt["text"]
    ctx.clock.advance(timedelta(minutes=3))
    corrected = await harness.edit(minh, mine, "đang làm 80%")
    assert corrected["text"].startswith("✏️ Đã sửa câu trả lời") and "Tiến độ: 80%" in corrected["text"]
    live = [c for c in await rows(ctx, CheckIn) if c.undone_at is None]
    assert [(c.status, c.progress) for c in live] == [("progress", 80)]
    assert (await assignment(ctx, "1")).progress == 80


async def test_an_edit_after_ten_minutes_is_explained_never_duplicated(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    mine, _ = await _said(harness, minh, "đang làm 50%")
    ctx.clock.advance(timedelta(minutes=11))
    told = await harness.edit(minh, mine, "đang làm 80%")
    assert told["text"].startswith("✏️ Tin nhắn đã sửa không làm thay đổi câu trả lời đã ghi lúc 16/03/2026 09:00")
    assert len(await rows(ctx, CheckIn)) == 1 and (await assignment(ctx, "1")).progress == 50


async def test_an_edit_of_a_message_that_recorded_nothing_is_explained(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    mine, _ = await _said(harness, minh, "chào bot")
    told = await harness.edit(minh, mine, "xong")
    assert told["text"].startswith("✏️ Tin nhắn bạn vừa sửa không ghi nhận câu trả lời nào")
    assert await rows(ctx, CheckIn) == [] and (await assignment(ctx, "1")).status == "open"


# --- double taps ---------------------------------------------------------------------------------------------


async def test_a_double_tap_on_done_records_once_and_says_so(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reminder = await reminder_for(harness, minh)
    data = button(reminder, "✅")
    first = await harness.sandbox.press_button(minh.user_id, reminder["message_id"], data, inaccessible=False)
    second = await harness.sandbox.press_button(minh.user_id, reminder["message_id"], data, inaccessible=False)
    assert (await harness.sandbox.wait_for_callback_answer(first))["text"] is None
    again = await harness.sandbox.wait_for_callback_answer(second)
    assert again["text"] == texts.CI_ALREADY_DONE and again["show_alert"]
    assert len(await rows(ctx, CheckIn)) == 1
    assert no_generic_error(harness, minh) and await errors(ctx) == []


async def test_a_double_tap_on_a_percent_records_once(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reminder = await reminder_for(harness, minh)
    ask = await harness.press(minh, reminder, button(reminder, "📊"))
    data = button(ask, "50%")
    first = await harness.sandbox.press_button(minh.user_id, ask["message_id"], data)
    second = await harness.sandbox.press_button(minh.user_id, ask["message_id"], data)
    await harness.sandbox.wait_for_callback_answer(first)
    assert (await harness.sandbox.wait_for_callback_answer(second))["text"] == texts.CI_PRESS_AGAIN
    assert [(c.status, c.progress) for c in await rows(ctx, CheckIn)] == [("progress", 50)]
    assert no_generic_error(harness, minh)


async def test_a_double_tap_on_pick_records_once(harness, ctx):
    _, minh, _ = await world(harness, ctx, TWO_TASKS)
    ask = await harness.say(minh, "xong")
    data = button(ask, "2.")
    first = await harness.sandbox.press_button(minh.user_id, ask["message_id"], data)
    second = await harness.sandbox.press_button(minh.user_id, ask["message_id"], data)
    await harness.sandbox.wait_for_callback_answer(first)
    assert (await harness.sandbox.wait_for_callback_answer(second))["show_alert"]
    assert len(await rows(ctx, CheckIn)) == 1 and (await assignment(ctx, "2")).status == "done"
    assert no_generic_error(harness, minh)


async def test_a_double_tap_on_an_extension_decision_decides_once(harness, ctx):
    lan, minh, _ = await world(harness, ctx, [
        ParsedTask(code="1", title="Báo cáo sơ kết công tác quý I", due=date(2026, 3, 13), lead=[NOI_VU])])
    after = harness.last_id(lan)
    await harness.say(minh, "xin gia hạn đến 15/4")
    request = await harness.wait(lan, after=after)
    after_minh = harness.last_id(minh)
    data = button(request, "✅")
    first = await harness.sandbox.press_button(lan.user_id, request["message_id"], data, inaccessible=False)
    second = await harness.sandbox.press_button(lan.user_id, request["message_id"], data, inaccessible=False)
    await harness.sandbox.wait_for_callback_answer(first)
    assert (await harness.sandbox.wait_for_callback_answer(second))["text"] == texts.EXT_ALREADY_DECIDED
    await harness.wait(minh, after=after_minh)
    told = [m for m in harness.messages(minh) if "đã được đồng ý" in m["text"]]
    assert len(told) == 1
    assert len(await rows(ctx, AuditLog, AuditLog.action == "extension_decided")) == 1
    assert no_generic_error(harness, lan) and await errors(ctx) == []


# --- a press handled again after a kill ---------------------------------------------------------------


async def replay_newest_update(harness, ctx, who) -> dict:
    """What a SIGKILL between the handler's commit and the inbox mark leaves: the newest
    stored update unmarked. The restart handles it again; its answer is returned."""
    await until_handled(ctx)
    async with ctx.sessions() as s:
        row = (await s.execute(select(InboxUpdate).order_by(InboxUpdate.id.desc()).limit(1))).scalar_one()
        row.handled_at = None
        await s.commit()
    after = harness.last_id(who)
    await harness.restart()
    answer = await harness.wait(who, after=after)
    await until_handled(ctx)
    return answer


async def until_handled(ctx) -> None:
    await until_async(lambda: unhandled(ctx), "every stored update marked handled")


async def test_a_percent_press_handled_again_after_a_kill_records_once_and_answers_the_same(harness, ctx):
    _, minh, _ = await world(harness, ctx)
    reminder = await reminder_for(harness, minh)
    ask = await harness.press(minh, reminder, button(reminder, "📊"))
    receipt = await harness.press(minh, ask, button(ask, "75%"))
    again = await replay_newest_update(harness, ctx, minh)
    assert "Tiến độ: 75%" in receipt["text"] and again["text"] == receipt["text"]
    assert [(c.status, c.progress) for c in await rows(ctx, CheckIn)] == [("progress", 75)]
    assert no_generic_error(harness, minh) and texts.CI_PRESS_AGAIN not in again["text"]


async def test_a_pick_press_handled_again_after_a_kill_records_once_and_answers_the_same(harness, ctx):
    _, minh, _ = await world(harness, ctx, TWO_TASKS)
    ask = await harness.say(minh, "xong")
    receipt = await harness.press(minh, ask, button(ask, "2."))
    again = await replay_newest_update(harness, ctx, minh)
    assert "Đã hoàn thành" in receipt["text"] and again["text"] == receipt["text"]
    assert [c.status for c in await rows(ctx, CheckIn)] == ["done"]
    assert (await assignment(ctx, "2")).status == "done" and (await assignment(ctx, "1")).status != "done"
    assert no_generic_error(harness, minh)
