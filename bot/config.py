"""Settings from the environment and `.env` (prefix ``DONDOC_``); see `.env.example`."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
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
    default_lead_unit: str = Field("", max_length=300)  # lead of tasks whose document names none
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


def load_settings(**overrides) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = "DONDOC_" + str(err["loc"][0]).upper() if err.get("loc") else "DONDOC_?"
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Cấu hình sai: {key} — {msg}") from None
