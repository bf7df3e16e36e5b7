"""Delivery under what Telegram and operators really do: flood limits, 5xx / 429 /
dropped connections, a long outage, a slow answer, a process that hangs or is killed,
two processes on one database. The real Application and the reminder engine's delivery
bot against the local Bot API sandbox, on SQLite and PostgreSQL; time moves on the app
clock (``ctx.clock``), never by sleeping."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from bot.app import build_application, build_delivery_bot
from bot.bench.fleet import TOKEN, count_delivery, seed, spawn_scanner
from bot.clock import Clock
from bot.context import build_context
from bot.reminders.delivery import GIVE_UP_AFTER, UNCONFIRMED
from bot.reminders.scanner import scan_once
from bot.sandbox import BotApiSandbox, SandboxFaults, SandboxLimits
from handlers.messenger import TelegramMessenger
from storage.models import Member, ReminderLog
from storage.reminder_queries import CLAIM_LEASE


async def _world(settings, sandbox: BotApiSandbox, n: int, *, jobs: bool = False, instance: str = "main"):
    ctx = build_context(settings.model_copy(update={"bot_token": TOKEN}), clock=Clock(settings.tz),
                        instance=instance)
    chats = await seed(ctx, n, n, datetime.now(timezone.utc) - timedelta(minutes=1))
    for i, chat in enumerate(chats, 1):
        sandbox.add_user(chat, f"Cán bộ {i}")
    app = build_application(ctx, token=TOKEN, base_url=sandbox.bot_api_base_url,
                            base_file_url=sandbox.bot_file_base_url, jobs=jobs)
    return ctx, app, chats


@contextlib.asynccontextmanager
async def _running(settings, sandbox: BotApiSandbox, n: int, *, second: bool = False):
    """The world, its Application initialised, the delivery bot, and (``second``) another
    process's context on the same database."""
    ctx, app, chats = await _world(settings, sandbox, n)
    other = build_context(ctx.settings, clock=Clock(settings.tz), instance="second") if second else None
    await app.initialize()
    bot = build_delivery_bot(app)
    await bot.initialize()
    try:
        yield SimpleNamespace(ctx=ctx, other=other, messenger=TelegramMessenger(bot), chats=chats)
    finally:
        await app.shutdown()  # the delivery bot too
        if other is not None:
            await other.close()
        await ctx.close()


async def _statuses(ctx) -> dict[str, int]:
    async with ctx.sessions() as s:
        rows = await s.execute(select(ReminderLog.status, func.count()).group_by(ReminderLog.status))
        return dict(rows.all())


async def _rows(ctx) -> list[ReminderLog]:
    async with ctx.sessions() as s:
        return list((await s.execute(select(ReminderLog).order_by(ReminderLog.id))).scalars())


async def _sending(sandbox: BotApiSandbox, scan, calls: int) -> asyncio.Task:
    """Start a pass; return once Telegram has received ``calls`` sendMessage requests."""
    task = asyncio.create_task(scan)
    while len(sandbox.calls("sendMessage")) < calls:
        await asyncio.sleep(0.01)
    return task


async def _passes_until_settled(ctx, messenger, *, step: timedelta = timedelta(minutes=1), most: int = 40) -> int:
    """Run scan passes, moving the app clock ``step`` between them, until no claim is
    waiting; returns the passes run (the job would run these every minute)."""
    for n in range(1, most + 1):
        await scan_once(ctx, messenger)
        left = await _statuses(ctx)
        if not left.get("claimed") and not left.get("retry"):
            return n
        ctx.clock.advance(step)
    raise AssertionError(f"still waiting after {most} passes: {await _statuses(ctx)}")


async def test_with_flood_limits_on_nothing_is_refused_and_everyone_gets_one_message(settings):
    async with BotApiSandbox(port=0, token=TOKEN, limits=SandboxLimits()) as sandbox:
        async with _running(settings, sandbox, 60) as w:
            report = await scan_once(w.ctx, w.messenger)
        assert report.sent == 60
        assert sandbox.stats()["http_429_total"] == 0
        assert count_delivery(sandbox, w.chats) == {"lost": 0, "duplicates": 0}


async def test_with_5xx_429_and_dropped_connections_failed_sends_are_retried_in_later_passes(settings):
    # faults heavy enough that some members fail all six quick attempts of a pass
    faults = SandboxFaults(http_5xx=0.6, http_429=0.05, drop=0.05, seed=11)
    async with BotApiSandbox(port=0, token=TOKEN, limits=SandboxLimits(enabled=False), faults=faults) as sandbox:
        async with _running(settings, sandbox, 60) as w:
            first = await scan_once(w.ctx, w.messenger)
            waiting = (await _statuses(w.ctx)).get("retry", 0)
            passes = await _passes_until_settled(w.ctx, w.messenger)
            statuses = await _statuses(w.ctx)
            rows = await _rows(w.ctx)
        stats = sandbox.stats()
        assert first.failed == waiting > 0 and passes > 1  # the later passes did the work
        assert max(r.attempts for r in rows) > 1
        assert statuses == {"sent": 60}
        counted = count_delivery(sandbox, w.chats)
        assert counted["lost"] == 0
        # a connection dropped after Telegram applied the call is the only way to get a copy
        assert counted["duplicates"] <= stats["drop_applied"]


