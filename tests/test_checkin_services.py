"""The check-in services (`bot.services.checkins`) called directly on the real database
(SQLite and PostgreSQL): no Telegram, exact outcomes — statuses, dates, rows, returned
values. Fast enough to be the tests `dondoc bench mutants bot/services/checkins.py` runs
against every mutant (the journeys through the sandbox live in tests/test_checkin*.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from bot.inbox import current_update_key
from bot.reminders.policy import ReminderPolicy
from bot.reminders.schedule import reschedule_assignment
from bot.services import checkins as ci
from bot.services.checkins import CheckinRefused, FileLine, Pending, TaskRef
from storage.models import (
    Assignment,
    Attachment,
    CheckIn,
    ConversationState,
    ExtensionRequest,
    Member,
    Plan,
    ReminderLog,
    ScheduledReminder,
    Task,
    Unit,
)

UTC = timezone.utc
TODAY = date(2026, 3, 16)  # a Monday
NOW = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
NV, TC, TP = "Phòng Nội vụ", "Phòng Tài chính", "Phòng Tư pháp"


@dataclass
class World:
    ctx: object
    policy: ReminderPolicy
    units: dict[str, int]
    lan: Member  # secretariat
    minh: Member  # Phòng Nội vụ
    tuan: Member  # Phòng Nội vụ too
    hoa: Member  # Phòng Tài chính
    plan_id: int

    async def task(self, code: str, due: date | None, lead=(NV,), support=(), *, status: str = "open",
                   title: str | None = None, plan_id: int | None = None) -> dict[str, int]:
        """A task and one assignment per unit (reminders scheduled as the plan import does);
        returns the assignment id per unit name."""
        out = {}
        async with self.ctx.sessions() as s:
            t = Task(plan_id=plan_id or self.plan_id, code=code, title=title or f"Nhiệm vụ {code}", due_date=due,
                     status=status)
            s.add(t)
            await s.flush()
            for role, names in (("lead", lead), ("support", support)):
                for name in names:
                    a = Assignment(task_id=t.id, unit_id=self.units[name], role=role, due_date=due)
                    s.add(a)
                    await s.flush()
                    await reschedule_assignment(s, a, self.policy, TODAY - timedelta(days=14))
                    out[name] = a.id
            await s.commit()
        return out

    async def plan(self, title: str) -> int:
        async with self.ctx.sessions() as s:
            p = Plan(title=title, title_key=title.lower(), year=2026)
            s.add(p)
            await s.commit()
            return p.id


async def world(ctx) -> World:
    async with ctx.sessions() as s:
        units = {}
        for name in (NV, TC, TP):
            u = Unit(name=name, key=name.lower())
            s.add(u)
            await s.flush()
            units[name] = u.id
        lan = Member(user_id=1001, chat_id=1001, full_name="Chị Lan", role="secretariat")
        minh = Member(user_id=2001, chat_id=2001, full_name="Anh Minh", unit_id=units[NV])
        tuan = Member(user_id=2002, chat_id=2002, full_name="Anh Tuấn", unit_id=units[NV])
        hoa = Member(user_id=3001, chat_id=3001, full_name="Chị Hoa", unit_id=units[TC])
        p = Plan(title="Chương trình công tác năm 2026", title_key="chuong trinh", year=2026)
        s.add_all([lan, minh, tuan, hoa, p])
        await s.commit()
    return World(ctx, ReminderPolicy.from_settings(ctx.settings), units, lan, minh, tuan, hoa, p.id)


async def tx(ctx, op):
    """Run ``op(session)`` in one transaction, committed."""
    async with ctx.sessions() as s:
        out = await op(s)
        await s.commit()
        return out


async def get(ctx, model, key):
    async with ctx.sessions() as s:
        return await s.get(model, key)


async def rows(ctx, model, *where, order=None):
    async with ctx.sessions() as s:
        return list((await s.execute(select(model).where(*where).order_by(order or model.id))).scalars())


async def refused(ctx, op) -> CheckinRefused:
    with pytest.raises(CheckinRefused) as exc:
        await tx(ctx, op)
    return exc.value


async def record(w: World, who: Member, aid, **kw):
    kw.setdefault("now", NOW)
    return await tx(w.ctx, lambda s: ci.record_checkin(s, who, aid, **kw))


async def pending_reminders(ctx, aid: int) -> list[ScheduledReminder]:
    return await rows(ctx, ScheduledReminder, ScheduledReminder.assignment_id == aid,
                      ScheduledReminder.done.is_(False))


async def attachment(ctx, who: Member, name: str, size: int, *, checkin_id: int | None = None) -> int:
    async with ctx.sessions() as s:
        att = Attachment(member_id=who.id, file_id=f"f-{name}", file_name=name, size=size, sha256="0" * 64,
                         stored_path=f"/x/{name}", checkin_id=checkin_id)
        s.add(att)
        await s.commit()
        return att.id


# --- refusals and small values ---------------------------------------------------------------


def test_a_refusal_carries_its_code_and_detail():
    e = CheckinRefused("bad_date", "2026-03-20")
    assert (str(e), e.code, e.detail) == ("bad_date", "bad_date", "2026-03-20")
    assert CheckinRefused("closed").detail == ""


async def test_task_ref_reads_the_assignment_and_its_task(ctx):
    w = await world(ctx)
    ids = await w.task("2.1", date(2026, 3, 20), title="Báo cáo quý I")
    async with ctx.sessions() as s:
        await s.execute(update(Assignment).where(Assignment.id == ids[NV]).values(progress=40, status="in_progress"))
        await s.commit()
        a = await s.get(Assignment, ids[NV])
        assert ci.task_ref(a) == TaskRef(ids[NV], "2.1", "Báo cáo quý I", date(2026, 3, 20), "lead", "in_progress", 40)
        await s.execute(update(Assignment).where(Assignment.id == ids[NV]).values(progress=0))
        await s.refresh(a)
        assert ci.task_ref(a).progress == 0


# --- finding the assignment --------------------------------------------------------------------


async def test_open_assignments_are_the_units_open_ones_earliest_due_first(ctx):
    w = await world(ctx)
    late = (await w.task("9", date(2026, 4, 30)))[NV]
    b_code = (await w.task("B", date(2026, 3, 20)))[NV]
    a_code = (await w.task("A", date(2026, 3, 20)))[NV]
    no_due = (await w.task("0", None))[NV]
    early = (await w.task("5", date(2026, 3, 10)))[NV]
    done = (await w.task("6", date(2026, 3, 1)))[NV]
    cancelled = (await w.task("7", date(2026, 3, 2)))[NV]
    (await w.task("8", date(2026, 3, 3), status="cancelled"))[NV]  # the task itself is off
    other_unit = (await w.task("4", date(2026, 3, 4), lead=(TC,)))[TC]
    # the same code and date in two programmes: the assignment made first comes first, even
    # when it belongs to the task made second
    second_plan = await w.plan("Kế hoạch thứ hai")
    async with ctx.sessions() as s:
        t_first = Task(plan_id=w.plan_id, code="T", title="Tập huấn", due_date=date(2026, 3, 22))
        t_second = Task(plan_id=second_plan, code="T", title="Tập huấn", due_date=date(2026, 3, 22))
        s.add_all([t_first, t_second])
        await s.flush()
        made_first = Assignment(task_id=t_second.id, unit_id=w.units[NV], role="lead", due_date=date(2026, 3, 22))
        s.add(made_first)
        await s.flush()
        made_second = Assignment(task_id=t_first.id, unit_id=w.units[NV], role="lead", due_date=date(2026, 3, 22))
        s.add(made_second)
        await s.commit()
    async with ctx.sessions() as s:
        await s.execute(update(Assignment).where(Assignment.id == done).values(status="done"))
        await s.execute(update(Assignment).where(Assignment.id == cancelled).values(status="cancelled"))
        await s.execute(update(Assignment).where(Assignment.id == late).values(status="blocked"))
        await s.execute(update(Assignment).where(Assignment.id == early).values(status="in_progress"))
        await s.commit()
    async with ctx.sessions() as s:
        got = [a.id for a in await ci.open_assignments(s, w.units[NV])]
        assert got == [early, a_code, b_code, made_first.id, made_second.id, late, no_due]
        assert [a.id for a in await ci.open_assignments(s, w.units[TC])] == [other_unit]
        assert await ci.open_assignments(s, None) == []
    refs = await tx(ctx, lambda s: ci.open_tasks(s, w.minh))
    assert [(r.assignment_id, r.code, r.status) for r in refs] == [
        (early, "5", "in_progress"), (a_code, "A", "open"), (b_code, "B", "open"), (made_first.id, "T", "open"),
        (made_second.id, "T", "open"), (late, "9", "blocked"), (no_due, "0", "open")]


async def test_member_assignment_only_for_the_members_own_unit(ctx):
    w = await world(ctx)
    ids = await w.task("1", date(2026, 3, 20), lead=(NV,), support=(TC,))
    a = await tx(ctx, lambda s: ci.member_assignment(s, w.minh, str(ids[NV])))
    assert (a.id, a.unit_id) == (ids[NV], w.units[NV])
    for bad in (None, "abc", "", 999_999):
        assert (await refused(ctx, lambda s: ci.member_assignment(s, w.minh, bad))).code == "not_found"
    assert (await refused(ctx, lambda s: ci.member_assignment(s, w.minh, ids[TC]))).code == "not_yours"
    assert (await tx(ctx, lambda s: ci.member_assignment(s, w.hoa, ids[TC]))).id == ids[TC]
    no_unit = Member(id=w.lan.id, unit_id=None, active=True)
    assert (await refused(ctx, lambda s: ci.member_assignment(s, no_unit, ids[NV]))).code == "not_yours"
    gone = Member(id=w.minh.id, unit_id=w.units[NV], active=False)
    assert (await refused(ctx, lambda s: ci.member_assignment(s, gone, ids[NV]))).code == "not_yours"


async def test_unit_assignment_by_code_any_case_the_open_one_first(ctx):
    w = await world(ctx)
    other_plan = await w.plan("Kế hoạch khác")
    third_plan = await w.plan("Kế hoạch thứ ba")
    open_one = (await w.task("II.3a", date(2026, 3, 20)))[NV]
    closed_newer = (await w.task("II.3A", date(2026, 3, 25), plan_id=other_plan))[NV]
    tc_one = (await w.task("II.3a", date(2026, 3, 20), lead=(TC,), plan_id=third_plan))[TC]
    await w.task("", date(2026, 3, 20))  # a row without a code is never found by "no code"
    async with ctx.sessions() as s:
        await s.execute(update(Assignment).where(Assignment.id == closed_newer).values(status="done"))
        await s.commit()
    async with ctx.sessions() as s:
        assert (await ci.unit_assignment_by_code(s, w.minh, "ii.3A")).id == open_one
        assert (await ci.unit_assignment_by_code(s, w.hoa, "II.3a")).id == tc_one
        assert await ci.unit_assignment_by_code(s, w.minh, "II.4") is None
        assert await ci.unit_assignment_by_code(s, w.minh, "") is None
        assert await ci.unit_assignment_by_code(s, w.lan, "II.3a") is None  # no unit
        await s.execute(update(Assignment).where(Assignment.id == open_one).values(status="done"))
        assert (await ci.unit_assignment_by_code(s, w.minh, "II.3A")).id == closed_newer  # the newest closed


async def test_pending_extension_is_the_latest_pending_request(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    other = (await w.task("2", date(2026, 3, 20)))[NV]
    async with ctx.sessions() as s:
        first = ExtensionRequest(assignment_id=aid, member_id=w.minh.id, requested_due=date(2026, 4, 1))
        second = ExtensionRequest(assignment_id=aid, member_id=w.minh.id, requested_due=date(2026, 4, 2))
        refused_ = ExtensionRequest(assignment_id=aid, member_id=w.minh.id, requested_due=date(2026, 4, 3),
                                    status="refused")
        s.add_all([first, second, refused_])
        await s.commit()
    async with ctx.sessions() as s:
        assert (await ci.pending_extension(s, aid)).id == second.id
        assert await ci.pending_extension(s, other) is None


async def test_a_reminders_tasks_in_its_order_and_the_open_ones(ctx):
    w = await world(ctx)
    a1 = (await w.task("1", date(2026, 3, 25)))[NV]
    a2 = (await w.task("2", date(2026, 3, 20)))[NV]
    a3 = (await w.task("3", date(2026, 3, 18)))[NV]
    async with ctx.sessions() as s:
        s.add_all([
            ReminderLog(assignment_id=a1, member_id=w.minh.id, kind="before_3d", message_id=70),
            ReminderLog(assignment_id=a2, member_id=w.minh.id, kind="before_3d", message_id=70),
            ReminderLog(assignment_id=a1, member_id=w.minh.id, kind="before_1d", message_id=70),
            ReminderLog(assignment_id=a3, member_id=w.minh.id, kind="before_3d", message_id=71),
            ReminderLog(assignment_id=a3, member_id=w.tuan.id, kind="before_1d", message_id=70),
        ])
        await s.execute(update(Assignment).where(Assignment.id == a1).values(status="done"))
        await s.commit()
        # an updated row moves to the end of PostgreSQL's table: only the ORDER BY keeps the order
        await s.execute(update(ReminderLog).where(ReminderLog.assignment_id == a1).values(error=""))
        await s.commit()
    async with ctx.sessions() as s:
        assert await ci.assignments_of_message(s, w.minh.id, 70) == [a1, a2]
        assert await ci.assignments_of_message(s, w.minh.id, 72) == []
        assert await ci.open_items_of_message(s, w.minh, 70) == [(a2, "2")]
        assert await ci.open_items_of_message(s, w.tuan, 70) == [(a3, "3")]
        assert await ci.open_items_of_message(s, w.minh, 72) == []


# --- recording -----------------------------------------------------------------------------------


async def test_done_closes_the_assignment_its_reminders_and_the_task(ctx):
    w = await world(ctx)
    ids = await w.task("1", date(2026, 3, 20), lead=(NV,), support=(TC,))
    assert await pending_reminders(ctx, ids[NV]) != []
    r = await record(w, w.minh, ids[NV], kind="done", text="Đã gửi báo cáo", message_id=555)

    a = await get(ctx, Assignment, ids[NV])
    assert (a.status, a.progress, a.done_at, a.last_checkin_at) == ("done", 100, NOW, NOW)
    [row] = await rows(ctx, CheckIn)
    assert (row.id, row.assignment_id, row.member_id, row.status, row.text, row.progress) == (
        r.checkin_id, ids[NV], w.minh.id, "done", "Đã gửi báo cáo", 100)
    assert (row.previous_status, row.previous_progress, row.created_at, row.message_id) == ("open", 0, NOW, 555)
    assert await pending_reminders(ctx, ids[NV]) == []
    assert await pending_reminders(ctx, ids[TC]) != []  # the coordinating unit's are its own
    t = await get(ctx, Task, a.task_id)
    assert (t.status, t.done_at) == ("done", NOW)
    assert r.task == TaskRef(ids[NV], "1", "Nhiệm vụ 1", date(2026, 3, 20), "lead", "done", 100)
    assert (r.kind, r.progress, r.files, r.at, r.task_closed, r.reason) == (
        "done", 100, (), NOW, True, "Đã gửi báo cáo")
    assert (r.requested_due, r.extension_id) == (None, None)


async def test_support_done_leaves_the_task_open_and_the_last_lead_closes_it(ctx):
    w = await world(ctx)
    ids = await w.task("1", date(2026, 3, 20), lead=(NV, TP), support=(TC,))
    r = await record(w, w.hoa, ids[TC], kind="done")
    assert r.task_closed is False and r.task.role == "support"
    r = await record(w, w.minh, ids[NV], kind="done")
    assert r.task_closed is False
    t = await get(ctx, Task, (await get(ctx, Assignment, ids[NV])).task_id)
    assert (t.status, t.done_at) == ("open", None)
    # a task whose only live assignments are coordinating ones closes when they are done
    only_support = await w.task("3", date(2026, 3, 20), lead=(), support=(NV, TC))
    assert (await record(w, w.minh, only_support[NV], kind="done")).task_closed is False
    assert (await record(w, w.hoa, only_support[TC], kind="done")).task_closed is True


async def test_the_last_lead_done_closes_a_task_whose_other_lead_was_cancelled(ctx):
    w = await world(ctx)
    ids = await w.task("1", date(2026, 3, 20), lead=(NV, TP))
    async with ctx.sessions() as s:
        await s.execute(update(Assignment).where(Assignment.id == ids[TP]).values(status="cancelled"))
        await s.commit()
    assert (await record(w, w.minh, ids[NV], kind="done")).task_closed is True


async def test_done_on_a_task_already_done_does_not_reclose_it(ctx):
    w = await world(ctx)
    ids = await w.task("1", date(2026, 3, 20), lead=(NV,))
    async with ctx.sessions() as s:  # the secretariat closed the task by hand
        t = (await s.execute(select(Task).where(Task.code == "1"))).scalar_one()
        t.status = "done"
        await s.commit()
    r = await record(w, w.minh, ids[NV], kind="done")
    assert (r.task_closed, r.task.status) == (False, "done")
    t = await get(ctx, Task, (await get(ctx, Assignment, ids[NV])).task_id)
    assert t.done_at is None  # closed by hand, not by the check-in


async def test_progress_blocked_note_and_file_move_the_assignment_as_they_say(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    t1, t2, t3, t4 = (NOW + timedelta(minutes=m) for m in (1, 2, 3, 4))

    r = await record(w, w.minh, aid, kind="progress", progress=40, now=t1)
    a = await get(ctx, Assignment, aid)
    assert (a.status, a.progress, a.last_checkin_at, a.done_at) == ("in_progress", 40, t1, None)
    assert (r.kind, r.progress, r.task.status, r.task.progress, r.task_closed) == (
        "progress", 40, "in_progress", 40, False)

    r = await record(w, w.minh, aid, kind="blocked", text="Chờ số liệu", now=t2)
    a = await get(ctx, Assignment, aid)
    assert (a.status, a.progress, a.last_checkin_at) == ("blocked", 40, t2)
    assert (r.kind, r.progress, r.reason) == ("blocked", 40, "Chờ số liệu")

    f = await attachment(ctx, w.minh, "bao-cao.pdf", 2048)
    r = await record(w, w.minh, aid, kind="file", attachment_ids=[f], now=t3)
    a = await get(ctx, Assignment, aid)
    assert (a.status, a.progress) == ("blocked", 40)  # a report file leaves the status
    assert r.files == (FileLine("bao-cao.pdf", 2048),) and r.kind == "file"

    r = await record(w, w.minh, aid, kind="note", now=t4)
    assert (r.kind, r.reason) == ("note", "")
    cis = await rows(ctx, CheckIn)
    assert [(c.status, c.progress, c.previous_status, c.previous_progress, c.text) for c in cis] == [
        ("progress", 40, "open", 0, ""), ("blocked", 40, "in_progress", 40, "Chờ số liệu"),
        ("file", 40, "blocked", 40, ""), ("note", 40, "blocked", 40, "")]
    assert await pending_reminders(ctx, aid) != []  # only "done" stops them


async def test_progress_is_clamped_and_a_hundred_percent_is_done(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    assert (await record(w, w.minh, aid, kind="progress", progress=-5)).progress == 0
    assert (await get(ctx, Assignment, aid)).status == "in_progress"
    assert (await record(w, w.minh, aid, kind="progress", progress="99")).progress == 99
    r = await record(w, w.minh, aid, kind="progress", progress=150)
    assert (r.kind, r.progress, r.task.status, r.task_closed) == ("done", 100, "done", True)
    aid2 = (await w.task("2", date(2026, 3, 20)))[NV]
    r = await record(w, w.minh, aid2, kind="progress", progress=100)
    assert (r.kind, r.task.status) == ("done", "done")


async def test_the_text_of_a_check_in_is_cut_at_4000_characters(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    r = await record(w, w.minh, aid, kind="note", text="a" * 4001)
    [row] = await rows(ctx, CheckIn)
    assert len(row.text) == 4000 and len(r.reason) == 4001


async def test_after_done_an_answer_is_a_file_or_a_note_and_done_again_is_refused(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    await record(w, w.minh, aid, kind="done")
    again = await refused(ctx, lambda s: ci.record_checkin(s, w.minh, aid, kind="done", now=NOW))
    assert again.code == "already_done"
    f = await attachment(ctx, w.minh, "them.pdf", 10)
    r = await record(w, w.minh, aid, kind="done", attachment_ids=[f])
    assert (r.kind, r.files, r.task.status, r.task_closed) == ("file", (FileLine("them.pdf", 10),), "done", False)
    r = await record(w, w.minh, aid, kind="progress", progress=30)
    a = await get(ctx, Assignment, aid)
    assert (r.kind, a.status, a.progress) == ("note", "done", 30)
    f2 = await attachment(ctx, w.minh, "nua.pdf", 11)
    assert (await record(w, w.minh, aid, kind="blocked", attachment_ids=[f2])).kind == "file"


async def test_a_cancelled_assignment_or_task_takes_no_answer(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    aid2 = (await w.task("2", date(2026, 3, 20), status="cancelled"))[NV]
    async with ctx.sessions() as s:
        await s.execute(update(Assignment).where(Assignment.id == aid).values(status="cancelled"))
        await s.commit()
    for x in (aid, aid2):
        assert (await refused(ctx, lambda s: ci.record_checkin(s, w.minh, x, kind="note", now=NOW))).code == "closed"
    assert await rows(ctx, CheckIn) == []


async def test_of_two_done_answers_at_once_the_second_is_refused(ctx):
    """The second answer's copy of the assignment still says "open" (loaded before the
    first committed): only the compare-and-set in the database can refuse it."""
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    async with ctx.sessions() as slow:
        stale = await slow.get(Assignment, aid)
        assert stale.status == "open"
        await slow.commit()  # ends the read (SQLite would otherwise hold the file for this session)
        await record(w, w.tuan, aid, kind="done")
        with pytest.raises(CheckinRefused) as exc:
            await ci.record_checkin(slow, w.minh, aid, kind="done", now=NOW)
        assert exc.value.code == "already_done"
        assert stale.status == "done"  # the loser's copy was reloaded
        await slow.rollback()
    [row] = await rows(ctx, CheckIn)
    assert row.member_id == w.tuan.id


async def test_only_the_members_own_files_are_linked_in_order(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    b = await attachment(ctx, w.minh, "b.docx", 200)
    a = await attachment(ctx, w.minh, "a.pdf", 100)
    foreign = await attachment(ctx, w.hoa, "cua-hoa.pdf", 300)
    unlisted = await attachment(ctx, w.minh, "chua-gui.pdf", 400)
    r = await record(w, w.minh, aid, kind="file", attachment_ids=[a, foreign, b])
    assert r.files == (FileLine("b.docx", 200), FileLine("a.pdf", 100))
    linked = {x.id: x.checkin_id for x in await rows(ctx, Attachment)}
    assert linked == {b: r.checkin_id, a: r.checkin_id, foreign: None, unlisted: None}
    async with ctx.sessions() as s:
        assert await ci.attachment_lines(s, w.minh, [foreign, a, b]) == (FileLine("b.docx", 200),
                                                                          FileLine("a.pdf", 100))
        assert await ci.attachment_lines(s, w.minh, []) == ()


# --- extensions -------------------------------------------------------------------------------------


async def test_an_extension_request_is_recorded_and_replaces_a_pending_one(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    other = (await w.task("2", date(2026, 3, 20)))[NV]
    async with ctx.sessions() as s:
        await s.execute(update(Assignment).where(Assignment.id == aid).values(progress=30))
        old = ExtensionRequest(assignment_id=aid, member_id=w.minh.id, requested_due=date(2026, 3, 25),
                               status="refused")
        elsewhere = ExtensionRequest(assignment_id=other, member_id=w.minh.id, requested_due=date(2026, 3, 25))
        s.add_all([old, elsewhere])
        await s.commit()
    first = await tx(ctx, lambda s: ci.request_extension(s, w.minh, aid, new_due=date(2026, 3, 27), reason="",
                                                         now=NOW, today=TODAY))
    later = NOW + timedelta(minutes=5)
    r = await tx(ctx, lambda s: ci.request_extension(s, w.tuan, aid, new_due=date(2026, 4, 3),
                                                     reason="Chờ ý kiến Sở", now=later, today=TODAY,
                                                     message_id=88))
    reqs = await rows(ctx, ExtensionRequest)
    assert [(x.id, x.status) for x in reqs[:2]] == [(old.id, "refused"), (elsewhere.id, "pending")]
    reqs = reqs[2:]
    assert [(x.id, x.status, x.requested_due, x.old_due, x.member_id) for x in reqs] == [
        (first.extension_id, "superseded", date(2026, 3, 27), date(2026, 3, 20), w.minh.id),
        (r.extension_id, "pending", date(2026, 4, 3), date(2026, 3, 20), w.tuan.id)]
    assert (reqs[1].reason, reqs[1].created_at, reqs[0].reason) == ("Chờ ý kiến Sở", later, "")
    cis = await rows(ctx, CheckIn)
    assert [(c.status, c.text, c.progress, c.previous_status, c.previous_progress, c.message_id) for c in cis] == [
        ("extension", "27/03/2026", 30, "open", 30, None),
        ("extension", "03/04/2026 Chờ ý kiến Sở", 30, "open", 30, 88)]
    assert cis[1].created_at == later
    a = await get(ctx, Assignment, aid)
    assert (a.status, a.due_date, a.last_checkin_at) == ("open", date(2026, 3, 20), later)
    assert (r.checkin_id, r.kind, r.progress, r.files, r.at, r.reason, r.requested_due) == (
        cis[1].id, "extension", 30, (), later, "Chờ ý kiến Sở", date(2026, 4, 3))
    assert r.task.due == date(2026, 3, 20) and first.reason == ""


async def test_an_extension_must_ask_for_a_later_date(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    no_due = (await w.task("2", None))[NV]

    async def ask(a, day):
        return await tx(ctx, lambda s: ci.request_extension(s, w.minh, a, new_due=day, reason="x" * 4001,
                                                            now=NOW, today=TODAY))

    for day in (TODAY, date(2026, 3, 19), date(2026, 3, 20)):
        with pytest.raises(CheckinRefused) as exc:
            await ask(aid, day)
        assert (exc.value.code, exc.value.detail) == ("bad_date", "2026-03-20")
    with pytest.raises(CheckinRefused) as exc:
        await ask(no_due, TODAY)
    assert (exc.value.code, exc.value.detail) == ("bad_date", "")
    assert (await ask(aid, date(2026, 3, 21))).requested_due == date(2026, 3, 21)
    assert (await ask(no_due, TODAY + timedelta(days=1))).requested_due == date(2026, 3, 17)
    reqs = await rows(ctx, ExtensionRequest)
    assert [len(x.reason) for x in reqs] == [2000, 2000]
    assert [len(c.text) for c in await rows(ctx, CheckIn)] == [4000, 4000]


async def test_no_extension_on_a_closed_assignment_or_task(ctx):
    w = await world(ctx)
    ids = await w.task("1", date(2026, 3, 20), lead=(NV,), support=(TC,))
    closed_task = (await w.task("2", date(2026, 3, 20), status="done"))[NV]
    aid = (await w.task("3", date(2026, 3, 20)))[NV]
    await record(w, w.hoa, ids[TC], kind="done")  # the task stays open: only that part is closed
    for who, x in ((w.hoa, ids[TC]), (w.minh, closed_task)):
        e = await refused(ctx, lambda s: ci.request_extension(s, who, x, new_due=date(2026, 4, 1), reason="",
                                                              now=NOW, today=TODAY))
        assert e.code == "closed"
    for status in ("in_progress", "blocked"):
        async with ctx.sessions() as s:
            await s.execute(update(Assignment).where(Assignment.id == aid).values(status=status))
            await s.commit()
        r = await tx(ctx, lambda s: ci.request_extension(s, w.minh, aid, new_due=date(2026, 4, 1), reason="",
                                                         now=NOW, today=TODAY))
        assert r.task.status == status


async def test_an_approved_extension_moves_the_whole_task(ctx):
    w = await world(ctx)
    ids = await w.task("1", date(2026, 3, 20), lead=(NV,), support=(TC, TP))
    async with ctx.sessions() as s:  # Tư pháp's part already runs later
        await s.execute(update(Assignment).where(Assignment.id == ids[TP]).values(due_date=date(2026, 4, 30)))
        s.add(ExtensionRequest(assignment_id=ids[TP], member_id=w.minh.id, requested_due=date(2026, 5, 5)))
        await s.commit()
    r = await tx(ctx, lambda s: ci.request_extension(s, w.minh, ids[NV], new_due=date(2026, 4, 10),
                                                     reason="Thiếu số liệu", now=NOW, today=TODAY))
    decided_at = NOW + timedelta(hours=2)
    d = await tx(ctx, lambda s: ci.decide_extension(s, r.extension_id, w.lan, approve=True, now=decided_at,
                                                    today=TODAY, policy=w.policy))
    assert (d.request_id, d.approved, d.old_due, d.new_due, d.moved) == (
        r.extension_id, True, date(2026, 3, 20), date(2026, 4, 10), 2)
    assert (d.member_chat_id, d.member_name, d.decided_by, d.unit_name, d.reason) == (
        2001, "Anh Minh", "Chị Lan", NV, "Thiếu số liệu")
    assert d.task == TaskRef(ids[NV], "1", "Nhiệm vụ 1", date(2026, 4, 10), "lead", "open", 0)
    dues = {u: (await get(ctx, Assignment, i)).due_date for u, i in ids.items()}
    assert dues == {NV: date(2026, 4, 10), TC: date(2026, 4, 10), TP: date(2026, 4, 30)}
    t = await get(ctx, Task, (await get(ctx, Assignment, ids[NV])).task_id)
    assert t.due_date == date(2026, 4, 10)
    req = await get(ctx, ExtensionRequest, r.extension_id)
    assert (req.status, req.decided_by_id, req.decided_at) == ("approved", w.lan.id, decided_at)
    assert [x.status for x in await rows(ctx, ExtensionRequest)] == ["pending", "approved"]
    # the reminders follow the new date (the last one before it is on the due day, 08:00)
    fire = max(x.fire_at for x in await pending_reminders(ctx, ids[NV]) if not x.kind.startswith("overdue"))
    assert fire == datetime(2026, 4, 10, 1, 0, tzinfo=UTC)
    # decided twice (two taps, two staff members): the second does nothing
    assert await tx(ctx, lambda s: ci.decide_extension(s, r.extension_id, w.lan, approve=False, now=NOW,
                                                       today=TODAY, policy=w.policy)) is None
    assert (await get(ctx, ExtensionRequest, r.extension_id)).status == "approved"


async def test_an_approved_extension_moves_open_parts_without_a_date_and_not_cancelled_ones(ctx):
    w = await world(ctx)
    ids = await w.task("1", None, lead=(NV,), support=(TC, TP))
    async with ctx.sessions() as s:
        await s.execute(update(Assignment).where(Assignment.id == ids[TP]).values(status="cancelled"))
        t = (await s.execute(select(Task).where(Task.code == "1"))).scalar_one()
        t.due_date = date(2026, 5, 1)  # the task's own date is later than the request
        await s.commit()
    r = await tx(ctx, lambda s: ci.request_extension(s, w.minh, ids[NV], new_due=date(2026, 4, 10), reason="",
                                                     now=NOW, today=TODAY))
    d = await tx(ctx, lambda s: ci.decide_extension(s, r.extension_id, w.lan, approve=True, now=NOW,
                                                    today=TODAY, policy=w.policy))
    assert d.moved == 2 and d.old_due is None
    dues = {u: (await get(ctx, Assignment, i)).due_date for u, i in ids.items()}
    assert dues == {NV: date(2026, 4, 10), TC: date(2026, 4, 10), TP: None}
    t = await get(ctx, Task, (await get(ctx, Assignment, ids[NV])).task_id)
    assert t.due_date == date(2026, 5, 1)


async def test_the_requesting_part_moves_even_when_cancelled_meanwhile_and_equal_dates_stay(ctx):
    w = await world(ctx)
    ids = await w.task("1", date(2026, 3, 20), lead=(NV,), support=(TC,))
    async with ctx.sessions() as s:
        await s.execute(update(Assignment).where(Assignment.id == ids[TC]).values(due_date=date(2026, 4, 10)))
        await s.commit()
    r = await tx(ctx, lambda s: ci.request_extension(s, w.minh, ids[NV], new_due=date(2026, 4, 10), reason="",
                                                     now=NOW, today=TODAY))
    async with ctx.sessions() as s:
        await s.execute(update(Assignment).where(Assignment.id == ids[NV]).values(status="cancelled"))
        t = (await s.execute(select(Task).where(Task.code == "1"))).scalar_one()
        t.due_date = date(2026, 4, 10)
        await s.commit()
    d = await tx(ctx, lambda s: ci.decide_extension(s, r.extension_id, w.lan, approve=True, now=NOW,
                                                    today=TODAY, policy=w.policy))
    assert d.moved == 1  # the requester's own part; Tài chính's is already due that day
    assert (await get(ctx, Assignment, ids[NV])).due_date == date(2026, 4, 10)


async def test_a_refused_extension_moves_nothing_and_only_staff_decide(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    r = await tx(ctx, lambda s: ci.request_extension(s, w.minh, aid, new_due=date(2026, 4, 10), reason="",
                                                     now=NOW, today=TODAY))
    for who in (w.minh, w.hoa, Member(id=w.minh.id, role="unit_head", full_name="x")):
        e = await refused(ctx, lambda s: ci.decide_extension(s, r.extension_id, who, approve=True, now=NOW,
                                                             today=TODAY, policy=w.policy))
        assert e.code == "not_staff"
    assert (await refused(ctx, lambda s: ci.decide_extension(s, 999_999, w.lan, approve=True, now=NOW, today=TODAY,
                                                             policy=w.policy))).code == "not_found"
    async with ctx.sessions() as s:  # Anh Minh leaves before the answer
        await s.execute(update(Member).where(Member.id == w.minh.id).values(active=False))
        await s.commit()
    admin = Member(id=w.lan.id, role="admin", full_name="Quản trị")
    d = await tx(ctx, lambda s: ci.decide_extension(s, str(r.extension_id), admin, approve=False, now=NOW,
                                                    today=TODAY, policy=w.policy))
    assert (d.approved, d.moved, d.new_due, d.old_due, d.decided_by) == (
        False, 0, date(2026, 4, 10), date(2026, 3, 20), "Quản trị")
    assert (d.member_chat_id, d.member_name) == (None, "Anh Minh")
    assert (await get(ctx, Assignment, aid)).due_date == date(2026, 3, 20)
    req = await get(ctx, ExtensionRequest, r.extension_id)
    assert (req.status, req.decided_by_id, req.decided_at) == ("refused", w.lan.id, NOW)


async def test_request_details_are_the_request_its_assignment_and_who_asked(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    r = await tx(ctx, lambda s: ci.request_extension(s, w.minh, aid, new_due=date(2026, 4, 10), reason="",
                                                     now=NOW, today=TODAY))
    async with ctx.sessions() as s:
        req, a, m = await ci.request_details(s, str(r.extension_id))
        assert (req.id, a.id, m.id) == (r.extension_id, aid, w.minh.id)
    assert (await refused(ctx, lambda s: ci.request_details(s, 999_999))).code == "not_found"


# --- undo ---------------------------------------------------------------------------------------------


async def test_undo_of_done_reopens_the_assignment_the_task_and_the_reminders(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    await record(w, w.minh, aid, kind="progress", progress=40, now=NOW - timedelta(days=1))
    f = await attachment(ctx, w.minh, "bc.pdf", 77)
    r = await record(w, w.minh, aid, kind="done", attachment_ids=[f], now=NOW)
    assert r.task_closed is True and await pending_reminders(ctx, aid) == []

    u = await tx(ctx, lambda s: ci.undo_last(s, w.minh, now=NOW + timedelta(minutes=10), today=TODAY,
                                             policy=w.policy))
    assert (u.kind, u.at, u.files, u.progress, u.requested_due) == ("done", NOW, (FileLine("bc.pdf", 77),), 100, None)
    assert u.task == TaskRef(aid, "1", "Nhiệm vụ 1", date(2026, 3, 20), "lead", "in_progress", 40)
    a = await get(ctx, Assignment, aid)
    assert (a.status, a.progress, a.done_at, a.last_checkin_at) == ("in_progress", 40, None, NOW - timedelta(days=1))
    t = await get(ctx, Task, a.task_id)
    assert (t.status, t.done_at) == ("open", None)
    assert await pending_reminders(ctx, aid) != []
    assert (await get(ctx, Attachment, f)).checkin_id is None  # kept, detached
    undone = await get(ctx, CheckIn, r.checkin_id)
    assert undone.undone_at == NOW + timedelta(minutes=10)
    # the next undo takes back the progress answer (a day old: outside the window)
    assert await tx(ctx, lambda s: ci.undo_last(s, w.minh, now=NOW + timedelta(minutes=11), today=TODAY,
                                                policy=w.policy)) is None


async def test_undo_of_the_only_answer_leaves_no_last_report_and_keeps_a_closed_task_closed(ctx):
    w = await world(ctx)
    ids = await w.task("1", date(2026, 3, 20), lead=(NV,), support=(TC,))
    await record(w, w.minh, ids[NV], kind="done")
    r = await record(w, w.hoa, ids[TC], kind="blocked", text="chờ")
    assert r.task.status == "blocked"
    u = await tx(ctx, lambda s: ci.undo_last(s, w.hoa, now=NOW, today=TODAY, policy=w.policy))
    assert (u.kind, u.task.status, u.progress, u.files) == ("blocked", "open", 0, ())
    a = await get(ctx, Assignment, ids[TC])
    assert (a.status, a.last_checkin_at) == ("open", None)
    t = await get(ctx, Task, a.task_id)
    assert t.status == "done"  # the lead's answer closed it; the coordinating unit's undo changes nothing


async def test_undo_of_a_support_done_leaves_the_task_as_it_was(ctx):
    w = await world(ctx)
    ids = await w.task("1", date(2026, 3, 20), lead=(NV,), support=(TC,))
    await record(w, w.hoa, ids[TC], kind="done")
    before = len(await pending_reminders(ctx, ids[TC]))
    assert before == 0
    u = await tx(ctx, lambda s: ci.undo_last(s, w.hoa, now=NOW, today=TODAY, policy=w.policy))
    assert u.task.status == "open"
    a = await get(ctx, Assignment, ids[TC])
    assert (a.status, a.done_at) == ("open", None)
    assert len(await pending_reminders(ctx, ids[TC])) > 0  # rescheduled
    t = await get(ctx, Task, a.task_id)
    assert (t.status, t.done_at) == ("open", None)


async def test_undo_of_a_note_on_a_done_assignment_keeps_it_done(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    await record(w, w.minh, aid, kind="done", now=NOW - timedelta(minutes=5))
    r = await record(w, w.minh, aid, kind="progress", progress=30, now=NOW - timedelta(minutes=4))
    assert r.kind == "note" and (await get(ctx, Assignment, aid)).progress == 30
    u = await tx(ctx, lambda s: ci.undo_last(s, w.minh, now=NOW, today=TODAY, policy=w.policy))
    assert (u.kind, u.progress, u.task.status, u.task.progress) == ("note", 30, "done", 100)
    async with ctx.sessions() as s:  # an old note row from before previous_* was kept
        s.add(CheckIn(assignment_id=aid, member_id=w.minh.id, status="note", created_at=NOW, progress=100))
        await s.commit()
    u = await tx(ctx, lambda s: ci.undo_last(s, w.minh, now=NOW, today=TODAY, policy=w.policy))
    assert u.kind == "note"
    a = await get(ctx, Assignment, aid)
    assert (a.status, a.progress, a.done_at) == ("done", 100, NOW - timedelta(minutes=5))
    assert (await get(ctx, Task, a.task_id)).status == "done"
    assert await pending_reminders(ctx, aid) == []


async def test_undo_restores_a_progress_of_zero_and_keeps_progress_when_none_was_kept(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    await record(w, w.minh, aid, kind="progress", progress=60)
    await tx(ctx, lambda s: ci.undo_last(s, w.minh, now=NOW, today=TODAY, policy=w.policy))
    a = await get(ctx, Assignment, aid)
    assert (a.status, a.progress) == ("open", 0)
    async with ctx.sessions() as s:  # a row without previous_progress (an old version wrote none)
        await s.execute(update(Assignment).where(Assignment.id == aid).values(progress=35))
        s.add(CheckIn(assignment_id=aid, member_id=w.minh.id, status="blocked", previous_status="in_progress",
                      previous_progress=None, created_at=NOW, progress=35))
        await s.commit()
    await tx(ctx, lambda s: ci.undo_last(s, w.minh, now=NOW, today=TODAY, policy=w.policy))
    a = await get(ctx, Assignment, aid)
    assert (a.status, a.progress) == ("in_progress", 35)
    async with ctx.sessions() as s:  # a status row without previous_status keeps the status
        s.add(CheckIn(assignment_id=aid, member_id=w.minh.id, status="blocked", previous_status=None,
                      previous_progress=10, created_at=NOW + timedelta(seconds=1), progress=35))
        await s.commit()
    await tx(ctx, lambda s: ci.undo_last(s, w.minh, now=NOW, today=TODAY, policy=w.policy))
    a = await get(ctx, Assignment, aid)
    assert (a.status, a.progress) == ("in_progress", 10)


async def test_undo_of_an_extension_request_withdraws_it(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    older = await tx(ctx, lambda s: ci.request_extension(s, w.tuan, aid, new_due=date(2026, 3, 30), reason="",
                                                         now=NOW - timedelta(minutes=3), today=TODAY))
    r = await tx(ctx, lambda s: ci.request_extension(s, w.minh, aid, new_due=date(2026, 4, 10), reason="",
                                                     now=NOW, today=TODAY))
    u = await tx(ctx, lambda s: ci.undo_last(s, w.minh, now=NOW, today=TODAY, policy=w.policy))
    assert (u.kind, u.requested_due, u.task.status, u.task.due) == ("extension", date(2026, 4, 10), "open",
                                                                    date(2026, 3, 20))
    reqs = {x.id: x.status for x in await rows(ctx, ExtensionRequest)}
    assert reqs == {older.extension_id: "superseded", r.extension_id: "withdrawn"}
    a = await get(ctx, Assignment, aid)
    assert a.last_checkin_at == NOW - timedelta(minutes=3)  # Anh Tuấn's request still stands


async def test_undo_of_an_extension_already_decided_withdraws_nothing(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    r = await tx(ctx, lambda s: ci.request_extension(s, w.minh, aid, new_due=date(2026, 4, 10), reason="",
                                                     now=NOW, today=TODAY))
    await tx(ctx, lambda s: ci.decide_extension(s, r.extension_id, w.lan, approve=False, now=NOW, today=TODAY,
                                                policy=w.policy))
    u = await tx(ctx, lambda s: ci.undo_last(s, w.minh, now=NOW, today=TODAY, policy=w.policy))
    assert (u.kind, u.requested_due) == ("extension", None)
    assert (await get(ctx, ExtensionRequest, r.extension_id)).status == "refused"


async def test_an_undo_a_later_answer_would_contradict_is_refused(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    mine = await record(w, w.minh, aid, kind="progress", progress=20, now=NOW)
    await record(w, w.tuan, aid, kind="progress", progress=50, now=NOW)  # same second, later row
    await record(w, w.tuan, aid, kind="note", now=NOW + timedelta(seconds=1))  # and one more
    e = await refused(ctx, lambda s: ci.undo_last(s, w.minh, now=NOW, today=TODAY, policy=w.policy))
    assert e.code == "superseded"
    await tx(ctx, lambda s: ci.undo_last(s, w.tuan, now=NOW, today=TODAY, policy=w.policy))  # the note
    async with ctx.sessions() as s:
        row = await s.get(CheckIn, mine.checkin_id)
        newer = await ci.newer_answer_on(s, row)
        assert newer is not None and newer.member_id == w.tuan.id
    # once the later answer is undone, the earlier one can be
    await tx(ctx, lambda s: ci.undo_last(s, w.tuan, now=NOW, today=TODAY, policy=w.policy))
    u = await tx(ctx, lambda s: ci.undo_last(s, w.minh, now=NOW, today=TODAY, policy=w.policy))
    assert (u.kind, u.task.progress, u.task.status) == ("progress", 0, "open")


async def test_newer_answer_on_ignores_older_rows_and_other_assignments(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    other = (await w.task("2", date(2026, 3, 20)))[NV]
    async with ctx.sessions() as s:
        same_time_earlier_row = CheckIn(assignment_id=aid, member_id=w.tuan.id, status="note",
                                        created_at=NOW + timedelta(seconds=1))
        s.add(same_time_earlier_row)
        await s.flush()
        mine = CheckIn(assignment_id=aid, member_id=w.minh.id, status="note", created_at=NOW + timedelta(seconds=1))
        s.add(mine)
        await s.flush()
        s.add(CheckIn(assignment_id=other, member_id=w.tuan.id, status="note", created_at=NOW + timedelta(seconds=2)))
        s.add(CheckIn(assignment_id=aid, member_id=w.tuan.id, status="note", created_at=NOW + timedelta(seconds=3),
                      undone_at=NOW))
        await s.commit()
    async with ctx.sessions() as s:
        assert await ci.newer_answer_on(s, mine) is None
        s.add(CheckIn(assignment_id=aid, member_id=w.tuan.id, status="note", created_at=NOW))  # later row, older time
        await s.flush()
        assert await ci.newer_answer_on(s, mine) is None


async def test_last_checkin_is_the_newest_standing_answer_of_the_member(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    async with ctx.sessions() as s:
        a = CheckIn(assignment_id=aid, member_id=w.minh.id, status="note", created_at=NOW, message_id=10)
        b = CheckIn(assignment_id=aid, member_id=w.minh.id, status="note", created_at=NOW - timedelta(minutes=1),
                    message_id=10)
        s.add_all([a, b])
        await s.flush()
        c = CheckIn(assignment_id=aid, member_id=w.minh.id, status="note", created_at=NOW, message_id=11)
        s.add_all([c, CheckIn(assignment_id=None, member_id=w.minh.id, status="note",
                              created_at=NOW + timedelta(minutes=1)),
                   CheckIn(assignment_id=aid, member_id=w.minh.id, status="note",
                           created_at=NOW + timedelta(minutes=2), undone_at=NOW),
                   CheckIn(assignment_id=aid, member_id=w.tuan.id, status="note",
                           created_at=NOW + timedelta(minutes=3), message_id=11)])
        await s.flush()
        s.add(CheckIn(assignment_id=aid, member_id=w.minh.id, status="note", created_at=NOW - timedelta(minutes=5)))
        await s.commit()
    async with ctx.sessions() as s:
        assert (await ci.last_checkin(s, w.minh)).id == c.id
        assert await ci.last_checkin(s, w.hoa) is None
        assert (await ci.checkin_of_message(s, w.minh, 10)).id == b.id
        assert (await ci.checkin_of_message(s, w.minh, 11)).id == c.id
        assert await ci.checkin_of_message(s, w.minh, 12) is None


def test_undoable_within_the_window_only():
    row = CheckIn(created_at=NOW, undone_at=None)
    assert ci.undoable(row, NOW + timedelta(minutes=10)) is True
    assert ci.undoable(row, NOW + timedelta(minutes=10, microseconds=1)) is False
    assert ci.undoable(row, NOW + timedelta(minutes=3), timedelta(minutes=2)) is False
    assert ci.undoable(None, NOW) is False
    assert ci.undoable(CheckIn(created_at=NOW, undone_at=NOW), NOW) is False


async def test_undo_last_of_someone_with_nothing_to_undo(ctx):
    w = await world(ctx)
    assert await tx(ctx, lambda s: ci.undo_last(s, w.minh, now=NOW, today=TODAY, policy=w.policy)) is None


async def test_undo_in_a_shorter_window(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    await record(w, w.minh, aid, kind="blocked")
    assert await tx(ctx, lambda s: ci.undo_last(s, w.minh, now=NOW + timedelta(minutes=3), today=TODAY,
                                                policy=w.policy, window=timedelta(minutes=2))) is None
    u = await tx(ctx, lambda s: ci.undo_last(s, w.minh, now=NOW + timedelta(minutes=3), today=TODAY,
                                             policy=w.policy, window=timedelta(minutes=4)))
    assert u.kind == "blocked"


# --- files ------------------------------------------------------------------------------------------------


def test_check_file_before_download():
    allowed = {"pdf", "docx"}
    assert ci.check_file("Báo cáo.PDF", 10, max_bytes=10, allowed=allowed) == ci.FileCheck(True, "", "pdf")
    assert ci.check_file("a.pdf", 11, max_bytes=10, allowed=allowed) == ci.FileCheck(False, "too_big", "pdf")
    assert ci.check_file("a.exe", 11, max_bytes=10, allowed=allowed) == ci.FileCheck(False, "too_big", "exe")
    assert ci.check_file("a.exe", 1, max_bytes=10, allowed=allowed) == ci.FileCheck(False, "type", "exe")
    assert ci.check_file("a.docx", None, max_bytes=10, allowed=allowed) == ci.FileCheck(True, "", "docx")
    assert ci.check_file(None, None, max_bytes=10, allowed=allowed) == ci.FileCheck(False, "type", "")
    assert ci.check_file(None, None, max_bytes=10, allowed=allowed | {""}) == ci.FileCheck(True, "", "")


async def test_keep_file_stores_once_and_reuses_a_replayed_file(ctx):
    w = await world(ctx)
    later = NOW + timedelta(minutes=1)

    async def keep(**kw):
        args = dict(content=b"%PDF-1.4 report", name="Báo cáo/quý I.pdf", mime_type="application/pdf",
                    file_id="F" * 301, now=NOW)
        args.update(kw)
        return await tx(ctx, lambda s: ci.keep_file(s, ctx.attachments, w.minh, **args))

    att = await keep(media_group_id="g1")
    assert (att.member_id, att.file_id, att.file_name, att.mime_type, att.size, att.media_group_id, att.created_at) == (
        w.minh.id, "F" * 300, "quý I.pdf", "application/pdf", 15, "g1", NOW)
    assert att.checkin_id is None and ctx.attachments.read(att.stored_path) == b"%PDF-1.4 report"
    again = await keep(now=later)  # the update replayed after a kill
    assert again.id == att.id and again.created_at == NOW
    other = await keep(file_id="G", mime_type="x/" + "y" * 200, now=later)  # an odd MIME type is dropped
    assert other.id != att.id and other.mime_type is None and other.file_id == "G"
    changed = await keep(content=b"%PDF-1.4 v2", now=later)  # same file id, other bytes
    assert changed.id not in (att.id, other.id) and changed.size == 11
    await record(w, w.minh, (await w.task("1", date(2026, 3, 20)))[NV], kind="file", attachment_ids=[att.id])
    linked_again = await keep(now=later)  # the same file sent again after it was recorded: a new row
    assert linked_again.id not in (att.id, other.id, changed.id) and linked_again.created_at == later
    theirs = await tx(ctx, lambda s: ci.keep_file(s, ctx.attachments, w.hoa, content=b"%PDF-1.4 report",
                                                  name="a.pdf", mime_type=None, file_id="F" * 301, now=later))
    assert theirs.member_id == w.hoa.id and theirs.id != linked_again.id and theirs.mime_type is None


# --- the member ------------------------------------------------------------------------------------------------


async def test_leave_is_stored_and_shown_on_the_members_copy(ctx):
    w = await world(ctx)
    await tx(ctx, lambda s: ci.set_leave(s, w.minh, date(2026, 3, 25)))
    assert w.minh.on_leave_until == date(2026, 3, 25)
    assert (await get(ctx, Member, w.minh.id)).on_leave_until == date(2026, 3, 25)
    await tx(ctx, lambda s: ci.set_leave(s, w.minh, None))
    assert (await get(ctx, Member, w.minh.id)).on_leave_until is None and w.minh.on_leave_until is None


@pytest.mark.parametrize("days,expected", [(3, date(2026, 3, 19)), (5, date(2026, 3, 23)), (0, date(2026, 3, 17)),
                                           (-4, date(2026, 3, 17)), (14, date(2026, 4, 3)),
                                           (40, date(2026, 4, 3)), ("2", date(2026, 3, 18))])
async def test_snooze_is_working_days_from_today_for_that_member_only(ctx, days, expected):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 4, 30)))[NV]
    until = await tx(ctx, lambda s: ci.snooze_assignment(s, w.minh, aid, days=days, today=TODAY, policy=w.policy))
    assert until == datetime(expected.year, expected.month, expected.day, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội
    [row] = await rows(ctx, ScheduledReminder, ScheduledReminder.member_id.is_not(None))
    assert (row.assignment_id, row.member_id, row.kind, row.fire_at, row.done) == (aid, w.minh.id, "snooze",
                                                                                    until, False)


async def test_no_snooze_on_a_closed_assignment(ctx):
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    await record(w, w.minh, aid, kind="done")
    e = await refused(ctx, lambda s: ci.snooze_assignment(s, w.minh, aid, days=1, today=TODAY, policy=w.policy))
    assert e.code == "closed"
    e = await refused(ctx, lambda s: ci.snooze_assignment(s, w.hoa, aid, days=1, today=TODAY, policy=w.policy))
    assert e.code == "not_yours"


# --- one-time button presses --------------------------------------------------------------------------------------


async def test_a_button_press_is_claimed_once_and_old_claims_expire(ctx):
    await world(ctx)
    assert await tx(ctx, lambda s: ci.claim_press(s, 42, 7, NOW)) is True
    assert await tx(ctx, lambda s: ci.claim_press(s, 42, 7, NOW)) is False
    assert await tx(ctx, lambda s: ci.claim_press(s, 42, 8, NOW)) is True
    assert await tx(ctx, lambda s: ci.claim_press(s, 43, 7, NOW)) is True
    keys = [r.key for r in await rows(ctx, ConversationState, order=ConversationState.key)]
    assert keys == ["press:42:7", "press:42:8", "press:43:7"]
    async with ctx.sessions() as s:  # a conversation state is not a press: never expired here
        s.add(ConversationState(key="telegram:1:checkin", data={"a": 1}, updated_at=NOW - timedelta(days=30)))
        await s.commit()
    # exactly two days later the claim still holds; a moment after, it has expired
    assert await tx(ctx, lambda s: ci.claim_press(s, 1, 1, NOW + timedelta(days=2))) is True
    assert await tx(ctx, lambda s: ci.claim_press(s, 42, 7, NOW + timedelta(days=2))) is False
    assert await tx(ctx, lambda s: ci.claim_press(s, 2, 2, NOW + timedelta(days=2, seconds=1))) is True
    keys = [r.key for r in await rows(ctx, ConversationState, order=ConversationState.key)]
    assert keys == ["press:1:1", "press:2:2", "telegram:1:checkin"]
    assert await tx(ctx, lambda s: ci.claim_press(s, 42, 7, NOW + timedelta(days=2, seconds=1))) is True


# --- a pending answer ------------------------------------------------------------------------------------


def test_a_pending_answer_survives_json():
    p = Pending(kind="extension", progress=30, new_due=date(2026, 4, 10), reason="Chờ số liệu", text="gia hạn",
                attachment_ids=[3, 4], message_id=99)
    d = p.to_json()
    assert d == {"kind": "extension", "progress": 30, "new_due": "2026-04-10", "reason": "Chờ số liệu",
                 "text": "gia hạn", "attachment_ids": [3, 4], "message_id": 99}
    assert Pending.from_json(d) == p
    assert Pending.from_json({"attachment_ids": ["5"]}) == Pending(kind="note", attachment_ids=[5])
    assert Pending(kind="done").to_json()["new_due"] is None
    assert Pending.from_json({"kind": "done", "new_due": None}).new_due is None
    assert Pending.from_json({}) == Pending(kind="note", progress=None, new_due=None, reason="", text="",
                                            attachment_ids=[], message_id=None)


async def test_undoing_an_extension_withdraws_only_the_members_own_request_on_that_task(ctx):
    """Rows as older versions left them (two pending requests of one member, a colleague's
    pending request): the undo withdraws the member's newest on that task, nothing else,
    and the last report is the newest answer still standing by time, not by row."""
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    other = (await w.task("2", date(2026, 3, 20)))[NV]
    async with ctx.sessions() as s:
        mine_old = ExtensionRequest(assignment_id=aid, member_id=w.minh.id, requested_due=date(2026, 3, 27))
        mine_new = ExtensionRequest(assignment_id=aid, member_id=w.minh.id, requested_due=date(2026, 4, 3))
        colleague = ExtensionRequest(assignment_id=aid, member_id=w.tuan.id, requested_due=date(2026, 4, 6))
        elsewhere = ExtensionRequest(assignment_id=other, member_id=w.minh.id, requested_due=date(2026, 4, 9))
        s.add_all([mine_old, mine_new, colleague, elsewhere])
        await s.flush()
        s.add(CheckIn(assignment_id=aid, member_id=w.tuan.id, status="note", created_at=NOW - timedelta(minutes=1)))
        await s.flush()
        s.add(CheckIn(assignment_id=aid, member_id=w.tuan.id, status="note", created_at=NOW - timedelta(minutes=3)))
        await s.flush()
        s.add(CheckIn(assignment_id=aid, member_id=w.minh.id, status="extension", previous_status="open",
                      previous_progress=0, created_at=NOW, progress=0))
        await s.commit()
    u = await tx(ctx, lambda s: ci.undo_last(s, w.minh, now=NOW, today=TODAY, policy=w.policy))
    assert (u.kind, u.requested_due) == ("extension", date(2026, 4, 3))
    status = {x.id: x.status for x in await rows(ctx, ExtensionRequest)}
    assert status == {mine_old.id: "pending", mine_new.id: "withdrawn", colleague.id: "pending",
                      elsewhere.id: "pending"}
    assert (await get(ctx, Assignment, aid)).last_checkin_at == NOW - timedelta(minutes=1)


# --- an update handled again after a kill ----------------------------------------------------------


def handling(key: str | None):
    """Run what follows as the handling of one incoming update (what the inbox sets)."""
    return _UpdateKey(key)


class _UpdateKey:
    def __init__(self, key: str | None) -> None:
        self.key = key

    def __enter__(self):
        self.token = current_update_key.set(self.key)

    def __exit__(self, *exc):
        current_update_key.reset(self.token)


async def test_an_update_handled_again_records_its_answers_once_and_gives_the_same_receipts(ctx):
    """A kill between the handler's commit and the inbox mark: the update is handled again
    at the next start. Its "done", its file and its progress are not recorded twice; its
    receipts are what the first handling answered. Another update's answer is recorded."""
    w = await world(ctx)
    ids = await w.task("1", date(2026, 3, 20))
    two = await w.task("2", date(2026, 3, 25))
    later = NOW + timedelta(minutes=3)

    async def keep(now):
        return await tx(ctx, lambda s: ci.keep_file(s, ctx.attachments, w.minh, content=b"%PDF-1.4 quy I",
                                                    name="bc.pdf", mime_type="application/pdf", file_id="FQ", now=now))

    with handling("telegram:501:aaaa"):
        att = await keep(NOW)
        first = await record(w, w.minh, ids[NV], kind="done", attachment_ids=[att.id], text="xong", message_id=7)
    with handling("telegram:501:aaaa"):  # the replay, three minutes later
        att_again = await keep(later)
        again = await record(w, w.minh, ids[NV], kind="done", attachment_ids=[att_again.id], text="xong",
                             message_id=7, now=later)
    assert att_again.id == att.id
    assert again == first and first.task_closed and first.files == (FileLine("bc.pdf", 14),)
    assert [(c.status, c.update_key) for c in await rows(ctx, CheckIn)] == [("done", "telegram:501:aaaa")]
    assert (await get(ctx, Assignment, ids[NV])).done_at == NOW

    with handling("telegram:502:bbbb"):
        p1 = await record(w, w.minh, two[NV], kind="progress", progress=40)
    with handling("telegram:502:bbbb"):
        p2 = await record(w, w.minh, two[NV], kind="progress", progress=40, now=later)
    with handling("telegram:503:cccc"):  # the next message, not a replay
        p3 = await record(w, w.minh, two[NV], kind="progress", progress=60, now=later)
    with handling(None):  # not from the inbox (a test, a job): nothing to find
        p4 = await record(w, w.minh, two[NV], kind="progress", progress=70, now=later)
    assert p2 == p1 and (p1.kind, p1.progress, p1.at) == ("progress", 40, NOW)
    assert p3.checkin_id not in (p1.checkin_id,) and p4.checkin_id != p3.checkin_id
    cis = await rows(ctx, CheckIn, CheckIn.assignment_id == two[NV])
    assert [(c.progress, c.update_key) for c in cis] == [(40, "telegram:502:bbbb"), (60, "telegram:503:cccc"),
                                                        (70, None)]


