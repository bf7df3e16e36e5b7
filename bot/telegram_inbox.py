"""The inbox wired into python-telegram-bot.

PTB acknowledges an update before handling it: long polling confirms it with the offset
of the next getUpdates call, a webhook answers 200 as soon as the update is queued. Both
go through ``update_queue.put``, so `InboxQueue.put` stores the update in the database
first; a failed store raises there, and Telegram delivers the update again (polling does
not advance its offset, a webhook answers 500). `InboxApplication` marks each update
handled after its handlers ran, and at initialisation queues again what a killed process
left unhandled."""

from __future__ import annotations

import asyncio
import json
import logging

from telegram import Update
from telegram.ext import Application

from bot.inbox import Inbox

log = logging.getLogger(__name__)


def update_payload(update: Update) -> str:
    return json.dumps(update.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class InboxQueue(asyncio.Queue):
    """The Application's update queue: an update is in the database before it is queued."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox
        self._rows: dict[int, int] = {}  # id(update object) → inbox row id
        self._replayed: set[int] = set()  # row ids queued again at start

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            row_id = await self.inbox.receive(item.update_id, update_payload(item))
            if row_id is None:
                return
            self._rows[id(item)] = row_id
        await super().put(item)

    async def requeue_unhandled(self, bot) -> int:
        """Queue again what a previous process stored and did not finish."""
        rows = await self.inbox.take_unhandled()
        for row in rows:
            try:
                update = Update.de_json(json.loads(row.payload), bot)
            except Exception:  # noqa: BLE001 - a row we cannot read must not stop start-up
                log.exception("stored update %s could not be read", row.update_id)
                await self.inbox.handled(row.id)
                continue
            self._rows[id(update)] = row.id
            self._replayed.add(row.id)
            await super().put(update)
        return len(rows)

    async def may_handle(self, update: object) -> bool:
        row_id = self._rows.get(id(update))
        if row_id is None or row_id not in self._replayed:
            return True
        self._replayed.discard(row_id)
        if await self.inbox.begin_replay(row_id):
            return True
        self._rows.pop(id(update), None)
        return False

    def row_of(self, update: object) -> int | None:
        return self._rows.pop(id(update), None)


class InboxApplication(Application):
    """Marks each stored update handled once its handlers (and error handler) ran."""

    async def initialize(self) -> None:
        was = self._initialized
        await super().initialize()
        if not was and isinstance(self.update_queue, InboxQueue):
            await self.update_queue.requeue_unhandled(self.bot)

    async def process_update(self, update: object) -> None:
        if isinstance(self.update_queue, InboxQueue) and not await self.update_queue.may_handle(update):
            return
        await super().process_update(update)  # handler errors end in the error handler, not here
        if isinstance(self.update_queue, InboxQueue):
            row_id = self.update_queue.row_of(update)
            if row_id is not None:
                await self.update_queue.inbox.handled(row_id)
