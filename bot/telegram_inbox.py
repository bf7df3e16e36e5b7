"""The inbox wired into python-telegram-bot.

PTB acknowledges an update before handling it: long polling confirms it with the offset
of the next getUpdates call, a webhook answers 200 as soon as the update is queued. Both
go through ``update_queue.put``, so `InboxQueue.put` stores the update in the database
first; a failed store raises there (as a NetworkError, which polling retries), and
Telegram delivers the update again (polling does not advance its offset, a webhook
answers 500). `InboxApplication` marks each update handled after its handlers ran, and
at initialisation queues again what a killed process left unhandled."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.error import NetworkError
from telegram.ext import Application

from bot.inbox import Inbox, current_update_key, update_key
from handlers.messenger import TelegramMessenger

log = logging.getLogger(__name__)


def update_payload(update: Update) -> str:
    return json.dumps(update.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class InboxQueue(asyncio.Queue):
    """The Application's update queue: an update is in the database before it is queued."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox
        self._rows: dict[int, tuple[int, str]] = {}  # id(update object) → (inbox row id, update_key)
        self._replayed: set[int] = set()  # row ids queued again at start, not yet handled
        self.started_at: datetime | None = None

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            payload = update_payload(item)
            try:
                row_id = await self.inbox.receive(item.update_id, payload)
            except SQLAlchemyError as exc:
                # a NetworkError keeps PTB's polling loop alive (it retries with backoff, and
                # the offset not advanced makes Telegram send the update again); a webhook
                # answers 500 and Telegram retries too
                raise NetworkError(f"update {item.update_id} not stored: {type(exc).__name__}") from exc
            if row_id is None:
                return
            self._rows[id(item)] = row_id, update_key(self.inbox.channel, item.update_id, payload)
        await super().put(item)

    async def requeue_unhandled(self, bot) -> int:
        """Queue again what a previous process stored and did not finish."""
        self.started_at = self.inbox.ctx.clock.now()  # the clock that stamps stored files
        rows = await self.inbox.take_unhandled()
        for row in rows:
            try:
                update = Update.de_json(json.loads(row.payload), bot)
            except Exception:  # noqa: BLE001 - a row we cannot read must not stop start-up
                log.exception("stored update %s could not be read", row.update_id)
                await self.inbox.handled(row.id)
                continue
            self._rows[id(update)] = row.id, update_key(self.inbox.channel, row.update_id, row.payload)
            self._replayed.add(row.id)
            await super().put(update)
        return len(rows)

    async def may_handle(self, update: object) -> bool:
        row_id, _ = self._rows.get(id(update), (None, None))
        if row_id is None or row_id not in self._replayed:
            return True
        if await self.inbox.begin_replay(row_id):
            return True
        self._rows.pop(id(update), None)
        self._replayed.discard(row_id)
        return False

    def key_of(self, update: object) -> str | None:
        """The update_key of a stored update (None: not stored)."""
        row = self._rows.get(id(update))
        return row[1] if row else None

    def done_with(self, update: object) -> int | None:
        """The inbox row of a handled update (None: not stored), forgotten here."""
        row_id, _ = self._rows.pop(id(update), (None, None))
        self._replayed.discard(row_id)
        return row_id

    @property
    def replaying(self) -> bool:
        return bool(self._replayed)


class InboxApplication(Application):
    """Marks each stored update handled once its handlers (and error handler) ran."""

    async def initialize(self) -> None:
        was = self._initialized
        await super().initialize()
        if not was and isinstance(self.update_queue, InboxQueue):
            if not await self.update_queue.requeue_unhandled(self.bot):
                await self._report_unlinked()

    async def process_update(self, update: object) -> None:
        queue = self.update_queue
        if not isinstance(queue, InboxQueue):
            await super().process_update(update)
            return
        if not await queue.may_handle(update):
            if not queue.replaying:
                await self._report_unlinked()
            return
        token = current_update_key.set(queue.key_of(update))
        try:
            await super().process_update(update)  # handler errors end in the error handler, not here
        finally:
            current_update_key.reset(token)
        was_replaying = queue.replaying
        row_id = queue.done_with(update)
        if row_id is not None:
            await queue.inbox.handled(row_id)
        if was_replaying and not queue.replaying:
            await self._report_unlinked()

    async def _report_unlinked(self) -> None:
        """Once what a kill left is handled again: files still without a check-in, reported."""
        queue = self.update_queue
        try:
            await queue.inbox.report_unlinked(TelegramMessenger(self.bot), before=queue.started_at)
        except Exception:  # noqa: BLE001 - a report must not stop the bot
            log.exception("reporting unlinked files failed")
