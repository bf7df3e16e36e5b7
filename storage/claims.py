"""Claim a one-time thing atomically (an invite, a join request or extension decision, an
import or broadcast confirmation): one conditional UPDATE — ``… WHERE id = :id AND <still
available>`` — that only one of any number of concurrent callers can win, on SQLite (one
writer at a time) and PostgreSQL (the row lock makes the loser re-check the condition and
find it false). Check-then-set in Python is not atomic: two callers both see "unused".

    if not await claim(s, Invite, inv.id, Invite.used_at.is_(None), used_at=now):
        ...  # someone else used it first
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.util import identity_key
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.ext.asyncio import AsyncSession


async def claim(session: AsyncSession, model: Any, row_id: Any, *available: Any, **values: Any) -> bool:
    """Set ``values`` on row ``row_id`` of ``model`` if ``available`` (conditions on its
    columns) still hold. True for the one caller that won; the change is part of the
    session's transaction (commit it with the rest of the action)."""
    stmt = (update(model).where(model.id == row_id, *available).values(**values)
            .execution_options(synchronize_session=False))
    res = await session.execute(stmt)
    won = res.rowcount == 1
    obj = session.sync_session.identity_map.get(identity_key(model, row_id)) if won else None
    if obj is not None:  # the caller's loaded copy shows what it won
        for k, v in values.items():
            set_committed_value(obj, k, v)
    return won
