"""The sandbox's state (users, chats, messages, pending updates, calls) and how tests observe it."""

from __future__ import annotations

import asyncio
import copy
import random
from collections.abc import Awaitable, Callable
from typing import Any


from bot.sandbox.files import StoredFile
from bot.sandbox.limits import TokenBucket
from bot.sandbox.model import StoredMessage


class SandboxState:
    """The in-memory state, change notification and the observing helpers tests use."""

    def _reset_state(self, keep_users: bool) -> None:
        if not keep_users:
            self._users: dict[int, dict] = {}
            self._chats: dict[int, dict] = {}
            self._blocked: set[int] = set()
        self._messages: dict[int, dict[int, StoredMessage]] = {}
        self._updates: list[dict] = []
        self._update_born: dict[int, float] = {}  # update_id -> sandbox clock when it was queued
        self._allowed_updates: list[str] | None = None
        self._files: dict[str, StoredFile] = {}
        self._queries: dict[str, dict] = {}
        self._calls: list[dict] = []
        self._violations: list[dict] = getattr(self, "_violations", [])  # kept across reset
        self._commands: dict[tuple, list[dict]] = {}
        self._buckets: dict[Any, TokenBucket] = {}
        self._rng = random.Random(self.faults.seed)
        self._webhook: dict | None = None
        self._webhook_task: asyncio.Task | None = getattr(self, "_webhook_task", None)
        self._webhook_error: tuple[int, str] | None = None
        self._version = 0
        self._changed = asyncio.Event()
        self._poller: asyncio.Future | None = None
        self._dup_seen: dict[tuple, int] = {}
        self._counters = {"sent": 0, "edits": 0, "rate_limited": 0, "flood_overall": 0, "flood_chat": 0, "fault_5xx": 0, "fault_429": 0,
                          "drop_unapplied": 0, "drop_applied": 0, "slow": 0, "errors": 0, "duplicates": 0,
                          "polls_timed_out": 0}

    def _notify(self) -> None:
        self._version += 1
        ev, self._changed = self._changed, asyncio.Event()
        ev.set()

    def _push_update(self, kind: str, obj: dict) -> None:
        update_id = next(self._update_seq)
        self._updates.append({"update_id": update_id, kind: copy.deepcopy(obj)})
        self._update_born[update_id] = self.clock()
        self._notify()

    def _shallow(self, data: dict) -> dict:
        d = copy.deepcopy(data)
        d.pop("reply_to_message", None)
        return d

    def _next_message_id(self, chat_id: int) -> int:
        self._msg_seq[chat_id] = self._msg_seq.get(chat_id, 0) + 1
        return self._msg_seq[chat_id]

    def messages(self, chat_id: int, *, include_user: bool = False, after_message_id: int = 0) -> list[dict]:
        """What the bot sent to the chat (latest state after edits), in order. With include_user also the
        users' messages (`from_bot` tells them apart)."""
        out = []
        for m in self._messages.get(int(chat_id), {}).values():
            if m.message_id <= after_message_id or m.deleted or (not include_user and not m.from_bot):
                continue
            out.append(self._view(m))
        return out

    def _view(self, m: StoredMessage) -> dict:
        d = m.data
        v: dict[str, Any] = {
            "message_id": m.message_id, "chat_id": m.chat_id, "date": d["date"], "from_bot": m.from_bot,
            "from": d.get("from", {}).get("first_name"), "text": d.get("text"), "caption": d.get("caption"),
            "html": m.html, "reply_markup": copy.deepcopy(d.get("reply_markup")), "edited": m.edited,
            "reply_to_message_id": (d.get("reply_to_message") or {}).get("message_id"),
        }
        if "document" in d:
            doc = dict(d["document"])
            doc["url"] = f"/control/file/{doc['file_id']}"
            v["document"] = doc
        if "photo" in d:
            ph = dict(d["photo"][-1])
            ph["url"] = f"/control/file/{ph['file_id']}"
            v["photo"] = ph
        return v

    async def wait_for_message(self, chat_id: int, predicate: Callable[[dict], bool] | None = None,
                               timeout: float = 5.0, after_message_id: int = 0) -> dict:
        """Wait for a bot message in `chat_id` with id > after_message_id (and predicate(view) true)."""
        async def cond() -> dict | None:
            for v in self.messages(chat_id, after_message_id=after_message_id):
                if predicate is None or predicate(v):
                    return v
            return None
        return await self._wait(cond, timeout, f"no matching bot message in chat {chat_id} within {timeout}s")

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 5.0,
                         what: str = "condition not met") -> Any:
        """Wait until predicate() is truthy (checked at every sandbox change: a call, an update taken...)."""
        async def cond() -> Any:
            return predicate() or None
        return await self._wait(cond, timeout, what)

    async def _wait(self, cond: Callable[[], Awaitable[Any]], timeout: float, what: str) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            ev = self._changed
            res = await cond()
            if res is not None:
                return res
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError(what)
            try:
                await asyncio.wait_for(ev.wait(), left)
            except TimeoutError:
                pass

    def violations(self, *, clear: bool = False) -> list[dict]:
        """Requests that broke a documented Telegram limit (the request checker): method, description,
        params. Kept across reset(); `clear=True` takes them (for a test that provokes one on purpose)."""
        out = copy.deepcopy(self._violations)
        if clear:
            self._violations.clear()
        return out

    def _record_violation(self, call: dict, description: str) -> None:
        if self.rules.record_violations:
            self._violations.append({"method": call["method"], "description": description,
                                     "params": call["params"], "seq": call["seq"]})

    def calls(self, method: str | None = None, since: int = 0) -> list[dict]:
        """Every Bot API call but getUpdates: seq, time, method, params (files summarised), chat_id, status,
        outcome, description, message_id. `since`: only calls with seq > since."""
        return [copy.deepcopy(c) for c in self._calls[since:] if method is None or c["method"] == method]

    def stats(self) -> dict:
        by_chat: dict[str, int] = {}
        for m in (m for msgs in self._messages.values() for m in msgs.values() if m.from_bot):
            by_chat[str(m.chat_id)] = by_chat.get(str(m.chat_id), 0) + 1
        dups = [{"chat_id": k[0], "kind": k[1], "content": k[2], "count": n} for k, n in self._dup_seen.items() if n > 1]
        c = self._counters
        return {**c, "http_429_total": c["rate_limited"] + c["fault_429"], "calls": len(self._calls),
                "sent_by_chat": by_chat, "duplicate_messages": dups, "pending_updates": len(self._updates)}

    def commands_for(self, chat_id: int, language_code: str = "") -> list[dict]:
        """The command menu Telegram would show in this chat (most specific scope first)."""
        chat = self._chats.get(int(chat_id), {})
        keys = [("chat", int(chat_id), 0)]
        keys.append(("all_private_chats", 0, 0) if chat.get("type") == "private" else ("all_group_chats", 0, 0))
        keys.append(("default", 0, 0))
        for k in keys:
            for lang in ((language_code, "") if language_code else ("",)):
                if (k, lang) in self._commands:
                    return copy.deepcopy(self._commands[(k, lang)])
        return []

    async def reset(self, keep_users: bool = True) -> None:
        """Forget messages, updates, calls, files, buckets (and users unless keep_users). Ids keep counting."""
        task, changed, version, poller = self._webhook_task, self._changed, self._version, self._poller
        self._reset_state(keep_users)
        self._webhook_task = None
        self._version, self._changed, self._poller = version, changed, poller  # wake current waiters
        if task:
            task.cancel()
        self._notify()
