"""Fixtures that build the real world: a migrated database (SQLite always, PostgreSQL when
DONDOC_TEST_DATABASE_URL is set), settings, and an AppContext over them."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine as create_sync_engine, text
from sqlalchemy.engine import make_url

from bot.clock import Clock
from bot.config import Settings
from bot.context import build_context
from bot.sandbox import BotApiSandbox, SandboxLimits, SandboxRules
from storage.db import sync_url, upgrade
from storage.models import Base
from tests.harness import TOKEN, Harness

PG_ENV = "DONDOC_TEST_DATABASE_URL"
PG_URL = os.environ.get(PG_ENV, "")
TIMEZONE = "Asia/Ho_Chi_Minh"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("dbtemplate") / "template.sqlite3"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_database_url():
    """A database of our own on the given server, migrated once, dropped at the end."""
    if not PG_URL:
        pytest.skip(f"PostgreSQL not configured: set {PG_ENV} to run the PostgreSQL half")
    base = make_url(PG_URL)
    name = f"dondoc_t_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_sync_engine(sync_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_pg(url: str) -> None:
    eng = create_sync_engine(sync_url(url))
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with eng.begin() as c:
        c.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    eng.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path, sqlite_template) -> str:
    if request.param == "sqlite":
        path = tmp_path / "dondoc.sqlite3"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    url = request.getfixturevalue("pg_database_url")
    _truncate_pg(url)
    return url


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    return Settings(
        _env_file=None,
        database_url=db_url,
        attachment_dir=tmp_path / "attachments",
        timezone=TIMEZONE,
        bot_token="123456:TEST",
    )


@pytest.fixture
async def ctx(settings):
    context = build_context(settings, clock=Clock(settings.tz))
    yield context
    await context.close()


@pytest.fixture
async def sandbox():
    """The Bot API sandbox as strict as Telegram: flood limits and every rule of SandboxRules on."""
    sb = BotApiSandbox(port=0, token=TOKEN, limits=SandboxLimits(), rules=SandboxRules())
    await sb.start()
    yield sb
    await sb.stop()


@pytest.fixture(autouse=True)
def telegram_request_checker():
    """Every Bot API request the bot made in the test, to any sandbox, kept Telegram's documented limits
    (text and caption length, callback_data, keyboard shape, commands, parse_mode, webhook secret...), and
    every button press the bot received was answered. A test that breaks one on purpose takes it with
    `sandbox.violations(clear=True)` / `unanswered_callback_queries(clear=True)` and asserts on it."""
    for sb in list(BotApiSandbox.started):
        sb.violations(clear=True)
        sb.unanswered_callback_queries(clear=True)
    yield
    found = [{"sandbox": sb.url, **v} for sb in list(BotApiSandbox.started) for v in sb.violations(clear=True)]
    assert not found, f"Bot API requests Telegram would refuse or cut: {found}"
    unanswered = [q for sb in list(BotApiSandbox.started) for q in sb.unanswered_callback_queries(clear=True)]
    assert not unanswered, f"button presses the bot received but never answered (answerCallbackQuery): {unanswered}"


@pytest.fixture
async def harness(ctx, sandbox):
    h = Harness(ctx, sandbox)
    await h.start()
    yield h
    await h.stop()


def pytest_make_parametrize_id(config, val, argname):
    """Bytes parameters (made-up files, some with a timestamp inside) get a short stable id, so
    every test worker collects the same names."""
    if isinstance(val, (bytes, bytearray)):
        return f"{argname}-{len(val)}-bytes"
    return None
