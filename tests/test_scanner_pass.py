"""One scanner pass (`bot.reminders.scanner`) on the real database (SQLite and PostgreSQL),
called directly: who is reminded of what, the claims and the next overdue level it
writes, the leases it takes over, what it tells the secretariat. No Telegram: the channel
is `Outbox` below, which takes every message as Telegram would (and refuses those to a
chat that blocked the bot) — the only part of the world that is not ours. Fast enough to
be the tests `dondoc bench mutants bot/reminders/scanner.py` runs against every mutant
(the journeys through the sandbox live in tests/test_reminder_scanner.py)."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot import texts
from bot.messenger import RecipientUnreachable, RetryLater, SentMessage
from bot.reminders.delivery import Claim
from bot.reminders.policy import ReminderPolicy
from bot.reminders.scanner import can_receive, deliver_claims, recipients, scan_once
from bot.reminders.schedule import reschedule_assignment
from storage.models import Assignment, Member, Plan, ReminderLog, ScheduledReminder, Task, Unit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = timezone.utc
MONDAY = date(2025, 3, 3)
TP, NV, TC = "Sở Tư pháp", "Sở Nội vụ", "Sở Tài chính"


def d(day: int, month: int = 3) -> date:
    return date(2025, month, day)


def at(day: date, hh: int = 8, mm: int = 0, ss: int = 30) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=TZ)


def eight(day: date) -> datetime:
    """The reminder hour (08:00 in Hà Nội) as the database gives it back: aware UTC."""
    return datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)


class Outbox:
    """The channel: keeps what was sent per chat; a chat in ``blocked`` refuses; with
    ``hold`` set, each send waits for ``release`` (``arrived`` tells a send is waiting)."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str, object]] = []
        self.blocked: set[int] = set()
        self.failing: set[int] = set()  # Telegram answers 429 "retry after 0 s", every time
        self.hold = False
        self.arrived = asyncio.Event()
        self.release = asyncio.Event()

    async def send_text(self, chat_id, text, buttons=None, reply_to=None) -> SentMessage:
        if chat_id in self.blocked:
            raise RecipientUnreachable("Forbidden: bot was blocked by the user")
        if chat_id in self.failing:
            raise RetryLater(0)
        if self.hold:
            self.arrived.set()
            await self.release.wait()
        self.sent.append((chat_id, text, buttons))
        return SentMessage(chat_id, len(self.sent))

    async def send_file(self, chat_id, filename, content, caption=None) -> SentMessage:
        return await self.send_text(chat_id, caption or filename)

    async def set_buttons(self, chat_id, message_id, buttons) -> bool:
        return True

    def to(self, member: Member) -> list[str]:
        return [t for c, t, _ in self.sent if c == member.chat_id]


class World:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.policy = ReminderPolicy.from_settings(ctx.settings)
        self.units: dict[str, int] = {}

    async def unit(self, name: str) -> int:
        if name not in self.units:
            async with self.ctx.sessions() as s:
                u = Unit(name=name, key=name.lower())
                s.add(u)
                await s.commit()
                self.units[name] = u.id
        return self.units[name]

    async def person(self, chat_id: int, name: str, *, role: str = "member", unit: str | None = None,
                     **kw) -> Member:
        unit_id = await self.unit(unit) if unit else None
        async with self.ctx.sessions() as s:
            m = Member(user_id=chat_id, chat_id=chat_id, full_name=name, role=role, unit_id=unit_id, **kw)
            s.add(m)
            await s.commit()
            return m

    async def tasks(self, codes, due: date | None, lead: str, *, today: date = MONDAY) -> list[int]:
        """One task per code, led by ``lead``, reminders scheduled from ``today`` as the
        plan import does; returns the assignment ids."""
        unit_id = await self.unit(lead)
        out = []
        async with self.ctx.sessions() as s:
            p = Plan(title="Chương trình công tác", title_key="chuong trinh", year=2025)
            s.add(p)
            await s.flush()
            for code in codes:
                t = Task(plan_id=p.id, code=code, title=f"Nhiệm vụ {code}", due_date=due)
                s.add(t)
                await s.flush()
                a = Assignment(task_id=t.id, unit_id=unit_id, role="lead", due_date=due)
                s.add(a)
                await s.flush()
                await reschedule_assignment(s, a, self.policy, today)
                out.append(a.id)
            await s.commit()
        return out


