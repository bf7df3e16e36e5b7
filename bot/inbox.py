"""The update inbox, channel-neutral: an incoming update is stored in the database before
it is handled and marked when handled, so a kill never loses a member's answer or file.

- `receive` stores an update (its JSON text) and says whether to handle it: never twice
  in one process, never when already handled (a redelivery of the same update);
- `handled` marks it after the handler ran (an error answered by the error handler counts);
- `report_unlinked` tells members about files stored before a kill whose check-in the
  replay could not finish (the attachment row stays, unlinked, marked reported);
- `take_unhandled` lists, at start, what a previous process stored but did not finish;
  `begin_replay` counts an attempt when its handling starts again, and gives up (logged)
  an update whose handling was cut `MAX_ATTEMPTS` times — one that kills the process.
"""

from __future__ import annotations

import hashlib
import logging
from contextvars import ContextVar
from datetime import datetime, timedelta, timezone

from bot import texts
from bot.context import AppContext
from bot.messenger import DeliveryError, Messenger
from storage.inbox_queries import (
    MAX_ATTEMPTS,
    StoredUpdate,
    begin_attempt,
    give_up,
    mark_handled,
    mark_unlinked_reported,
    prune_handled,
    store_update,
    unhandled_updates,
    unlinked_files,
)

log = logging.getLogger(__name__)

# While an update is handled: its `update_key`, the same on every replay of it. A service
# that records an effect keeps this key with it and, finding it already there, does not
# record it twice (a kill between the handler's commit and the inbox mark replays it).
current_update_key: ContextVar[str | None] = ContextVar("current_update_key", default=None)

KEEP_HANDLED = timedelta(days=7)  # Telegram may reuse ids after a week without updates
UNLINKED_LOOKBACK = timedelta(days=2)  # older unlinked files were abandoned, not cut by a kill


def _now() -> datetime:
    """Wall-clock time: the bot's clock may be moved (demo, tests); the inbox's may not."""
    return datetime.now(timezone.utc)


def digest(payload: str) -> str:
    return hashlib.sha256(payload.encode()).hexdigest()


def update_key(channel: str, update_id: int, payload: str) -> str:
    """"<channel>:<update id>:<digest prefix>": an update's name for its effects. The digest
    keeps it apart from a later update under a reused id (Telegram picks ids at random after
    a week without updates); at most 9 + 20 + 1 + 16 = 46 characters."""
    return f"{channel}:{update_id}:{digest(payload)[:16]}"


class Inbox:
    def __init__(self, ctx: AppContext, channel: str = "telegram") -> None:
        self.ctx = ctx
        self.channel = channel
        self._taken: dict[tuple[int, str], int] = {}  # (update id, digest) → row id, taken by this process

    async def receive(self, update_id: int, payload: str) -> int | None:
        """Store the update durably; the row id to handle it under, or None to drop it."""
        key = (update_id, digest(payload))
        if key in self._taken:
            return None
        async with self.ctx.sessions() as s:
            row_id, handled = await store_update(s, channel=self.channel, update_id=update_id, digest=key[1],
                                                 payload=payload, now=_now())
            await s.commit()
        if handled:
            log.info("update %s was handled already: dropped", update_id)
            return None
        self._taken[key] = row_id
        return row_id

    async def handled(self, row_id: int) -> None:
        async with self.ctx.sessions() as s:
            await mark_handled(s, row_id, _now())
            await s.commit()
        for key, rid in list(self._taken.items()):
            if rid == row_id:
                del self._taken[key]

    async def begin_replay(self, row_id: int) -> bool:
        """Whether to handle a stored update again (False: handled meanwhile, or given up)."""
        async with self.ctx.sessions() as s:
            attempts = await begin_attempt(s, row_id)
            if attempts is not None and attempts > MAX_ATTEMPTS:
                log.error("update in inbox row %s was cut %s times: given up (the row is kept)", row_id,
                          attempts - 1)
                await give_up(s, row_id, _now())
                attempts = None
            await s.commit()
        return attempts is not None

    async def take_unhandled(self) -> list[StoredUpdate]:
        """Updates a previous process stored and never finished, claimed for this one."""
        now = _now()
        out: list[StoredUpdate] = []
        async with self.ctx.sessions() as s:
            pruned = await prune_handled(s, now - KEEP_HANDLED)
            rows = await unhandled_updates(s, self.channel)
            for row in rows:
                if (row.update_id, digest(row.payload)) in self._taken:
                    continue
                out.append(row)
                self._taken[(row.update_id, digest(row.payload))] = row.id
            await s.commit()
        if out or pruned:
            log.info("inbox: %s unhandled update(s) to handle again, %s old handled row(s) pruned", len(out), pruned)
        return out

    async def report_unlinked(self, messenger: Messenger, *, before: datetime) -> int:
        """After the replay: files stored before ``before`` that no check-in and no pending
        conversation holds. Each member is told once per file, to send it again."""
        now = _now()
        async with self.ctx.sessions() as s:
            files = await unlinked_files(s, since=before - UNLINKED_LOOKBACK, before=before)
        told = 0
        for f in files:
            async with self.ctx.sessions() as s:
                won = await mark_unlinked_reported(s, f.attachment_id, now)
                await s.commit()
            if not won or f.chat_id is None:
                continue
            when = texts.fmt_datetime(f.created_at.astimezone(self.ctx.settings.tz))
            try:
                await messenger.send_text(f.chat_id, texts.INBOX_FILE_NOT_RECORDED.format(name=f.file_name, at=when))
                told += 1
            except DeliveryError as exc:
                log.warning("telling chat %s about unlinked file %s failed: %s", f.chat_id, f.attachment_id, exc)
        if files:
            log.warning("inbox: %s file(s) stored without their check-in; %s member message(s) sent", len(files), told)
        return told