async def test_an_extension_asked_again_by_a_replayed_update_is_asked_once(ctx):
    """The replayed request gets the first one's receipt; the first request is not superseded
    by a copy of itself. Its file (same update, same task) is recorded once beside it."""
    w = await world(ctx)
    aid = (await w.task("1", date(2026, 3, 20)))[NV]
    att = await attachment(ctx, w.minh, "ke_hoach.docx", 9)

    async def ask(now):
        r = await tx(ctx, lambda s: ci.request_extension(s, w.minh, aid, new_due=date(2026, 4, 10),
                                                         reason="Chờ số liệu", now=now, today=TODAY))
        f = await record(w, w.minh, aid, kind="file", attachment_ids=[att], now=now)
        return r, f

    with handling("telegram:9:dddd"):
        first = await ask(NOW)
    with handling("telegram:9:dddd"):
        again = await ask(NOW + timedelta(minutes=2))
    assert again == first and first[0].extension_id is not None and first[0].requested_due == date(2026, 4, 10)
    assert first[0].reason == "Chờ số liệu" and first[1].files == (FileLine("ke_hoach.docx", 9),)
    assert [(x.status, x.requested_due) for x in await rows(ctx, ExtensionRequest)] == [
        ("pending", date(2026, 4, 10))]
    assert [c.status for c in await rows(ctx, CheckIn)] == ["extension", "file"]


