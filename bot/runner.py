"""Running against real Telegram: long polling, a webhook when a public URL is set, or
scanner-only (no updates taken: a second process beside the one that polls)."""

from __future__ import annotations

import asyncio
import logging
import signal
from urllib.parse import urlparse

from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.context import build_context
from storage.db import upgrade

log = logging.getLogger(__name__)


def run_telegram(settings: Settings, *, scanner_only: bool = False) -> None:
    upgrade(settings.database_url)
    ctx = build_context(settings, instance="scanner" if scanner_only else "main")
    app = build_application(ctx)
    if scanner_only:
        asyncio.run(_run_scanner_only(app))
    elif settings.webhook_url:
        path = urlparse(settings.webhook_url).path.lstrip("/") or "telegram"
        log.info("webhook at %s (listening on 0.0.0.0:%s)", settings.webhook_url, settings.webhook_port)
        app.run_webhook(listen="0.0.0.0", port=settings.webhook_port, url_path=path,
                        webhook_url=settings.webhook_url, secret_token=settings.webhook_secret or None,
                        allowed_updates=Update.ALL_TYPES)
    else:
        log.info("long polling Telegram")
        app.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)


async def _run_scanner_only(app) -> None:
    """The JobQueue runs the reminder scan and digest; no getUpdates, no webhook."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with app:
        await app.start()
        log.info("scanner-only: sending due reminders, not taking updates")
        await stop.wait()
        await app.stop()
