"""Named queries for the directory (members, units). Reminder queries live in
`storage/reminder_queries.py`, reporting queries in `storage/report_queries.py`."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditLog, Member, Unit


async def member_by_user(session: AsyncSession, user_id: int, channel: str = "telegram") -> Member | None:
    row = await session.execute(
        select(Member).where(Member.channel == channel, Member.user_id == user_id, Member.active.is_(True))
    )
    return row.scalar_one_or_none()


async def set_reachable(session: AsyncSession, member: Member, *, chat_id: int) -> bool:
    """The member wrote to the bot (or unblocked it) in chat ``chat_id``: reachable there.
    True when something changed."""
    if member.reachable and member.chat_id == chat_id and member.unreachable_since is None:
        return False
    await session.execute(update(Member).where(Member.id == member.id)
                          .values(chat_id=chat_id, reachable=True, unreachable_since=None))
    member.chat_id, member.reachable, member.unreachable_since = chat_id, True, None
    return True


async def members_with_role(session: AsyncSession, *roles: str) -> list[Member]:
    rows = await session.execute(
        select(Member).where(Member.role.in_(roles), Member.active.is_(True)).order_by(Member.id)
    )
    return list(rows.scalars())


async def unit_members(session: AsyncSession, unit_id: int) -> list[Member]:
    rows = await session.execute(
        select(Member).where(Member.unit_id == unit_id, Member.active.is_(True)).order_by(Member.id)
    )
    return list(rows.scalars())


async def all_units(session: AsyncSession) -> list[Unit]:
    return list((await session.execute(select(Unit).order_by(Unit.name))).scalars())


def audit(session: AsyncSession, action: str, *, member: Member | None = None,
          user_id: int | None = None, **detail) -> AuditLog:
    row = AuditLog(action=action, member_id=member.id if member else None,
                   user_id=user_id if user_id is not None else (member.user_id if member else None), detail=detail)
    session.add(row)
    return row
