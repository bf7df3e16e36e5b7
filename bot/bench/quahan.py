"""``dondoc bench quahan [--tasks 5000] [--units 300] [--db URL] [--runs 30]``

A database with that many tasks over that many units (one lead and one coordinating unit
per task, due dates spread over a year around "today", a third of the past ones still
open, some reminders sent and check-ins made), bulk-inserted; then timed runs of what
/quahan does at service level: the overdue query, the grouping, the Vietnamese text cut
into pages (no Telegram).

Prints one JSON line: {"tasks", "units", "overdue", "pages", "median_ms", "p95_ms", ...}.
Without --db a temporary SQLite file is used; with a PostgreSQL URL the tables there are
emptied and refilled (use a scratch database).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

TODAY = date(2025, 9, 15)  # fixed so figures compare between runs
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SPREAD_DAYS = 365


def _rows(n_tasks: int, n_units: int):
    """(units, tasks, assignments, reminder_log, members, checkins) as tuples, ids assigned here."""
    created = datetime(2025, 1, 2, 1, 0, tzinfo=timezone.utc)
    start = TODAY - timedelta(days=SPREAD_DAYS // 2)
    units = [(u, f"Đơn vị số {u}", f"don vi so {u}", created) for u in range(1, n_units + 1)]
    members = [(u, "telegram", 100000 + u, 100000 + u, f"Cán bộ {u}", u, "member", True, True, created)
               for u in range(1, n_units + 1)]
    tasks, assigns, logs, checkins = [], [], [], []
    aid = 0
    for t in range(1, n_tasks + 1):
        due = start + timedelta(days=t % SPREAD_DAYS)
        past = due < TODAY
        status = "done" if past and t % 3 else "open"
        tasks.append((t, 1, f"{t}", f"Nhiệm vụ số {t}: triển khai nội dung công tác theo kế hoạch năm", due,
                      status, "", t, created))
        for k, role in enumerate(("lead", "support")):
            aid += 1
            unit = 1 + (t * 7 + k * 131) % n_units
            done_at = datetime.combine(due, datetime.min.time(), timezone.utc) if status == "done" else None
            last = created + timedelta(days=t % 200) if t % 4 == 0 else None
            assigns.append((aid, t, unit, role, "done" if status == "done" else "open", 0, due, done_at, last,
                            created))
            if past and role == "lead":
                logs.append((aid, unit, f"overdue_1@{due.isoformat()}", "sent", "bench", created, created, 1))
            if last is not None:
                checkins.append((aid, unit, "progress", 50, "", last))
    return units, members, tasks, assigns, logs, checkins


async def build(url: str, n_tasks: int, n_units: int) -> dict:
    from sqlalchemy import insert, text

    from storage.db import create_engine
    from storage.models import Assignment, Base, CheckIn, Member, Plan, ReminderLog, Task, Unit

    units, members, tasks, assigns, logs, checkins = _rows(n_tasks, n_units)
    engine = create_engine(url)
    t0 = time.perf_counter()
    async with engine.begin() as c:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            await c.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        created = units[0][3]
        await c.execute(insert(Plan), [dict(id=1, title="Chương trình công tác (bench)", title_key="bench",
                                            year=TODAY.year, created_at=created, updated_at=created)])
        await c.execute(insert(Unit), [dict(id=i, name=n, key=k, created_at=at) for i, n, k, at in units])
        await c.execute(insert(Member), [dict(id=i, channel=ch, user_id=uid, chat_id=cid, full_name=n, unit_id=u,
                                              role=r, reachable=re, active=a, created_at=at)
                                         for i, ch, uid, cid, n, u, r, re, a, at in members])
        await c.execute(insert(Task), [dict(id=i, plan_id=p, code=code, title=ti, due_date=d, status=st, notes=no,
                                            source_line=sl, created_at=at)
                                       for i, p, code, ti, d, st, no, sl, at in tasks])
        await c.execute(insert(Assignment), [dict(id=i, task_id=t, unit_id=u, role=r, status=st, progress=pr,
                                                  due_date=d, done_at=da, last_checkin_at=la, created_at=at)
                                             for i, t, u, r, st, pr, d, da, la, at in assigns])
        await c.execute(insert(ReminderLog), [dict(assignment_id=a, member_id=m, kind=k, status=st, claimed_by=cb,
                                                   claimed_at=ca, sent_at=sa, message_id=mi)
                                              for a, m, k, st, cb, ca, sa, mi in logs])
        await c.execute(insert(CheckIn), [dict(assignment_id=a, member_id=m, status=st, progress=p, text=tx,
                                               created_at=at) for a, m, st, p, tx, at in checkins])
        if engine.dialect.name == "postgresql":
            for seq, table in (("units_id_seq", "units"), ("members_id_seq", "members"), ("tasks_id_seq", "tasks"),
                               ("assignments_id_seq", "assignments"), ("plans_id_seq", "plans")):
                await c.execute(text(f"SELECT setval('{seq}', (SELECT max(id) FROM {table}))"))
            await c.execute(text("ANALYZE"))
        else:
            await c.execute(text("ANALYZE"))
    await engine.dispose()
    return {"assignments": len(assigns), "reminders": len(logs), "checkins": len(checkins),
            "build_seconds": round(time.perf_counter() - t0, 2)}


async def time_quahan(url: str, runs: int) -> dict:
    from bot.services.reports import overdue_report, render_overdue
    from storage.db import create_engine, make_sessionmaker

    engine = create_engine(url)
    sessions = make_sessionmaker(engine)
    times, pages, overdue = [], [], 0
    try:
        for i in range(runs + 1):
            async with sessions() as s:
                t0 = time.perf_counter()
                rep = await overdue_report(s, TODAY, TZ)
                pages = render_overdue(rep)
                ms = (time.perf_counter() - t0) * 1000
            overdue = rep.total
            if i:  # the first run warms caches
                times.append(ms)
    finally:
        await engine.dispose()
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    listed = sum(1 for page in pages for line in page.splitlines() if line.startswith("• ["))
    return {"overdue": overdue, "listed": listed, "pages": len(pages), "max_page_chars": max(len(p) for p in pages),
            "median_ms": round(statistics.median(times), 2), "p95_ms": round(p95, 2)}


def run(n_tasks: int, n_units: int, db_url: str | None, runs: int) -> dict:
    from storage.db import upgrade

    tmp = None
    if db_url is None:
        tmp = Path(tempfile.mkdtemp(prefix="dondoc-bench-quahan-")) / "quahan.sqlite3"
        db_url = f"sqlite+aiosqlite:///{tmp}"
    upgrade(db_url)
    built = asyncio.run(build(db_url, n_tasks, n_units))
    res = asyncio.run(time_quahan(db_url, runs))
    if tmp is not None:
        for p in tmp.parent.glob("quahan.sqlite3*"):
            p.unlink()
        tmp.parent.rmdir()
    return {"tasks": n_tasks, "units": n_units, **res, "runs": runs, "today": TODAY.isoformat(),
            "backend": "postgresql" if db_url.startswith("postgresql") else "sqlite", **built}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="dondoc bench quahan", description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=5000)
    ap.add_argument("--units", type=int, default=300)
    ap.add_argument("--db", "--db-url", dest="db", default=None,
                    help="a scratch database URL (default: a temporary SQLite file)")
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args(argv)
    print(json.dumps(run(args.tasks, args.units, args.db, args.runs), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
