"""``dondoc bench dispatch --reminders 600 --members 600``

The real python-telegram-bot Application (AIORateLimiter as the app builds it) sends
that many due reminders through the local Bot API sandbox with Telegram's flood limits
on. Prints one JSON line: {"sent", "seconds", "bound_seconds" (reminders ÷ 30),
"efficiency" (bound ÷ seconds), "http_429", "duplicates", "lost"}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

TOKEN = "123456:BENCH"
USER_BASE = 700_000_000
TELEGRAM_RATE = 30.0


async def seed(ctx, reminders: int, members: int, fire_at: datetime) -> list[int]:
    """``members`` members, each alone in a unit; ``reminders`` lead assignments spread
    over them, each with one reminder due at ``fire_at``. Returns the chat ids."""
    from datetime import date

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
    return [USER_BASE + u for u in range(1, members + 1)]


def new_context(db_path: Path, instance: str = "bench"):
    from bot.config import Settings
    from bot.context import build_context
    from storage.db import upgrade

    url = f"sqlite+aiosqlite:///{db_path}"
    upgrade(url)
    settings = Settings(_env_file=None, database_url=url, bot_token=TOKEN,
                        attachment_dir=db_path.parent / "attachments")
    return build_context(settings, instance=instance)


def count_delivery(sandbox, chats: list[int], expected_per_chat: dict[int, int] | None = None) -> dict:
    """From the sandbox's record: messages per chat → lost and duplicated ones."""
    lost = dup = 0
    for chat in chats:
        n = len(sandbox.messages(chat))
        want = (expected_per_chat or {}).get(chat, 1)
        lost += max(0, want - n)
        dup += max(0, n - want)
    return {"lost": lost, "duplicates": dup}


async def run(reminders: int, members: int, concurrency: int = 30) -> dict:
    from bot.app import build_application
    from bot.reminders.scanner import scan_once
    from bot.sandbox import BotApiSandbox, SandboxLimits
    from handlers.messenger import TelegramMessenger

    tmp = Path(tempfile.mkdtemp(prefix="dondoc-bench-dispatch-"))
    ctx = new_context(tmp / "dispatch.sqlite3")
    now = datetime.now(timezone.utc)
    chats = await seed(ctx, reminders, members, now - timedelta(minutes=1))
    sandbox = BotApiSandbox(port=0, token=TOKEN, limits=SandboxLimits())
    await sandbox.start()
    for i, chat in enumerate(chats, 1):
        sandbox.add_user(chat, f"Cán bộ {i}")
    app = build_application(ctx, token=TOKEN, base_url=sandbox.bot_api_base_url,
                            base_file_url=sandbox.bot_file_base_url, jobs=False)
    await app.initialize()
    try:
        t0 = time.perf_counter()
        report = await scan_once(ctx, TelegramMessenger(app.bot), now=now, concurrency=concurrency,
                                 limit=max(500, reminders))
        seconds = time.perf_counter() - t0
        stats = sandbox.stats()
    finally:
        await app.shutdown()
        await sandbox.stop()
        await ctx.close()
    messages = min(reminders, members)  # one (combined) message per member
    bound = messages / TELEGRAM_RATE
    counted = count_delivery(sandbox, chats[:messages])
    return {"reminders": reminders, "members": members, "sent": report.sent, "messages": report.messages,
            "seconds": round(seconds, 2), "bound_seconds": round(bound, 2),
            "efficiency": round(bound / seconds, 3) if seconds else None,
            "http_429": stats.get("http_429_total", 0), "duplicates": max(counted["duplicates"], stats.get("duplicates", 0)),
            "lost": counted["lost"] + (reminders - report.sent)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="dondoc bench dispatch", description=__doc__.split("\n\n")[0])
    ap.add_argument("--reminders", type=int, default=600)
    ap.add_argument("--members", type=int, default=600)
    ap.add_argument("--concurrency", type=int, default=30)
    args = ap.parse_args(argv)
    result = asyncio.run(run(args.reminders, args.members, args.concurrency))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
