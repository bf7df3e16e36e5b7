"""Delivery at Telegram's limits: the real Application (AIORateLimiter) against the
sandbox with flood limits on and with faults (5xx, 429, dropped connections); the
scheduled job that drives the scanner."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from bot.app import build_application
from bot.bench.dispatch import TOKEN, count_delivery, seed
from bot.clock import Clock
from bot.context import build_context
from bot.reminders.scanner import scan_once
from bot.sandbox import BotApiSandbox, SandboxFaults, SandboxLimits
from handlers.messenger import TelegramMessenger
from storage.models import ReminderLog


async def _world(settings, sandbox: BotApiSandbox, n: int, *, jobs: bool = False):
    ctx = build_context(settings.model_copy(update={"bot_token": TOKEN}), clock=Clock(settings.tz))
    chats = await seed(ctx, n, n, datetime.now(timezone.utc) - timedelta(minutes=1))
    for i, chat in enumerate(chats, 1):
        sandbox.add_user(chat, f"Cán bộ {i}")
    app = build_application(ctx, token=TOKEN, base_url=sandbox.bot_api_base_url,
                            base_file_url=sandbox.bot_file_base_url, jobs=jobs)
    return ctx, app, chats


async def _statuses(ctx) -> dict[str, int]:
    async with ctx.sessions() as s:
        rows = await s.execute(select(ReminderLog.status, func.count()).group_by(ReminderLog.status))
        return dict(rows.all())


async def test_with_flood_limits_on_nothing_is_refused_and_everyone_gets_one_message(settings):
    async with BotApiSandbox(port=0, token=TOKEN, limits=SandboxLimits()) as sandbox:
        ctx, app, chats = await _world(settings, sandbox, 60)
        await app.initialize()
        try:  # the pace (close to Telegram's 30 messages/s) is measured by `dondoc bench dispatch`
            report = await scan_once(ctx, TelegramMessenger(app.bot))
        finally:
            await app.shutdown()
            await ctx.close()
        assert report.sent == 60
        assert sandbox.stats()["http_429_total"] == 0
        assert count_delivery(sandbox, chats) == {"lost": 0, "duplicates": 0}


async def test_with_5xx_429_and_dropped_connections_every_reminder_arrives(settings):
    faults = SandboxFaults(http_5xx=0.10, http_429=0.05, drop=0.05, seed=11)
    async with BotApiSandbox(port=0, token=TOKEN, limits=SandboxLimits(enabled=False), faults=faults) as sandbox:
        ctx, app, chats = await _world(settings, sandbox, 40)
        await app.initialize()
        try:
            for _ in range(6):  # the job would run these passes; a failed send is retried once later
                await scan_once(ctx, TelegramMessenger(app.bot), stale_after=timedelta(0))
                if (await _statuses(ctx)).get("claimed", 0) == 0:
                    break
            statuses = await _statuses(ctx)
        finally:
            await app.shutdown()
            await ctx.close()
        stats = sandbox.stats()
        assert stats["fault_5xx"] + stats["fault_429"] + stats["drop_unapplied"] + stats["drop_applied"] > 0
        assert count_delivery(sandbox, chats)["lost"] == 0
        assert statuses == {"sent": 40}
        # a connection dropped after Telegram applied the call is the only way to get a copy
        assert count_delivery(sandbox, chats)["duplicates"] <= stats["drop_applied"]


async def test_the_scheduled_job_scans_and_a_restart_loses_nothing(settings):
    settings = settings.model_copy(update={"scan_interval_seconds": 0.2})
    async with BotApiSandbox(port=0, token=TOKEN, limits=SandboxLimits(enabled=False)) as sandbox:
        ctx, app, chats = await _world(settings, sandbox, 5, jobs=True)
        job = app.job_queue.get_jobs_by_name("reminder-scan")[0]
        assert job.job.misfire_grace_time is None and job.job.coalesce is True and job.job.max_instances == 1
        await app.initialize()
        await app.start()
        try:
            for chat in chats:
                await sandbox.wait_for_message(chat, timeout=10)
        finally:
            await app.stop()
            await app.shutdown()
            await ctx.close()
        assert count_delivery(sandbox, chats) == {"lost": 0, "duplicates": 0}
