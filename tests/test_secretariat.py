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
    ], year=2026, today=date(2026, 3, 16))
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
