"""``dondoc bench dispatch [--faults 0.1,0.05,0.05] [--processes N] [--db URL]
[--reminders 600] [--members 600] [--rtt S]``

``--processes`` scanner processes (the production scan loop, each with the delivery bot:
no PTB rate limiter, the engine's shared send rate) send that many due reminders through
the local Bot API sandbox, Telegram's flood limits on (30 messages/s overall, 1/s per
chat), with ``--faults`` = probabilities of a 5xx answer, a 429 answer and a dropped
connection (half of the drops after Telegram applied the call). Several processes need a
PostgreSQL ``--db`` (a scratch database: it is emptied); default a temporary SQLite file.
``--rtt`` makes every send wait that long before the sandbox handles it (a real round
trip to Telegram is 50–300 ms): what one process can send per second then.

Counted from what the sandbox delivered. Prints one JSON line: {"processes", "sent",
"lost", "duplicates", "http_429" (refused by the flood limits, injected 429s not counted;
"http_429_overall" / "http_429_chat": by the overall or the per-chat bucket), "seconds" (first send to
last delivery), "efficiency" (messages ÷ 30 / seconds), "fault_429", "drop_applied", …}.
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

from bot.bench.fleet import TOKEN, context_for, count_delivery, fresh_database, seed, spawn_scanner
from bot.reminders.delivery import UNCONFIRMED

TELEGRAM_RATE = 30.0


async def run(reminders: int, members: int, faults: tuple[float, float, float], processes: int,
              db_url: str | None, seed_: int = 7, interval: float | None = None, timeout: float = 1800.0,
              calls_out: str | None = None, unconfirmed: int | None = None, rtt: float = 0.0) -> dict:
    from bot.sandbox import BotApiSandbox, SandboxFaults, SandboxLimits

    if processes > 1 and not (db_url or "").startswith("postgresql"):
        raise SystemExit("several processes need a PostgreSQL --db (SQLite: one process)")
    url = fresh_database(db_url, Path(tempfile.mkdtemp(prefix="dondoc-bench-dispatch-")))
    ctx = context_for(url)
    chats = await seed(ctx, reminders, members, datetime.now(timezone.utc) - timedelta(minutes=1))
    await ctx.close()
    f5xx, f429, fdrop = faults
    sandbox = BotApiSandbox(port=0, token=TOKEN, limits=SandboxLimits(),
                            faults=SandboxFaults(http_5xx=f5xx, http_429=f429, drop=fdrop, seed=seed_,
                                                 slow=1.0 if rtt else 0.0, slow_seconds=rtt))
    await sandbox.start()
    try:
        for i, chat in enumerate(chats, 1):
            sandbox.add_user(chat, f"Cán bộ {i}")
        t0 = time.perf_counter()
        procs = [spawn_scanner(url, sandbox, interval=interval, unconfirmed=unconfirmed) for _ in range(processes)]
        deadline = time.monotonic() + timeout
        while any(p.poll() is None for p in procs) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        wall = time.perf_counter() - t0
        stats = sandbox.stats()
        calls = sandbox.calls("sendMessage")
        delivered = [c["time"] for c in calls if c["status"] == 200 or c["outcome"] == "drop_applied"]
        if calls_out:
            with open(calls_out, "w") as f:
                for c in calls:
                    f.write(json.dumps({k: c[k] for k in ("seq", "time", "chat_id", "status", "outcome", "limit")})
                            + "\n")
    finally:
        await sandbox.stop()
    messages = min(reminders, members)  # one (combined) message per member
    counted = count_delivery(sandbox, chats[:messages])
    seconds = (max(delivered) - min(c["time"] for c in calls)) if delivered else 0.0
    bound = messages / TELEGRAM_RATE
    return {"processes": processes, "reminders": reminders, "members": members, "sent": stats["sent"],
            "lost": counted["lost"], "duplicates": counted["duplicates"],
            "http_429": stats["rate_limited"] - stats["fault_429"],
            "http_429_overall": stats["flood_overall"], "http_429_chat": stats["flood_chat"],
            "seconds": round(seconds, 2), "efficiency": round(bound / seconds, 3) if seconds else None,
            "bound_seconds": round(bound, 2), "wall_seconds": round(wall, 1),
            "faults": {"http_5xx": f5xx, "http_429": f429, "drop": fdrop},
            "fault_5xx": stats["fault_5xx"], "fault_429": stats["fault_429"],
            "drop_unapplied": stats["drop_unapplied"], "drop_applied": stats["drop_applied"],
            "backend": "postgresql" if url.startswith("postgresql") else "sqlite",
            "exit_codes": sorted({p.returncode for p in procs}),
            "unconfirmed": unconfirmed if unconfirmed is not None else UNCONFIRMED, "rtt": rtt}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="dondoc bench dispatch", description=__doc__.split("\n\n")[0])
    ap.add_argument("--reminders", type=int, default=600)
    ap.add_argument("--members", type=int, default=600)
    ap.add_argument("--faults", default="0,0,0", help="5xx,429,drop probabilities, e.g. 0.1,0.05,0.05")
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("--db", default=None, help="a scratch PostgreSQL database (emptied)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--interval", type=float, default=None, help="scan interval (default: the setting, 60 s)")
    ap.add_argument("--unconfirmed", type=int, default=None, help="override delivery.UNCONFIRMED (comparisons)")
    ap.add_argument("--rtt", type=float, default=0.0,
                    help="seconds every send waits before Telegram answers (a real round trip: 0.05-0.3)")
    ap.add_argument("--calls-out", default=None, help="write the sandbox's sendMessage calls here (JSON lines)")
    args = ap.parse_args(argv)
    faults = tuple(float(x) for x in args.faults.split(","))
    if len(faults) != 3:
        ap.error("--faults takes three probabilities: 5xx,429,drop")
    result = asyncio.run(run(args.reminders, args.members, faults, args.processes, args.db, args.seed,
                             args.interval, calls_out=args.calls_out, unconfirmed=args.unconfirmed,
                             rtt=args.rtt))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
