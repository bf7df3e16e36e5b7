"""Storage round trips on every configured backend."""

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storage.models import Assignment, Member, Plan, ReminderLog, Task, Unit


async def test_a_plan_with_tasks_and_assignments_round_trips(ctx):
    async with ctx.sessions() as s:
        unit = Unit(name="Phòng Nội vụ", key="phong noi vu")
        plan = Plan(title="Chương trình công tác 2023", title_key="ct 2023", year=2023)
        task = Task(plan=plan, code="I.1", title="Tổng kết năm", due_date=date(2023, 3, 15))
        s.add_all([unit, plan, task])
        await s.flush()
        s.add(Assignment(task_id=task.id, unit_id=unit.id, role="lead", due_date=task.due_date))
        await s.commit()
    async with ctx.sessions() as s:
        a = (await s.execute(select(Assignment))).scalar_one()
        assert a.task.code == "I.1" and a.unit.name == "Phòng Nội vụ" and a.due_date == date(2023, 3, 15)
        assert a.created_at.tzinfo is not None


async def test_timestamps_come_back_as_aware_utc(ctx):
    when = datetime(2023, 3, 1, 1, 0, tzinfo=timezone.utc)
    async with ctx.sessions() as s:
        s.add(Member(user_id=1, chat_id=1, full_name="A", unreachable_since=when))
        await s.commit()
    async with ctx.sessions() as s:
        m = (await s.execute(select(Member))).scalar_one()
        assert m.unreachable_since == when


async def test_reminder_log_refuses_a_second_claim(ctx):
    async with ctx.sessions() as s:
        unit = Unit(name="U", key="u")
        plan = Plan(title="P", title_key="p", year=2023)
        task = Task(plan=plan, code="1", title="T")
        member = Member(user_id=7, chat_id=7, full_name="M", unit=unit)
        s.add_all([unit, plan, task, member])
        await s.flush()
        a = Assignment(task_id=task.id, unit_id=unit.id)
        s.add(a)
        await s.flush()
        s.add(ReminderLog(assignment_id=a.id, member_id=member.id, kind="due_today"))
        await s.commit()
        s.add(ReminderLog(assignment_id=a.id, member_id=member.id, kind="due_today"))
        with pytest.raises(IntegrityError):
            await s.commit()


def test_the_migrations_build_exactly_the_models(sqlite_template):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from storage.models import Base

    engine = create_engine(f"sqlite:///{sqlite_template}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_sqlite_runs_in_wal_mode(sqlite_template, tmp_path):
    import asyncio

    from sqlalchemy import text

    from storage.db import create_engine

    async def mode():
        eng = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'w.sqlite3'}")
        async with eng.connect() as c:
            jm = (await c.execute(text("PRAGMA journal_mode"))).scalar_one()
            fk = (await c.execute(text("PRAGMA foreign_keys"))).scalar_one()
        await eng.dispose()
        return jm, fk

    assert asyncio.run(mode()) == ("wal", 1)
