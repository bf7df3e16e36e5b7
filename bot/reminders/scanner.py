"""The scanner: find the reminders now due, claim them in the database, send them.

One pass (``scan_once``):

1. Claims whose lease ran out (a process died or stalled) and retries whose backoff has
   elapsed are taken over (``generation + 1``); those past the ceiling end ``failed``
   (the secretariat is told), those no longer relevant end ``dropped`` (task closed, or a
   later reminder already reached the member).
2. Due rows of ``scheduled_reminders`` are claimed in batches with one
   ``UPDATE … SET done = true … RETURNING`` (``FOR UPDATE SKIP LOCKED`` on PostgreSQL);
   in the same transaction each gets one ``reminder_log`` row per recipient, inserted
   with ``ON CONFLICT DO NOTHING`` on the unique (assignment, member, kind) key — that
   row is the claim, under a lease — and the next overdue level is scheduled.
3. Claims are grouped per member (one message per member, several tasks combined) and
   handed to the delivery state machine (``bot.reminders.delivery``): paced by the one
   send rate of all processes (``bot.reminders.pacing``), leases renewed while sending,
   marked sent only by the holder of the claim.

No reminder lives in memory between passes: a late, skipped or crashed pass is caught
up by the next one. A pass takes at most ``limit × max_batches`` new claims (1,500: about
50 s at 30/s for one process), and its leases are renewed as long as it sends.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import insert

from bot import texts
from bot.messenger import Messenger
from bot.reminders.delivery import (
    CONCURRENCY,
    GAVE_UP,
    PART_GAP_SECONDS,
    Claim,
    PassClock,
    ScanReport,
    deliver_all,
    notify,
    past_ceiling,
    tell_secretariat_undelivered,
)
from bot.reminders.pacing import RATE_PER_SECOND, PacedMessenger, Pacer, send_with_retry, shared_pacer
from bot.reminders.policy import (
    ACTIVE_STATUSES,
    ReminderPolicy,
    audience,
    claim_key,
    next_overdue,
    on_leave,
    overdue_kind,
    overdue_level,
)
from storage import reminder_queries as q
from storage.models import Member, ScheduledReminder
from storage.reminder_queries import CLAIM_LEASE

log = logging.getLogger(__name__)

__all__ = ["CONCURRENCY", "RATE_PER_SECOND", "Claim", "PacedMessenger", "Pacer", "ScanReport", "can_receive",
           "deliver_claims", "recipients", "scan_once", "send_with_retry"]


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
                    lease: timedelta = CLAIM_LEASE, concurrency: int = CONCURRENCY,
                    max_batches: int = 3, rate: float | None = RATE_PER_SECOND) -> ScanReport:
    """One pass of the scanner (see the module doc). ``now`` defaults to ``ctx.clock.now()``;
    ``rate`` None sends unpaced, parts of a split message too (benchmarks of the pass itself)."""
    messenger = PacedMessenger(messenger, shared_pacer(ctx, rate))
    now = now or ctx.clock.now()
    clock = PassClock(now)
    policy = ReminderPolicy.from_settings(ctx.settings)
    today = now.astimezone(policy.tz).date()
    report = ScanReport()
    nobody: dict[int, set[str]] = defaultdict(set)

    claims = await _take_over(ctx, now, lease, limit, report)
    for _ in range(max_batches):
        batch, taken = await _claim_batch(ctx, now, today, policy, limit, report, nobody, lease)
        claims += batch
        if taken < limit or len(claims) >= limit * max_batches:
            break
    if claims:
        await deliver_all(ctx, messenger, claims, clock, today, concurrency, report, lease,
                          PART_GAP_SECONDS if rate else 0.0)
    if nobody:
        await _flag_units(ctx, messenger, nobody,
                          now,  # pragma: no mutate - _flag_units does not read it
                          today, report)
    if report.gave_up:
        await tell_secretariat_undelivered(ctx, messenger, clock.now())
    report.seconds = (clock.now() - now).total_seconds()
    if report.claimed or report.retried or report.failed or report.gave_up:
        log.info("reminder scan: %s", report)
    return report


async def deliver_claims(ctx, messenger: Messenger, claims: list[Claim], *, now: datetime | None = None,
                         concurrency: int = CONCURRENCY, rate: float | None = RATE_PER_SECOND) -> ScanReport:
    """Send claims made outside a scan pass (the secretariat's "/nhac": remind now) exactly
    as a pass sends its own: one message per member, paced with the passes, marked sent
    with the message id (so replies to it are check-ins), retried later if it fails."""
    messenger = PacedMessenger(messenger, shared_pacer(ctx, rate))
    now = now or ctx.clock.now()
    clock = PassClock(now)
    report = ScanReport(claimed=len(claims))
    if claims:
        await deliver_all(ctx, messenger, claims, clock, now.astimezone(ctx.settings.tz).date(), concurrency,
                          report)
    report.seconds = (clock.now() - now).total_seconds()
    return report


# --- claiming -----------------------------------------------------------------------------


async def _take_over(ctx, now, lease, limit, report) -> list[Claim]:
    """Expired leases and due retries: taken (next generation), then ended if past the
    ceiling or no longer relevant; the rest is sent by this pass."""
    out, gave_up, moot = [], [], []
    async with ctx.sessions() as s, s.begin():
        rows = await q.take_over(s, now, now + lease, ctx.instance, limit)
        if not rows:
            return []
        assignments = await q.assignments_by_id(s, {r[1] for r in rows})
        done = await q.superseded(s, [(r[1], r[2], r[0]) for r in rows])
        for log_id, aid, mid, kind, gen, attempts, claimed_at, before, error in rows:
            c = Claim(log_id, aid, mid, kind, gen, attempts)
            a = assignments.get(aid)
            if a is None or a.status not in ACTIVE_STATUSES or a.task.status != "open" or (aid, mid) in done:
                moot.append(c.fence)
            elif past_ceiling(claimed_at, attempts, now):
                gave_up.append((c.fence, attempts, error))
            else:
                out.append(c)
        await q.mark_final(s, moot, "dropped", "no longer relevant (task closed or a later reminder sent)")
        for fence, attempts, error in gave_up:
            await q.mark_final(s, [fence], "failed", f"{GAVE_UP} after {attempts - 1} attempts: {error or ''}")
    # pragma: no mutate start - the first step of a pass: "=" for "+=" is the same on the fresh report
    report.retried += len(out)
    report.skipped += len(moot)
    report.gave_up += len(gave_up)
    # pragma: no mutate end
    return out


async def _claim_batch(ctx, now, today, policy, limit, report, nobody, lease) -> tuple[list[Claim], int]:
    async with ctx.sessions() as s, s.begin():
        rows = await q.claim_due_reminders(s, now, limit)
        if not rows:
            return [], 0  # pragma: no mutate - "1" only makes a pass ask again for rows it did not find
        report.due += len(rows)
        assignments = await q.assignments_by_id(s, {r.assignment_id for r in rows})
        people = await q.unit_people(s, {a.unit_id for a in assignments.values()})
        snoozers = await q.members_by_id(s, {r.member_id for r in rows if r.member_id})
        wanted: dict[tuple[int, int, str], dict] = {}
        following: list[dict] = []  # the next overdue levels, inserted in one statement
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
                following.append(dict(assignment_id=a.id, kind=overdue_kind(nxt), fire_at=policy.at(day),
                                      created_at=now,
                                      member_id=None, done=False,  # pragma: no mutate - the columns' defaults
                                      ))
            key = claim_key(r.kind, a.due_date, r.fire_at)
            for m in to:
                wanted[(a.id, m.id, key)] = dict(assignment_id=a.id, member_id=m.id, kind=key,
                                                 status="claimed",  # pragma: no mutate - the column's default
                                                 claimed_by=ctx.instance, claimed_at=now,
                                                 lease_until=now + lease)
        if following:
            await s.execute(insert(ScheduledReminder), following)
        inserted = await q.insert_claims(s, list(wanted.values()))
    report.claimed += len(inserted)
    return [Claim(i, a, m, k) for i, a, m, k in inserted], len(rows)


# --- the secretariat ------------------------------------------------------------------------


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
        unit = names.get(unit_id, f"#{unit_id}")  # pragma: no mutate - the unit exists (assignments reference it)
        text = texts.SECRETARIAT_UNIT_NOBODY.format(unit=unit,
                                                    tasks=", ".join(codes[:20]) + (" …" if len(codes) > 20 else ""))
        await notify(messenger, m.chat_id, text)
        if unit_id not in report.units_flagged:
            report.units_flagged.append(unit_id)
