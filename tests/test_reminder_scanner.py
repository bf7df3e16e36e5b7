"""The scanner on the real database (SQLite and PostgreSQL) and the real python-telegram-bot
stack against the local Bot API sandbox: reminders are claimed, sent once, marked sent
with their message id; catch-up is one message per member; blocked members, leave,
done tasks, extensions, snoozes and the secretariat's digest."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.plan_import.model import ParsedTask
from bot.reminders.digest import send_digests
from bot.reminders.policy import ReminderPolicy
from bot.reminders.scanner import scan_once
from bot.reminders.schedule import reschedule_assignment, snooze
from handlers.messenger import TelegramMessenger
from storage.models import Assignment, DigestLog, Member, Plan, ReminderLog, ScheduledReminder, Task, Unit
from tests.harness import Person

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = date(2025, 3, 3)


def at(day: date, hh: int = 8, mm: int = 0, ss: int = 30) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=TZ)


def d(day: int, month: int = 3) -> date:
    return date(2025, month, day)


async def person(harness, user_id: int, name: str, *, role: str = "member", unit: str | None = None) -> Person:
    """A member of a unit, known to the sandbox (built directly: the directory service is
    someone else's and may be mid-change)."""
    async with harness.ctx.sessions() as s:
        u = None
        if unit:
            u = (await s.execute(select(Unit).where(Unit.name == unit))).scalar_one_or_none()
            if u is None:
                u = Unit(name=unit, key=unit.lower())
                s.add(u)
                await s.flush()
        m = Member(user_id=user_id, chat_id=user_id, full_name=name, role=role, unit_id=u.id if u else None)
        s.add(m)
        await s.commit()
        mid = m.id
    harness.sandbox.add_user(user_id, name)
    return Person(user_id, name, role, unit, mid)


async def plan(harness, tasks: list[ParsedTask], *, today: date) -> None:
    """Tasks and their assignments, reminders scheduled by `reschedule_assignment` as the
    plan import does."""
    policy = ReminderPolicy.from_settings(harness.ctx.settings)
    async with harness.ctx.sessions() as s:
        p = Plan(title="Chương trình công tác", title_key="chuong trinh cong tac", year=today.year)
        s.add(p)
        await s.flush()
        for pt in tasks:
            t = Task(plan_id=p.id, code=pt.code, title=pt.title, due_date=pt.due)
            s.add(t)
            await s.flush()
            for role, names in (("lead", pt.lead), ("support", pt.support)):
                for name in names:
                    u = (await s.execute(select(Unit).where(Unit.name == name))).scalar_one_or_none()
                    if u is None:
                        u = Unit(name=name, key=name.lower())
                        s.add(u)
                        await s.flush()
                    a = Assignment(task_id=t.id, unit_id=u.id, role=role, due_date=pt.due)
                    s.add(a)
                    await s.flush()
                    await reschedule_assignment(s, a, policy, today)
        await s.commit()


async def scan(harness, when: datetime):
    return await scan_once(harness.ctx, TelegramMessenger(harness.app.bot), now=when)


async def logs(ctx) -> list[ReminderLog]:
    async with ctx.sessions() as s:
        return list((await s.execute(select(ReminderLog).order_by(ReminderLog.id))).scalars())


async def assignment_of(ctx, code: str, unit_name: str) -> Assignment:
    async with ctx.sessions() as s:
        return (await s.execute(
            select(Assignment).join(Task).join(Unit, Unit.id == Assignment.unit_id)
            .where(Task.code == code, Unit.name == unit_name))).scalar_one()


async def world(harness):
    lan = await person(harness, 1001, "Chị Lan", role="secretariat")
    minh = await person(harness, 2001, "Anh Minh", unit="Sở Tư pháp")
    hoa = await person(harness, 3001, "Chị Hoa", unit="Sở Nội vụ")
    return lan, minh, hoa


async def test_a_due_reminder_is_claimed_sent_and_recorded_once(harness):
    lan, minh, hoa = await world(harness)
    await plan(harness, [ParsedTask("1", "Báo cáo sơ kết công tác phổ biến pháp luật", due=d(14),
                                   lead=["Sở Tư pháp"], support=["Sở Nội vụ"])], today=MONDAY)

    # Monday 09:00: the coordinating unit gets its opening notice, the lead nothing yet
    report = await scan(harness, at(MONDAY, 9))
    assert report.sent == 1
    [opened] = harness.messages(hoa)
    assert "phối hợp" in opened["text"] and "14/03/2025" in opened["text"]
    assert harness.messages(minh) == []

    # Friday 7/3 08:00: seven days before
    report = await scan(harness, at(d(7)))
    assert report.sent == 1
    [msg] = harness.messages(minh)
    assert "1. Báo cáo sơ kết công tác phổ biến pháp luật" in msg["text"]
    assert "14/03/2025 (còn 7 ngày)" in msg["text"]
    assert "Chủ trì: Sở Tư pháp" in msg["text"] and "Phối hợp: Sở Nội vụ" in msg["text"]
    a = await assignment_of(harness.ctx, "1", "Sở Tư pháp")
    assert ("✅ Đã hoàn thành", f"ci:done:{a.id}") in [(b["text"], b["callback_data"])
                                                      for row in msg["reply_markup"]["inline_keyboard"] for b in row]
    rows = [r for r in await logs(harness.ctx) if r.member_id == minh.member_id]
    assert [(r.kind, r.status, r.message_id) for r in rows] == [("before_7d@2025-03-14", "sent", msg["message_id"])]

    # scanning again, or a minute later, sends nothing more
    assert (await scan(harness, at(d(7)))).sent == 0
    assert (await scan(harness, at(d(7), 8, 5))).sent == 0
    assert len(harness.messages(minh)) == 1
    assert harness.sandbox.stats()["duplicates"] == 0


async def test_after_downtime_each_member_gets_one_combined_message(harness):
    lan, minh, hoa = await world(harness)
    await plan(harness, [ParsedTask(str(i), f"Nhiệm vụ số {i}", due=d(14), lead=["Sở Tư pháp"]) for i in (1, 2, 3)]
                       + [ParsedTask("4", "Nhiệm vụ số 4", due=d(12), lead=["Sở Tư pháp"])], today=MONDAY)
    # the bot was down all week; it comes back on the due day
    report = await scan(harness, at(d(14), 10))
    [msg] = harness.messages(minh)
    assert "Bạn có 4 nhiệm vụ" in msg["text"]
    for code in ("[1]", "[2]", "[3]", "[4]"):
        assert code in msg["text"]
    assert "quá hạn 2 ngày" in msg["text"] and "hôm nay là hạn" in msg["text"]
    assert report.messages == 1
    rows = [r for r in await logs(harness.ctx) if r.member_id == minh.member_id]
    assert rows and all(r.status == "sent" and r.message_id == msg["message_id"] for r in rows)
    # the missed overdue levels are not replayed: the next one is scheduled in the future
    async with harness.ctx.sessions() as s:
        pending = (await s.execute(select(ScheduledReminder).where(ScheduledReminder.done.is_(False)))).scalars().all()
    assert all(p.fire_at > at(d(14), 10) for p in pending)


async def test_a_blocked_member_is_marked_unreachable_and_the_secretariat_told_once(harness):
    lan, minh, hoa = await world(harness)
    tuan = await person(harness, 2002, "Anh Tuấn", unit="Sở Tư pháp")
    await plan(harness, [ParsedTask("1", "Rà soát văn bản", due=d(14), lead=["Sở Tư pháp"]),
                        ParsedTask("2", "Tập huấn", due=d(17), lead=["Sở Tư pháp"])], today=MONDAY)
    harness.sandbox.block(minh.user_id)
    report = await scan(harness, at(d(7)))
    assert report.unreachable >= 1
    async with harness.ctx.sessions() as s:
        m = await s.get(Member, minh.member_id)
        assert m.reachable is False and m.unreachable_since is not None
    told = [x for x in harness.messages(lan) if "Anh Minh" in x["text"]]
    assert len(told) == 1 and "chặn bot" in told[0]["text"]
    assert len(harness.messages(tuan)) == 1  # his colleague still got it

    # later reminders skip him and do not tell the secretariat again
    await scan(harness, at(d(11)))
    await scan(harness, at(d(13)))
    assert len([x for x in harness.messages(lan) if "Anh Minh" in x["text"]]) == 1
    assert len(harness.messages(tuan)) >= 2


async def test_leave_and_a_unit_with_nobody_reachable(harness):
    lan, minh, hoa = await world(harness)
    tuan = await person(harness, 2002, "Anh Tuấn", unit="Sở Tư pháp")
    await plan(harness, [ParsedTask("1", "Rà soát văn bản", due=d(14), lead=["Sở Tư pháp"]),
                        ParsedTask("2", "Kiểm tra", due=d(14), lead=["Sở Nội vụ"])], today=MONDAY)
    async with harness.ctx.sessions() as s:
        await s.execute(update(Member).where(Member.id.in_([minh.member_id, hoa.member_id]))
                        .values(on_leave_until=d(10)))
        await s.commit()
    await scan(harness, at(d(7)))
    assert harness.messages(minh) == [] and len(harness.messages(tuan)) == 1
    flagged = [x for x in harness.messages(lan) if "Sở Nội vụ" in x["text"]]
    assert len(flagged) == 1 and "không có ai nhận được" in flagged[0]["text"]
    await scan(harness, at(d(7), 9))  # same day: not flagged twice
    assert len([x for x in harness.messages(lan) if "Sở Nội vụ" in x["text"]]) == 1
    # back from leave: the next reminder reaches them
    await scan(harness, at(d(11)))
    assert len(harness.messages(minh)) == 1 and len(harness.messages(hoa)) == 1


async def test_done_stops_and_an_extension_moves_the_reminders(harness):
    lan, minh, hoa = await world(harness)
    await plan(harness, [ParsedTask("1", "Rà soát văn bản", due=d(14), lead=["Sở Tư pháp"]),
                        ParsedTask("2", "Tập huấn", due=d(14), lead=["Sở Tư pháp"])], today=MONDAY)
    policy = ReminderPolicy.from_settings(harness.ctx.settings)
    await scan(harness, at(d(7)))
    assert len(harness.messages(minh)) == 1  # both tasks, one message
    async with harness.ctx.sessions() as s:
        a1 = (await s.execute(select(Assignment).where(Assignment.id == (await assignment_of(harness.ctx, "1", "Sở Tư pháp")).id))).scalar_one()
        a2 = (await s.execute(select(Assignment).where(Assignment.id == (await assignment_of(harness.ctx, "2", "Sở Tư pháp")).id))).scalar_one()
        a1.status = "done"
        await reschedule_assignment(s, a1, policy, d(10))
        a2.due_date = d(28)  # an approved extension
        await reschedule_assignment(s, a2, policy, d(10))
        await s.commit()
    await scan(harness, at(d(11)))
    await scan(harness, at(d(17)))
    assert len(harness.messages(minh)) == 1  # nothing for the done task, nothing at the old date
    await scan(harness, at(d(21)))
    msgs = harness.messages(minh)
    assert len(msgs) == 2 and "Tập huấn" in msgs[-1]["text"] and "28/03/2025 (còn 7 ngày)" in msgs[-1]["text"]
    async with harness.ctx.sessions() as s:
        left = (await s.execute(select(ScheduledReminder).where(ScheduledReminder.assignment_id == a1.id,
                                                                ScheduledReminder.done.is_(False)))).scalars().all()
    assert left == []


async def test_overdue_escalates_to_the_unit_head_from_level_two(harness):
    lan, minh, hoa = await world(harness)
    head = await person(harness, 2009, "Ông Hùng", role="unit_head", unit="Sở Tư pháp")
    await plan(harness, [ParsedTask("1", "Báo cáo quý", due=d(14), lead=["Sở Tư pháp"])], today=d(12))
    await scan(harness, at(d(17)))  # overdue_1: contacts only
    assert len(harness.messages(minh)) >= 1 and harness.messages(head) == []
    await scan(harness, at(d(20)))  # overdue_2: the head too
    [h] = harness.messages(head)
    assert "quá hạn 6 ngày" in h["text"] and "Lãnh đạo đơn vị" in h["text"]
    async with harness.ctx.sessions() as s:
        pending = (await s.execute(select(ScheduledReminder.kind).where(ScheduledReminder.done.is_(False)))).scalars().all()
    assert pending == ["overdue_3"]  # materialised one level at a time


async def test_snooze_reminds_only_that_member(harness):
    lan, minh, hoa = await world(harness)
    tuan = await person(harness, 2002, "Anh Tuấn", unit="Sở Tư pháp")
    await plan(harness, [ParsedTask("1", "Rà soát văn bản", due=d(14), lead=["Sở Tư pháp"])], today=MONDAY)
    await scan(harness, at(d(7)))
    a = await assignment_of(harness.ctx, "1", "Sở Tư pháp")
    async with harness.ctx.sessions() as s:
        await snooze(s, a.id, minh.member_id, at(d(8), 8, 0, 0))  # "Nhắc lại sau" on a Saturday
        await s.commit()
    await scan(harness, at(d(8), 9))
    assert len(harness.messages(minh)) == 2 and "Nhắc lại" in harness.messages(minh)[-1]["text"]
    assert len(harness.messages(tuan)) == 1


async def test_two_scanners_on_one_database_send_each_reminder_once(harness, settings, sandbox):
    """Two bot processes (separate engines, separate Bots) scanning concurrently."""
    from telegram import Bot

    from bot.clock import Clock
    from bot.context import build_context
    from tests.harness import TOKEN

    people = [await person(harness, 5000 + i, f"Người {i}", unit=f"Đơn vị {i}") for i in range(40)]
    await plan(harness, [ParsedTask(str(i), f"Nhiệm vụ {i}", due=d(14), lead=[f"Đơn vị {i}"]) for i in range(40)],
                       today=MONDAY)
    other = build_context(settings, clock=Clock(settings.tz), instance="second")
    bot2 = Bot(TOKEN, base_url=sandbox.bot_api_base_url)
    try:
        await bot2.initialize()
        when = at(d(7))
        r1, r2 = await asyncio.gather(
            scan_once(harness.ctx, TelegramMessenger(harness.app.bot), now=when, limit=7),
            scan_once(other, TelegramMessenger(bot2), now=when, limit=7))
    finally:
        await bot2.shutdown()
        await other.close()
    assert r1.sent + r2.sent == 40
    assert [len(harness.messages(p)) for p in people] == [1] * 40
    assert sandbox.stats()["duplicates"] == 0
    rows = await logs(harness.ctx)
    assert len(rows) == 40 and {r.status for r in rows} == {"sent"}


async def test_the_digest_goes_to_the_secretariat_once_a_working_day(harness):
    lan, minh, hoa = await world(harness)
    await plan(harness, [ParsedTask("1", "Rà soát văn bản", due=d(4), lead=["Sở Tư pháp"]),
                        ParsedTask("2", "Tập huấn", due=d(13), lead=["Sở Nội vụ"])], today=MONDAY)
    messenger = TelegramMessenger(harness.app.bot)
    assert await send_digests(harness.ctx, messenger, now=at(d(10), 7, 59)) == 0  # before the hour
    assert await send_digests(harness.ctx, messenger, now=at(d(10))) == 1
    assert await send_digests(harness.ctx, messenger, now=at(d(10), 15)) == 0
    [digest] = harness.messages(lan)
    assert "10/03/2025" in digest["text"]
    assert "Sở Tư pháp: 1 (quá hạn 6 ngày)" in digest["text"]
    assert "[2] Tập huấn — 13/03/2025 — Sở Nội vụ" in digest["text"]
    assert await send_digests(harness.ctx, messenger, now=at(d(15))) == 0  # Saturday
    assert await send_digests(harness.ctx, messenger, now=at(d(17))) == 1
    async with harness.ctx.sessions() as s:
        assert len((await s.execute(select(DigestLog).where(DigestLog.kind == "digest"))).scalars().all()) == 2
