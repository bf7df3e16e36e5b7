"""The reminder jobs: the scanner every ``scan_interval_seconds`` and the secretariat's
morning digest. The job queue only says *when to look*; every reminder lives in the
database, so a late or skipped run is caught up by the next one. Reminders go out
through the delivery bot (`bot.app.build_delivery_bot`): paced and retried by the
reminder engine, not by PTB's rate limiter."""

from __future__ import annotations

import logging
from datetime import time

from telegram.ext import Application, ContextTypes

from bot.context import AppContext
from bot.reminders.digest import send_digests
from bot.reminders.scanner import scan_once
from handlers.messenger import TelegramMessenger

log = logging.getLogger(__name__)

JOB_KWARGS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}


def register_reminder_jobs(application: Application, ctx: AppContext, delivery_bot) -> None:
    messenger = TelegramMessenger(delivery_bot)

    async def ready() -> None:
        await delivery_bot.initialize()  # once; later calls return at once

    async def scan(_context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await ready()
            await scan_once(ctx, messenger)
        except Exception:  # noqa: BLE001 - the next run retries; never kill the job
            log.exception("reminder scan failed")
        try:
            await send_digests(ctx, messenger)
        except Exception:  # noqa: BLE001
            log.exception("digest failed")

    async def digest(_context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await ready()
            await send_digests(ctx, messenger)
        except Exception:  # noqa: BLE001
            log.exception("digest failed")

    jq = application.job_queue
    if jq is None:  # pragma: no cover - the job-queue extra is a dependency
        raise RuntimeError("python-telegram-bot[job-queue] is required for reminders")
    jq.run_repeating(scan, interval=ctx.settings.scan_interval_seconds, first=1.0, name="reminder-scan",
                     job_kwargs=JOB_KWARGS)
    jq.run_daily(digest, time=time(ctx.settings.reminder_hour, 0, 30, tzinfo=ctx.settings.tz),
                 name="secretariat-digest", job_kwargs=JOB_KWARGS)
