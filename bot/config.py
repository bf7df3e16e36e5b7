"""Settings from the environment and `.env` (prefix ``DONDOC_``); see `.env.example`."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_ALLOWED_TYPES = "pdf,doc,docx,xls,xlsx,ppt,pptx,jpg,jpeg,png,zip"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DONDOC_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: str = ""
    database_url: str = "sqlite+aiosqlite:///./data/dondoc.sqlite3"
    timezone: str = "Asia/Ho_Chi_Minh"
    attachment_dir: Path = Path("./data/attachments")
    reminder_hour: int = Field(8, ge=0, le=23)
    reminder_offsets: str = "7,3,1,0"
    overdue_every_days: int = Field(3, ge=1, le=30)
    scan_interval_seconds: float = Field(60.0, gt=0)
    max_file_mb: float = Field(20.0, gt=0)
    allowed_file_types: str = DEFAULT_ALLOWED_TYPES
    admin_ids: str = ""
    web_port: int = Field(8080, ge=0, le=65535)
    webhook_url: str = ""
    webhook_port: int = Field(8443, ge=0, le=65535)
    webhook_secret: str = ""
    telegram_api_url: str = ""
    log_level: str = "INFO"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {v!r}") from exc
        return v

    @field_validator("reminder_offsets")
    @classmethod
    def _offsets(cls, v: str) -> str:
        try:
            vals = [int(x) for x in v.split(",") if x.strip()]
        except ValueError as exc:
            raise ValueError("a comma-separated list of whole days, e.g. 7,3,1,0") from exc
        if any(x < 0 or x > 365 for x in vals):
            raise ValueError("days must be between 0 and 365")
        return v

    @field_validator("admin_ids")
    @classmethod
    def _admins(cls, v: str) -> str:
        for x in v.split(","):
            if x.strip() and not x.strip().lstrip("-").isdigit():
                raise ValueError("a comma-separated list of Telegram user ids")
        return v

    @field_validator("log_level")
    @classmethod
    def _level(cls, v: str) -> str:
        if v.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return v.upper()

    @field_validator("database_url")
    @classmethod
    def _db(cls, v: str) -> str:
        if not v.startswith(("sqlite", "postgresql")):
            raise ValueError("a sqlite+aiosqlite:/// or postgresql+asyncpg:// URL")
        return v

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def offsets(self) -> list[int]:
        return sorted({int(x) for x in self.reminder_offsets.split(",") if x.strip()}, reverse=True)

    @property
    def allowed_extensions(self) -> set[str]:
        return {x.strip().lower().lstrip(".") for x in self.allowed_file_types.split(",") if x.strip()}

    @property
    def admin_user_ids(self) -> set[int]:
        return {int(x) for x in self.admin_ids.split(",") if x.strip()}

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


class SettingsError(SystemExit):
    """Raised with one clear line naming the offending key."""


# Telegram's own limits on what the settings ask of it (Bot API reference: getFile "up to 20MB";
# setWebhook ports and secret_token). A self-hosted Bot API server (DONDOC_TELEGRAM_API_URL, --local)
# downloads files of up to 2000 MB.
TELEGRAM_DOWNLOAD_MB = 20
LOCAL_SERVER_DOWNLOAD_MB = 2000
WEBHOOK_PORTS = (443, 80, 88, 8443)
SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def check_for_telegram(settings: Settings) -> None:
    """Refuse, in one line naming the key, a setting Telegram itself would refuse at run time."""
    limit = LOCAL_SERVER_DOWNLOAD_MB if settings.telegram_api_url else TELEGRAM_DOWNLOAD_MB
    if settings.max_file_mb > limit:
        raise SettingsError(f"Cấu hình sai: DONDOC_MAX_FILE_MB — Telegram chỉ cho bot tải tệp đến {limit} MB "
                            f"(Telegram lets bots download files of up to {limit} MB)")
    if settings.webhook_url:
        problem = webhook_url_problem(settings.webhook_url)
        if problem:
            raise SettingsError(f"Cấu hình sai: DONDOC_WEBHOOK_URL — {problem}")
    if settings.webhook_secret and not SECRET_TOKEN_RE.match(settings.webhook_secret):
        raise SettingsError("Cấu hình sai: DONDOC_WEBHOOK_SECRET — chỉ gồm 1–256 ký tự A-Z a-z 0-9 _ - "
                            "(Telegram accepts 1-256 characters of A-Z a-z 0-9 _ -)")


def webhook_url_problem(url: str) -> str | None:
    """Why Telegram's setWebhook would refuse this URL, or None."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return "cần một địa chỉ https://tên-miền/đường-dẫn (Telegram only posts to HTTPS URLs)"
    try:
        port = parts.port or 443
    except ValueError:
        port = -1
    if port not in WEBHOOK_PORTS:
        return "cổng phải là 443, 80, 88 hoặc 8443 (Telegram posts only to ports 443, 80, 88, 8443)"
    if parts.query or parts.fragment:
        return "không được có ?… hay #… (the bot listens on the URL's path only)"
    return None


def load_settings(**overrides) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = "DONDOC_" + str(err["loc"][0]).upper() if err.get("loc") else "DONDOC_?"
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Cấu hình sai: {key} — {msg}") from None
