"""The delivery state machine of reminders: a claim is sent, retried, or ended — never
dropped silently.

A ``reminder_log`` row (one per assignment × member × reminder) goes::

    claimed ──sent──────────────────────────────▶ sent
       │  ╲──unreachable / member gone──────────▶ failed
       │   ╲─no longer relevant (done, cancelled, superseded)──▶ dropped
       │    ╲─attempt failed──▶ retry ──(backoff elapsed)──▶ claimed (next generation)
       ╰─lease ran out (process killed or stalled)──────────▶ claimed (next generation)
    ceiling (``MAX_ATTEMPTS`` attempts or ``GIVE_UP_AFTER`` since the first claim)
       ──▶ failed, and the secretariat is told which reminders could not be delivered.

A claim is held under a lease (``CLAIM_LEASE``), renewed every third of it while the pass
still has the claim to send (``LeaseKeeper``), so a long pass is never taken over while it
works; a takeover bumps ``generation`` and every mark is fenced on it, so only the current
holder marks a claim sent. Backoff runs on the app clock (``ctx.clock``): an outage of any
length only delays.

Duplicates: a message is sent again only after an attempt whose outcome is unknown — the
connection was lost after the request went out, or no answer came within the read
timeout, or the process died between Telegram's answer and the commit of ``sent`` (a few
milliseconds). Telegram has no idempotency key, so each such event can cost one copy; none
else does (a 5xx or 429 answer means not delivered; a live lease is never taken over).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot import texts
from bot.messenger import (
    DeliveryError,
    Messenger,
    RecipientUnreachable,
    RetryLater,
    SentMessage,
    TransientError,
)
from bot.reminders.compose import ReminderItem, compose
from bot.reminders.pacing import SEND_ATTEMPTS, PacedMessenger, retry_wait, send_with_retry
from bot.reminders.policy import ACTIVE_STATUSES, base_kind
from bot.reminders.retire import retire_superseded
from storage import reminder_queries as q
from storage.models import Member
from storage.reminder_queries import CLAIM_LEASE

log = logging.getLogger(__name__)

CONCURRENCY = 30  # parallel sends to different chats; the pacer sets the total rate
PART_GAP_SECONDS = 1.0  # between parts of a split message to one chat (Telegram: ~1 msg/s/chat)
UNCONFIRMED = 2  # messages of this process sent and not yet marked: at most this many copies per kill
RETRY_FIRST = timedelta(seconds=30)
RETRY_MAX = timedelta(minutes=10)
MAX_ATTEMPTS = 60  # with the backoff above: about 9 hours of trouble
GIVE_UP_AFTER = timedelta(hours=24)  # a day-old reminder is superseded by the next one anyway
GAVE_UP = "gave up"  # reminder_log.error prefix of the ceiling


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 30 s, 1, 2, 4, 8 min, then every 10 min."""
    return min(RETRY_MAX, RETRY_FIRST * 2 ** max(0, attempts - 1))


@dataclass(frozen=True)
class Claim:
    log_id: int
    assignment_id: int
    member_id: int
    key: str  # reminder_log.kind
    generation: int = 0
    attempts: int = 1

    @property
    def fence(self) -> tuple[int, int]:
        return self.log_id, self.generation


@dataclass
class ScanReport:
    due: int = 0  # scheduled rows taken by this pass
    claimed: int = 0  # reminder_log claims made (one per recipient)
    retried: int = 0  # claims taken over (lease ran out) or retried after a failed attempt
    sent: int = 0  # claims delivered
    messages: int = 0  # messages sent (a combined message carries several claims)
    failed: int = 0  # attempts that failed (retried later)
    gave_up: int = 0  # claims past the ceiling
    unreachable: int = 0
    skipped: int = 0  # done/cancelled/superseded, or nobody to tell
    fenced: int = 0  # claims taken over by another process while this one was sending
    units_flagged: list[int] = field(default_factory=list)
    seconds: float = 0.0


