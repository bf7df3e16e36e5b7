"""One send rate for the whole bot, and the retries of one send.

Telegram allows a bot about 30 messages per second overall. Every process that sends
reminders takes a slot from one shared schedule before each attempt:

- ``DatabasePacer`` (PostgreSQL, several processes): the schedule is one row of
  ``send_slots``; ``UPDATE … SET next_at = greatest(next_at, now) + 1/rate RETURNING``
  hands out slots in order under the row lock, on the database server's clock (no skew
  between hosts). Chosen over Redis because the database is already what every process
  shares — no second service to run, secure and watch — and one short UPDATE per message
  at 30/s is nothing for PostgreSQL.
- ``Pacer`` (SQLite: one process): the same schedule in memory.

A send that surely reached no one (a 5xx answer, a request that never left) used no slot:
it is handed back. A 429 is not: it is the one answer that says "too fast", and handing
its slot back would crowd the schedule exactly when Telegram asks for less.
Retries here are few and short (``SEND_ATTEMPTS``); longer trouble is the delivery state
machine's (``bot.reminders.delivery``): a retry later, with backoff, from the database.

PTB's ``AIORateLimiter`` pauses *every* request for the ``retry_after`` of one 429 and
retries on its own; the reminder path therefore sends through a bot without it
(``bot.app.build_delivery_bot``), so the two layers never stack.
"""

from __future__ import annotations

import asyncio
import random

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from bot.messenger import Messenger, NotDelivered, RetryLater, SentMessage, TransientError
from storage import reminder_queries as q

RATE_PER_SECOND = 30.0  # Telegram: "no more than 30 messages per second" (PTB's AIORateLimiter: the same 30/s)
SEND_ATTEMPTS = 6  # within one pass (about 3 s of backoff); then the claim waits for a retry (delivery.py)
SLOT_NAME = "telegram"


class Pacer:
    """Spaces calls evenly at ``rate`` per second, with no initial burst (a burst would be
    answered with 429s). Shared by every concurrent send of this process."""

    def __init__(self, rate: float | None) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.interval:
            return
        async with self._lock:
            now = asyncio.get_running_loop().time()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)

    async def give_back(self) -> None:
        if self.interval and self._next - self.interval >= asyncio.get_running_loop().time():
            self._next -= self.interval


class DatabasePacer(Pacer):
    """The schedule in the database, shared by every process on it (PostgreSQL)."""

    def __init__(self, sessions, rate: float | None, name: str = SLOT_NAME) -> None:
        super().__init__(rate)
        self.sessions, self.name = sessions, name

    async def wait(self) -> None:
        if not self.interval:
            return
        async with self.sessions() as s, s.begin():
            delay = await q.take_send_slot(s, self.name, self.interval)
        if delay > 0:
            await asyncio.sleep(delay)

    async def give_back(self) -> None:
        if self.interval:
            async with self.sessions() as s, s.begin():
                await q.give_back_send_slot(s, self.name, self.interval)


def shared_pacer(ctx, rate: float | None = RATE_PER_SECOND) -> Pacer:
    """This process's pacer for ``rate`` (one per context: a scan pass and "/nhac" running
    together share it); on PostgreSQL the schedule is shared by all processes."""
    key = ("pacer", rate)
    pacer = ctx.extras.get(key)
    if pacer is None:
        if rate and ctx.engine.dialect.name == "postgresql":
            pacer = DatabasePacer(ctx.sessions, rate)
        else:
            pacer = Pacer(rate)
        ctx.extras[key] = pacer
    return pacer


class PacedMessenger:
    """A `Messenger` whose every send attempt takes a slot from a `Pacer`; a refused
    attempt gives its slot back."""

    def __init__(self, inner: Messenger, pacer: Pacer) -> None:
        self.inner, self.pacer = inner, pacer

    async def _paced(self, call, admitted=None):
        """``call`` makes the request when awaited: a factory, so a send cancelled while it
        waits for its place or slot leaves no request half-made."""
        if admitted is not None:
            # e.g. a place among the messages not yet confirmed — taken *before* the slot, so
            # the request goes out at its slot: a slot taken first and then held while the
            # place is waited for (a slow commit) would go out late, bunched with later
            # slots — a burst the overall flood limit refuses
            await admitted()
        await self.pacer.wait()
        try:
            return await call()
        except NotDelivered:
            await self.pacer.give_back()
            raise

    async def send_text_admitted(self, admitted, chat_id, text, buttons=None) -> SentMessage:
        """`send_text`, awaiting ``admitted()`` before taking the rate slot."""
        return await self._paced(lambda: self.inner.send_text(chat_id, text, buttons), admitted)

    async def send_text(self, chat_id, text, buttons=None, reply_to=None) -> SentMessage:
        return await self._paced(lambda: self.inner.send_text(chat_id, text, buttons, reply_to))

    async def send_file(self, chat_id, filename, content, caption=None) -> SentMessage:
        return await self._paced(lambda: self.inner.send_file(chat_id, filename, content, caption))

    async def set_buttons(self, chat_id, message_id, buttons) -> bool:
        return await self._paced(lambda: self.inner.set_buttons(chat_id, message_id, buttons))


def retry_wait(exc: BaseException | None, attempt: int) -> float:
    """Seconds before the next quick attempt: what Telegram asked for after a 429, else a
    short exponential backoff with jitter (0.1, 0.2, 0.4 … 1 s)."""
    if isinstance(exc, RetryLater):
        return float(exc.retry_after) + 0.1
    return min(1.0, 0.1 * 2 ** (attempt - 1)) * (0.5 + random.random())


def _wait(retry_state) -> float:
    return retry_wait(retry_state.outcome.exception(), retry_state.attempt_number)


async def send_with_retry(messenger: Messenger, chat_id: int, text: str, buttons=None,
                          attempts: int = SEND_ATTEMPTS) -> SentMessage:
    """Send one message: ``RetryLater`` waits the time Telegram asked for, network errors
    and server failures back off briefly; ``RecipientUnreachable`` is not retried."""
    async for attempt in AsyncRetrying(stop=stop_after_attempt(attempts), wait=_wait, reraise=True,
                                       retry=retry_if_exception_type((RetryLater, TransientError))):
        with attempt:
            return await messenger.send_text(chat_id, text, buttons)
    raise AssertionError("unreachable")  # pragma: no cover