async def test_what_a_replayed_update_finds_is_its_own_answer_on_that_task_by_that_member(ctx):
    """The lookups a replay relies on, each bound to the update's key, the assignment and the
    member: another update, another task, another member or another request finds nothing."""
    w = await world(ctx)
    a = (await w.task("1", date(2026, 3, 20), lead=(NV, TC)))[NV]
    b = (await w.task("2", date(2026, 3, 25)))[NV]
    c = (await w.task("3", date(2026, 3, 25)))[NV]
    later = NOW + timedelta(minutes=5)

    async def ask(who, aid, key, now, due=date(2026, 4, 10)):
        with handling(key):
            return await tx(ctx, lambda s: ci.request_extension(s, who, aid, new_due=due, reason=key, now=now,
                                                                today=TODAY))

    async def found(who, aid, key):
        with handling(key):
            return await tx(ctx, lambda s: ci.receipt_of_update(s, who, aid)), \
                await tx(ctx, lambda s: ci.assignment_answered_by_update(s, who))

    with handling("k-done"):
        done = await record(w, w.minh, a, kind="done")  # one lead unit of two: the task stays open
    with handling("k-done"):
        again = await record(w, w.minh, a, kind="done", now=later)
        other_task = await record(w, w.minh, b, kind="progress", progress=10)  # same update, other task
    assert again == done and not done.task_closed and other_task.checkin_id != done.checkin_id
    assert await found(w.minh, a, "k-done") == (done, a)
    assert (await found(w.minh, b, "k-done"))[0] == other_task
    assert await found(w.tuan, a, "k-done") == (None, None)  # not his answer
    assert await found(w.minh, a, "k-none") == (None, None)
    assert await found(w.minh, a, None) == (None, None)

    first = await ask(w.minh, b, "k-ask-1", NOW)
    await ask(w.minh, c, "k-ask-c", NOW)  # same member, same instant, other task
    await ask(w.tuan, b, "k-ask-2", NOW)  # same task, same instant, other member
    await ask(w.minh, b, "k-ask-3", later, due=date(2026, 4, 20))  # same member and task, later
    assert (await ask(w.minh, b, "k-ask-1", later)) == first
    receipt, aid = await found(w.minh, b, "k-ask-1")
    assert (receipt, aid) == (first, b) and first.extension_id is not None and first.reason == "k-ask-1"


async def test_a_replayed_file_finds_the_row_its_first_handling_kept_newest_first(ctx):
    """Cut before its check-in, the update left its file unlinked: the replay takes that row,
    the newest of two alike, and not a new one."""
    w = await world(ctx)

    async def keep(now):
        with handling("k-file"):
            return await tx(ctx, lambda s: ci.keep_file(s, ctx.attachments, w.minh, content=b"%PDF-1.4 x",
                                                        name="a.pdf", mime_type=None, file_id="FX", now=now))

    older = await keep(NOW)
    async with ctx.sessions() as s:  # the same file sent once more before, also unlinked
        s.add(Attachment(member_id=w.minh.id, file_id="FX", file_name="a.pdf", size=10, sha256=older.sha256,
                         stored_path=older.stored_path, created_at=NOW + timedelta(minutes=1)))
        await s.commit()
    newest = (await rows(ctx, Attachment))[-1]
    assert (await keep(NOW + timedelta(minutes=2))).id == newest.id != older.id
    assert len(await rows(ctx, Attachment)) == 2
