"""The bot as its own process, for tests that kill it: `python -m tests.bot_process
--db URL --api URL --files URL --attachments DIR [--log FILE] [--level DEBUG]`.
Long-polls the sandbox until killed."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.harness import TOKEN


async def serve(args) -> None:
    from bot.app import build_application
    from bot.config import Settings
    from bot.context import build_context
    from bot.logs import setup_logging

    settings = Settings(_env_file=None, database_url=args.db, attachment_dir=Path(args.attachments),
                        timezone="Asia/Ho_Chi_Minh", bot_token=args.token, log_level=args.level)
    setup_logging(args.level, settings)
    ctx = build_context(settings, instance=f"test-{os.getpid()}")
    app = build_application(ctx, token=args.token, base_url=args.api, base_file_url=args.files, jobs=False)
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    await asyncio.Event().wait()


def spawn(db_url: str, sandbox, attachments: Path, *, log: Path | None = None, level: str = "WARNING",
          token: str = TOKEN, extra_env: dict | None = None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "tests.bot_process", "--db", db_url, "--api", sandbox.bot_api_base_url,
           "--files", sandbox.bot_file_base_url, "--attachments", str(attachments), "--level", level,
           "--token", token]
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - the child owns it
    return subprocess.Popen(cmd, cwd=Path(__file__).resolve().parent.parent, stdout=out, stderr=subprocess.STDOUT,
                            env={**os.environ, **(extra_env or {})})


def kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def main() -> None:
    ap = argparse.ArgumentParser()
    for name in ("--db", "--api", "--files", "--attachments"):
        ap.add_argument(name, required=True)
    ap.add_argument("--level", default="WARNING")
    ap.add_argument("--token", default=TOKEN)
    args = ap.parse_args()
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
