"""What the delivery benchmarks share: a database seeded with due reminders, scanner
processes (``python -m bot.bench.fleet --db URL --api-url …``) that run the production
scan loop against the sandbox until nothing is left to send, and the count of what the
sandbox delivered."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

from bot.reminders import delivery

TOKEN = "123456:BENCH"
USER_BASE = 700_000_000


async def seed(ctx, reminders: int, members: int, fire_at: datetime) -> list[int]:
    """``members`` members, each alone in a unit; ``reminders`` lead assignments spread
    over them, each with one reminder due at ``fire_at``. Returns the chat ids."""
    from sqlalchemy import insert

    from storage.models import Assignment, Member, Plan, ScheduledReminder, Task, Unit

    now = datetime.now(timezone.utc)
    due = (fire_at + timedelta(days=3)).date()
    async with ctx.sessions() as s, s.begin():
        await s.execute(insert(Plan), [{"id": 1, "title": "Bench", "title_key": "bench", "year": date.today().year,
                                        "created_at": now, "updated_at": now}])
        await s.execute(insert(Unit), [{"id": u, "name": f"Đơn vị {u}", "key": f"don vi {u}", "created_at": now}
                                       for u in range(1, members + 1)])
        await s.execute(insert(Member), [{"id": u, "channel": "telegram", "user_id": USER_BASE + u,
                                          "chat_id": USER_BASE + u, "full_name": f"Cán bộ {u}", "unit_id": u,
                                          "role": "member", "reachable": True, "active": True, "created_at": now}
                                         for u in range(1, members + 1)])
        await s.execute(insert(Task), [{"id": t, "plan_id": 1, "code": f"B{t}", "title": f"Nhiệm vụ thử tải {t}",
                                        "due_date": due, "status": "open", "notes": "", "source_line": t,
                                        "created_at": now} for t in range(1, reminders + 1)])
        await s.execute(insert(Assignment), [{"id": t, "task_id": t, "unit_id": 1 + (t - 1) % members,
                                              "role": "lead", "status": "open", "progress": 0, "due_date": due,
                                              "created_at": now} for t in range(1, reminders + 1)])
        await s.execute(insert(ScheduledReminder), [{"assignment_id": t, "kind": "before_3d", "fire_at": fire_at,
                                                     "done": False, "created_at": now}
                                                    for t in range(1, reminders + 1)])
        if ctx.engine.dialect.name == "postgresql":
            from sqlalchemy import text

            for table in ("plans", "units", "members", "tasks", "assignments"):
                await s.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
    return [USER_BASE + u for u in range(1, members + 1)]


def context_for(url: str, instance: str = "bench"):
    from pathlib import Path

    from bot.config import Settings
    from bot.context import build_context

    attachments = Path(url.split("///", 1)[1]).parent / "attachments" if url.startswith("sqlite") else Path(
        "/tmp/dondoc-bench-attachments")
    settings = Settings(_env_file=None, database_url=url, bot_token=TOKEN, attachment_dir=attachments)
    return build_context(settings, instance=instance)


def fresh_database(url: str | None, tmp) -> str:
    """A migrated, empty database: a new SQLite file in ``tmp``, or the PostgreSQL
    database at ``url`` emptied (use a scratch database)."""
    from sqlalchemy import create_engine, text

    from storage.db import sync_url, upgrade
    from storage.models import Base

    if not url or url.startswith("sqlite"):
        url = f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"
        upgrade(url)
        return url
    upgrade(url)
    eng = create_engine(sync_url(url))
    with eng.begin() as c:
        c.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
                       + " RESTART IDENTITY CASCADE"))
    eng.dispose()
    return url


def count_delivery(sandbox, chats: list[int], expected_per_chat: dict[int, int] | None = None) -> dict:
    """From the sandbox's record: messages per chat → lost and duplicated ones."""
    lost = dup = 0
    for chat in chats:
        n = len(sandbox.messages(chat))
        want = (expected_per_chat or {}).get(chat, 1)
        lost += max(0, want - n)
        dup += max(0, n - want)
    return {"lost": lost, "duplicates": dup}


def spawn_scanner(url: str, sandbox, *, lease: float | None = None, interval: float | None = None,
                  unconfirmed: int | None = None) -> subprocess.Popen:
    """A scanner process (``dondoc run --scanner-only`` minus polling and signals): the
    production scan pass every ``interval`` seconds (default: the settings' interval)
    until nothing is due, claimed or waiting for a retry; exits 0 then."""
    cmd = [sys.executable, "-m", "bot.bench.fleet", "--db", url, "--api-url", sandbox.bot_api_base_url,
           "--file-url", sandbox.bot_file_base_url]
    if lease is not None:
        cmd += ["--lease", str(lease)]
    if interval is not None:
        cmd += ["--interval", str(interval)]
    if unconfirmed is not None:
        cmd += ["--unconfirmed", str(unconfirmed)]
    return subprocess.Popen(cmd, cwd=os.getcwd())


async def scanner(url: str, api_url: str, file_url: str, lease: float | None, interval: float | None) -> int:
    from sqlalchemy import func, select

    from bot.app import build_application, build_delivery_bot
    from bot.reminders.scanner import scan_once
    from handlers.messenger import TelegramMessenger
    from storage.models import ScheduledReminder
    from storage.reminder_queries import CLAIM_LEASE, open_deliveries

    ctx = context_for(url, instance=f"scanner-{os.getpid()}")
    app = build_application(ctx, token=TOKEN, base_url=api_url, base_file_url=file_url, jobs=False)
    bot = build_delivery_bot(app)
    await bot.initialize()
    messenger = TelegramMessenger(bot)
    lease_td = timedelta(seconds=lease) if lease is not None else CLAIM_LEASE
    pause = interval if interval is not None else ctx.settings.scan_interval_seconds
    try:
        while True:
            await scan_once(ctx, messenger, lease=lease_td)
            async with ctx.sessions() as s:
                due = (await s.execute(select(func.count()).select_from(ScheduledReminder).where(
                    ScheduledReminder.done.is_(False), ScheduledReminder.fire_at <= ctx.clock.now()))).scalar_one()
                left = await open_deliveries(s)
            if not due and not left:
                return 0
            await asyncio.sleep(pause)
    finally:
        await bot.shutdown()
        await ctx.close()


def main(argv: list[str] | None = None) -> int:
    import logging

    ap = argparse.ArgumentParser(prog="python -m bot.bench.fleet")
    ap.add_argument("--db", required=True)
    ap.add_argument("--api-url", required=True)
    ap.add_argument("--file-url", required=True)
    ap.add_argument("--lease", type=float, default=None)
    ap.add_argument("--interval", type=float, default=None)
    ap.add_argument("--unconfirmed", type=int, default=None,
                    help="messages sent and not yet marked per process (default: delivery.UNCONFIRMED)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.unconfirmed is not None:
        delivery.UNCONFIRMED = args.unconfirmed  # read by each pass (deliver_all)
    return asyncio.run(scanner(args.db, args.api_url, args.file_url, args.lease, args.interval))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
