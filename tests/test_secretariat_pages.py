"""Paged views never drop a line: every item of /quahan, /sapden, /tiendo, /nhiemvu and
/donvi appears on exactly one page, and what the header counts is what the pages list —
followed page by page with the ▶ button, through the sandbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from bot.plan_import.model import ParsedTask
from storage.models import Assignment, ReminderLog, Task
from tests.harness import buttons

TODAY = datetime(2026, 3, 16, 9, 0)  # a Monday, local
LONG = "Xây dựng và triển khai kế hoạch nâng cao năng lực quản lý nhà nước về công tác dân vận trên địa bàn, nội dung "
ITEM = re.compile(r"^(?:•|⚠️) \[([^\]]+)\]", re.M)


def at(ctx, dt: datetime = TODAY) -> None:
    ctx.clock.set(dt.replace(tzinfo=ctx.settings.tz))


async def all_pages(harness, who, first: dict) -> list[str]:
    """The text of every page of a paged answer, pressing ▶ until there is none."""
    pages, msg = [first["text"]], first
    while True:
        nxt = [data for text, data in buttons(msg) if text == "▶"]
        if not nxt:
            return pages
        n = len(pages) + 1
        await harness.sandbox.press_button(who.user_id, msg["message_id"], nxt[0])
        msg = await harness.sandbox.wait_for_message(
            who.user_id, lambda m, n=n: m["message_id"] == first["message_id"] and f"Trang {n}/" in m["text"])
        assert len(msg["text"]) <= 4096
        pages.append(msg["text"])


def codes_on(pages: list[str]) -> Counter:
    return Counter(code for page in pages for code in ITEM.findall(page))


async def test_quahan_one_unit_with_sixty_overdue_tasks_lists_each_once(harness, ctx):
    at(ctx)
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    await harness.plan([ParsedTask(code=f"{i}", title=LONG + str(i), due=date(2026, 2, 1) + timedelta(days=i % 40),
                                   lead=["Phòng Văn hóa"]) for i in range(1, 61)], year=2026, today=date(2026, 1, 5))
    pages = await all_pages(harness, lan, await harness.say(lan, "/quahan"))
    assert len(pages) >= 3
    seen = codes_on(pages)
    assert set(seen.values()) == {1}, "a task listed on two pages"
    assert set(seen) == {str(i) for i in range(1, 61)}, "a task on no page"
    for page in pages:  # the header's count agrees with the list, on every page
        assert "60 phân công ở 1 đơn vị" in page
    assert "🏢 Phòng Văn hóa (60):" in pages[0]
    assert all("🏢 Phòng Văn hóa (60) (tiếp)" in p for p in pages[1:])
    narrowed = await all_pages(harness, lan, await harness.say(lan, "/quahan van hoa"))
    assert codes_on(narrowed) == seen


async def test_sapden_tiendo_and_donvi_pages_hold_every_line_once(harness, ctx):
    at(ctx)
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    units = [f"Ủy ban nhân dân phường số {i:03d} thuộc thành phố" for i in range(1, 121)]
    tasks = [ParsedTask(code=f"U{i}", title=LONG + str(i), due=date(2026, 3, 17) + timedelta(days=i % 20),
                        lead=[units[0]]) for i in range(1, 71)]
    tasks += [ParsedTask(code=f"P{i}", title=f"Báo cáo sơ kết {i}", due=date(2026, 6, 30), lead=[u])
              for i, u in enumerate(units[1:], 2)]
    await harness.plan(tasks, year=2026, today=date(2026, 3, 2))

    up = await all_pages(harness, lan, await harness.say(lan, "/sapden 30"))
    seen = codes_on(up)
    assert len(up) >= 2 and set(seen.values()) == {1} and set(seen) == {f"U{i}" for i in range(1, 71)}
    assert all("70 nhiệm vụ" in p for p in up)

    progress = await all_pages(harness, lan, await harness.say(lan, "/tiendo đơn vị"))
    lines = Counter(m for p in progress for m in re.findall(r"^• (Ủy ban nhân dân phường số \d+)", p, re.M))
    assert len(progress) >= 2 and set(lines.values()) == {1}
    assert set(lines) == {u.replace(" thuộc thành phố", "") for u in units}
    assert all(p.count("Toàn bộ: 189") == 1 for p in progress)

    unit = await all_pages(harness, lan, await harness.say(lan, f"/donvi {units[0]}"))
    seen = codes_on(unit)
    assert len(unit) >= 2 and set(seen.values()) == {1} and set(seen) == {f"U{i}" for i in range(1, 71)}
    assert all("Nhiệm vụ đang mở: 70" in p for p in unit)


async def test_nhiemvu_with_many_reminders_lists_each_once(harness, ctx):
    at(ctx)
    lan = await harness.person(1001, "Chị Lan", role="secretariat")
    minh = await harness.person(2001, "Anh Minh", unit="Sở Tài chính")
    await harness.plan([ParsedTask(code="1", title=LONG, due=date(2026, 1, 10), lead=["Sở Tài chính"])],
                       year=2026, today=date(2026, 1, 2))
    async with ctx.sessions() as s:
        a = (await s.execute(select(Assignment).join(Task).where(Task.code == "1"))).scalar_one()
        start = datetime(2026, 1, 11, 2, 0, tzinfo=timezone.utc)
        for i in range(1, 91):
            s.add(ReminderLog(assignment_id=a.id, member_id=minh.member_id, kind=f"overdue_{i}@2026-01-10",
                              status="sent", claimed_at=start + timedelta(hours=i), sent_at=start + timedelta(hours=i)))
        await s.commit()
    pages = await all_pages(harness, lan, await harness.say(lan, "/nhiemvu 1"))
    seen = Counter(int(n) for p in pages for n in re.findall(r"quá hạn \(lần (\d+)\)", p))
    assert len(pages) >= 2 and set(seen.values()) == {1} and set(seen) == set(range(1, 91))
    assert all("Tin nhắc (90)" in p for p in pages)