async def test_a_ten_minute_outage_during_a_pass_delays_every_reminder_and_loses_none(settings):
    async with BotApiSandbox(port=0, token=TOKEN, limits=SandboxLimits(enabled=False),
                             faults=SandboxFaults(http_5xx=1.0)) as sandbox:
        async with _running(settings, sandbox, 20) as w:
            start = w.ctx.clock.now()
            while w.ctx.clock.now() - start < timedelta(minutes=10):  # Telegram answers 502 to everything
                await scan_once(w.ctx, w.messenger)
                w.ctx.clock.advance(timedelta(minutes=1))
            during = await _statuses(w.ctx)
            tried = sandbox.stats()["fault_5xx"]
            sandbox.set_faults(SandboxFaults())  # Telegram is back
            await _passes_until_settled(w.ctx, w.messenger)
            after = await _statuses(w.ctx)
        assert during == {"retry": 20} and tried >= 20 * 6 * 3  # several passes tried, none gave up
        assert after == {"sent": 20}
        assert count_delivery(sandbox, w.chats) == {"lost": 0, "duplicates": 0}


async def test_past_the_ceiling_the_secretariat_is_told_which_reminders_were_not_delivered(settings):
    async with BotApiSandbox(port=0, token=TOKEN, limits=SandboxLimits(enabled=False),
                             faults=SandboxFaults(http_5xx=1.0)) as sandbox:
        async with _running(settings, sandbox, 3) as w:
            async with w.ctx.sessions() as s, s.begin():
                s.add(Member(user_id=9001, chat_id=9001, full_name="Chị Lan", role="secretariat"))
            sandbox.add_user(9001, "Chị Lan")
            await scan_once(w.ctx, w.messenger)
            assert await _statuses(w.ctx) == {"retry": 3}
            w.ctx.clock.advance(GIVE_UP_AFTER + timedelta(hours=1))  # a day of outage
            sandbox.set_faults(SandboxFaults())
            report = await scan_once(w.ctx, w.messenger)
            w.ctx.clock.advance(timedelta(minutes=10))
            await scan_once(w.ctx, w.messenger)
            statuses = await _statuses(w.ctx)
        assert report.gave_up == 3 and statuses == {"failed": 3}
        [told] = sandbox.messages(9001)
        assert "3 tin nhắc không gửi được" in told["text"]
        for code, name in (("[B1]", "Cán bộ 1"), ("[B2]", "Cán bộ 2"), ("[B3]", "Cán bộ 3")):
            assert code in told["text"] and name in told["text"]
        assert count_delivery(sandbox, w.chats)["lost"] == 3  # given up: nothing sent a day late


async def test_claims_of_a_hung_process_are_taken_over_after_their_lease(settings):
    """Process A hangs inside its first sends (Telegram never answers), the rest of its
    claims queued behind them; process B, a lease later, takes all of them over (next
    generation) and delivers them."""
    async with BotApiSandbox(port=0, token=TOKEN, limits=SandboxLimits(enabled=False),
                             faults=SandboxFaults(slow=1.0, slow_seconds=120)) as sandbox:
        async with _running(settings, sandbox, 5, second=True) as w:
            hung = await _sending(sandbox, scan_once(w.ctx, w.messenger), UNCONFIRMED)
            hung.cancel()  # A is gone; its claims stay in the database
            with pytest.raises(asyncio.CancelledError):
                await hung
            assert await _statuses(w.ctx) == {"claimed": 5}
            sandbox.set_faults(SandboxFaults())
            early = await scan_once(w.other, w.messenger)  # the lease still runs
            w.other.clock.advance(CLAIM_LEASE + timedelta(seconds=1))
            late = await scan_once(w.other, w.messenger)
            rows = await _rows(w.ctx)
        assert early.retried == 0 and early.sent == 0
        assert late.retried == 5 and late.sent == 5
        assert [(r.status, r.generation, r.attempts, r.claimed_by) for r in rows] == [("sent", 1, 2, "second")] * 5
        assert count_delivery(sandbox, w.chats) == {"lost": 0, "duplicates": 0}


async def test_only_the_holder_of_a_claim_marks_it_sent(settings):
    """A stalls in a slow send past its lease (seen from B's clock); B takes over and
    sends; A's answer then arrives, but its mark is fenced off by the generation."""
    async with BotApiSandbox(port=0, token=TOKEN, limits=SandboxLimits(enabled=False),
                             faults=SandboxFaults(slow=1.0, slow_seconds=1.5)) as sandbox:
        async with _running(settings, sandbox, 3, second=True) as w:
            slow_a = await _sending(sandbox, scan_once(w.ctx, w.messenger), UNCONFIRMED)
            w.other.clock.advance(timedelta(minutes=10))
            b = await scan_once(w.other, w.messenger)
            a = await slow_a
            rows = await _rows(w.ctx)
        assert b.retried == 3 and b.sent == 3
        assert a.sent == 0 and a.fenced == 3  # A sent too (it was stalled, not dead), marked nothing
        assert [r.generation for r in rows] == [1, 1, 1]
        for r in rows:  # member i is chat i of the seed
            assert r.message_id in [m["message_id"] for m in sandbox.messages(w.chats[r.member_id - 1])]


