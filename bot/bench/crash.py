"""``dondoc bench crash --kills 5 --seed 1 [--reminders 300] [--db URL]``

The sandbox (Telegram's flood limits on) runs in this process; the scanner runs in a
child process with production timings (claim lease, scan interval). The child is killed
with SIGKILL at random points — after a random number of messages, a random moment
later — ``--kills`` times, started again at once each time, then left to finish.
Counted from what the sandbox delivered. ``delivered_unmarked_at_kills``: after each
kill, the members Telegram had delivered to whose claim the dead process had not yet
marked sent — the messages that will be sent again (the duplicates' only source).

Prints one JSON line: {"kills", "sent", "lost", "duplicates", "seconds", …}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.bench.fleet import TOKEN, context_for, count_delivery, fresh_database, seed, spawn_scanner
from bot.reminders.delivery import UNCONFIRMED


def _marked_sent(url: str) -> int:
    from sqlalchemy import create_engine, text

    from storage.db import sync_url

    eng = create_engine(sync_url(url))
    with eng.connect() as c:
        n = c.execute(text("SELECT count(*) FROM reminder_log WHERE status = 'sent'")).scalar_one()
    eng.dispose()
    return n


async def run(reminders: int, kills: int, seed_: int, db_url: str | None = None, timeout: float = 1800.0,
              unconfirmed: int | None = None) -> dict:
    from bot.sandbox import BotApiSandbox, SandboxLimits

    rng = random.Random(seed_)
    url = fresh_database(db_url, Path(tempfile.mkdtemp(prefix="dondoc-bench-crash-")))
    ctx = context_for(url)
    chats = await seed(ctx, reminders, reminders, datetime.now(timezone.utc) - timedelta(minutes=1))
    await ctx.close()
    sandbox = BotApiSandbox(port=0, token=TOKEN, limits=SandboxLimits())
    await sandbox.start()
    killed_at, unmarked = [], []
    try:
        for i, chat in enumerate(chats, 1):
            sandbox.add_user(chat, f"Cán bộ {i}")
        t0 = time.perf_counter()
        proc = spawn_scanner(url, sandbox, unconfirmed=unconfirmed)
        for _ in range(kills):
            sent = sandbox.stats()["sent"]
            left = reminders - sent
            if left <= 0 or proc.poll() is not None:
                break
            target = sent + rng.randint(1, max(1, left // 2))
            while sandbox.stats()["sent"] < target and proc.poll() is None:
                await asyncio.sleep(0.002)
            await asyncio.sleep(rng.random() * 0.05)  # anywhere between two sends
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed_at.append(sandbox.stats()["sent"])
            proc.wait()
            await asyncio.sleep(0.3)  # requests the dead process had sent are answered
            unmarked.append(sum(1 for c in chats if sandbox.messages(c)) - _marked_sent(url))
            proc = spawn_scanner(url, sandbox, unconfirmed=unconfirmed)
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        seconds = time.perf_counter() - t0
        stats = sandbox.stats()
        counted = count_delivery(sandbox, chats)
    finally:
        await sandbox.stop()
    return {"kills": len(killed_at), "seed": seed_, "reminders": reminders, "sent": stats["sent"], **counted,
            "killed_after_sent": killed_at, "delivered_unmarked_at_kills": unmarked,
            "http_429": stats["rate_limited"] - stats["fault_429"],
            "seconds": round(seconds, 1), "exit_code": proc.returncode,
            "unconfirmed": unconfirmed if unconfirmed is not None else UNCONFIRMED}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="dondoc bench crash", description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reminders", type=int, default=300)
    ap.add_argument("--db", default=None, help="a scratch PostgreSQL database (default: a temporary SQLite file)")
    ap.add_argument("--unconfirmed", type=int, default=None, help="override delivery.UNCONFIRMED (comparisons)")
    args = ap.parse_args(argv)
    result = asyncio.run(run(args.reminders, args.kills, args.seed, args.db, unconfirmed=args.unconfirmed))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
