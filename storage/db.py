"""Engines, sessions and migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage import limits

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def ensure_sqlite_dir(url: str) -> None:
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        Path(u.database).parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str, **kw) -> AsyncEngine:
    ensure_sqlite_dir(url)
    if url.startswith("sqlite"):
        kw.setdefault("connect_args", {"timeout": 30})
    else:
        kw.setdefault("pool_size", 10)
        kw.setdefault("pool_pre_ping", True)
    engine = create_async_engine(url, **kw)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    limits.install()
    return async_sessionmaker(engine, expire_on_commit=False)


def sync_url(url: str) -> str:
    """Alembic runs with a plain driver: sqlite3 / psycopg."""
    u = make_url(url)
    backend = u.get_backend_name()
    driver = "pysqlite" if backend == "sqlite" else "psycopg"
    return u.set(drivername=f"{backend}+{driver}").render_as_string(hide_password=False)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", sync_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    """Apply every migration; "heads" so that parallel branches of migrations all apply."""
    ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), revision)
