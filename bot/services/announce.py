"""Messages the secretariat sends on demand: "/nhac" (a task's reminder, now, to the
units still working on it) and "/thongbao" (an announcement to all or chosen units).

Both go through the channel-neutral `bot.messenger.Messenger`; "/nhac" goes through the
reminder engine's own claim-and-deliver path (`bot.reminders.scanner`), so its messages
carry the check-in buttons, are logged in ``reminder_log`` and replies to them count.

An announcement longer than one message (Telegram: 4,096 characters, counted in UTF-16
units) is sent as several parts cut at paragraph, line or word ends; one recipient that
fails, for whatever reason, never stops the others."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from bot import texts
from bot.messenger import DeliveryError, Messenger, RecipientUnreachable
from bot.reminders.policy import KIND_DUE_TODAY, KIND_SUPPORT_BEFORE, before_kind, overdue_kind
from bot.reminders.scanner import (
    CONCURRENCY,
    RATE_PER_SECOND,
    Claim,
    PacedMessenger,
    can_receive,
    deliver_claims,
    recipients,
    send_with_retry,
)
from bot.reminders.pacing import shared_pacer
from bot.services.reports import MANUAL_MARK, tg_len
from storage import reminder_queries as q
from storage.models import Assignment, Member, ReminderLog, Task, Unit

log = logging.getLogger(__name__)

ACTIVE = ("open", "in_progress", "blocked")
MESSAGE_LIMIT = 4096  # Telegram's text limit, in UTF-16 code units
MAX_PARTS = 5  # a longer announcement is refused: send a file instead


@dataclass
class RemindResult:
    code: str
    open_assignments: int = 0
    recipients: int = 0
    sent: int = 0  # members who got the message
    failed: int = 0
    nobody_units: list[str] = field(default_factory=list)


def manual_kind(role: str, due, today) -> str:
    """Which reminder wording fits the assignment today."""
    if due is not None and due < today:
        return overdue_kind(1)
    if due is not None and due == today:
        return KIND_DUE_TODAY
    if role == "support":
        return KIND_SUPPORT_BEFORE
    return before_kind((due - today).days) if due is not None else before_kind(1)


async def remind_task_now(ctx, messenger: Messenger, task_id: int, *, now: datetime | None = None,
                          rate: float | None = RATE_PER_SECOND) -> RemindResult:
    now = now or ctx.clock.now()
    today = now.astimezone(ctx.settings.tz).date()
    async with ctx.sessions() as s, s.begin():
        task = await s.get(Task, task_id)
        result = RemindResult(code=task.code if task else "?")
        if task is None or task.status != "open":
            return result
        assignments = list((await s.execute(
            select(Assignment).where(Assignment.task_id == task_id, Assignment.status.in_(ACTIVE))
            .order_by(Assignment.id))).scalars())
        result.open_assignments = len(assignments)
        people = await q.unit_people(s, {a.unit_id for a in assignments})
        names = await q.unit_names(s, {a.unit_id for a in assignments})
        rows = []
        for a in assignments:
            kind = manual_kind(a.role, a.due_date, today)
            to = recipients(people.get(a.unit_id, []), kind, today)
            if not to:
                result.nobody_units.append(names.get(a.unit_id, f"#{a.unit_id}"))
            key = f"{kind}{MANUAL_MARK}{now:%Y-%m-%dT%H:%M:%S}"
            for m in to:
                rows.append(dict(assignment_id=a.id, member_id=m.id, kind=key, status="claimed",
                                 claimed_by=ctx.instance, claimed_at=now))
        inserted = await q.insert_claims(s, rows)
    claims = [Claim(i, a, m, k) for i, a, m, k in inserted]
    result.recipients = len({c.member_id for c in claims})
    await deliver_claims(ctx, messenger, claims, now=now, rate=rate)
    if claims:
        async with ctx.sessions() as s:
            result.sent = (await s.execute(
                select(func.count(func.distinct(ReminderLog.member_id)))
                .where(ReminderLog.id.in_([c.log_id for c in claims]), ReminderLog.status == "sent"))).scalar_one()
    result.failed = result.recipients - result.sent
    return result


# --- announcements ------------------------------------------------------------------------------


def split_broadcast(arg: str) -> tuple[list[str], str]:
    """"Sở A, Sở B: nội dung" → (["Sở A", "Sở B"], "nội dung"); no colon → ([], arg)."""
    head, sep, body = arg.partition(":")
    if not sep or "\n" in head or len(head) > 300 or not body.strip():
        return [], arg
    names = [n.strip() for n in head.replace(";", ",").split(",") if n.strip()]
    return names, body.strip()


def _cut_point(text: str, limit: int) -> int:
    """Where to end a part of ``text`` of at most ``limit`` UTF-16 units: after the last
    paragraph break, else line break, else space that fits; else as much as fits."""
    n = 0
    fit = 0
    for i, ch in enumerate(text):
        n += 2 if ord(ch) > 0xFFFF else 1
        if n > limit:
            break
        fit = i + 1
    window = text[:fit]
    for sep in ("\n\n", "\n", " "):
        k = window.rfind(sep)
        if k > fit // 2:
            return k + len(sep)
    return fit


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """``text`` in parts of at most ``limit`` UTF-16 units; the parts, joined, give the text
    back (only the whitespace at the cuts is dropped)."""
    parts: list[str] = []
    rest = text.strip()
    while tg_len(rest) > limit:
        k = _cut_point(rest, limit)
        parts.append(rest[:k].rstrip())
        rest = rest[k:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def announcement_parts(body: str) -> list[str]:
    """The messages an announcement goes out as: the header on the first, and when there
    are several, "(phần i/n)" on each."""
    text = texts.SC_BROADCAST_HEADER.format(text=body.strip())
    parts = split_message(text)
    if len(parts) == 1:
        return parts
    mark = texts.SC_BROADCAST_PART.format(i=len(parts), n=len(parts))
    parts = split_message(text, MESSAGE_LIMIT - tg_len(mark) - 2)
    return [f"{p}\n\n{texts.SC_BROADCAST_PART.format(i=i, n=len(parts))}" for i, p in enumerate(parts, 1)]


@dataclass
class BroadcastResult:
    total: int = 0  # people in the chosen units
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # not joined, unreachable or on leave


async def broadcast_audience(session, unit_ids: list[int] | None, today) -> tuple[list[Member], int]:
    """(members who can receive, members left out) of the units (None: every unit)."""
    stmt = (select(Member).join(Unit, Unit.id == Member.unit_id)
            .where(Member.active.is_(True), Member.role.in_(("member", "unit_head"))).order_by(Member.id))
    if unit_ids is not None:
        stmt = stmt.where(Member.unit_id.in_(list(unit_ids)))
    people = list((await session.execute(stmt)).scalars())
    ok = [m for m in people if can_receive(m, today)]
    return ok, len(people) - len(ok)


async def broadcast(ctx, messenger: Messenger, body: str, unit_ids: list[int] | None, *,
                    rate: float | None = RATE_PER_SECOND, concurrency: int = CONCURRENCY) -> BroadcastResult:
    """Send the announcement ``body`` (header added, long ones in parts) to every member of
    the units who can receive it. A recipient counts as sent when every part arrived."""
    parts = announcement_parts(body)
    now = ctx.clock.now()
    today = now.astimezone(ctx.settings.tz).date()
    async with ctx.sessions() as s:
        people, skipped = await broadcast_audience(s, unit_ids, today)
    res = BroadcastResult(total=len(people) + skipped, skipped=skipped)
    paced = PacedMessenger(messenger, shared_pacer(ctx, rate))  # one send rate with reminders, all processes
    sem = asyncio.Semaphore(concurrency)
    unreachable: list[int] = []

    async def one(m: Member) -> None:
        async with sem:
            try:
                for part in parts:
                    await send_with_retry(paced, m.chat_id, part)
            except RecipientUnreachable:
                unreachable.append(m.id)
                res.failed += 1
                return
            except DeliveryError as exc:
                log.warning("announcement to member %s failed: %r", m.id, exc)
                res.failed += 1
                return
            except Exception:  # noqa: BLE001 - one recipient's failure never stops the others
                log.exception("announcement to member %s failed", m.id)
                res.failed += 1
                return
            res.sent += 1

    await asyncio.gather(*(one(m) for m in people))
    if unreachable:
        async with ctx.sessions() as s, s.begin():
            for mid in unreachable:
                await q.flag_unreachable(s, mid, now)
    return res
