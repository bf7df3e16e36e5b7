"""``dondoc bench crash --reminders 300``

The sandbox runs in this process; the bot (scanner + real Application with the rate
limiter) runs in a child process (``python -m bot.bench.crash --child …``). The child is
killed with SIGKILL in the middle of dispatch, started again, and runs until nothing is
due or claimed. Counted from the sandbox's record: {"sent", "lost", "duplicates"}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.bench.dispatch import TOKEN, count_delivery, new_context, seed

STALE_SECONDS = 3.0  # one bot process at a time here; production uses 2 minutes


async def child(db_path: Path, api_url: str, file_url: str, stale: float) -> int:
    """The bot: scan until no reminder is due or claimed."""
    from sqlalchemy import func, select

    from bot.app import build_application
    from bot.reminders.scanner import scan_once
    from handlers.messenger import TelegramMessenger
    from storage.models import ReminderLog, ScheduledReminder

    ctx = new_context(db_path, instance=f"child-{os.getpid()}")
    app = build_application(ctx, token=TOKEN, base_url=api_url, base_file_url=file_url, jobs=False)
    await app.initialize()
    messenger = TelegramMessenger(app.bot)
    try:
        while True:
            await scan_once(ctx, messenger, stale_after=timedelta(seconds=stale))
            async with ctx.sessions() as s:
                now = ctx.clock.now()
                due = (await s.execute(select(func.count()).select_from(ScheduledReminder).where(
                    ScheduledReminder.done.is_(False), ScheduledReminder.fire_at <= now))).scalar_one()
                claimed = (await s.execute(select(func.count()).select_from(ReminderLog).where(
                    ReminderLog.status == "claimed"))).scalar_one()
            if not due and not claimed:
                return 0
            await asyncio.sleep(0.5)
    finally:
        await app.shutdown()
        await ctx.close()


def _spawn(db_path: Path, sandbox) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot.bench.crash", "--child", "--db", str(db_path),
                            "--api-url", sandbox.bot_api_base_url, "--file-url", sandbox.bot_file_base_url,
                            "--stale", str(STALE_SECONDS)], cwd=os.getcwd())


async def _wait_exit(proc: subprocess.Popen, timeout: float) -> int | None:
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    return proc.poll()


async def run(reminders: int, kill_at: float = 0.5, timeout: float = 300.0) -> dict:
    from bot.sandbox import BotApiSandbox, SandboxLimits

    tmp = Path(tempfile.mkdtemp(prefix="dondoc-bench-crash-"))
    db_path = tmp / "crash.sqlite3"
    ctx = new_context(db_path)
    chats = await seed(ctx, reminders, reminders, datetime.now(timezone.utc) - timedelta(minutes=1))
    await ctx.close()
    sandbox = BotApiSandbox(port=0, token=TOKEN, limits=SandboxLimits())
    await sandbox.start()
    try:
        for i, chat in enumerate(chats, 1):
            sandbox.add_user(chat, f"Cán bộ {i}")
        t0 = time.perf_counter()
        proc = _spawn(db_path, sandbox)
        target = int(reminders * kill_at)
        while sandbox.stats()["sent"] < target and proc.poll() is None:
            await asyncio.sleep(0.005)
        sent_at_kill = sandbox.stats()["sent"]
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc = _spawn(db_path, sandbox)
        rc = await _wait_exit(proc, timeout)
        if rc is None:
            proc.kill()
            proc.wait()
        seconds = time.perf_counter() - t0
        stats = sandbox.stats()
        counted = count_delivery(sandbox, chats)
    finally:
        await sandbox.stop()
    return {"reminders": reminders, "sent": stats["sent"], "sent_before_kill": sent_at_kill, **counted,
            "http_429": stats.get("http_429_total", 0), "seconds": round(seconds, 1), "restart_rc": rc}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="dondoc bench crash", description=__doc__.split("\n\n")[0])
    ap.add_argument("--reminders", type=int, default=300)
    ap.add_argument("--kill-at", type=float, default=0.5, help="share of messages sent before SIGKILL")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--api-url", help=argparse.SUPPRESS)
    ap.add_argument("--file-url", help=argparse.SUPPRESS)
    ap.add_argument("--stale", type=float, default=STALE_SECONDS, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        import logging

        logging.basicConfig(level=logging.WARNING)
        return asyncio.run(child(Path(args.db), args.api_url, args.file_url, args.stale))
    result = asyncio.run(run(args.reminders, args.kill_at))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