async def test_a_slow_answer_is_waited_for_not_sent_again(settings):
    """PTB's 15 s read timeout re-sent every slow send; the delivery bot waits (60 s)."""
    async with BotApiSandbox(port=0, token=TOKEN, limits=SandboxLimits(enabled=False),
                             faults=SandboxFaults(slow=1.0, slow_seconds=16.0)) as sandbox:
        async with _running(settings, sandbox, 5) as w:
            report = await scan_once(w.ctx, w.messenger)
        assert report.sent == 5 and len(sandbox.calls("sendMessage")) == 5
        assert count_delivery(sandbox, w.chats) == {"lost": 0, "duplicates": 0}


async def test_two_processes_on_postgresql_share_one_send_rate(settings, db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("one process per SQLite database: its send rate is in memory")
    # a bot allowed 10 messages/s (burst 10); the processes pace 8/s — together, or they
    # would send 16/s and be refused
    limits = SandboxLimits(overall_per_second=10, overall_burst=10)
    async with BotApiSandbox(port=0, token=TOKEN, limits=limits) as sandbox:
        async with _running(settings, sandbox, 60, second=True) as w:
            r1, r2 = await asyncio.gather(scan_once(w.ctx, w.messenger, limit=10, rate=8),
                                          scan_once(w.other, w.messenger, limit=10, rate=8))
        assert r1.sent > 0 and r2.sent > 0 and r1.sent + r2.sent == 60
        assert sandbox.stats()["http_429_total"] == 0
        assert count_delivery(sandbox, w.chats) == {"lost": 0, "duplicates": 0}


async def test_a_stalled_commit_does_not_bunch_the_sends_of_processes_sharing_the_rate(settings, db_url):
    """The cause of the flood 429s of ``bench dispatch --processes 4`` on PostgreSQL (the
    sandbox said: all refused by the overall bucket, right after moments when sends had
    waited): a send took its rate slot, then waited for its place among the unconfirmed
    messages — behind a mark whose commit was slow — and went out late, together with the
    sends of later slots. Here the marks of two processes sharing one rate are held up by
    a real lock for 2 s while they send; the sends must resume at the shared rate."""
    if not db_url.startswith("postgresql"):
        pytest.skip("one process per SQLite database: its send rate is in memory")
    limits = SandboxLimits(overall_per_second=10, overall_burst=10)
    async with BotApiSandbox(port=0, token=TOKEN, limits=limits) as sandbox:
        async with _running(settings, sandbox, 60, second=True) as w:
            passes = asyncio.gather(scan_once(w.ctx, w.messenger, limit=10, rate=8),
                                    scan_once(w.other, w.messenger, limit=10, rate=8))
            while len(sandbox.calls("sendMessage")) < 6:
                await asyncio.sleep(0.01)
            async with w.ctx.engine.connect() as conn:
                await conn.execute(text("LOCK TABLE reminder_log IN EXCLUSIVE MODE"))  # marks wait
                locked_at = len(sandbox.calls("sendMessage"))
                await asyncio.sleep(2.0)
                during = len(sandbox.calls("sendMessage")) - locked_at
                await conn.commit()
            r1, r2 = await passes
        assert during <= 2 * UNCONFIRMED  # the stall was real: only messages already admitted went out
        stats = sandbox.stats()
        assert (stats["flood_overall"], stats["flood_chat"]) == (0, 0)
        assert r1.sent + r2.sent == 60
        assert count_delivery(sandbox, w.chats) == {"lost": 0, "duplicates": 0}


async def test_a_scanner_killed_twice_and_restarted_loses_nothing(settings, tmp_path):
    """Real restarts: the scanner runs in a child process, is killed with SIGKILL twice
    while sending, and started again each time. Only a message Telegram had applied but
    the dead process had not yet marked sent may arrive twice."""
    async with BotApiSandbox(port=0, token=TOKEN, limits=SandboxLimits()) as sandbox:
        ctx, app, chats = await _world(settings, sandbox, 60)
        proc, unmarked = None, 0
        for kill_after in (10, 25, None):
            proc = spawn_scanner(ctx.settings.database_url, sandbox, lease=1.0, interval=0.2)
            if kill_after is None:
                break
            while sandbox.stats()["sent"] < kill_after and proc.poll() is None:
                await asyncio.sleep(0.01)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            await asyncio.sleep(0.3)  # requests already received are answered
            marked = (await _statuses(ctx)).get("sent", 0)
            unmarked += sandbox.stats()["sent"] - count_delivery(sandbox, chats)["duplicates"] - marked
        while proc.poll() is None:
            await asyncio.sleep(0.05)
        await ctx.close()
        assert proc.returncode == 0
        counted = count_delivery(sandbox, chats)
        assert counted["lost"] == 0
        assert counted["duplicates"] <= unmarked


async def test_the_scheduled_job_scans_through_the_delivery_bot(settings):
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
