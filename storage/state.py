"""Unfinished conversations kept in the database, so a restart loses none."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationState, utcnow


def state_key(channel: str, user_id: int, name: str) -> str:
    return f"{channel}:{user_id}:{name}"


async def get_state(session: AsyncSession, key: str) -> dict[str, Any] | None:
    row = await session.get(ConversationState, key)
    return dict(row.data) if row else None


async def set_state(session: AsyncSession, key: str, data: dict[str, Any]) -> None:
    row = await session.get(ConversationState, key)
    if row is None:
        session.add(ConversationState(key=key, data=data))
    else:
        row.data = data
        row.updated_at = utcnow()


async def clear_state(session: AsyncSession, key: str) -> None:
    await session.execute(delete(ConversationState).where(ConversationState.key == key))


async def take_state(session: AsyncSession, key: str) -> dict[str, Any] | None:
    """Read and delete in one statement: of two callers racing for the same state (a
    button pressed twice), exactly one gets it; the other gets None."""
    row = await session.execute(
        delete(ConversationState).where(ConversationState.key == key).returning(ConversationState.data))
    data = row.scalar_one_or_none()
    return dict(data) if data is not None else None


async def states_with_prefix(session: AsyncSession, prefix: str) -> list[ConversationState]:
    rows = await session.execute(select(ConversationState).where(ConversationState.key.startswith(prefix)))
    return list(rows.scalars())
