"""`dondoc demo`: the whole product on one machine with no token — SQLite, the local Bot
API sandbox, the real bot, a sample programme with units and members, and a web page where
a person chats as any member."""

from __future__ import annotations

import asyncio
import logging
import re
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot import texts
from bot.app import build_application
from bot.clock import Clock, local_datetime
from bot.config import Settings
from bot.context import AppContext, build_context
from bot.runner import connect
from bot.sandbox import BotApiSandbox
from storage.db import upgrade

log = logging.getLogger(__name__)

SAMPLES = Path(__file__).parent / "samples"
DEMO_PLAN = "plan_haiphong_bcd_2023.txt"
DEMO_TOKEN = "123456:DEMO-SANDBOX-TOKEN"


@dataclass(frozen=True)
class DemoPerson:
    user_id: int
    name: str
    role: str
    unit: str | None


PEOPLE = (
    DemoPerson(1001, "Chị Lan (Văn phòng BCĐ)", "secretariat", None),
    DemoPerson(2001, "Anh Minh", "member", "Ban Dân vận Thành ủy"),
    DemoPerson(2002, "Chị Hoa (Trưởng ban)", "unit_head", "Ban Dân vận Thành ủy"),
    DemoPerson(2101, "Anh Tuấn", "member", "Tổ công tác số 1"),
    DemoPerson(2201, "Chị Mai", "member", "Tổ công tác số 2"),
    DemoPerson(2301, "Anh Dũng", "member", "Tổ Thư ký giúp việc"),
)


def demo_plan_text(year: int) -> str:
    """The public sample programme, moved to the current year so its deadlines are live."""
    text = (SAMPLES / DEMO_PLAN).read_text(encoding="utf-8")
    return re.sub(r"\b2023\b", str(year), text)


async def seed(ctx: AppContext) -> None:
    from bot.plan_import import parse_plan_text
    from bot.reminders.policy import ReminderPolicy
    from bot.services.directory import add_member, ensure_unit
    from bot.services.plans import import_plan
    from storage.models import Plan

    async with ctx.sessions() as s:
        if (await s.execute(select(func.count()).select_from(Plan))).scalar_one():
            return
        today = ctx.clock.today()
        parsed = parse_plan_text(demo_plan_text(today.year))
        # whatever the date, the first deadlines fall due in ten days: reminders start soon
        dues = [t.due for t in parsed.tasks if t.due]
        if dues:
            shift = today + timedelta(days=10) - min(dues)
            for t in parsed.tasks:
                t.due = t.due + shift if t.due else None
        for p in PEOPLE:
            unit = await ensure_unit(s, p.unit) if p.unit else None
            await add_member(s, user_id=p.user_id, chat_id=p.user_id, full_name=p.name, role=p.role, unit=unit)
        await import_plan(s, parsed, today=ctx.clock.today(), source_name=DEMO_PLAN,
                          policy=ReminderPolicy.from_settings(ctx.settings))
        await s.commit()


async def advance_to_next_reminder(ctx: AppContext, app) -> dict:
    """The page's ⏩ button: move the bot's clock to the next scheduled reminder, then scan."""
    from bot.reminders.scanner import scan_once
    from bot.texts import fmt_date
    from handlers.messenger import TelegramMessenger
    from storage.models import ScheduledReminder

    async with ctx.sessions() as s:
        nxt = (await s.execute(
            select(func.min(ScheduledReminder.fire_at)).where(
                ScheduledReminder.done.is_(False), ScheduledReminder.fire_at > ctx.clock.now())
        )).scalar_one()
    if nxt is None:
        return {"message": "Không còn lần nhắc nào được lên lịch."}
    ctx.clock.set(nxt + timedelta(seconds=1))
    report = await scan_once(ctx, TelegramMessenger(app.bot))
    local = ctx.clock.local_now()
    sent = getattr(report, "sent", None)
    return {"message": f"Đồng hồ của bot: {local:%H:%M} {fmt_date(local.date())}"
                       + (f" — đã gửi {sent} tin nhắc." if sent is not None else "")}


async def run_demo(settings: Settings, *, port: int | None = None, fresh: bool = False,
                   open_browser: bool = False, stop: asyncio.Event | None = None, today: date | None = None,
                   on_ready: Callable[[str], None] | None = None) -> int:
    """Serve the demo until SIGINT/SIGTERM or `stop`. `today`: the bot's date at start (09:00 local; default
    the real date). `port=0`: a port from the OS; `on_ready(url)` is called once the page is served."""
    web_port = settings.web_port if port is None else port
    sandbox = BotApiSandbox(port=web_port, token=DEMO_TOKEN)
    try:
        await sandbox.start()
    except OSError as exc:
        print(texts.DEMO_PORT_BUSY.format(port=web_port, reason=exc.strerror or exc), flush=True)
        return 1

    db_url = settings.database_url
    if db_url == Settings.model_fields["database_url"].default:
        db_path = Path("data/demo.sqlite3")
        if fresh and db_path.exists():
            db_path.unlink()
        db_url = f"sqlite+aiosqlite:///{db_path}"
    settings = settings.model_copy(update={"database_url": db_url, "bot_token": DEMO_TOKEN})
    upgrade(settings.database_url)
    clock = Clock(settings.tz)
    if today is not None:
        clock.set(local_datetime(today, 9, settings.tz))
    ctx = build_context(settings, clock=clock, instance="demo")
    await seed(ctx)

    for p in PEOPLE:
        sandbox.add_user(p.user_id, p.name, description=f"{p.unit or 'Thường trực'} · {p.role}")
    app = build_application(ctx, base_url=sandbox.bot_api_base_url, base_file_url=sandbox.bot_file_base_url)

    async def advance(_payload=None):
        return await advance_to_next_reminder(ctx, app)

    sandbox.register_control_action("advance_clock", advance)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    if await connect(app, stop):  # as `dondoc run`: getMe, then the command menus (post_init)
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=10)
        print(f"dondoc demo: mở {sandbox.url}/ trong trình duyệt (Ctrl+C để dừng)", flush=True)
        if on_ready:
            on_ready(sandbox.url)
        await stop.wait()
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    await sandbox.stop()
    await ctx.close()
    return 0
