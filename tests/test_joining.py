"""Joining, end to end through the sandbox: invite links made with /moi and opened with
/start <code>; strangers who write to the bot and the secretariat's decision."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.services.directory import add_member, create_invite, decide_join_request, redeem_invite
from storage.models import AuditLog, Invite, JoinRequest, Member, Unit
from tests.harness import Person, button, buttons
from tests.test_checkin import given_units

NOI_VU, TAI_CHINH, TAI_NGUYEN = "Phòng Nội vụ", "Sở Tài chính", "Sở Tài nguyên và Môi trường"


async def staff_and_units(harness, ctx) -> Person:
    ctx.clock.set(datetime(2026, 3, 16, 9, 0, tzinfo=ctx.settings.tz))
    await given_units(ctx, NOI_VU, TAI_CHINH, TAI_NGUYEN)
    return await harness.person(1001, "Chị Lan", role="secretariat")


def newcomer(harness, user_id: int, name: str) -> Person:
    harness.sandbox.add_user(user_id, name)
    return Person(user_id, name, "member", None, 0)


async def member_of(ctx, user_id: int) -> Member | None:
    async with ctx.sessions() as s:
        return (await s.execute(select(Member).where(Member.user_id == user_id))).scalar_one_or_none()


async def unit_name(ctx, unit_id: int | None) -> str | None:
    async with ctx.sessions() as s:
        u = await s.get(Unit, unit_id) if unit_id else None
        return u.name if u else None


def code_of(text: str) -> str:
    m = re.search(r"https://t\.me/dondoc_bot\?start=(\S+)", text)
    assert m, text
    return m.group(1)


# --- invites --------------------------------------------------------------------------------------


async def test_invite_link_binds_the_user_once(harness, ctx):
    lan = await staff_and_units(harness, ctx)
    reply = await harness.say(lan, "/moi phong noi vu lãnh đạo")
    assert "Phòng Nội vụ" in reply["text"] and "lãnh đạo đơn vị" in reply["text"] and "23/03/2026" in reply["text"]
    code = code_of(reply["text"])

    tuan = newcomer(harness, 4001, "Anh Tuấn")
    welcome = await harness.say(tuan, f"/start {code}")
    assert "Chào mừng Anh Tuấn" in welcome["text"] and "Phòng Nội vụ" in welcome["text"]
    m = await member_of(ctx, 4001)
    assert m.role == "unit_head" and await unit_name(ctx, m.unit_id) == NOI_VU and m.chat_id == 4001
    async with ctx.sessions() as s:
        inv = (await s.execute(select(Invite))).scalar_one()
    assert inv.used_by_id == m.id and inv.used_at is not None

    other = newcomer(harness, 4002, "Chị Mai")
    used = await harness.say(other, f"/start {code}")
    assert "đã được dùng" in used["text"]
    assert await member_of(ctx, 4002) is None


async def test_expired_and_unknown_codes(harness, ctx):
    await staff_and_units(harness, ctx)
    async with ctx.sessions() as s:
        unit = (await s.execute(select(Unit).where(Unit.name == NOI_VU))).scalar_one()
        old = await create_invite(s, unit=unit, role="member", now=ctx.clock.now() - timedelta(days=8))
        await s.commit()
    mai = newcomer(harness, 4002, "Chị Mai")
    expired = await harness.say(mai, f"/start {old.code}")
    assert "đã hết hạn ngày 15/03/2026" in expired["text"]
    unknown = await harness.say(mai, "/start khongcoma")
    assert "Mã mời không đúng" in unknown["text"]
    assert await member_of(ctx, 4002) is None


async def test_ambiguous_unit_is_picked_with_buttons(harness, ctx):
    lan = await staff_and_units(harness, ctx)
    ask = await harness.say(lan, "/moi so tai")
    assert "Chọn đơn vị" in ask["text"]
    assert sorted(t for t, _ in buttons(ask)) == [TAI_CHINH, TAI_NGUYEN]
    reply = await harness.press(lan, ask, button(ask, TAI_NGUYEN))
    assert TAI_NGUYEN in reply["text"] and "đầu mối" in reply["text"]
    code_of(reply["text"])


async def test_invite_is_staff_only(harness, ctx):
    await staff_and_units(harness, ctx)
    minh = await harness.person(2001, "Anh Minh", unit=NOI_VU)
    reply = await harness.say(minh, "/moi Phòng Nội vụ")
    assert reply["text"] == "Bạn không có quyền dùng lệnh này."
    async with ctx.sessions() as s:
        assert (await s.execute(select(Invite))).first() is None


# --- strangers ----------------------------------------------------------------------------------------


async def test_stranger_request_approved_with_matched_unit(harness, ctx):
    lan = await staff_and_units(harness, ctx)
    nam = newcomer(harness, 5001, "Anh Nam")
    after_lan = harness.last_id(lan)
    polite = await harness.say(nam, "Tôi là Nam, đầu mối của Sở Tài chính")
    assert "chưa là thành viên" in polite["text"]
    request = await harness.wait(lan, after=after_lan)
    assert "Anh Nam" in request["text"] and "Sở Tài chính" in request["text"]

    pending = await harness.say(nam, "Cho tôi tham gia với")
    assert "đang chờ bộ phận thường trực duyệt" in pending["text"]
    pick = await harness.press(lan, request, button(request, "✅"))
    assert [t for t, _ in buttons(pick)] == [TAI_CHINH]  # the stranger's words matched one unit
    done = await harness.press(lan, pick, button(pick, TAI_CHINH))
    assert "Đã thêm Anh Nam vào Sở Tài chính" in done["text"]

    told = await harness.wait(nam, after=pending["message_id"])
    assert "đã được duyệt" in told["text"] and "Sở Tài chính" in told["text"]
    assert [m["text"] for m in harness.messages(nam)] == [polite["text"], pending["text"], told["text"]]
    m = await member_of(ctx, 5001)
    assert m.role == "member" and await unit_name(ctx, m.unit_id) == TAI_CHINH
    async with ctx.sessions() as s:
        req = (await s.execute(select(JoinRequest))).scalar_one()
    assert req.status == "approved" and req.unit_id == m.unit_id and "Cho tôi tham gia" in req.text
    # the new member is now a member: /viec answers
    tasks = await harness.say(nam, "/viec")
    assert "Sở Tài chính" in tasks["text"]


async def test_stranger_request_approved_by_typing_the_unit(harness, ctx):
    lan = await staff_and_units(harness, ctx)
    nam = newcomer(harness, 5001, "Anh Nam")
    after_lan = harness.last_id(lan)
    await harness.say(nam, "xin chào")
    request = await harness.wait(lan, after=after_lan)
    pick = await harness.press(lan, request, button(request, "✅"))
    assert len(buttons(pick)) == 3  # nothing matched: every unit
    done = await harness.say(lan, "noi vu")
    assert "Đã thêm Anh Nam vào Phòng Nội vụ" in done["text"]
    assert await unit_name(ctx, (await member_of(ctx, 5001)).unit_id) == NOI_VU


async def test_stranger_request_refused(harness, ctx):
    lan = await staff_and_units(harness, ctx)
    nam = newcomer(harness, 5001, "Anh Nam")
    after_lan = harness.last_id(lan)
    polite = await harness.say(nam, "hello")
    request = await harness.wait(lan, after=after_lan)
    done = await harness.press(lan, request, button(request, "✖️"))
    assert "Đã từ chối yêu cầu của Anh Nam" in done["text"]
    told = await harness.wait(nam, after=polite["message_id"])
    assert "không được chấp thuận" in told["text"]
    assert await member_of(ctx, 5001) is None
    async with ctx.sessions() as s:
        req = (await s.execute(select(JoinRequest))).scalar_one()
    assert req.status == "refused" and req.decided_by_id == lan.member_id
    assert buttons(next(m for m in harness.messages(lan) if m["message_id"] == request["message_id"])) == []
    from tests.test_checkin import press_crafted

    again = await press_crafted(harness, lan, request, f"jn:ok:{req.id}")
    assert again["text"] == "Yêu cầu này đã được xử lý."


async def test_only_staff_decide_join_requests(harness, ctx):
    from tests.test_checkin import press_crafted

    lan = await staff_and_units(harness, ctx)
    minh = await harness.person(2001, "Anh Minh", unit=NOI_VU)
    nam = newcomer(harness, 5001, "Anh Nam")
    after_lan = harness.last_id(lan)
    await harness.say(nam, "Sở Tài chính")
    await harness.wait(lan, after=after_lan)
    async with ctx.sessions() as s:
        req = (await s.execute(select(JoinRequest))).scalar_one()
        unit = (await s.execute(select(Unit).where(Unit.name == TAI_CHINH))).scalar_one()
    own = await harness.say(minh, "/viec")
    answer = await press_crafted(harness, minh, own, f"jn:unit:{req.id}:{unit.id}")
    assert answer["text"] == "Bạn không có quyền dùng lệnh này." and answer["show_alert"]
    assert await member_of(ctx, 5001) is None
    async with ctx.sessions() as s:
        assert (await s.execute(select(JoinRequest))).scalar_one().status == "pending"


# --- one-time actions at once ---------------------------------------------------------------------


TRIALS = 20


async def test_one_invite_opened_by_two_people_at_once_lets_exactly_one_join(ctx):
    """Two sessions redeem the same code truly concurrently, TRIALS times (the check-then-set
    this replaced let both join in 19 of 20 trials)."""
    await given_units(ctx, NOI_VU)
    async with ctx.sessions() as s:
        unit = (await s.execute(select(Unit))).scalar_one()
        codes = [(await create_invite(s, unit=unit, role="member", now=ctx.clock.now())).code for _ in range(TRIALS)]
        await s.commit()

    async def open_link(code: str, user_id: int) -> str:
        async with ctx.sessions() as s:
            got = await redeem_invite(s, code, user_id=user_id, chat_id=user_id, full_name=f"Người {user_id}",
                                      username=None, now=ctx.clock.now())
            await s.commit()
            return got.outcome

    outcomes = [sorted(await asyncio.gather(open_link(code, 7000 + 2 * i), open_link(code, 7001 + 2 * i)))
                for i, code in enumerate(codes)]
    assert outcomes == [["joined", "used"]] * TRIALS
    async with ctx.sessions() as s:
        members = (await s.execute(select(func.count()).select_from(Member))).scalar_one()
        used = (await s.execute(select(Invite.used_by_id))).scalars().all()
    assert members == TRIALS and None not in used and len(set(used)) == TRIALS


async def test_a_join_request_decided_twice_at_once_has_one_effect(ctx):
    """Two staff members (or a double press in two processes) decide one request at once."""
    await given_units(ctx, NOI_VU, TAI_CHINH)
    async with ctx.sessions() as s:
        lan = await add_member(s, user_id=1001, chat_id=1001, full_name="Chị Lan", role="secretariat")
        hai = await add_member(s, user_id=1002, chat_id=1002, full_name="Anh Hải", role="secretariat")
        noi_vu, tai_chinh = (await s.execute(select(Unit).order_by(Unit.id))).scalars().all()
        reqs = [JoinRequest(user_id=8000 + i, chat_id=8000 + i, full_name=f"Người {i}") for i in range(TRIALS)]
        s.add_all(reqs)
        await s.commit()

    async def decide(rid: int, who, unit) -> bool:
        async with ctx.sessions() as s:
            got = await decide_join_request(s, rid, unit=unit, decider=who, now=ctx.clock.now())
            await s.commit()
            return got is not None

    for i, r in enumerate(reqs):
        units = (noi_vu, tai_chinh) if i % 2 else (noi_vu, None)  # approve twice, or approve and refuse
        won = await asyncio.gather(decide(r.id, lan, units[0]), decide(r.id, hai, units[1]))
        assert sorted(won) == [False, True]
    async with ctx.sessions() as s:
        decided = (await s.execute(select(JoinRequest).order_by(JoinRequest.id))).scalars().all()
        joined = (await s.execute(select(Member.user_id, Member.unit_id).where(Member.user_id >= 8000))).all()
        audits = (await s.execute(select(func.count()).select_from(AuditLog).where(
            AuditLog.action.in_(["join_approved", "join_refused"])))).scalar_one()
    assert audits == TRIALS
    approved = {r.user_id: r.unit_id for r in decided if r.status == "approved"}
    assert dict(joined) == approved  # a member exactly for each approval, in the unit approved


async def test_double_pressed_refusal_tells_the_stranger_once(harness, ctx):
    lan = await staff_and_units(harness, ctx)
    nam = newcomer(harness, 5001, "Anh Nam")
    after_lan = harness.last_id(lan)
    polite = await harness.say(nam, "hello")
    request = await harness.wait(lan, after=after_lan)
    data = button(request, "✖️")
    first = await harness.sandbox.press_button(lan.user_id, request["message_id"], data)
    second = await harness.sandbox.press_button(lan.user_id, request["message_id"], data)
    answers = [await harness.sandbox.wait_for_callback_answer(q) for q in (first, second)]
    await harness.wait(nam, after=polite["message_id"])
    assert [a.get("text") for a in answers].count("Yêu cầu này đã được xử lý.") == 1
    told = [m["text"] for m in harness.messages(nam)[1:]]
    assert len(told) == 1 and "không được chấp thuận" in told[0]


# --- reachable again ------------------------------------------------------------------------------


async def reachable(ctx, user_id: int) -> bool:
    return (await member_of(ctx, user_id)).reachable


async def until_reachable(ctx, user_id: int) -> None:
    for _ in range(200):
        if await reachable(ctx, user_id):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"member {user_id} never became reachable")


async def one_task_for(harness, ctx, unit: str) -> None:
    from datetime import date

    from bot.plan_import.model import ParsedTask

    await harness.plan([ParsedTask(code="1", title="Báo cáo quý I", due=date(2026, 3, 20), lead=[unit])],
                       year=2026, today=date(2026, 3, 2))


async def test_a_member_who_blocked_then_unblocked_the_bot_is_reminded_again(harness, ctx):
    lan = await staff_and_units(harness, ctx)
    minh = await harness.person(2001, "Anh Minh", unit=NOI_VU)
    await one_task_for(harness, ctx, NOI_VU)
    harness.sandbox.block(minh.user_id)
    await harness.scan()
    assert not await reachable(ctx, minh.user_id) and harness.messages(minh) == []
    assert any("Anh Minh" in m["text"] for m in harness.messages(lan))

    harness.sandbox.unblock(minh.user_id)  # Telegram sends my_chat_member: kicked → member
    await until_reachable(ctx, minh.user_id)
    ctx.clock.advance(timedelta(days=3))
    await harness.scan()
    assert any("Báo cáo quý I" in m["text"] for m in harness.messages(minh))


async def test_a_member_added_on_the_command_line_is_reachable_once_they_start_the_bot(harness, ctx):
    await staff_and_units(harness, ctx)
    hoa = await harness.person(2002, "Chị Hoa", unit=TAI_CHINH)
    harness.sandbox.add_user(hoa.user_id, hoa.name, started=False)  # never wrote to the bot
    await one_task_for(harness, ctx, TAI_CHINH)
    await harness.scan()  # Telegram: "Forbidden: bot can't initiate conversation with a user"
    assert not await reachable(ctx, hoa.user_id) and harness.messages(hoa) == []

    hello = await harness.say(hoa, "/start")
    assert "Chị Hoa" in hello["text"] and TAI_CHINH in hello["text"]
    assert await reachable(ctx, hoa.user_id)
    ctx.clock.advance(timedelta(days=3))
    await harness.scan()
    assert any("Báo cáo quý I" in m["text"] for m in harness.messages(hoa))


async def test_a_stranger_with_a_pending_request_is_always_answered(harness, ctx):
    lan = await staff_and_units(harness, ctx)
    nam = newcomer(harness, 5001, "Anh Nam")
    after_lan = harness.last_id(lan)
    await harness.say(nam, "Tôi là Nam")
    await harness.wait(lan, after=after_lan)
    again = await harness.say(nam, "Sao chưa thấy trả lời?")
    assert "đang chờ bộ phận thường trực duyệt" in again["text"]
    assert len([m for m in harness.messages(lan) if "Anh Nam" in m["text"]]) == 1  # one request only
    async with ctx.sessions() as s:
        req = (await s.execute(select(JoinRequest))).scalar_one()
    assert "Sao chưa thấy trả lời?" in req.text
