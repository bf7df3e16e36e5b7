"""`build_application`: the one place that wires python-telegram-bot to dondoc."""

from __future__ import annotations

import logging

from sqlalchemy import select
from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, LinkPreviewOptions
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults, ExtBot
from telegram.request import HTTPXRequest

from bot.context import AppContext
from bot.inbox import Inbox
from bot.telegram_inbox import InboxApplication, InboxQueue
from handlers import checkin, fallback, joining, plan_import, secretariat
from handlers.common import DondocContext, commands_for_role, register_common
from handlers.reminder_jobs import register_reminder_jobs
from storage.models import Member

log = logging.getLogger(__name__)

# One module per user journey; each exposes `register(application)`. Order matters only
# inside a group: the gate runs first (group -1), the catch-alls last.
HANDLER_MODULES = (joining, plan_import, secretariat, checkin, fallback)


def build_application(
    ctx: AppContext,
    *,
    token: str | None = None,
    base_url: str | None = None,
    base_file_url: str | None = None,
    rate_limiter: bool = True,
    jobs: bool = True,
) -> Application:
    settings = ctx.settings
    builder = (
        ApplicationBuilder()
        .application_class(InboxApplication)
        .update_queue(InboxQueue(Inbox(ctx)))
        .token(token or settings.bot_token)
        .defaults(Defaults(tzinfo=settings.tz, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .context_types(ContextTypes(context=DondocContext))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .connect_timeout(10)
        .read_timeout(15)
        .write_timeout(30)
        .media_write_timeout(60)
        .pool_timeout(10)
        .connection_pool_size(64)
    )
    if rate_limiter:
        builder = builder.rate_limiter(
            AIORateLimiter(overall_max_rate=29, overall_time_period=1, group_max_rate=19,
                           group_time_period=60, max_retries=5)
        )
    if base_url or settings.telegram_api_url:
        base = base_url or settings.telegram_api_url.rstrip("/") + "/bot"
        builder = builder.base_url(base).base_file_url(base_file_url or base.replace("/bot", "/file/bot"))
    app = builder.build()
    app.bot_data["ctx"] = ctx
    register_common(app)
    for module in HANDLER_MODULES:
        module.register(app)
    if jobs:
        register_reminder_jobs(app, ctx, build_delivery_bot(app))
    return app


async def _post_init(app: Application) -> None:
    await set_command_menus(app)


DELIVERY_READ_TIMEOUT = 60.0  # wait for a slow answer rather than send again (no idempotency key)


def build_delivery_bot(app: Application) -> ExtBot:
    """The bot the reminder engine sends through: same token, server and defaults, but
    without PTB's AIORateLimiter (which pauses every request on one 429 and retries on its
    own) — the engine paces all processes together and retries itself
    (`bot.reminders.pacing`) — and with a long read timeout. Shut down with the app."""
    bot = app.bot_data.get("delivery_bot")
    if bot is None:
        url = app.bot.base_url
        file_url = app.bot.base_file_url
        bot = ExtBot(app.bot.token, base_url=lambda _token: url, base_file_url=lambda _token: file_url,
                     defaults=app.bot.defaults,
                     request=HTTPXRequest(connection_pool_size=64, connect_timeout=10,
                                          read_timeout=DELIVERY_READ_TIMEOUT, write_timeout=30, pool_timeout=10))
        app.bot_data["delivery_bot"] = bot
    return bot


async def _post_shutdown(app: Application) -> None:
    bot = app.bot_data.get("delivery_bot")
    if bot is not None:
        await bot.shutdown()


async def set_command_menus(app: Application) -> None:
    """Each person's menu shows only what their role may use (setMyCommands per chat)."""

    ctx: AppContext = app.bot_data["ctx"]
    bot = app.bot

    def menu(role: str) -> list[BotCommand]:
        return [BotCommand(s.names[0], s.description[:256]) for s in commands_for_role(role)]

    await bot.set_my_commands(menu("member"), scope=BotCommandScopeDefault())
    async with ctx.sessions() as s:
        members = (await s.execute(select(Member).where(Member.active.is_(True), Member.chat_id.is_not(None),
                                                        Member.role != "member"))).scalars().all()
    for m in members:
        try:
            await bot.set_my_commands(menu(m.role), scope=BotCommandScopeChat(m.chat_id))
        except Exception as exc:  # noqa: BLE001 - a chat we cannot reach must not stop start-up
            log.warning("setMyCommands for chat %s failed: %s", m.chat_id, exc)
