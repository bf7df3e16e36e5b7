"""Logging set-up for every entry point, with secrets masked in every line: the bot token
(also inside the Bot API URLs httpx logs at DEBUG), database passwords, the webhook
secret, and any password inside a URL (``scheme://user:password@host``)."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, quote_plus

from sqlalchemy.engine import make_url

MASK = "***"
# A Telegram bot token: the bot id, a colon, 35 characters of base64url.
_TOKEN = re.compile(r"\b\d{3,}(?::|%3[Aa])[A-Za-z0-9_-]{30,}")
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s]+:)(?P<pw>[^@\s]+)(?P<tail>@)")
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """A value never to be shown (short values would mask ordinary words: ignored)."""
    if value and len(value) >= 4:
        _secrets.update({value, quote(value, safe=""), quote_plus(value)})  # as written, and inside URLs
        head, colon, tail = value.partition(":")
        if colon and head.isdigit() and len(tail) >= 8:  # a bot token: its secret half alone, too
            _secrets.add(tail)


def register_settings(settings) -> None:
    register_secret(settings.bot_token)
    register_secret(getattr(settings, "webhook_secret", ""))
    register_secret(db_password(settings.database_url))


def db_password(url: str) -> str | None:
    try:
        return make_url(url).password
    except Exception:  # noqa: BLE001 - not a URL: nothing to mask
        return None


def safe_url(url: str) -> str:
    """A database URL fit to print: the password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return mask(url)


def mask(text: str) -> str:
    for s in sorted(_secrets, key=len, reverse=True):
        if s in text:
            text = text.replace(s, MASK)
    text = _TOKEN.sub(MASK, text)
    return _URL_PASSWORD.sub(lambda m: m["head"] + MASK + m["tail"], text)


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(level: str, settings=None) -> None:
    """Root logging at ``level`` with every handler masking secrets. At INFO and above the
    chatty libraries (httpx logs every request) stay at WARNING."""
    if settings is not None:
        register_settings(settings)
    logging.basicConfig(level=level, format=FORMAT)
    root = logging.getLogger()
    root.setLevel(level)
    for handler in root.handlers:
        handler.setFormatter(MaskingFormatter(FORMAT))
    quiet = logging.WARNING if logging.getLevelName(level) != logging.DEBUG else logging.DEBUG
    logging.getLogger("httpx").setLevel(quiet)
    logging.getLogger("apscheduler").setLevel(logging.WARNING if quiet != logging.DEBUG else logging.DEBUG)
