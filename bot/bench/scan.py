"""``dondoc bench scan --tasks 10000,100000,1000000 [--db URL]``

For each size: a database with that many tasks (4 assignments each — one lead, three
coordinating units — due dates spread over a year around "today", reminders
materialised as the product leaves them: the past ones done, the coming ones pending,
the next overdue level of the open overdue ones), one reachable member per unit,
bulk-inserted. Then the median of real scanner passes (``scan_once``: take-overs, claim,
recipients, bookkeeping, next overdue level, hand-off to a null messenger, marking sent)
with ``--due`` reminders due (100) — the same work at every size, so the figures show
what the table size costs — and, at ``--big-size`` (100k), a pass over 1,500 due
reminders (a full pass: 3 batches of 500). Each run starts from the same state.

Prints one JSON line: {"sizes": [{"tasks", "pass_ms_median", "due", ...}], "pass_1500_ms"}.
Without --db each size gets a temporary SQLite file; with a PostgreSQL URL the
tables there are emptied and refilled (use a scratch database).
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

from bot.reminders.policy import ReminderPolicy, next_overdue, overdue_kind, reminder_times

TODAY = date(2025, 3, 10)  # a Monday; fixed so figures compare between runs
ASSIGNMENTS_PER_TASK = 4
UNITS = 200
CHUNK = 50_000
SPREAD_DAYS = 365
PAST_OPEN_SHARE = 10  # 1 in 10 past-due assignments still open (the rest done)
DROP_FIRST = ("ix_sched_pending_fire", "ix_assignments_status_due", "ix_assignments_unit_status_due",
              "ix_tasks_status_due")


def _sqlite_dt(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


class _Plan:
    """Per (due offset, role): the reminder rows, computed once (the policy is pure)."""

    def __init__(self, policy: ReminderPolicy, today: date, sqlite: bool) -> None:
        self.policy, self.today, self.sqlite = policy, today, sqlite
        self.start = today - timedelta(days=SPREAD_DAYS // 2)
        self.created = policy.at(self.start - timedelta(days=30))
        self.cache: dict[tuple[int, str, bool], list[tuple[str, object, bool]]] = {}

    def conv(self, dt: datetime):
        return _sqlite_dt(dt) if self.sqlite else dt

    def due(self, i: int) -> date:
        return self.start + timedelta(days=i % SPREAD_DAYS)

    def rows(self, i: int, role: str, still_open: bool) -> list[tuple[str, object, bool]]:
        key = (i % SPREAD_DAYS, role, still_open)
        got = self.cache.get(key)
        if got is None:
            due = self.due(i)
            day0 = self.policy.at(self.today)
            times = reminder_times(due, role, self.start - timedelta(days=30), self.policy)
            got = []
            for kind, t in times:
                if kind.startswith("overdue_"):
                    continue
                got.append((kind, self.conv(t), t < day0))
            if role == "lead" and (due >= self.today or still_open):
                level, day = next_overdue(due, self.today, self.policy)
                got.append((overdue_kind(level), self.conv(self.policy.at(day)), False))
            self.cache[key] = got
        return got


def _generate(n_tasks: int, plan: _Plan):
    """Yield (tasks, assignments, reminders) chunks of tuples, ids assigned here."""
    created = plan.conv(plan.created)
    aid = rid = 0
    tasks, assigns, rems = [], [], []
    for t in range(1, n_tasks + 1):
        due = plan.due(t)
        past = due < plan.today
        still_open = not past or t % PAST_OPEN_SHARE == 0
        status = "open" if still_open else "done"
        due_v = due.isoformat() if plan.sqlite else due
        tasks.append((t, 1, f"T{t:07d}", f"Nhiệm vụ số {t}", due_v, status, "", t, created))
        for k in range(ASSIGNMENTS_PER_TASK):
            aid += 1
            role = "lead" if k == 0 else "support"
            unit = 1 + (t * ASSIGNMENTS_PER_TASK + k) % UNITS
            assigns.append((aid, t, unit, role, status, 0, due_v, created))
            for kind, fire, done in plan.rows(t, role, still_open):
                if not still_open and not done:
                    continue
                rid += 1
                rems.append((rid, aid, kind, fire, done, created))
        if len(rems) >= CHUNK:
            yield tasks, assigns, rems
            tasks, assigns, rems = [], [], []
    yield tasks, assigns, rems


TASK_COLS = "id, plan_id, code, title, due_date, status, notes, source_line, created_at"
ASSIGN_COLS = "id, task_id, unit_id, role, status, progress, due_date, created_at"
REM_COLS = "id, assignment_id, kind, fire_at, done, created_at"


def build_sqlite(path: Path, n_tasks: int, policy: ReminderPolicy, today: date) -> dict:
    import sqlite3

    from storage.db import upgrade

    if path.exists():
        path.unlink()
    upgrade(f"sqlite+aiosqlite:///{path}")
    t0 = time.perf_counter()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-400000")
    saved = {name: sql for name, sql in con.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type='index' AND name IN ({','.join('?' * len(DROP_FIRST))})",
        DROP_FIRST)}
    for name in saved:
        con.execute(f"DROP INDEX {name}")
    plan = _Plan(policy, today, sqlite=True)
    created = plan.conv(plan.created)
    con.execute("INSERT INTO plans (id, title, title_key, year, created_at, updated_at) VALUES (1, ?, ?, ?, ?, ?)",
                ("Chương trình công tác (bench)", "bench", today.year, created, created))
    con.executemany("INSERT INTO units (id, name, key, created_at) VALUES (?, ?, ?, ?)",
                    [(u, f"Đơn vị {u}", f"don vi {u}", created) for u in range(1, UNITS + 1)])
    counts = {"tasks": 0, "assignments": 0, "reminders": 0}
    for tasks, assigns, rems in _generate(n_tasks, plan):
        con.executemany(f"INSERT INTO tasks ({TASK_COLS}) VALUES (?,?,?,?,?,?,?,?,?)", tasks)
        con.executemany(f"INSERT INTO assignments ({ASSIGN_COLS}) VALUES (?,?,?,?,?,?,?,?)", assigns)
        con.executemany(f"INSERT INTO scheduled_reminders ({REM_COLS}) VALUES (?,?,?,?,?,?)", rems)
        counts["tasks"] += len(tasks)
        counts["assignments"] += len(assigns)
        counts["reminders"] += len(rems)
    con.commit()
    for sql in saved.values():
        con.execute(sql)
    con.execute("ANALYZE")
    con.commit()
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    return {**counts, "build_seconds": round(time.perf_counter() - t0, 1)}


def build_postgres(url: str, n_tasks: int, policy: ReminderPolicy, today: date) -> dict:
    import psycopg

    from storage.db import sync_url, upgrade

    upgrade(url)
    t0 = time.perf_counter()
    dsn = sync_url(url).replace("postgresql+psycopg://", "postgresql://")
    plan = _Plan(policy, today, sqlite=False)
    counts = {"tasks": 0, "assignments": 0, "reminders": 0}
    with psycopg.connect(dsn) as con, con.cursor() as cur:
        cur.execute("TRUNCATE units, plans, tasks, assignments, scheduled_reminders, reminder_log, members "
                    "RESTART IDENTITY CASCADE")
        for name in DROP_FIRST:
            cur.execute(f"DROP INDEX IF EXISTS {name}")
        cur.execute("INSERT INTO plans (id, title, title_key, year, created_at, updated_at) VALUES (1, %s, %s, %s, %s, %s)",
                    ("Chương trình công tác (bench)", "bench", today.year, plan.created, plan.created))
        with cur.copy("COPY units (id, name, key, created_at) FROM STDIN") as cp:
            for u in range(1, UNITS + 1):
                cp.write_row((u, f"Đơn vị {u}", f"don vi {u}", plan.created))
        for tasks, assigns, rems in _generate(n_tasks, plan):
            for table, cols, rows in (("tasks", TASK_COLS, tasks), ("assignments", ASSIGN_COLS, assigns),
                                      ("scheduled_reminders", REM_COLS, rems)):
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as cp:
                    for r in rows:
                        cp.write_row(r)
            counts["tasks"] += len(tasks)
            counts["assignments"] += len(assigns)
            counts["reminders"] += len(rems)
        cur.execute("CREATE INDEX ix_sched_pending_fire ON scheduled_reminders (done, fire_at)")
        cur.execute("CREATE INDEX ix_assignments_status_due ON assignments (status, due_date)")
        cur.execute("CREATE INDEX ix_assignments_unit_status_due ON assignments (unit_id, status, due_date)")
        cur.execute("CREATE INDEX ix_tasks_status_due ON tasks (status, due_date)")
        for seq, table in (("tasks_id_seq", "tasks"), ("assignments_id_seq", "assignments"),
                           ("scheduled_reminders_id_seq", "scheduled_reminders"), ("units_id_seq", "units")):
            cur.execute(f"SELECT setval('{seq}', (SELECT max(id) FROM {table}))")
        con.commit()
        con.autocommit = True
        cur.execute("VACUUM ANALYZE scheduled_reminders")
    return {**counts, "build_seconds": round(time.perf_counter() - t0, 1)}


class NullMessenger:
    """Takes every message at once (the hand-off is what a pass costs us; Telegram's
    time is `bench dispatch`'s)."""

    def __init__(self) -> None:
        self.sent = 0

    async def send_text(self, chat_id, text, buttons=None, reply_to=None):
        from bot.messenger import SentMessage

        self.sent += 1
        return SentMessage(chat_id, self.sent)

    async def send_file(self, chat_id, filename, content, caption=None):
        return await self.send_text(chat_id, caption or filename)


def _prepare(url: str, due: int) -> tuple[list[int], int]:
    """One reachable member per unit; exactly ``due`` reminders due now (the oldest
    ones with ``fire_at <= now``), the rest of the past done. Returns their ids and the
    highest scheduled id (rows above it are the next overdue levels a pass schedules)."""
    from sqlalchemy import create_engine, text

    from storage.db import sync_url

    eng = create_engine(sync_url(url))
    with eng.begin() as c:
        c.execute(text("DELETE FROM reminder_log"))  # the last timed pass's, which refer to the members
        c.execute(text("DELETE FROM digest_log"))
        c.execute(text("DELETE FROM members"))
        c.execute(text("INSERT INTO members (id, channel, user_id, chat_id, full_name, unit_id, role, reachable, "
                       "active, created_at) VALUES (:i, 'telegram', :u, :u, :n, :i, 'member', true, true, :t)"),
                  [{"i": u, "u": 800_000_000 + u, "n": f"Cán bộ {u}", "t": datetime(2025, 1, 1, tzinfo=timezone.utc)}
                   for u in range(1, UNITS + 1)])
        now = ReminderPolicy().at(TODAY) + timedelta(seconds=30)
        nowv = _sqlite_dt(now) if url.startswith("sqlite") else now
        ids = list(c.execute(text(
            "SELECT s.id FROM scheduled_reminders s JOIN assignments a ON a.id = s.assignment_id "
            "WHERE s.fire_at <= :now AND a.status = 'open' ORDER BY s.fire_at DESC, s.id LIMIT :n"),
            {"now": nowv, "n": due}).scalars())
        c.execute(text("UPDATE scheduled_reminders SET done = true WHERE done = false AND fire_at <= :now"),
                  {"now": nowv})
        top = c.execute(text("SELECT max(id) FROM scheduled_reminders")).scalar_one()
    eng.dispose()
    return ids, top


def _reset(url: str, ids: list[int], top: int) -> None:
    """Undo a pass: its claims, the levels it scheduled, the flags; its reminders due again."""
    from sqlalchemy import bindparam, create_engine, text

    from storage.db import sync_url

    eng = create_engine(sync_url(url))
    with eng.begin() as c:
        c.execute(text("DELETE FROM reminder_log"))
        c.execute(text("DELETE FROM digest_log"))
        c.execute(text("DELETE FROM scheduled_reminders WHERE id > :top"), {"top": top})
        c.execute(text("UPDATE scheduled_reminders SET done = false WHERE id IN :ids")
                  .bindparams(bindparam("ids", expanding=True)), {"ids": ids})
    eng.dispose()


async def time_passes(url: str, now: datetime, runs: int, ids: list[int], top: int) -> dict:
    """Median of ``runs`` real scanner passes (claim + bookkeeping + hand-off)."""
    from bot.config import Settings
    from bot.context import build_context
    from bot.reminders.scanner import scan_once

    ctx = build_context(Settings(_env_file=None, database_url=url, bot_token="1:BENCH",
                                 attachment_dir=Path(tempfile.gettempdir()) / "dondoc-bench-att"))
    times, report = [], None
    try:
        for i in range(runs + 1):  # the first run warms caches, untimed
            await asyncio.to_thread(_reset, url, ids, top)
            t0 = time.perf_counter()
            report = await scan_once(ctx, NullMessenger(), now=now, rate=None)
            if i:
                times.append((time.perf_counter() - t0) * 1000)
    finally:
        await ctx.close()
    return {"pass_ms_median": round(statistics.median(times), 1), "pass_ms_max": round(max(times), 1),
            "due": report.due, "claims": report.claimed, "messages": report.messages}


def run(sizes: list[int], db_url: str | None = None, runs: int = 7, due: int = 100, big_due: int = 1500,
        big_size: int = 100_000, keep: bool = False) -> dict:
    policy = ReminderPolicy()
    now = policy.at(TODAY) + timedelta(seconds=30)
    out, pass_1500 = [], None
    tmp = Path(tempfile.mkdtemp(prefix="dondoc-bench-scan-"))
    for n in sizes:
        if db_url and db_url.startswith("postgresql"):
            url = db_url
            built = build_postgres(url, n, policy, TODAY)
        else:
            path = Path(db_url.split("///", 1)[1]) if db_url else tmp / f"scan_{n}.sqlite3"
            url = f"sqlite+aiosqlite:///{path}"
            built = build_sqlite(path, n, policy, TODAY)
        ids, top = _prepare(url, due)
        res = asyncio.run(time_passes(url, now, runs, ids, top))
        row = {"tasks": n, **res, **{k: v for k, v in built.items() if k != "tasks"}}
        if n == big_size:
            ids, top = _prepare(url, big_due)
            big = asyncio.run(time_passes(url, now, max(3, runs // 2), ids, top))
            pass_1500 = big["pass_ms_median"]
            row["pass_1500"] = big
        print(json.dumps(row, ensure_ascii=False), file=sys.stderr, flush=True)
        out.append(row)
        if not db_url and not keep:
            for p in tmp.glob(f"scan_{n}.sqlite3*"):
                p.unlink()
    base = out[0]["pass_ms_median"] if out else 0
    return {"sizes": out, "pass_1500_ms": pass_1500, "today": TODAY.isoformat(), "runs": runs,
            "backend": "postgresql" if db_url and db_url.startswith("postgresql") else "sqlite",
            "ratio_largest_to_smallest": round(out[-1]["pass_ms_median"] / base, 2) if base else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="dondoc bench scan", description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", default="10000,100000,1000000", help="comma-separated sizes")
    ap.add_argument("--db", "--db-url", dest="db_url", default=None,
                    help="a scratch database, emptied (default: temporary SQLite files)")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--due", type=int, default=100, help="reminders due in each sized pass")
    ap.add_argument("--big-size", type=int, default=100_000, help="the size that also gets a 1,500-due pass")
    ap.add_argument("--keep", action="store_true", help="keep the temporary SQLite files")
    args = ap.parse_args(argv)
    sizes = [int(x.replace("_", "")) for x in args.tasks.split(",") if x.strip()]
    result = run(sizes, args.db_url, args.runs, args.due, 1500, args.big_size, args.keep)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
