"""What every handler and job needs, built once by `build_context`."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from storage.attachments import AttachmentStore
from storage.db import create_engine, make_sessionmaker


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    attachments: AttachmentStore
    instance: str = "main"  # names this process in reminder claims
    extras: dict = field(default_factory=dict)

    async def close(self) -> None:
        await self.engine.dispose()


def build_context(settings: Settings, *, clock: Clock | None = None, instance: str = "main") -> AppContext:
    engine = create_engine(settings.database_url)
    return AppContext(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        clock=clock or Clock(settings.tz),
        attachments=AttachmentStore(settings.attachment_dir),
        instance=instance,
    )
