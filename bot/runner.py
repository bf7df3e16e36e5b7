"""Running against real Telegram: long polling, a webhook when a public URL is set, or
scanner-only (no updates taken: a second process beside the one that polls).

Start-up waits for Telegram with backoff instead of exiting. Updates that piled up while the bot was
down are all taken, in order (never dropped): a member's answer sent during downtime is recorded
when the bot is back; Telegram refuses a late answer to an old button press ("query is too old"),
but the work the press asked for is still done. Telegram keeps pending updates for 24 hours only.
See README, "Running with a real token".
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
import socket
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings, SettingsError, check_for_telegram
from bot.context import build_context
from storage.db import upgrade

log = logging.getLogger(__name__)

RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 60.0


def run_telegram(settings: Settings, *, scanner_only: bool = False) -> None:
    check_for_telegram(settings)
    if settings.webhook_url and not settings.webhook_secret and not scanner_only:
        settings = settings.model_copy(update={"webhook_secret": secrets.token_urlsafe(32)})
        print("Chưa đặt DONDOC_WEBHOOK_SECRET: đã tạo khoá bí mật cho lần chạy này (ghi vào .env để giữ cố "
              f"định): {settings.webhook_secret}", flush=True)
    upgrade(settings.database_url)
    ctx = build_context(settings, instance="scanner" if scanner_only else "main")
    app = build_application(ctx)
    asyncio.run(serve(app, settings, scanner_only=scanner_only))


async def serve(app: Application, settings: Settings, *, scanner_only: bool = False,
                stop: asyncio.Event | None = None) -> None:
    """Connect (with backoff), take updates by webhook or long polling (or none: scanner-only), and run
    until SIGINT/SIGTERM or `stop`."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
            pass
    try:
        if not await connect(app, stop):
            return
        if scanner_only:
            log.info("scanner-only: sending due reminders, not taking updates")
        elif settings.webhook_url:
            await _start_webhook(app, settings)
        else:
            log.info("long polling Telegram")
            await app.updater.start_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False,
                                            bootstrap_retries=-1)
        await app.start()
        await stop.wait()
    finally:
        if app.updater and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()


async def connect(app: Application, stop: asyncio.Event) -> bool:
    """Initialise the application (getMe) and set the command menus, retrying while Telegram cannot be
    reached: 1 s, 2 s, 4 s … up to a minute between tries. False if stopped meanwhile."""
    delay = RETRY_FIRST_SECONDS
    while True:
        try:
            await app.initialize()
            await app.post_init(app)
            return True
        except InvalidToken:
            raise SettingsError("Cấu hình sai: DONDOC_BOT_TOKEN — Telegram không nhận token này "
                                "(Telegram refused the token)") from None
        except RetryAfter as exc:
            wait = max(delay, _seconds(exc.retry_after))
            log.warning("Telegram asks to wait %.0f s before connecting again", wait)
        except NetworkError as exc:  # also TimedOut and 5xx answers
            wait = delay
            log.warning("Chưa kết nối được Telegram (%s: %s); thử lại sau %.0f giây",
                        type(exc).__name__, exc, wait)
        try:
            await asyncio.wait_for(stop.wait(), wait)
            return False
        except TimeoutError:
            pass
        delay = min(delay * 2, RETRY_MAX_SECONDS)


async def _start_webhook(app: Application, settings: Settings) -> None:
    """Listen on the webhook URL's own path (a URL without a path listens on /) with the secret Telegram
    echoes in every request; requests without it are refused (403) by python-telegram-bot."""
    path = urlsplit(settings.webhook_url).path.strip("/")
    sock = socket.create_server(("0.0.0.0", settings.webhook_port))
    sock.setblocking(False)  # tornado accepts until EWOULDBLOCK: a blocking socket would stall the loop
    host, port = sock.getsockname()[:2]
    await app.updater.start_webhook(url_path=path, webhook_url=settings.webhook_url,
                                    secret_token=settings.webhook_secret, unix=sock,
                                    allowed_updates=Update.ALL_TYPES, drop_pending_updates=False,
                                    bootstrap_retries=-1)
    print(f"Webhook: Telegram gửi tới {settings.webhook_url}; bot nghe tại {host}:{port}/{path}", flush=True)


def _seconds(value) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
