"""Units, aliases, members and invites — the committee's directory."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plan_import.units import match_units, normalize_unit_name, unit_key
from storage.claims import claim
from storage.models import Invite, JoinRequest, Member, Unit, UnitAlias
from storage.queries import all_units, audit, member_by_user


async def ensure_unit(session: AsyncSession, name: str, aliases: tuple[str, ...] | list[str] = ()) -> Unit:
    name = normalize_unit_name(name)
    key = unit_key(name)
    unit = (await session.execute(select(Unit).where(Unit.key == key))).scalar_one_or_none()
    if unit is None:
        unit = Unit(name=name, key=key, aliases=[])
        session.add(unit)
        await session.flush()
    known = {a.key for a in unit.aliases}
    for alias in aliases:
        akey = unit_key(alias)
        if akey and akey != key and akey not in known:
            taken = (await session.execute(select(UnitAlias).where(UnitAlias.key == akey))).scalar_one_or_none()
            if taken is None:
                unit.aliases.append(UnitAlias(alias=normalize_unit_name(alias), key=akey))
                known.add(akey)
    await session.flush()
    return unit


async def unit_directory(session: AsyncSession) -> dict[str, list[str]]:
    return {u.name: [a.alias for a in u.aliases] for u in await all_units(session)}


async def resolve_units(session: AsyncSession, names: list[str]) -> tuple[dict[str, Unit], list[str]]:
    """Names as written in a document → units; and the names nobody could match."""
    units = {u.name: u for u in await all_units(session)}
    mapping, unknown = match_units(names, {n: [a.alias for a in u.aliases] for n, u in units.items()})
    return {written: units[canon] for written, canon in mapping.items()}, unknown


async def find_units(session: AsyncSession, query: str) -> list[Unit]:
    """Forgiving lookup for chat: exact name/alias, else every unit whose name or alias
    contains the query (no diacritics, any case)."""
    q = unit_key(query)
    if not q:
        return []
    units = await all_units(session)
    exact = [u for u in units if u.key == q or any(a.key == q for a in u.aliases)]
    if exact:
        return exact
    return [u for u in units if q in u.key or any(q in a.key for a in u.aliases)]


async def add_member(session: AsyncSession, *, user_id: int | None, chat_id: int | None, full_name: str,
                     role: str = "member", unit: Unit | None = None, channel: str = "telegram",
                     username: str | None = None) -> Member:
    existing = None
    if user_id is not None:
        existing = (await session.execute(
            select(Member).where(Member.channel == channel, Member.user_id == user_id))).scalar_one_or_none()
    if existing:
        existing.role, existing.unit_id, existing.full_name = role, unit.id if unit else None, full_name
        existing.chat_id, existing.active, existing.reachable = chat_id, True, True
        await session.flush()
        return existing
    member = Member(user_id=user_id, chat_id=chat_id, full_name=full_name, role=role,
                    unit_id=unit.id if unit else None, channel=channel, username=username)
    session.add(member)
    await session.flush()
    return member


@dataclass(frozen=True)
class InviteLink:
    code: str
    expires_at: datetime


async def create_invite(session: AsyncSession, *, unit: Unit | None, role: str, now: datetime,
                        created_by: Member | None = None, valid_for: timedelta = timedelta(days=7)) -> InviteLink:
    code = secrets.token_urlsafe(12)
    session.add(Invite(code=code, unit_id=unit.id if unit else None, role=role, created_at=now,
                       expires_at=now + valid_for, created_by_id=created_by.id if created_by else None))
    await session.flush()
    return InviteLink(code, now + valid_for)


# --- one-time actions (atomic: see storage/claims.py) ---------------------------------------


@dataclass(frozen=True)
class Redeemed:
    outcome: str  # joined / unknown / used / expired
    member: Member | None = None
    unit: Unit | None = None
    role: str = ""
    expires_at: datetime | None = None


async def redeem_invite(session: AsyncSession, code: str, *, user_id: int, chat_id: int, full_name: str,
                        username: str | None, now: datetime, channel: str = "telegram") -> Redeemed:
    """Use a single-use invite: of any number of people opening it at once, one joins."""
    inv = (await session.execute(select(Invite).where(Invite.code == code[:64]))).scalar_one_or_none()
    if inv is None:
        return Redeemed("unknown")
    if inv.expires_at <= now:
        return Redeemed("expired", expires_at=inv.expires_at)
    if inv.used_at is not None or not await claim(session, Invite, inv.id, Invite.used_at.is_(None), used_at=now):
        return Redeemed("used")
    unit = await session.get(Unit, inv.unit_id) if inv.unit_id else None
    member = await add_member(session, user_id=user_id, chat_id=chat_id, full_name=full_name, role=inv.role,
                              unit=unit, username=username, channel=channel)
    inv.used_by_id = member.id
    for req in (await session.execute(select(JoinRequest).where(
            JoinRequest.channel == channel, JoinRequest.user_id == user_id,
            JoinRequest.status == "pending"))).scalars():
        await claim(session, JoinRequest, req.id, JoinRequest.status == "pending", status="approved",
                    unit_id=inv.unit_id, decided_at=now)
    audit(session, "joined", member=member, invite_id=inv.id, unit_id=inv.unit_id, role=inv.role)
    await session.flush()
    return Redeemed("joined", member, unit, inv.role)


async def decide_join_request(session: AsyncSession, request_id: int, *, unit: Unit | None, decider: Member,
                              now: datetime) -> JoinRequest | None:
    """Approve into ``unit`` (None: refuse) a pending request; None when it was decided
    already (a double press, or two staff members at once): only one decision counts."""
    status = "approved" if unit is not None else "refused"
    if not await claim(session, JoinRequest, request_id, JoinRequest.status == "pending", status=status,
                       unit_id=unit.id if unit else None, decided_by_id=decider.id, decided_at=now):
        return None
    req = await session.get(JoinRequest, request_id)
    if unit is not None:
        existing = await member_by_user(session, req.user_id, req.channel)
        if existing is None:
            await add_member(session, user_id=req.user_id, chat_id=req.chat_id, full_name=req.full_name,
                             role="member", unit=unit, channel=req.channel)
        audit(session, "join_approved", member=decider, request_id=req.id, unit_id=unit.id)
    else:
        audit(session, "join_refused", member=decider, request_id=req.id)
    await session.flush()
    return req
