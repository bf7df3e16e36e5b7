"""The scanner: find the reminders now due, claim them in the database, send them.

One pass (``scan_once``):

1. Stale claims — a process died between claiming and marking sent — older than
   ``stale_after`` are taken over (compare-and-set) and retried once.
2. Due rows of ``scheduled_reminders`` are claimed in batches with one
   ``UPDATE … SET done = true … RETURNING`` (``FOR UPDATE SKIP LOCKED`` on PostgreSQL);
   in the same transaction each gets one ``reminder_log`` row per recipient, inserted
   with ``ON CONFLICT DO NOTHING`` on the unique (assignment, member, kind) key — that
   row is the claim — and the next overdue level is scheduled. Then it commits.
3. Claims are grouped per member: one message per member (several tasks combined, the
   catch-up after downtime included), sent in parallel across chats (bounded), each
   marked ``sent`` with its Telegram message id as soon as it is delivered.

No reminder lives in memory between passes: a late, skipped or crashed pass is caught
up by the next one, and two processes against one database never send the same
reminder (at most the message in flight at a kill is sent again).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from bot import texts
from bot.messenger import DeliveryError, Messenger, RecipientUnreachable, RetryLater, SentMessage, TransientError
from bot.reminders.compose import ReminderItem, compose
from bot.reminders.retire import retire_superseded
from bot.reminders.policy import (
    ACTIVE_STATUSES,
    ReminderPolicy,
    audience,
    base_kind,
    claim_key,
    next_overdue,
    on_leave,
    overdue_kind,
    overdue_level,
)
from storage import reminder_queries as q
from storage.models import Member, ScheduledReminder

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=2)
CONCURRENCY = 30  # parallel sends to different chats; the rate limiter paces the total
PART_GAP_SECONDS = 1.0  # between parts of a split message to one chat (Telegram: ~1 msg/s/chat)
SEND_ATTEMPTS = 6
RATE_PER_SECOND = 29.0  # Telegram's ~30 messages/s overall, evenly spaced


class Pacer:
    """Spaces calls evenly at ``rate`` per second, with no initial burst, so the flood
    limit is never hit (the rate limiter behind it would answer a burst with 429s and
    one-second retries). Shared by the concurrent sends of a pass."""

    def __init__(self, rate: float | None) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.interval:
            return
        async with self._lock:
            loop = asyncio.get_running_loop()
            now = loop.time()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)


class PacedMessenger:
    """A `Messenger` whose every send attempt takes a slot from a `Pacer`."""

    def __init__(self, inner: Messenger, pacer: Pacer) -> None:
        self.inner, self.pacer = inner, pacer

    async def send_text(self, chat_id, text, buttons=None, reply_to=None) -> SentMessage:
        await self.pacer.wait()
        return await self.inner.send_text(chat_id, text, buttons, reply_to)

    async def send_file(self, chat_id, filename, content, caption=None) -> SentMessage:
        await self.pacer.wait()
        return await self.inner.send_file(chat_id, filename, content, caption)

    async def set_buttons(self, chat_id, message_id, buttons) -> bool:
        await self.pacer.wait()
        return await self.inner.set_buttons(chat_id, message_id, buttons)


@dataclass
class ScanReport:
    due: int = 0  # scheduled rows taken by this pass
    claimed: int = 0  # reminder_log claims made (one per recipient)
    retried: int = 0  # stale claims taken over
    sent: int = 0  # claims delivered
    messages: int = 0  # messages sent (a combined message carries several claims)
    failed: int = 0
    unreachable: int = 0
    skipped: int = 0  # done/cancelled assignments, nobody to tell
    units_flagged: list[int] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class Claim:
    log_id: int
    assignment_id: int
    member_id: int
    key: str  # reminder_log.kind
    retry: bool = False


def can_receive(m: Member, today: date) -> bool:
    return bool(m.active and m.reachable and m.chat_id is not None and not on_leave(m.on_leave_until, today))


def recipients(people: list[Member], kind: str, today: date) -> list[Member]:
    """Who in the unit gets a reminder of ``kind`` today: its contacts (role member; the
    head when the unit has no contacts), plus the head from overdue level 2 on; members
    unreachable or on leave are left out."""
    contacts = [m for m in people if m.role == "member"]
    heads = [m for m in people if m.role == "unit_head"]
    chosen = contacts or heads
    if audience(kind) == "contacts+head":
        chosen = chosen + [h for h in heads if h not in chosen]
    return [m for m in chosen if can_receive(m, today)]


async def scan_once(ctx, messenger: Messenger, *, now: datetime | None = None, limit: int = 500,
                    stale_after: timedelta = STALE_AFTER, concurrency: int = CONCURRENCY,
                    max_batches: int = 3, rate: float | None = RATE_PER_SECOND) -> ScanReport:
    """One pass of the scanner (see the module doc). ``now`` defaults to ``ctx.clock.now()``.

    At most ``limit × max_batches`` reminders are claimed per pass, so a pass sends well
    within ``stale_after`` (1,500 at 29/s ≈ 52 s < 2 min) and another process never takes
    over a claim still queued here; the rest waits for the next pass."""
    messenger = PacedMessenger(messenger, Pacer(rate))
    loop = asyncio.get_running_loop()
    started = loop.time()
    now = now or ctx.clock.now()
    policy = ReminderPolicy.from_settings(ctx.settings)
    today = now.astimezone(policy.tz).date()
    report = ScanReport()
    nobody: dict[int, set[str]] = defaultdict(set)

    claims = await _reclaim_stale(ctx, now, stale_after, limit, report)
    for _ in range(max_batches):
        batch, taken = await _claim_batch(ctx, now, today, policy, limit, report, nobody)
        claims += batch
        if taken < limit or len(claims) >= limit * max_batches:
            break
    if claims:
        await _deliver_all(ctx, messenger, claims, now, today, concurrency, report)
    if nobody:
        await _flag_units(ctx, messenger, nobody, now, today, report)
    report.seconds = loop.time() - started
    if report.claimed or report.retried or report.failed:
        log.info("reminder scan: %s", report)
    return report


# --- claiming -----------------------------------------------------------------------------


async def _reclaim_stale(ctx, now, stale_after, limit, report) -> list[Claim]:
    out = []
    async with ctx.sessions() as s, s.begin():
        for r in await q.stale_claims(s, now - stale_after, limit):
            if (r.error or "").startswith("retry"):
                await q.mark_failed(s, [r.id], f"{r.error}; stale again")
                report.failed += 1
            elif await q.reclaim(s, r.id, r.claimed_at, now, ctx.instance,
                                 f"retry: claim of {r.claimed_by or '?'} went stale ({r.error or 'in flight'})"):
                out.append(Claim(r.id, r.assignment_id, r.member_id, r.kind, retry=True))
    report.retried += len(out)
    return out


async def _claim_batch(ctx, now, today, policy, limit, report, nobody) -> tuple[list[Claim], int]:
    async with ctx.sessions() as s, s.begin():
        rows = await q.claim_due_reminders(s, now, limit)
        if not rows:
            return [], 0
        report.due += len(rows)
        assignments = await q.assignments_by_id(s, {r.assignment_id for r in rows})
        people = await q.unit_people(s, {a.unit_id for a in assignments.values()})
        snoozers = await q.members_by_id(s, {r.member_id for r in rows if r.member_id})
        wanted: dict[tuple[int, int, str], dict] = {}
        for r in rows:
            a = assignments.get(r.assignment_id)
            if a is None or a.status not in ACTIVE_STATUSES or a.task.status != "open":
                report.skipped += 1
                continue
            if r.member_id is not None:
                m = snoozers.get(r.member_id)
                to = [m] if m is not None and can_receive(m, today) else []
            else:
                to = recipients(people.get(a.unit_id, []), r.kind, today)
                if not to:
                    nobody[a.unit_id].add(a.task.code)
                    report.skipped += 1
            level = overdue_level(r.kind)
            if level is not None and r.member_id is None and a.due_date is not None:
                nxt, day = next_overdue(a.due_date, today + timedelta(days=1), policy, min_level=level + 1)
                s.add(ScheduledReminder(assignment_id=a.id, member_id=None, kind=overdue_kind(nxt),
                                        fire_at=policy.at(day)))
            key = claim_key(r.kind, a.due_date, r.fire_at)
            for m in to:
                wanted[(a.id, m.id, key)] = dict(assignment_id=a.id, member_id=m.id, kind=key, status="claimed",
                                                 claimed_by=ctx.instance, claimed_at=now)
        inserted = await q.insert_claims(s, list(wanted.values()))
    report.claimed += len(inserted)
    return [Claim(i, a, m, k) for i, a, m, k in inserted], len(rows)


# --- delivery -----------------------------------------------------------------------------


def _wait(retry_state) -> float:
    exc = retry_state.outcome.exception()
    if isinstance(exc, RetryLater):
        return float(exc.retry_after) + 0.1
    return min(8.0, 0.5 * 2 ** (retry_state.attempt_number - 1)) * (0.5 + random.random())


async def send_with_retry(messenger: Messenger, chat_id: int, text: str, buttons=None,
                          attempts: int = SEND_ATTEMPTS) -> SentMessage:
    """Send one message: ``RetryLater`` waits the time Telegram asked for, network errors
    and server failures back off exponentially; ``RecipientUnreachable`` is not retried."""
    async for attempt in AsyncRetrying(stop=stop_after_attempt(attempts), wait=_wait, reraise=True,
                                       retry=retry_if_exception_type((RetryLater, TransientError))):
        with attempt:
            return await messenger.send_text(chat_id, text, buttons)
    raise AssertionError("unreachable")  # pragma: no cover


async def _deliver_all(ctx, messenger, claims: list[Claim], now, today, concurrency, report) -> None:
    async with ctx.sessions() as s:
        assignments = await q.assignments_by_id(s, {c.assignment_id for c in claims})
        units = await q.task_units(s, {a.task_id for a in assignments.values()})
        members = await q.members_by_id(s, {c.member_id for c in claims})
    closed = [c.log_id for c in claims
              if (a := assignments.get(c.assignment_id)) is None or a.status not in ACTIVE_STATUSES]
    per_member: dict[int, list[Claim]] = defaultdict(list)
    for c in claims:
        if c.log_id not in closed:
            per_member[c.member_id].append(c)
    if closed:
        async with ctx.sessions() as s, s.begin():
            await q.mark_failed(s, closed, "assignment closed before sending")
        report.skipped += len(closed)

    sem = asyncio.Semaphore(concurrency)

    async def one(member_id: int, mine: list[Claim]) -> None:
        member = members.get(member_id)
        async with sem:
            await _deliver_member(ctx, messenger, member, mine, assignments, units, now, today, report)

    await asyncio.gather(*(one(mid, mine) for mid, mine in per_member.items()))


async def deliver_claims(ctx, messenger: Messenger, claims: list[Claim], *, now: datetime | None = None,
                         concurrency: int = CONCURRENCY, rate: float | None = RATE_PER_SECOND) -> ScanReport:
    """Send claims made outside a scan pass (the secretariat's "/nhac": remind now) exactly
    as a pass sends its own: one message per member, paced, marked sent with the message
    id (so replies to it are check-ins), unreachable members flagged."""
    messenger = PacedMessenger(messenger, Pacer(rate))
    loop = asyncio.get_running_loop()
    started = loop.time()
    now = now or ctx.clock.now()
    today = now.astimezone(ctx.settings.tz).date()
    report = ScanReport(claimed=len(claims))
    if claims:
        await _deliver_all(ctx, messenger, claims, now, today, concurrency, report)
    report.seconds = loop.time() - started
    return report


def _items(mine: list[Claim], assignments, units) -> list[ReminderItem]:
    latest: dict[int, Claim] = {}
    for c in mine:  # claims come oldest first: the latest kind per task wins
        latest[c.assignment_id] = c
    items = []
    for aid, c in latest.items():
        a = assignments[aid]
        lead, support = units.get(a.task_id, ((), ()))
        items.append(ReminderItem(assignment_id=aid, kind=base_kind(c.key), code=a.task.code, title=a.task.title,
                                  due=a.due_date, lead_units=lead, support_units=support))
    return items


async def _deliver_member(ctx, messenger, member, mine, assignments, units, now, today, report) -> None:
    ids = [c.log_id for c in mine]
    if member is None or member.chat_id is None or not member.active:
        async with ctx.sessions() as s, s.begin():
            await q.mark_failed(s, ids, "member gone")
        report.failed += len(ids)
        return
    parts = compose(_items(mine, assignments, units), today, member.role)
    first: int | None = None
    try:
        for i, (text, buttons) in enumerate(parts):
            if i:
                await asyncio.sleep(PART_GAP_SECONDS)
            sent = await send_with_retry(messenger, member.chat_id, text, buttons)
            first = first if first is not None else sent.message_id
            report.messages += 1
    except RecipientUnreachable as exc:
        report.unreachable += len(ids)
        async with ctx.sessions() as s, s.begin():
            await q.mark_failed(s, ids, f"unreachable: {exc}")
            flipped = await q.flag_unreachable(s, member.id, now)
        if flipped:
            await _tell_secretariat_unreachable(ctx, messenger, member, now)
        return
    except Exception as exc:  # noqa: BLE001 - retried once by the stale-claim pass, then failed
        retry_done = any(c.retry for c in mine)
        log.warning("reminder to member %s failed%s: %r", member.id, " again" if retry_done else "", exc)
        async with ctx.sessions() as s, s.begin():
            await q.mark_failed(s, ids, f"{'retry: ' if retry_done else ''}send failed: {exc!r}",
                                keep_claimed=not retry_done)
        report.failed += len(ids)
        return
    async with ctx.sessions() as s, s.begin():
        await q.mark_sent(s, ids, first, now)
    report.sent += len(ids)
    await retire_superseded(ctx, messenger, member.id, first, {c.assignment_id for c in mine})


async def _notify(messenger, chat_id: int, text: str) -> SentMessage | None:
    try:
        return await send_with_retry(messenger, chat_id, text)
    except DeliveryError as exc:
        log.warning("notice to chat %s failed: %r", chat_id, exc)
        return None


async def _tell_secretariat_unreachable(ctx, messenger, member: Member, now: datetime) -> None:
    async with ctx.sessions() as s:
        secretariat = [m for m in await q.secretariat_contacts(s) if m.id != member.id]
        unit = member.unit.name if member.unit else texts.NO_UNITS
    since = texts.fmt_date(now.astimezone(ctx.settings.tz).date())
    text = texts.SECRETARIAT_MEMBER_UNREACHABLE.format(name=member.full_name or f"#{member.id}", unit=unit,
                                                       since=since)
    await asyncio.gather(*(_notify(messenger, m.chat_id, text) for m in secretariat))


async def _flag_units(ctx, messenger, nobody: dict[int, set[str]], now, today, report) -> None:
    """A unit nobody in which can be reached: the secretariat is told, once a day per unit."""
    todo = []
    async with ctx.sessions() as s, s.begin():
        secretariat = await q.secretariat_contacts(s)
        names = await q.unit_names(s, nobody)
        for unit_id, codes in nobody.items():
            for m in secretariat:
                if await q.claim_digest(s, m.id, today, f"nobody:{unit_id}"):
                    todo.append((m, unit_id, sorted(codes)))
    for m, unit_id, codes in todo:
        text = texts.SECRETARIAT_UNIT_NOBODY.format(unit=names.get(unit_id, f"#{unit_id}"),
                                                    tasks=", ".join(codes[:20]) + (" …" if len(codes) > 20 else ""))
        await _notify(messenger, m.chat_id, text)
        if unit_id not in report.units_flagged:
            report.units_flagged.append(unit_id)