async def people(ctx):
    w = World(ctx)
    lan = await w.person(1001, "Chị Lan", role="secretariat")
    minh = await w.person(2001, "Anh Minh", unit=TP)
    tuan = await w.person(2002, "Anh Tuấn", unit=TP)
    hung = await w.person(2009, "Ông Hùng", role="unit_head", unit=TP)
    return w, lan, minh, tuan, hung


async def rows(ctx, model, *where):
    async with ctx.sessions() as s:
        return list((await s.execute(select(model).where(*where).order_by(model.id))).scalars())


async def scan(ctx, outbox, when: datetime, **kw):
    return await scan_once(ctx, outbox, now=when, rate=None, **kw)


async def set_rows(ctx, model, ids, **values) -> None:
    async with ctx.sessions() as s:
        await s.execute(update(model).where(model.id.in_(ids)).values(**values))
        await s.commit()


def scan_logs(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.reminders.scanner"]


# --- who receives ---------------------------------------------------------------------------------


def test_who_can_receive_a_reminder_today():
    def m(**kw):
        return Member(**{"active": True, "reachable": True, "chat_id": 5, "on_leave_until": None, **kw})

    today = d(7)
    assert can_receive(m(), today) is True
    assert can_receive(m(on_leave_until=d(6)), today) is True
    assert can_receive(m(on_leave_until=d(7)), today) is False  # leave includes its last day
    assert can_receive(m(active=False), today) is False
    assert can_receive(m(reachable=False), today) is False
    assert can_receive(m(chat_id=None), today) is False


def test_recipients_are_the_contacts_and_the_head_from_overdue_level_two():
    def m(i, role="member", **kw):
        return Member(**{"id": i, "role": role, "active": True, "reachable": True, "chat_id": i, **kw})

    a, b, head, sec = m(1), m(2), m(3, "unit_head"), m(4, "secretariat")
    away = m(5, on_leave_until=d(9))
    today = d(7)
    assert recipients([head, a, sec, b, away], "before_3d", today) == [a, b]
    assert recipients([head, a, sec, b], "overdue_1", today) == [a, b]
    assert recipients([head, a, sec, b], "overdue_2", today) == [a, b, head]
    assert recipients([head, a, b], "overdue_5", today) == [a, b, head]
    assert recipients([head, sec], "before_3d", today) == [head]  # no contacts: the head
    assert recipients([head, sec], "overdue_2", today) == [head]  # once
    assert recipients([away, head], "before_3d", today) == []  # a contact on leave: not the head instead
    assert recipients([a, m(6, "unit_head", reachable=False)], "overdue_3", today) == [a]
    assert recipients([sec], "overdue_3", today) == []


# --- a pass -------------------------------------------------------------------------------------------


async def test_a_due_reminder_is_claimed_sent_and_recorded_once(ctx, caplog):
    caplog.set_level(logging.INFO, logger="bot.reminders.scanner")
    w, lan, minh, tuan, hung = await people(ctx)
    [aid] = await w.tasks(["1"], d(14), TP)
    outbox = Outbox()
    now = at(d(7))  # Friday: seven days before
    report = await scan(ctx, outbox, now)

    assert (report.due, report.claimed, report.sent, report.messages, report.skipped, report.retried) == (
        1, 2, 2, 2, 0, 0)
    assert report.units_flagged == [] and report.seconds >= 0
    assert len(outbox.to(minh)) == 1 and len(outbox.to(tuan)) == 1 and outbox.to(hung) == []
    assert "14/03/2025 (còn 7 ngày)" in outbox.to(minh)[0]
    logs = await rows(ctx, ReminderLog)
    assert [(r.assignment_id, r.member_id, r.kind, r.status, r.claimed_by, r.claimed_at, r.attempts, r.generation)
            for r in logs] == [(aid, minh.id, "before_7d@2025-03-14", "sent", "main", now, 1, 0),
                               (aid, tuan.id, "before_7d@2025-03-14", "sent", "main", now, 1, 0)]
    assert {r.message_id for r in logs} == {1, 2}
    fired = await rows(ctx, ScheduledReminder, ScheduledReminder.kind == "before_7d")
    assert [r.done for r in fired] == [True]
    [line] = scan_logs(caplog)
    assert line.startswith("reminder scan: ScanReport(due=1, claimed=2, retried=0, sent=2")

    caplog.clear()
    again = await scan(ctx, outbox, at(d(7), 8, 5))
    assert (again.due, again.claimed, again.sent) == (0, 0, 0)
    assert len(outbox.sent) == 2 and scan_logs(caplog) == []


async def test_without_a_time_the_pass_runs_at_the_apps_clock(ctx):
    w, lan, minh, tuan, hung = await people(ctx)
    await w.tasks(["1"], d(14), TP)
    ctx.clock.set(at(d(7)))
    outbox = Outbox()
    report = await scan_once(ctx, outbox, rate=None)
    assert report.sent == 2
    [row, _] = await rows(ctx, ReminderLog)
    assert abs(row.claimed_at - at(d(7))) < timedelta(minutes=5)


async def test_the_day_is_the_day_in_ha_noi(ctx):
    """17:30 UTC on the 6th is 00:30 on the 7th in Hà Nội: leave up to the 6th is over."""
    w, lan, minh, tuan, hung = await people(ctx)
    [aid] = await w.tasks(["1"], d(14), TP)
    async with ctx.sessions() as s:
        await s.execute(update(Member).where(Member.id == minh.id).values(on_leave_until=d(6)))
        s.add(ScheduledReminder(assignment_id=aid, member_id=minh.id, kind="snooze",
                                fire_at=datetime(2025, 3, 6, 17, 0, tzinfo=UTC)))
        await s.commit()
    outbox = Outbox()
    report = await scan(ctx, outbox, datetime(2025, 3, 6, 17, 30, tzinfo=UTC))
    assert report.sent == 1 and len(outbox.to(minh)) == 1
    [row] = await rows(ctx, ReminderLog)
    assert row.kind == "snooze@2025-03-06T17:00"


async def test_claims_hold_a_lease_from_the_pass_time_while_they_are_sent(ctx):
    w, lan, minh, tuan, hung = await people(ctx)
    await w.tasks(["1"], d(14), TP)
    async with ctx.sessions() as s:
        await s.execute(update(Member).where(Member.id == tuan.id).values(active=False))
        await s.commit()
    outbox = Outbox()
    outbox.hold = True
    now = at(d(7))
    lease = timedelta(hours=1)  # renewed every 20 minutes: never while this test looks
    sending = asyncio.create_task(scan(ctx, outbox, now, lease=lease))
    await outbox.arrived.wait()
    [row] = await rows(ctx, ReminderLog)
    assert (row.member_id, row.status, row.claimed_by, row.claimed_at, row.lease_until) == (
        minh.id, "claimed", "main", now, now + lease)
    outbox.release.set()
    report = await sending
    assert report.sent == 1
    [row] = await rows(ctx, ReminderLog)
    assert (row.status, row.lease_until) == ("sent", None)


async def test_done_or_closed_tasks_are_skipped_without_a_claim(ctx):
    w, lan, minh, tuan, hung = await people(ctx)
    done, cancelled_task, blocked = await w.tasks(["1", "2", "3"], d(14), TP)
    await set_rows(ctx, Assignment, [done], status="done")
    await set_rows(ctx, Assignment, [blocked], status="blocked")
    async with ctx.sessions() as s:
        a = await s.get(Assignment, cancelled_task)
        a.task.status = "cancelled"
        await s.commit()
    outbox = Outbox()
    report = await scan(ctx, outbox, at(d(7)))
    assert (report.due, report.skipped, report.claimed, report.sent) == (3, 2, 2, 2)
    assert {r.assignment_id for r in await rows(ctx, ReminderLog)} == {blocked}


async def test_a_snooze_reminds_only_that_member_if_reachable(ctx):
    w, lan, minh, tuan, hung = await people(ctx)
    [aid] = await w.tasks(["1"], d(14), TP)
    await scan(ctx, Outbox(), at(d(7)))  # the seven-day reminder
    async with ctx.sessions() as s:
        s.add(ScheduledReminder(assignment_id=aid, member_id=minh.id, kind="snooze", fire_at=at(d(10), 8, 0, 0)))
        s.add(ScheduledReminder(assignment_id=aid, member_id=tuan.id, kind="snooze", fire_at=at(d(10), 8, 0, 0)))
        await s.execute(update(Member).where(Member.id == tuan.id).values(on_leave_until=d(10)))
        await s.commit()
    outbox = Outbox()
    report = await scan(ctx, outbox, at(d(10)))
    assert (report.due, report.claimed, report.sent, report.skipped) == (2, 1, 1, 0)
    assert report.units_flagged == [] and outbox.to(lan) == []
    assert outbox.to(tuan) == [] and outbox.to(hung) == []
    [text] = outbox.to(minh)
    assert "Nhắc lại" in text
    [row] = await rows(ctx, ReminderLog, ReminderLog.kind.startswith("snooze"))
    assert (row.member_id, row.kind) == (minh.id, "snooze@2025-03-10T01:00")
    # no next overdue level from a snooze
    assert [r.kind for r in await rows(ctx, ScheduledReminder, ScheduledReminder.done.is_(False))] == [
        "before_3d", "before_1d", "due_today", "overdue_1"]


# --- overdue ---------------------------------------------------------------------------------------------


async def pending(ctx) -> list[tuple[str, datetime, int | None, bool]]:
    return [(r.kind, r.fire_at, r.member_id, r.done)
            for r in await rows(ctx, ScheduledReminder, ScheduledReminder.done.is_(False))]


async def test_overdue_goes_to_the_head_from_level_two_and_schedules_the_next_level(ctx):
    w, lan, minh, tuan, hung = await people(ctx)
    [aid] = await w.tasks(["1"], d(14), TP, today=d(12))
    outbox = Outbox()
    await scan(ctx, outbox, at(d(14)))  # due today
    assert await pending(ctx) == [("overdue_1", eight(d(17)), None, False)]

    now = at(d(17))  # Monday: overdue 1, contacts only
    report = await scan(ctx, outbox, now)
    assert (report.due, report.claimed) == (1, 2) and outbox.to(hung) == []
    assert await pending(ctx) == [("overdue_2", eight(d(20)), None, False)]  # three working days later
    [nxt] = await rows(ctx, ScheduledReminder, ScheduledReminder.kind == "overdue_2")
    assert (nxt.assignment_id, nxt.created_at) == (aid, now)

    report = await scan(ctx, outbox, at(d(20)))  # overdue 2: the head too
    assert (report.due, report.claimed) == (1, 3)
    [to_head] = outbox.to(hung)
    assert "quá hạn 6 ngày" in to_head
    assert await pending(ctx) == [("overdue_3", eight(d(25)), None, False)]
    keys = [r.kind for r in await rows(ctx, ReminderLog, ReminderLog.member_id == hung.id)]
    assert keys == ["overdue_2@2025-03-14"]


async def test_after_downtime_the_next_level_is_the_first_one_still_ahead(ctx):
    """Overdue 1 was due on Monday 17th, the bot comes back on Wednesday 19th: it sends
    it, and overdue 2 stays on Thursday 20th (tomorrow) — not skipped."""
    w, lan, minh, tuan, hung = await people(ctx)
    await w.tasks(["1"], d(14), TP, today=d(14))
    await scan(ctx, Outbox(), at(d(14)))
    report = await scan(ctx, Outbox(), at(d(19)))
    assert report.claimed == 2
    assert await pending(ctx) == [("overdue_2", eight(d(20)), None, False)]


async def test_after_downtime_a_level_due_today_is_passed_over(ctx):
    """Back on Thursday 20th with overdue 1 still pending: this pass sends overdue 1 (as
    the latest news), so overdue 2, due today, is passed over for overdue 3 on the 25th."""
    w, lan, minh, tuan, hung = await people(ctx)
    await w.tasks(["1"], d(14), TP, today=d(14))
    await scan(ctx, Outbox(), at(d(14)))
    outbox = Outbox()
    report = await scan(ctx, outbox, at(d(20)))
    assert (report.due, report.claimed) == (1, 2) and outbox.to(hung) == []
    assert await pending(ctx) == [("overdue_3", eight(d(25)), None, False)]


# --- units nobody can be reached in -------------------------------------------------------------------------------


async def test_a_unit_nobody_can_be_reached_in_is_flagged_once_a_day(ctx):
    w, lan, minh, tuan, hung = await people(ctx)
    khoa = await w.person(1002, "Anh Khoa", role="secretariat")
    hoa = await w.person(3001, "Chị Hoa", unit=NV, on_leave_until=d(12))
    nv_ids = await w.tasks([f"N{i:02d}" for i in range(1, 22)], d(14), NV)  # 21 tasks
    await w.tasks([f"C{i:02d}" for i in range(1, 21)], d(14), TC)  # 20 tasks, nobody ever joined
    outbox = Outbox()
    report = await scan(ctx, outbox, at(d(7)))
    assert report.skipped == 41 and report.claimed == 0
    assert sorted(report.units_flagged) == sorted([w.units[NV], w.units[TC]])
    nv_text = texts.SECRETARIAT_UNIT_NOBODY.format(
        unit=NV, tasks=", ".join(f"N{i:02d}" for i in range(1, 21)) + " …")
    tc_text = texts.SECRETARIAT_UNIT_NOBODY.format(unit=TC, tasks=", ".join(f"C{i:02d}" for i in range(1, 21)))
    for sec in (lan, khoa):
        assert sorted(outbox.to(sec)) == sorted([nv_text, tc_text])
    assert outbox.to(hoa) == []

    # later the same day (a reminder moved to 09:00): not flagged again
    async with ctx.sessions() as s:
        s.add(ScheduledReminder(assignment_id=nv_ids[0], kind="before_7d", fire_at=at(d(7), 9, 0, 0)))
        await s.commit()
    report = await scan(ctx, Outbox(), at(d(7), 9))
    assert (report.due, report.skipped, report.units_flagged) == (1, 1, [])
    # the next working day with due reminders: flagged again
    outbox = Outbox()
    report = await scan(ctx, outbox, at(d(11)))
    assert report.units_flagged != [] and len(outbox.to(lan)) == 2


# --- taking over claims ----------------------------------------------------------------------------------------------


async def claim_row(ctx, aid: int, member: Member, kind: str, *, status: str = "retry", claimed_at: datetime,
                    lease_until: datetime, attempts: int = 1, error: str | None = "attempt 1: TimedOut()",
                    generation: int = 0) -> int:
    async with ctx.sessions() as s:
        r = ReminderLog(assignment_id=aid, member_id=member.id, kind=kind, status=status, claimed_by="old",
                        claimed_at=claimed_at, lease_until=lease_until, attempts=attempts, error=error,
                        generation=generation)
        s.add(r)
        await s.commit()
        return r.id


async def test_stalled_claims_and_due_retries_are_taken_over_and_sent(ctx, caplog):
    caplog.set_level(logging.INFO, logger="bot.reminders.scanner")
    w, lan, minh, tuan, hung = await people(ctx)
    a1, a2, a3 = await w.tasks(["1", "2", "3"], d(28), TP)
    now = at(d(10), 10)
    stalled = await claim_row(ctx, a1, minh, "before_7d@x", status="claimed", claimed_at=now - timedelta(hours=1),
                              lease_until=now - timedelta(seconds=1), error=None)
    retry = await claim_row(ctx, a2, minh, "before_7d@x", claimed_at=now - timedelta(hours=2),
                            lease_until=now - timedelta(minutes=1), attempts=3)
    live = await claim_row(ctx, a3, minh, "before_7d@x", status="claimed", claimed_at=now,
                           lease_until=now + timedelta(seconds=1), error=None)
    outbox = Outbox()
    outbox.hold = True
    lease = timedelta(hours=1)
    sending = asyncio.create_task(scan(ctx, outbox, now, lease=lease))
    await outbox.arrived.wait()
    held = {r.id: (r.status, r.lease_until) for r in await rows(ctx, ReminderLog)}
    assert held == {stalled: ("claimed", now + lease), retry: ("claimed", now + lease),
                    live: ("claimed", now + timedelta(seconds=1))}
    outbox.release.set()
    report = await sending
    assert (report.retried, report.due, report.claimed, report.sent, report.messages) == (2, 0, 0, 2, 1)
    got = {r.id: (r.status, r.generation, r.attempts, r.claimed_by) for r in await rows(ctx, ReminderLog)}
    assert got == {stalled: ("sent", 1, 2, "main"), retry: ("sent", 1, 4, "main"), live: ("claimed", 0, 1, "old")}
    [text] = outbox.to(minh)
    assert "[1]" in text and "[2]" in text and "[3]" not in text
    [line] = scan_logs(caplog)
    assert "retried=2" in line and "claimed=0" in line


async def test_claims_no_longer_relevant_are_dropped(ctx):
    w, lan, minh, tuan, hung = await people(ctx)
    done, closed_task, superseded, fine = await w.tasks(["1", "2", "3", "4"], d(28), TP)
    await set_rows(ctx, Assignment, [done], status="done")
    async with ctx.sessions() as s:
        (await s.get(Assignment, closed_task)).task.status = "done"
        await s.commit()
    now = at(d(10), 10)
    for i in range(8):  # older rows of another member: the log ids run ahead of the assignment ids
        await claim_row(ctx, done, tuan, f"k{i}", status="sent", claimed_at=now - timedelta(days=9),
                        lease_until=None, error=None)
    older_sent = await claim_row(ctx, fine, minh, "opened", status="sent", claimed_at=now - timedelta(days=9),
                                 lease_until=None, error=None)  # sent before the retried claim: not newer
    old = dict(claimed_at=now - timedelta(hours=1), lease_until=now - timedelta(minutes=1))
    ids = [await claim_row(ctx, aid, minh, "before_7d@x", **old) for aid in (done, closed_task, superseded, fine)]
    newer = await claim_row(ctx, superseded, minh, "before_3d@x", status="sent", claimed_at=now,
                            lease_until=None, error=None)
    assert fine < older_sent < ids[3] < newer
    outbox = Outbox()
    report = await scan(ctx, outbox, now)
    assert (report.retried, report.skipped, report.sent, report.gave_up) == (1, 3, 1, 0)
    got = {r.id: (r.status, r.error) for r in await rows(ctx, ReminderLog)}
    moot = "no longer relevant (task closed or a later reminder sent)"
    assert [got[i] for i in ids] == [("dropped", moot)] * 3 + [("sent", None)]
    assert got[newer] == ("sent", None)
    [text] = outbox.to(minh)
    assert "Nhiệm vụ 4" in text


async def test_claims_past_the_ceiling_fail_and_the_secretariat_is_told(ctx, caplog):
    caplog.set_level(logging.INFO, logger="bot.reminders.scanner")
    w, lan, minh, tuan, hung = await people(ctx)
    a1, a2 = await w.tasks(["1", "2"], d(28), TP)
    now = at(d(10), 10)
    day_old = await claim_row(ctx, a1, minh, "before_7d@x", claimed_at=now - timedelta(hours=25),
                              lease_until=now - timedelta(minutes=1), attempts=4, error="attempt 4: NetworkError()")
    no_error = await claim_row(ctx, a2, tuan, "before_7d@x", status="claimed", claimed_at=now - timedelta(hours=30),
                               lease_until=now - timedelta(minutes=1), attempts=1, error=None)
    outbox = Outbox()
    report = await scan(ctx, outbox, now)
    assert (report.gave_up, report.retried, report.skipped, report.sent) == (2, 0, 0, 0)
    got = {r.id: (r.status, r.error) for r in await rows(ctx, ReminderLog)}
    assert got == {day_old: ("failed", "gave up after 4 attempts: attempt 4: NetworkError()"),
                   no_error: ("failed", "gave up after 1 attempts: ")}
    [told] = outbox.to(lan)
    assert told.startswith(texts.SECRETARIAT_UNDELIVERED.format(n=2))
    assert outbox.to(minh) == [] and outbox.to(tuan) == []
    [line] = scan_logs(caplog)
    assert "gave_up=2" in line
    reported = [r.reported_at for r in await rows(ctx, ReminderLog)]
    assert all(t is not None and t >= now for t in reported)
    await scan(ctx, outbox, now + timedelta(minutes=1))  # told once
    assert len(outbox.to(lan)) == 1


# --- how much one pass takes ---------------------------------------------------------------------------


async def test_a_pass_takes_batches_up_to_its_limit(ctx):
    w, lan, minh, tuan, hung = await people(ctx)
    await set_rows(ctx, Member, [tuan.id], active=False)
    ids = await w.tasks([str(i) for i in range(1, 6)], d(14), TP)
    report = await scan(ctx, Outbox(), at(d(7)), limit=2)  # batches of 2, 2 and 1
    assert (report.due, report.claimed) == (5, 5)
    assert len(await rows(ctx, ReminderLog)) == 5

    more = await w.tasks([str(i) for i in range(6, 11)], d(17), TP)
    assert len(more) == 5 and len(ids) == 5
    report = await scan(ctx, Outbox(), at(d(10)), limit=2, max_batches=2)  # 4 of 5 this pass
    assert (report.due, report.claimed) == (4, 4)
    report = await scan(ctx, Outbox(), at(d(10), 8, 1), limit=2, max_batches=2)
    assert (report.due, report.claimed) == (1, 1)


async def test_taken_over_claims_count_towards_the_limit_of_a_pass(ctx):
    w, lan, minh, tuan, hung = await people(ctx)
    await set_rows(ctx, Member, [tuan.id], active=False)
    old = await w.tasks(["a", "b", "c"], d(28), TP)
    await w.tasks([str(i) for i in range(1, 6)], d(14), TP)
    now = at(d(7))
    for aid in old:
        await claim_row(ctx, aid, minh, "opened", claimed_at=now - timedelta(hours=1),
                        lease_until=now - timedelta(minutes=1))
    report = await scan(ctx, Outbox(), now, limit=2, max_batches=2)  # 2 taken over + 2 new = 4
    assert (report.retried, report.due, report.claimed) == (2, 2, 2)
    report = await scan(ctx, Outbox(), now + timedelta(seconds=1), limit=2, max_batches=2)
    assert (report.retried, report.due, report.claimed) == (1, 3, 3)  # the last taken over, the last three due


async def test_a_pass_takes_at_most_three_batches_of_500(ctx):
    """1,501 due rows (one reminder written many times over, as a bulk import gone wrong
    might leave it): a pass takes 1,500 of them, the next pass the last one."""
    w, lan, minh, tuan, hung = await people(ctx)
    [aid] = await w.tasks(["1"], d(14), TP)
    async with ctx.sessions() as s:
        await s.execute(update(ScheduledReminder).values(done=True))
        s.add_all([ScheduledReminder(assignment_id=aid, kind="before_7d", fire_at=at(d(7), 8, 0, 0))
                   for _ in range(1501)])
        await s.commit()
    first = await scan(ctx, Outbox(), at(d(7)))
    assert (first.due, first.claimed, first.sent) == (1500, 2, 2)
    second = await scan(ctx, Outbox(), at(d(7), 8, 1))
    assert (second.due, second.claimed, second.sent) == (1, 0, 0)


# --- claims made elsewhere ("/nhac") ---------------------------------------------------------------------


async def test_claims_made_outside_a_pass_are_sent_like_a_pass_sends_them(ctx):
    w, lan, minh, tuan, hung = await people(ctx)
    [aid] = await w.tasks(["1"], d(14), TP)
    now = datetime(2025, 3, 6, 18, 0, tzinfo=UTC)  # 01:00 on the 7th in Hà Nội
    log_id = await claim_row(ctx, aid, minh, "before_7d@manual:1", status="claimed", claimed_at=now,
                             lease_until=now + timedelta(seconds=30), error=None)
    outbox = Outbox()
    report = await deliver_claims(ctx, outbox, [Claim(log_id, aid, minh.id, "before_7d@manual:1")], now=now,
                                  rate=None)
    assert (report.claimed, report.sent, report.messages) == (1, 1, 1) and report.seconds >= 0
    [text] = outbox.to(minh)
    assert "14/03/2025 (còn 7 ngày)" in text  # the day in Hà Nội, not in UTC
    [row] = await rows(ctx, ReminderLog)
    assert (row.status, row.message_id) == ("sent", 1)

    ctx.clock.set(now)
    nothing = await deliver_claims(ctx, outbox, [], rate=None)
    assert (nothing.claimed, nothing.sent, nothing.messages) == (0, 0, 0) and len(outbox.sent) == 1
    assert nothing.seconds >= 0


async def test_a_blocked_member_fails_and_the_colleague_still_gets_it(ctx):
    w, lan, minh, tuan, hung = await people(ctx)
    await w.tasks(["1"], d(14), TP)
    outbox = Outbox()
    outbox.blocked.add(minh.chat_id)
    report = await scan(ctx, outbox, at(d(7)))
    assert (report.claimed, report.sent, report.unreachable) == (2, 1, 1)
    assert len(outbox.to(tuan)) == 1 and len(outbox.to(lan)) == 1  # the secretariat is told
    got = {r.member_id: r.status for r in await rows(ctx, ReminderLog)}
    assert got == {minh.id: "failed", tuan.id: "sent"}


@pytest.mark.parametrize("rate", [None, 1000.0])
async def test_a_pass_sends_the_same_paced_or_not(ctx, rate):
    w, lan, minh, tuan, hung = await people(ctx)
    await w.tasks(["1", "2"], d(14), TP)
    outbox = Outbox()
    report = await scan_once(ctx, outbox, now=at(d(7)), rate=rate)
    assert (report.sent, report.messages) == (4, 2)


async def test_a_failed_attempt_of_a_taken_over_claim_counts_its_attempts(ctx):
    w, lan, minh, tuan, hung = await people(ctx)
    [aid] = await w.tasks(["1"], d(28), TP)
    now = at(d(10), 10)
    log_id = await claim_row(ctx, aid, minh, "before_7d@x", claimed_at=now - timedelta(hours=1),
                             lease_until=now - timedelta(minutes=1), attempts=3)
    outbox = Outbox()
    outbox.failing.add(minh.chat_id)
    report = await scan(ctx, outbox, now)
    assert (report.retried, report.failed, report.sent) == (1, 1, 0)
    [row] = await rows(ctx, ReminderLog)
    assert (row.id, row.status, row.attempts, row.generation) == (log_id, "retry", 4, 1)
    assert row.error.startswith("attempt 4: ")
    assert row.lease_until >= now + timedelta(minutes=4)  # the backoff after a fourth attempt


async def test_a_level_already_sent_is_not_scheduled_again_when_the_interval_changes(ctx):
    """Overdue 2 went out on the 20th under "every 3 working days"; the secretariat then sets
    10: the next level is 3 (ten working days on from level 2's new date), not level 2 again."""
    w, lan, minh, tuan, hung = await people(ctx)
    await w.tasks(["1"], d(14), TP, today=d(14))
    await scan(ctx, Outbox(), at(d(14)))
    await scan(ctx, Outbox(), at(d(17)))
    assert await pending(ctx) == [("overdue_2", eight(d(20)), None, False)]
    ctx.settings.overdue_every_days = 10
    report = await scan(ctx, Outbox(), at(d(20)))
    assert report.claimed == 3
    assert await pending(ctx) == [("overdue_3", eight(d(15, 4)), None, False)]
