"""Queries for the update inbox (`InboxUpdate`): store before handling, mark after, list
what a kill left unhandled. Channel-neutral: payloads are JSON text, ids plain integers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Attachment, ConversationState, InboxUpdate, Member

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
    if session.bind.dialect.name == "postgresql":
        # losing this mark to a server crash only means handling the update again: no need
        # to wait for the WAL flush (the update itself was stored with a synchronous commit)
        await session.execute(text("SET LOCAL synchronous_commit TO OFF"))
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


# --- files a kill left without their check-in ------------------------------------------------------


def _ids_in(data: object, under_list_key: bool = False) -> set[int]:
    """Attachment ids a pending conversation holds (lists under keys ending in "ids"/"items")."""
    out: set[int] = set()
    if isinstance(data, dict):
        for k, v in data.items():
            out |= _ids_in(v, str(k).endswith(("ids", "items")))
    elif isinstance(data, list):
        for v in data:
            if under_list_key and isinstance(v, int):
                out.add(v)
            else:
                out |= _ids_in(v, under_list_key)
    return out


@dataclass(frozen=True)
class UnlinkedFile:
    attachment_id: int
    file_name: str
    created_at: datetime
    chat_id: int | None


async def unlinked_files(session: AsyncSession, *, since: datetime, before: datetime) -> list[UnlinkedFile]:
    """Files stored between ``since`` and ``before`` that no check-in and no pending
    conversation holds, not reported yet: their handling was cut and cannot be finished."""
    held: set[int] = set()
    for data in (await session.execute(select(ConversationState.data))).scalars():
        held |= _ids_in(data)
    rows = await session.execute(
        select(Attachment.id, Attachment.file_name, Attachment.created_at, Member.chat_id)
        .join(Member, Member.id == Attachment.member_id)
        .where(Attachment.checkin_id.is_(None), Attachment.unlinked_reported_at.is_(None),
               Attachment.created_at >= since, Attachment.created_at < before).order_by(Attachment.id))
    return [UnlinkedFile(*r) for r in rows if r[0] not in held]


async def mark_unlinked_reported(session: AsyncSession, attachment_id: int, now: datetime) -> bool:
    """Report each unlinked file once (a conditional update: one process wins)."""
    res = await session.execute(update(Attachment).where(
        Attachment.id == attachment_id, Attachment.unlinked_reported_at.is_(None), Attachment.checkin_id.is_(None))
        .values(unlinked_reported_at=now))
    return res.rowcount == 1
