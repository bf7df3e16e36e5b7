"""/thongbao as Telegram really behaves, through the sandbox on SQLite and PostgreSQL: a body
near 4,096 characters, a recipient who blocked the bot, two announcements waiting at once,
a double tap on the confirm button, a unit name that matches several units."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from bot import texts
from bot.plan_import.model import ParsedTask
from storage.models import AuditLog
from tests.harness import button, buttons

MONDAY = datetime(2026, 3, 16, 9, 0)


async def world(harness, ctx):
    ctx.clock.set(MONDAY.replace(tzinfo=ctx.settings.tz))
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    minh = await harness.person(2001, "Anh Minh", unit="Sở Tài chính")
    hoa = await harness.person(2002, "Chị Hoa", unit="Sở Nội vụ")
    tuan = await harness.person(2003, "Anh Tuấn", unit="Sở Tư pháp")
    await harness.plan([ParsedTask(code="1", title="Báo cáo quyết toán", due=date(2026, 3, 30),
                                   lead=["Sở Tài chính"], support=["Sở Nội vụ", "Sở Tư pháp"])],
                       year=2026, today=date(2026, 3, 2))
    return lan, minh, hoa, tuan


def announcements(harness, who) -> list[dict]:
    return [m for m in harness.messages(who) if "Thông báo của bộ phận thường trực" in m.get("text", "")
            or "(phần " in m.get("text", "")]


async def broadcasts_logged(ctx) -> list[dict]:
    async with ctx.sessions() as s:
        rows = (await s.execute(select(AuditLog).where(AuditLog.action == "broadcast"))).scalars().all()
    return [r.detail for r in rows]


async def test_long_announcement_reaches_everyone_in_parts_despite_a_blocked_recipient(harness, ctx):
    lan, minh, hoa, tuan = await world(harness, ctx)
    sentence = "Đề nghị các đơn vị rà soát, hoàn thiện báo cáo và gửi về Văn phòng đúng thời hạn quy định. "
    body = (sentence * 60)[:4080].strip()
    harness.sandbox.block(tuan.user_id)
    ask = await harness.say(lan, "/thongbao " + body)
    assert len(ask["text"]) <= 4096 and "tới 3 người" in ask["text"] and "2 tin" in ask["text"]
    done = await harness.press(lan, ask, button(ask, "📢"), timeout=30)
    assert done["text"].startswith("📢 Đã gửi thông báo: 2/3 người nhận được; không gửi được 1 người")
    for who in (minh, hoa):
        got = announcements(harness, who)
        assert len(got) == 2 and got[0]["text"].endswith("(phần 1/2)") and got[1]["text"].endswith("(phần 2/2)")
        assert all(len(m["text"]) <= 4096 for m in got)
        joined = " ".join(m["text"].rsplit("\n\n", 1)[0] for m in got)
        assert joined.split("\n\n", 1)[1].split() == body.split()  # every word, once, in order
    assert [(d["sent"], d["failed"]) for d in await broadcasts_logged(ctx)] == [(2, 1)]


async def test_older_confirm_button_sends_the_older_text_and_a_double_tap_sends_once(harness, ctx):
    lan, minh, hoa, tuan = await world(harness, ctx)
    first = await harness.say(lan, "/thongbao Sở Nội vụ: Họp giao ban lúc 8h thứ Hai.")
    second = await harness.say(lan, "/thongbao Sở Nội vụ: Nộp báo cáo trước thứ Sáu.")
    assert button(first, "📢") != button(second, "📢")
    done = await harness.press(lan, first, button(first, "📢"))
    assert done["text"] == "📢 Đã gửi thông báo: 1/1 người nhận được."
    assert [m["text"].endswith("Họp giao ban lúc 8h thứ Hai.") for m in announcements(harness, hoa)] == [True]

    data = button(second, "📢")
    after = harness.last_id(lan)
    q1 = await harness.sandbox.press_button(lan.user_id, second["message_id"], data)
    q2 = await harness.sandbox.press_button(lan.user_id, second["message_id"], data)  # the double tap
    await harness.sandbox.wait_for_message(lan.user_id, lambda m: m["text"].startswith("📢 Đã gửi"),
                                           after_message_id=after)
    assert (await harness.sandbox.wait_for_callback_answer(q2))["text"] == texts.SC_BROADCAST_ALREADY
    assert not (await harness.sandbox.wait_for_callback_answer(q1)).get("text")  # answered, no alert
    got = [m["text"] for m in announcements(harness, hoa)]
    assert len(got) == 2 and got[1].endswith("Nộp báo cáo trước thứ Sáu.")
    assert [(d["sent"], d["failed"]) for d in await broadcasts_logged(ctx)] == [(1, 0), (1, 0)]
    assert not [m for m in harness.messages(lan)[1:] if m["message_id"] > after and m["text"] == texts.ERROR_GENERIC]
    assert not announcements(harness, minh) and not announcements(harness, tuan)


async def test_ambiguous_unit_is_asked_with_buttons(harness, ctx):
    lan, minh, hoa, tuan = await world(harness, ctx)
    mai = await harness.person(2004, "Chị Mai", unit="Phòng Tài chính - Ngân sách")
    ask = await harness.say(lan, "/thongbao tai chinh, Sở Nội vụ: Họp lúc 14h.")
    assert "\"tai chinh\" khớp với 2 đơn vị" in ask["text"]
    assert sorted(t for t, _ in buttons(ask)) == ["Phòng Tài chính - Ngân sách", "Sở Tài chính"]
    await harness.sandbox.press_button(lan.user_id, ask["message_id"], button(ask, "Phòng Tài chính"))
    confirm = await harness.sandbox.wait_for_message(
        lan.user_id, lambda m: m["message_id"] == ask["message_id"] and m["text"].startswith("Gửi thông báo"))
    assert "tới 2 người của Sở Nội vụ; Phòng Tài chính - Ngân sách" in confirm["text"]
    done = await harness.press(lan, confirm, button(confirm, "📢"))
    assert done["text"] == "📢 Đã gửi thông báo: 2/2 người nhận được."
    assert len(announcements(harness, mai)) == 1 and len(announcements(harness, hoa)) == 1
    assert not announcements(harness, minh) and not announcements(harness, tuan)


async def test_cancel_sends_nothing_and_says_so(harness, ctx):
    lan, minh, hoa, tuan = await world(harness, ctx)
    ask = await harness.say(lan, "/thongbao Sở Nội vụ: không gửi")
    qid = await harness.sandbox.press_button(lan.user_id, ask["message_id"], button(ask, "✖️"))
    assert not (await harness.sandbox.wait_for_callback_answer(qid)).get("text")  # answered, no alert
    msg = await harness.sandbox.wait_for_message(
        lan.user_id, lambda m: m["message_id"] == ask["message_id"] and m["text"] == texts.SC_BROADCAST_CANCELLED)
    assert not buttons(msg)
    assert not announcements(harness, hoa) and await broadcasts_logged(ctx) == []
