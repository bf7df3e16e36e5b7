"""Queries for the update inbox (`InboxUpdate`): store before handling, mark after, list
what a kill left unhandled. Channel-neutral: payloads are JSON text, ids plain integers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboxUpdate

MAX_ATTEMPTS = 3  # an update whose handling was cut this often (it kills the process?) is given up


@dataclass(frozen=True)
class StoredUpdate:
    id: int
    update_id: int
    payload: str
    attempts: int


async def store_update(session: AsyncSession, *, channel: str, update_id: int, digest: str, payload: str,
                       now: datetime) -> tuple[int, bool]:
    """Insert the update unless the same one is stored. Returns (row id, already handled)."""
    values = dict(channel=channel, update_id=update_id, digest=digest, payload=payload, received_at=now,
                  attempts=0)
    dialect = session.bind.dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(InboxUpdate).values(**values)
    await session.execute(ins.on_conflict_do_nothing(index_elements=["channel", "update_id", "digest"]))
    row = (await session.execute(select(InboxUpdate.id, InboxUpdate.handled_at).where(
        InboxUpdate.channel == channel, InboxUpdate.update_id == update_id,
        InboxUpdate.digest == digest))).one()
    return row.id, row.handled_at is not None


async def mark_handled(session: AsyncSession, row_id: int, now: datetime) -> None:
    await session.execute(update(InboxUpdate).where(InboxUpdate.id == row_id, InboxUpdate.handled_at.is_(None))
                          .values(handled_at=now))


async def unhandled_updates(session: AsyncSession, channel: str) -> list[StoredUpdate]:
    """Stored but not handled, oldest first."""
    rows = await session.execute(select(InboxUpdate).where(
        InboxUpdate.channel == channel, InboxUpdate.handled_at.is_(None)).order_by(InboxUpdate.id))
    return [StoredUpdate(r.id, r.update_id, r.payload, r.attempts) for r in rows.scalars()]


async def begin_attempt(session: AsyncSession, row_id: int) -> int | None:
    """Count one more attempt at handling an update; its attempts so far, or None when it
    was handled meanwhile (by another process)."""
    res = await session.execute(update(InboxUpdate).where(
        InboxUpdate.id == row_id, InboxUpdate.handled_at.is_(None)).values(attempts=InboxUpdate.attempts + 1))
    if res.rowcount != 1:
        return None
    return (await session.execute(select(InboxUpdate.attempts).where(InboxUpdate.id == row_id))).scalar_one()


async def give_up(session: AsyncSession, row_id: int, now: datetime) -> None:
    """Stop replaying an update that failed MAX_ATTEMPTS times (it stays stored)."""
    await mark_handled(session, row_id, now)


async def prune_handled(session: AsyncSession, before: datetime) -> int:
    res = await session.execute(delete(InboxUpdate).where(InboxUpdate.handled_at.is_not(None),
                                                          InboxUpdate.handled_at < before))
    return res.rowcount or 0