class PassClock:
    """``now`` of a pass, moving with the monotonic clock (a pass may run for minutes)."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self._t0 = asyncio.get_running_loop().time()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=asyncio.get_running_loop().time() - self._t0)


class LeaseKeeper:
    """Renews the lease of the claims this pass still has to send, every third of the lease."""

    def __init__(self, ctx, clock: PassClock, claims: list[Claim], lease: timedelta) -> None:
        self.ctx, self.clock, self.lease = ctx, clock, lease
        self.pending: set[tuple[int, int]] = {c.fence for c in claims}
        self._task: asyncio.Task | None = None

    def done(self, claims: list[Claim]) -> None:
        self.pending.difference_update(c.fence for c in claims)

    async def _run(self) -> None:
        period = max(0.05, self.lease.total_seconds() / 3)
        while True:
            await asyncio.sleep(period)
            if not self.pending:
                continue
            try:
                async with self.ctx.sessions() as s, s.begin():
                    await q.renew_leases(s, list(self.pending), self.clock.now() + self.lease)
            except Exception:  # noqa: BLE001 - the next round tries again; the fence protects anyway
                log.exception("renewing reminder leases failed")

    async def __aenter__(self) -> LeaseKeeper:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class SentMarks:
    """Marks claims sent, and bounds what a kill can make us send twice.

    ``unconfirmed`` admits at most ``UNCONFIRMED`` messages at a time between "request
    sent" and "marked sent committed" in this process — only those can be sent again
    after a kill (one copy each at most). The place is taken before the rate slot, so a
    slow commit delays sends instead of bunching them (a slot held while waiting for a
    place went out late, with later slots: flood 429s). A process therefore sends at most
    ``UNCONFIRMED`` messages per (round trip + commit); the pacer caps the total. Marks
    that arrive together share one commit."""

    def __init__(self, ctx, unconfirmed: int = 1) -> None:
        self.ctx = ctx
        self.unconfirmed = asyncio.Semaphore(unconfirmed)
        self._queue: list[tuple[list[tuple[int, int]], int | None, datetime, asyncio.Future]] = []
        self._lock = asyncio.Lock()

    async def mark(self, fences: list[tuple[int, int]], message_id: int | None, now: datetime) -> int:
        """Mark the claims sent; returns how many this holder still owned."""
        done = asyncio.get_running_loop().create_future()
        self._queue.append((fences, message_id, now, done))
        async with self._lock:
            if not done.done():
                batch, self._queue = self._queue, []
                try:
                    async with self.ctx.sessions() as s, s.begin():
                        owned = await q.mark_sent(s, [(f, mid) for f, mid, _, _ in batch],
                                                  max(at for _, _, at, _ in batch))
                except BaseException as exc:
                    for *_, fut in batch:
                        if not fut.done():
                            fut.set_exception(exc)
                    raise
                for f, _, _, fut in batch:
                    fut.set_result(sum(1 for log_id, _ in f if log_id in owned))
        return await done


def past_ceiling(claimed_at: datetime, attempts: int, now: datetime) -> bool:
    return attempts > MAX_ATTEMPTS or now - claimed_at > GIVE_UP_AFTER


async def deliver_all(ctx, messenger: Messenger, claims: list[Claim], clock: PassClock, today: date,
                      concurrency: int, report: ScanReport, lease: timedelta = CLAIM_LEASE,
                      part_gap: float = PART_GAP_SECONDS) -> None:
    """Send claims, one message per member, while their leases are kept alive;
    ``part_gap`` seconds between the parts of a message split for one chat."""
    async with ctx.sessions() as s:
        assignments = await q.assignments_by_id(s, {c.assignment_id for c in claims})
        units = await q.task_units(s, {a.task_id for a in assignments.values()})
        members = await q.members_by_id(s, {c.member_id for c in claims})
    closed = [c.fence for c in claims
              if (a := assignments.get(c.assignment_id)) is None or a.status not in ACTIVE_STATUSES
              or a.task.status != "open"]
    per_member: dict[int, list[Claim]] = defaultdict(list)
    for c in claims:
        if c.fence not in closed:
            per_member[c.member_id].append(c)
    if closed:
        async with ctx.sessions() as s, s.begin():
            await q.mark_final(s, closed, "dropped", "assignment closed before sending")
        report.skipped += len(closed)

    sem = asyncio.Semaphore(concurrency)
    marks = SentMarks(ctx, UNCONFIRMED)
    async with LeaseKeeper(ctx, clock, [c for v in per_member.values() for c in v], lease) as keeper:
        async def one(member_id: int, mine: list[Claim]) -> None:
            async with sem:
                try:
                    await _deliver_member(ctx, messenger, marks, members.get(member_id), mine, assignments,
                                          units, clock, today, report, part_gap)
                finally:
                    keeper.done(mine)

        await asyncio.gather(*(one(mid, mine) for mid, mine in per_member.items()))


def _items(mine: list[Claim], assignments, units) -> list[ReminderItem]:
    latest: dict[int, Claim] = {}
    for c in sorted(mine, key=lambda c: c.log_id):  # the latest reminder per task wins
        latest[c.assignment_id] = c
    items = []
    for aid, c in latest.items():
        a = assignments[aid]
        lead, support = units.get(a.task_id, ((), ()))
        items.append(ReminderItem(assignment_id=aid, kind=base_kind(c.key), code=a.task.code, title=a.task.title,
                                  due=a.due_date, lead_units=lead, support_units=support))
    return items


async def _deliver_member(ctx, messenger, marks: SentMarks, member, mine: list[Claim], assignments, units,
                          clock: PassClock, today, report, part_gap: float) -> None:
    fences = [c.fence for c in mine]
    if member is None or member.chat_id is None or not member.active:
        async with ctx.sessions() as s, s.begin():
            await q.mark_final(s, fences, "failed", "member gone")
        report.skipped += len(fences)
        return
    parts = compose(_items(mine, assignments, units), today, member.role)
    first: int | None = None
    try:
        for i, (text, buttons) in enumerate(parts):
            if i and part_gap:
                await asyncio.sleep(part_gap)
            sent = await send_confirmable(messenger, marks.unconfirmed, member.chat_id, text, buttons)
            if i < len(parts) - 1:  # a kill before the last part is marked resends this one
                marks.unconfirmed.release()
            first = first if first is not None else sent.message_id
            report.messages += 1
    except RecipientUnreachable as exc:
        report.unreachable += len(fences)
        async with ctx.sessions() as s, s.begin():
            await q.mark_final(s, fences, "failed", f"unreachable: {exc}")
            flipped = await q.flag_unreachable(s, member.id, clock.now())
        if flipped:
            await tell_secretariat_unreachable(ctx, messenger, member, clock.now())
        return
    except Exception as exc:  # noqa: BLE001 - any failure: the claim waits for its next attempt
        attempts = max(c.attempts for c in mine)
        next_at = clock.now() + backoff(attempts)
        log.warning("reminder to member %s failed (attempt %s), next at %s: %r", member.id, attempts,
                    next_at.isoformat(timespec="seconds"), exc)
        async with ctx.sessions() as s, s.begin():
            await q.mark_retry(s, fences, f"attempt {attempts}: {exc!r}", next_at)
        report.failed += len(fences)
        return
    try:
        marked = await marks.mark(fences, first, clock.now())
    finally:
        marks.unconfirmed.release()
    report.sent += marked
    if marked:  # the buttons of older reminders of these tasks go: this one supersedes them
        await retire_superseded(ctx, messenger, member.id, first, {c.assignment_id for c in mine})
    if marked < len(fences):
        report.fenced += len(fences) - marked
        log.warning("reminder to member %s: %d claims were taken over while sending", member.id,
                    len(fences) - marked)


async def send_confirmable(messenger: PacedMessenger, unconfirmed: asyncio.Semaphore, chat_id: int, text: str,
                           buttons=None, attempts: int = SEND_ATTEMPTS) -> SentMessage:
    """Send with the quick retries of `bot.reminders.pacing.send_with_retry`, holding a
    place in ``unconfirmed`` from before the rate slot is taken until the caller has
    marked the message sent (the caller releases it on success). A failed attempt
    releases it before its backoff, so others send meanwhile: after a 5xx or 429 nothing
    was delivered, and after an ambiguous failure (a lost connection) the message is sent
    again anyway — by the retry, or after a kill by the next holder of the claim: one copy
    either way; the retry takes a place again before it goes out."""
    holding = False

    async def admitted() -> None:
        nonlocal holding
        if not holding:
            await unconfirmed.acquire()
            holding = True

    def release() -> None:
        nonlocal holding
        if holding:
            unconfirmed.release()
            holding = False

    for attempt in range(1, attempts + 1):
        try:
            return await messenger.send_text_admitted(admitted, chat_id, text, buttons)
        except (RetryLater, TransientError) as exc:  # NotDelivered too (a TransientError)
            release()
            if attempt == attempts:
                raise
            await asyncio.sleep(retry_wait(exc, attempt))
        except BaseException:
            release()
            raise
    raise AssertionError("unreachable")  # pragma: no cover


async def notify(messenger, chat_id: int, text: str) -> SentMessage | None:
    try:
        return await send_with_retry(messenger, chat_id, text)
    except DeliveryError as exc:
        log.warning("notice to chat %s failed: %r", chat_id, exc)
        return None


async def tell_secretariat_unreachable(ctx, messenger, member: Member, now: datetime) -> None:
    async with ctx.sessions() as s:
        secretariat = [m for m in await q.secretariat_contacts(s) if m.id != member.id]
        unit = member.unit.name if member.unit else texts.NO_UNITS
    since = texts.fmt_date(now.astimezone(ctx.settings.tz).date())
    text = texts.SECRETARIAT_MEMBER_UNREACHABLE.format(name=member.full_name or f"#{member.id}", unit=unit,
                                                       since=since)
    await asyncio.gather(*(notify(messenger, m.chat_id, text) for m in secretariat))


async def tell_secretariat_undelivered(ctx, messenger, now: datetime) -> int:
    """Reminders given up at the ceiling: the secretariat is told once which ones (and to
    whom), so someone can call. Returns how many reminders were reported."""
    async with ctx.sessions() as s, s.begin():
        rows = await q.take_unreported_give_ups(s, now, GAVE_UP)
        secretariat = await q.secretariat_contacts(s) if rows else []
    if not rows:
        return 0
    lines = [texts.SECRETARIAT_UNDELIVERED_ITEM.format(code=code, title=title[:80], name=name,
                                                       unit=unit or texts.NO_UNITS)
             for name, unit, code, title in rows[:30]]
    if len(rows) > 30:
        lines.append(texts.DIGEST_MORE.format(n=len(rows) - 30))
    text = texts.SECRETARIAT_UNDELIVERED.format(n=len(rows)) + "\n" + "\n".join(lines)
    await asyncio.gather(*(notify(messenger, m.chat_id, text[:4000]) for m in secretariat))
    return len(rows)
