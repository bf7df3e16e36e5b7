"""Acting as users: users and chats, blocking, writing, sending files, pressing buttons."""

from __future__ import annotations

import copy
import mimetypes
import random
import re
import time
from typing import Any

from bot.sandbox.htmltext import plain_to_safe_html, utf16_len
from bot.sandbox.model import ControlError, StoredMessage


class UsersMixin:
    """What tests and the demo page do as Telegram users."""

    def add_user(self, user_id: int, first_name: str, username: str | None = None, last_name: str | None = None,
                 description: str | None = None, *, started: bool = True) -> dict:
        """Create (or update) a user and its private chat (chat id == user id). `started=False`: the user never
        wrote to the bot, so it "can't initiate conversation" (rule require_start) until they do."""
        user: dict[str, Any] = {"id": int(user_id), "is_bot": False, "first_name": first_name, "language_code": "vi"}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        self._users[int(user_id)] = {"user": user, "description": description, "started": started}
        chat: dict[str, Any] = {"id": int(user_id), "type": "private", "first_name": first_name}
        if last_name:
            chat["last_name"] = last_name
        if username:
            chat["username"] = username
        self._chats[int(user_id)] = chat
        self._notify()
        return self._user_view(int(user_id))

    def add_group(self, chat_id: int, title: str) -> dict:
        self._chats[int(chat_id)] = {"id": int(chat_id), "type": "group", "title": title}
        self._notify()
        return dict(self._chats[int(chat_id)])

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends to their chat answer 403; the bot gets a my_chat_member update."""
        self._user(user_id)
        if user_id not in self._blocked:
            self._blocked.add(user_id)
            self._my_chat_member(user_id, "member", "kicked")

    def unblock(self, user_id: int) -> None:
        self._user(user_id)
        if user_id in self._blocked:
            self._blocked.discard(user_id)
            self._my_chat_member(user_id, "kicked", "member")

    def users(self) -> list[dict]:
        return [self._user_view(uid) for uid in self._users]

    def _user_view(self, uid: int) -> dict:
        rec = self._users[uid]
        u = rec["user"]
        name = " ".join(x for x in (u["first_name"], u.get("last_name")) if x)
        return {"user_id": uid, "chat_id": uid, "first_name": u["first_name"], "last_name": u.get("last_name"),
                "username": u.get("username"), "name": name, "description": rec["description"],
                "blocked": uid in self._blocked, "started": rec["started"]}

    def _user(self, user_id: int) -> dict:
        try:
            return self._users[int(user_id)]["user"]
        except (KeyError, TypeError, ValueError):
            raise ControlError(f"unknown user {user_id}; add_user first", 404) from None

    def _my_chat_member(self, user_id: int, old: str, new: str) -> None:
        """The bot's own membership changed in a private chat. A "kicked" member (ChatMemberBanned) always
        carries until_date (0 = for ever), in the old state of an unblock as in the new state of a block."""
        user = self._user(user_id)

        def member(status: str) -> dict:
            return {"user": dict(self.bot_user), "status": status, **({"until_date": 0} if status == "kicked" else {})}

        self._push_update("my_chat_member", {
            "chat": dict(self._chats[user_id]), "from": dict(user), "date": int(self.clock()),
            "old_chat_member": member(old), "new_chat_member": member(new),
        })

    def _user_message(self, user_id: int, chat_id: int | None, reply_to_message_id: int | None) -> dict:
        user = self._user(user_id)
        chat_id = int(user_id if chat_id is None else chat_id)
        if chat_id not in self._chats:
            raise ControlError(f"unknown chat {chat_id}", 404)
        if chat_id == user_id and user_id in self._blocked:
            self.unblock(user_id)  # writing to the bot again unblocks it, as in Telegram
        if chat_id == user_id:
            self._users[user_id]["started"] = True
        msg: dict[str, Any] = {"message_id": self._next_message_id(chat_id), "from": dict(user),
                               "chat": dict(self._chats[chat_id]), "date": int(self.clock())}
        if reply_to_message_id:
            replied = self._messages.get(chat_id, {}).get(int(reply_to_message_id))
            if replied is None or replied.deleted:
                raise ControlError(f"message {reply_to_message_id} not found in chat {chat_id}", 404)
            msg["reply_to_message"] = self._shallow(replied.data)
        return msg

    def _store_user_message(self, msg: dict, html_text: str) -> dict:
        chat_id = msg["chat"]["id"]
        self._messages.setdefault(chat_id, {})[msg["message_id"]] = StoredMessage(chat_id, msg["message_id"], False,
                                                                                  msg, html_text)
        if self._reaches_bot(msg):
            self._push_update("message", msg)
        else:
            self._notify()
        return copy.deepcopy(msg)

    def _reaches_bot(self, msg: dict) -> bool:
        """Privacy mode: in a group the bot gets commands, replies to its messages and mentions of it."""
        if msg["chat"]["type"] == "private" or not self.rules.group_privacy:
            return True
        text = msg.get("text") or msg.get("caption") or ""
        replied = msg.get("reply_to_message") or {}
        return (text.startswith("/") or f"@{self.bot_username}".lower() in text.lower()
                or replied.get("from", {}).get("id") == self.bot_user["id"])

    async def send_text(self, user_id: int, text: str, reply_to_message_id: int | None = None,
                        chat_id: int | None = None) -> dict:
        """The user writes `text` (to the bot, or in group `chat_id`). Returns the Message dict."""
        if not text:
            raise ControlError("text is empty")
        msg = self._user_message(user_id, chat_id, reply_to_message_id)
        msg["text"] = text
        entities = _auto_entities(text)
        if entities:
            msg["entities"] = entities
        return self._store_user_message(msg, plain_to_safe_html(text))

    async def send_document(self, user_id: int, filename: str, content: bytes, mime_type: str | None = None,
                            caption: str | None = None, media_group_id: str | None = None,
                            chat_id: int | None = None, reply_to_message_id: int | None = None) -> dict:
        """The user sends a file; the bot can getFile + download it. Returns the Message dict."""
        msg = self._user_message(user_id, chat_id, reply_to_message_id)
        f = self._new_file(content, filename, mime_type or mimetypes.guess_type(filename)[0]
                           or "application/octet-stream", "document")
        msg["document"] = f.document()
        if caption:
            msg["caption"] = caption
        if media_group_id:
            msg["media_group_id"] = str(media_group_id)
        return self._store_user_message(msg, plain_to_safe_html(caption or ""))

    async def send_photo(self, user_id: int, content: bytes, caption: str | None = None,
                         chat_id: int | None = None) -> dict:
        msg = self._user_message(user_id, chat_id, None)
        f = self._new_file(content, None, None, "photo")
        msg["photo"] = f.photo()
        if caption:
            msg["caption"] = caption
        return self._store_user_message(msg, plain_to_safe_html(caption or ""))

    async def press_button(self, user_id: int, message_id: int, callback_data: str,
                           chat_id: int | None = None, *, inaccessible: bool | None = None) -> str:
        """The user taps the inline button carrying `callback_data` on the bot's message. Returns the query id.

        With rule inaccessible_messages the query carries an InaccessibleMessage (chat, message_id, date 0)
        when the message was deleted, is older than `rules.message_cache_seconds` or was forgotten
        (`forget_messages`); `inaccessible=True/False` forces either form. A deleted message's buttons can
        still be pressed only under that rule (a client that has not seen the deletion yet)."""
        user = self._user(user_id)
        chat_id = int(user_id if chat_id is None else chat_id)
        m = self._messages.get(chat_id, {}).get(int(message_id))
        if m is None or not m.from_bot or (m.deleted and not self.rules.inaccessible_messages):
            raise ControlError(f"bot message {message_id} not found in chat {chat_id}", 404)
        rows = (m.data.get("reply_markup") or {}).get("inline_keyboard") or []
        if not any(b.get("callback_data") == callback_data for row in rows for b in row):
            raise ControlError(f"message {message_id} has no button with callback_data {callback_data!r}")
        if inaccessible is None:
            inaccessible = self.rules.inaccessible_messages and (
                m.deleted or m.forgotten or self.clock() - m.data["date"] > self.rules.message_cache_seconds)
        message = ({"chat": dict(self._chats[chat_id]), "message_id": m.message_id, "date": 0} if inaccessible
                   else copy.deepcopy(m.data))
        qid = f"{next(self._query_seq)}{random.getrandbits(40):012d}"
        self._queries[qid] = {"query_id": qid, "chat_id": chat_id, "message_id": int(message_id),
                              "data": callback_data, "answered": False, "answer": None,
                              "created": time.monotonic(), "expired": False,
                              "delivered": False, "attempted": False, "reported": False}
        self._push_update("callback_query", {
            "id": qid, "from": dict(user), "message": message,
            "chat_instance": str(abs(hash((chat_id, self.token))) % 10**18), "data": callback_data,
        })
        return qid

    def expire_callback_queries(self) -> int:
        """Make every unanswered callback query too old to answer (as after downtime or a slow handler).
        Returns how many expired."""
        n = 0
        for q in self._queries.values():
            if not q["answered"] and not q["expired"]:
                q["expired"], n = True, n + 1
        return n

    def unanswered_callback_queries(self, *, clear: bool = False) -> list[dict]:
        """Callback queries the bot received but never tried to answer: Telegram clients show a progress bar
        until answerCallbackQuery ("necessary to react by calling answerCallbackQuery even if no notification
        to the user is needed"). `clear=True`: report each once."""
        out = []
        for q in self._queries.values():
            if q["delivered"] and not q["attempted"] and not q["reported"]:
                out.append({k: q[k] for k in ("query_id", "chat_id", "message_id", "data")})
                q["reported"] = q["reported"] or clear
        return out

    def _mark_delivered(self, updates: list[dict]) -> None:
        for u in updates:
            q = self._queries.get((u.get("callback_query") or {}).get("id"))
            if q is not None:
                q["delivered"] = True

    def _query_expired(self, q: dict) -> bool:
        if not self.rules.callback_expiry:
            return False
        return q["expired"] or time.monotonic() - q["created"] > self.rules.callback_timeout

    def forget_messages(self, chat_id: int, up_to_message_id: int | None = None) -> None:
        """The Bot API server no longer has these bot messages (up to the id, default all): presses on them
        arrive as inaccessible messages."""
        for m in self._messages.get(int(chat_id), {}).values():
            if up_to_message_id is None or m.message_id <= up_to_message_id:
                m.forgotten = True

    async def edit_text(self, user_id: int, message_id: int, text: str, chat_id: int | None = None) -> dict:
        """The user edits their message (its text, or its caption for a file): the bot gets edited_message."""
        self._user(user_id)
        chat_id = int(user_id if chat_id is None else chat_id)
        m = self._messages.get(chat_id, {}).get(int(message_id))
        if m is None or m.deleted or m.from_bot or m.data["from"]["id"] != int(user_id):
            raise ControlError(f"message {message_id} of user {user_id} not found in chat {chat_id}", 404)
        if not text:
            raise ControlError("text is empty")
        key = "text" if "text" in m.data else "caption"
        m.data[key] = text
        if key == "text":
            m.data.pop("entities", None)
            if _auto_entities(text):
                m.data["entities"] = _auto_entities(text)
        m.data["edit_date"] = int(self.clock())
        m.html, m.edited = plain_to_safe_html(text), True
        self._push_update("edited_message", m.data)
        return copy.deepcopy(m.data)

    def callback_answer(self, query_id: str) -> dict | None:
        """What the bot answered (answerCallbackQuery params: text, show_alert...), None if not yet."""
        q = self._queries.get(query_id)
        if q is None:
            raise ControlError(f"unknown query {query_id}", 404)
        return copy.deepcopy(q["answer"]) if q["answered"] else None

    async def wait_for_callback_answer(self, query_id: str, timeout: float = 5.0) -> dict:
        async def cond() -> dict | None:
            return self.callback_answer(query_id)
        return await self._wait(cond, timeout, f"no answerCallbackQuery for {query_id}")


def _auto_entities(text: str) -> list[dict]:
    """The entities Telegram adds to what a user types: a leading /command, URLs, @mentions."""
    out = []
    m = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?", text)
    if m:
        out.append({"type": "bot_command", "offset": 0, "length": utf16_len(m.group(0))})
    for m in re.finditer(r"https?://\S+", text):
        out.append({"type": "url", "offset": utf16_len(text[:m.start()]), "length": utf16_len(m.group(0))})
    for m in re.finditer(r"(?<![\w/])@[A-Za-z0-9_]{5,32}", text):
        out.append({"type": "mention", "offset": utf16_len(text[:m.start()]), "length": utf16_len(m.group(0))})
    return sorted(out, key=lambda e: e["offset"])
