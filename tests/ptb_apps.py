"""A bare python-telegram-bot Application on a sandbox, for the sandbox's own tests (no dondoc handlers)."""

from __future__ import annotations

import contextlib

from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot.sandbox import BotApiSandbox


def build_app(sb: BotApiSandbox, rate_limiter: bool = False) -> Application:
    b = ApplicationBuilder().token(sb.token).base_url(sb.bot_api_base_url).base_file_url(sb.bot_file_base_url)
    if rate_limiter:
        b = b.rate_limiter(AIORateLimiter(max_retries=5))
    return b.build()


@contextlib.asynccontextmanager
async def polling(app: Application, timeout: int = 1):
    """The application taking updates by long polling (`timeout` seconds a poll) for the block's duration."""
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=timeout)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
