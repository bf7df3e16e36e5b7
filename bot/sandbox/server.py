"""A local stand-in for the Telegram Bot API (the part dondoc uses) plus a control API.

The unchanged python-telegram-bot `Application` talks to it through
``ApplicationBuilder().base_url(sandbox.bot_api_base_url).base_file_url(sandbox.bot_file_base_url)``.
Tests (in-process) and people (HTTP, demo page) act as users through the control API.
See docs/sandbox.md.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import itertools
import json
import logging
import math
import mimetypes
import random
import re
import struct
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

from bot.sandbox.htmltext import EntityParseError, parse_html, plain_to_safe_html, utf16_len

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent.parent / "web"

# Methods that put something into a chat: counted by the rate limits, subject to faults.
SENDING_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageReplyMarkup", "editMessageCaption"}
)
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")
DEFAULT_UPDATE_TYPES = ("message", "edited_message", "channel_post", "edited_channel_post", "callback_query",
                        "my_chat_member", "inline_query", "chosen_inline_result", "shipping_query",
                        "pre_checkout_query", "poll", "poll_answer", "chat_join_request")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


@dataclass
class SandboxLimits:
    """Telegram-like flood limits (token buckets; a call that would exceed one gets 429).

    overall: `overall_per_second` refill, `overall_burst` capacity, across all chats.
    private chat: 1 message/s with a burst of `private_burst` (Telegram tolerates short bursts).
    group chat: `group_per_minute` per minute with a burst of `group_burst`.
    """

    enabled: bool = True
    overall_per_second: float = 30.0
    overall_burst: int = 30
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: float = 20.0
    group_burst: int = 20


@dataclass
class SandboxFaults:
    """Probabilities (0..1) of faults on bot sending methods; deterministic with `seed`."""

    http_5xx: float = 0.0
    http_429: float = 0.0
    drop: float = 0.0
    slow: float = 0.0
    slow_seconds: float = 2.0
    seed: int | None = None

    @property
    def active(self) -> bool:
        return any(x > 0 for x in (self.http_5xx, self.http_429, self.drop, self.slow))


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict:
        out: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            out["parameters"] = self.parameters
        return out


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


class ControlError(Exception):
    """A control-API misuse (unknown user, missing button...). HTTP 400/404."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class _File:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None
    mime_type: str | None
    kind: str  # "document" | "photo"
    width: int = 0
    height: int = 0

    def document(self) -> dict:
        d = {"file_id": self.file_id, "file_unique_id": self.file_unique_id, "file_size": len(self.content)}
        if self.file_name:
            d["file_name"] = self.file_name
        if self.mime_type:
            d["mime_type"] = self.mime_type
        return d

    def photo(self) -> list[dict]:
        return [{"file_id": self.file_id, "file_unique_id": self.file_unique_id, "file_size": len(self.content),
                 "width": self.width, "height": self.height}]


@dataclass
class _Msg:
    chat_id: int
    message_id: int
    from_bot: bool
    data: dict  # the Telegram Message object
    html: str = ""  # safe HTML of text/caption for the page
    edited: bool = False
    deleted: bool = False


@dataclass
class _Bucket:
    rate: float
    capacity: float
    tokens: float
    last: float

    def wait(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        self.last = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


def _image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG/GIF/JPEG, (0, 0) if unknown."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n":
            return struct.unpack(">II", data[16:24])
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return struct.unpack("<HH", data[6:10])
        if data[:2] == b"\xff\xd8":
            i = 2
            while i + 9 < len(data):
                if data[i] != 0xFF:
                    i += 1
                    continue
                marker = data[i + 1]
                length = struct.unpack(">H", data[i + 2:i + 4])[0]
                if marker in (0xC0, 0xC1, 0xC2):
                    h, w = struct.unpack(">HH", data[i + 5:i + 9])
                    return w, h
                i += 2 + length
    except struct.error:
        pass
    return 0, 0


def _as_int(v: Any, name: str) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        raise bad(f"invalid {name} specified") from None


def _as_json(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def _as_bool(v: Any) -> bool:
    if isinstance(v, str):
        return v.lower() in ("true", "1")
    return bool(v)


ControlAction = Callable[[dict], Awaitable[Any]]


class BotApiSandbox:
    """The sandbox server. Use as ``async with BotApiSandbox() as sb:`` or start()/stop()."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        token: str = "123456:SANDBOX",
        bot_username: str = "dondoc_bot",
        bot_first_name: str = "Đôn Đốc",
        limits: SandboxLimits | None = None,
        faults: SandboxFaults | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.host = host
        self.port = port
        self.token = token
        self.bot_username = bot_username
        self.limits = limits if limits is not None else SandboxLimits()
        self.faults = faults if faults is not None else SandboxFaults()
        self.clock = clock
        try:
            bot_id = int(token.split(":", 1)[0])
        except ValueError:
            bot_id = 123456
        self.bot_user = {"id": bot_id, "is_bot": True, "first_name": bot_first_name, "username": bot_username}
        self._actions: dict[str, ControlAction] = {}
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self._update_seq = itertools.count(1)
        self._msg_seq: dict[int, int] = {}  # chat_id -> last message_id (kept across reset)
        self._file_seq = itertools.count(1)
        self._query_seq = itertools.count(1)
        self._reset_state(keep_users=False)

    # ------------------------------------------------------------------ lifecycle
    def _reset_state(self, keep_users: bool) -> None:
        if not keep_users:
            self._users: dict[int, dict] = {}
            self._chats: dict[int, dict] = {}
            self._blocked: set[int] = set()
        self._messages: dict[int, dict[int, _Msg]] = {}
        self._updates: list[dict] = []
        self._allowed_updates: list[str] | None = None
        self._files: dict[str, _File] = {}
        self._queries: dict[str, dict] = {}
        self._calls: list[dict] = []
        self._commands: dict[tuple, list[dict]] = {}
        self._buckets: dict[Any, _Bucket] = {}
        self._rng = random.Random(self.faults.seed)
        self._webhook: dict | None = None
        self._webhook_task: asyncio.Task | None = getattr(self, "_webhook_task", None)
        self._webhook_error: tuple[int, str] | None = None
        self._version = 0
        self._changed = asyncio.Event()
        self._poller: asyncio.Future | None = None
        self._dup_seen: dict[tuple, int] = {}
        self._counters = {"sent": 0, "edits": 0, "rate_limited": 0, "fault_5xx": 0, "fault_429": 0,
                          "drop_unapplied": 0, "drop_applied": 0, "slow": 0, "errors": 0, "duplicates": 0}

    async def start(self) -> BotApiSandbox:
        self._stopping = asyncio.Event()
        self._changed = asyncio.Event()
        app = web.Application(client_max_size=60 * 1024 * 1024)
        r = app.router
        r.add_route("*", "/bot{token}/{method}", self._handle_api)
        r.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        r.add_get("/", self._handle_index)
        if WEB_DIR.is_dir():
            r.add_static("/static/", WEB_DIR)
        c = "/control"
        r.add_get(c + "/users", self._c_users)
        r.add_post(c + "/users", self._c_add_user)
        r.add_post(c + "/groups", self._c_add_group)
        r.add_post(c + "/block", self._c_block)
        r.add_post(c + "/unblock", self._c_unblock)
        r.add_post(c + "/send_text", self._c_send_text)
        r.add_post(c + "/send_document", self._c_send_document)
        r.add_post(c + "/send_photo", self._c_send_photo)
        r.add_post(c + "/press_button", self._c_press_button)
        r.add_get(c + "/callback_answer", self._c_callback_answer)
        r.add_get(c + "/messages", self._c_messages)
        r.add_get(c + "/calls", self._c_calls)
        r.add_get(c + "/stats", self._c_stats)
        r.add_get(c + "/commands", self._c_commands)
        r.add_post(c + "/reset", self._c_reset)
        r.add_get(c + "/file/{file_id}", self._c_file)
        r.add_get(c + "/actions", self._c_actions)
        r.add_get(c + "/config", self._c_config)
        r.add_post(c + "/config", self._c_config)
        r.add_post(c + "/action/{name}", self._c_action)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = site._server.sockets if site._server else []  # noqa: SLF001 - the bound port
        if sockets:
            self.port = sockets[0].getsockname()[1]
        log.info("Bot API sandbox at %s", self.url)
        return self

    async def stop(self) -> None:
        self._stopping.set()
        self._notify()
        if self._webhook_task:
            self._webhook_task.cancel()
            try:
                await self._webhook_task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
            self._webhook_task = None
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiSandbox:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def bot_api_base_url(self) -> str:
        """For `ApplicationBuilder().base_url(...)`: PTB appends the token and `/method`."""
        return f"{self.url}/bot"

    @property
    def bot_file_base_url(self) -> str:
        return f"{self.url}/file/bot"

    def set_faults(self, faults: SandboxFaults) -> None:
        """Swap the fault configuration at run time (re-seeds the fault generator)."""
        self.faults = faults
        self._rng = random.Random(faults.seed)

    def set_limits(self, limits: SandboxLimits) -> None:
        """Swap the rate limits at run time (buckets start full)."""
        self.limits = limits
        self._buckets.clear()

    def register_control_action(self, name: str, fn: ControlAction) -> None:
        """`POST /control/action/<name>` with a JSON body awaits fn(body) and answers its JSON result."""
        self._actions[name] = fn

    # ------------------------------------------------------------------ users and chats
    def add_user(self, user_id: int, first_name: str, username: str | None = None, last_name: str | None = None,
                 description: str | None = None) -> dict:
        """Create (or update) a user and its private chat (chat id == user id)."""
        user: dict[str, Any] = {"id": int(user_id), "is_bot": False, "first_name": first_name, "language_code": "vi"}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        self._users[int(user_id)] = {"user": user, "description": description}
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
                "blocked": uid in self._blocked}

    def _user(self, user_id: int) -> dict:
        try:
            return self._users[int(user_id)]["user"]
        except (KeyError, TypeError, ValueError):
            raise ControlError(f"unknown user {user_id}; add_user first", 404) from None

    def _my_chat_member(self, user_id: int, old: str, new: str) -> None:
        user = self._user(user_id)
        self._push_update("my_chat_member", {
            "chat": dict(self._chats[user_id]), "from": dict(user), "date": int(self.clock()),
            "old_chat_member": {"user": dict(self.bot_user), "status": old},
            "new_chat_member": {"user": dict(self.bot_user), "status": new,
                                **({"until_date": 0} if new == "kicked" else {})},
        })

    # ------------------------------------------------------------------ acting as users
    def _next_message_id(self, chat_id: int) -> int:
        self._msg_seq[chat_id] = self._msg_seq.get(chat_id, 0) + 1
        return self._msg_seq[chat_id]

    def _user_message(self, user_id: int, chat_id: int | None, reply_to_message_id: int | None) -> dict:
        user = self._user(user_id)
        chat_id = int(user_id if chat_id is None else chat_id)
        if chat_id not in self._chats:
            raise ControlError(f"unknown chat {chat_id}", 404)
        if chat_id == user_id and user_id in self._blocked:
            self.unblock(user_id)  # writing to the bot again unblocks it, as in Telegram
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
        self._messages.setdefault(chat_id, {})[msg["message_id"]] = _Msg(chat_id, msg["message_id"], False, msg,
                                                                          html_text)
        self._push_update("message", msg)
        return copy.deepcopy(msg)

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
                           chat_id: int | None = None) -> str:
        """The user taps the inline button carrying `callback_data` on the bot's message. Returns the query id."""
        user = self._user(user_id)
        chat_id = int(user_id if chat_id is None else chat_id)
        m = self._messages.get(chat_id, {}).get(int(message_id))
        if m is None or m.deleted or not m.from_bot:
            raise ControlError(f"bot message {message_id} not found in chat {chat_id}", 404)
        rows = (m.data.get("reply_markup") or {}).get("inline_keyboard") or []
        if not any(b.get("callback_data") == callback_data for row in rows for b in row):
            raise ControlError(f"message {message_id} has no button with callback_data {callback_data!r}")
        qid = f"{next(self._query_seq)}{random.getrandbits(40):012d}"
        self._queries[qid] = {"query_id": qid, "chat_id": chat_id, "message_id": int(message_id),
                              "data": callback_data, "answered": False, "answer": None}
        self._push_update("callback_query", {
            "id": qid, "from": dict(user), "message": copy.deepcopy(m.data),
            "chat_instance": str(abs(hash((chat_id, self.token))) % 10**18), "data": callback_data,
        })
        return qid

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

    # ------------------------------------------------------------------ observing
    def messages(self, chat_id: int, *, include_user: bool = False, after_message_id: int = 0) -> list[dict]:
        """What the bot sent to the chat (latest state after edits), in order. With include_user also the
        users' messages (`from_bot` tells them apart)."""
        out = []
        for m in self._messages.get(int(chat_id), {}).values():
            if m.message_id <= after_message_id or m.deleted or (not include_user and not m.from_bot):
                continue
            out.append(self._view(m))
        return out

    def _view(self, m: _Msg) -> dict:
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

    def file_content(self, file_id: str) -> bytes:
        return self._files[file_id].content

    async def reset(self, keep_users: bool = True) -> None:
        """Forget messages, updates, calls, files, buckets (and users unless keep_users). Ids keep counting."""
        task, changed, version, poller = self._webhook_task, self._changed, self._version, self._poller
        self._reset_state(keep_users)
        self._webhook_task = None
        self._version, self._changed, self._poller = version, changed, poller  # wake current waiters
        if task:
            task.cancel()
        self._notify()

    # ------------------------------------------------------------------ internals: updates
    def _notify(self) -> None:
        self._version += 1
        ev, self._changed = self._changed, asyncio.Event()
        ev.set()

    def _push_update(self, kind: str, obj: dict) -> None:
        self._updates.append({"update_id": next(self._update_seq), kind: copy.deepcopy(obj)})
        self._notify()

    def _shallow(self, data: dict) -> dict:
        d = copy.deepcopy(data)
        d.pop("reply_to_message", None)
        return d

    def _new_file(self, content: bytes, file_name: str | None, mime_type: str | None, kind: str) -> _File:
        n = next(self._file_seq)
        uniq = hashlib.sha256(content).hexdigest()[:16]
        prefix = "BQAC" if kind == "document" else "AgAC"
        file_id = f"{prefix}{n:06d}{uniq}{random.getrandbits(32):08x}"
        if kind == "photo":
            ext = ".png" if content[:4] == b"\x89PNG" else ".jpg"
            path = f"photos/file_{n}{ext}"
        else:
            ext = Path(file_name or "").suffix
            path = f"documents/file_{n}{ext}"
        w, h = _image_size(content) if kind == "photo" else (0, 0)
        f = _File(file_id, uniq, path, content, file_name, mime_type, kind, w or 1, h or 1)
        self._files[file_id] = f
        return f

    # ------------------------------------------------------------------ HTTP: Bot API
    async def _read_params(self, request: web.Request) -> tuple[dict, dict]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, tuple[str, bytes, str | None]] = {}
        ctype = request.content_type
        if request.method == "POST" and request.can_read_body:
            if ctype == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    params.update(body)
            elif ctype.startswith("multipart/"):
                reader = await request.multipart()
                async for part in reader:
                    if part.filename is not None:
                        files[part.name] = (part.filename, await part.read(decode=False),
                                            part.headers.get("Content-Type"))
                    else:
                        params[part.name] = await part.text()
            else:
                params.update(await request.post())
        return params, files

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        method = request.match_info["method"]
        if token != self.token:
            if ":" not in token:
                return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        try:
            params, files = await self._read_params(request)
        except ValueError:
            return web.json_response(bad("can't parse request JSON object").body(), status=400)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            for name in dir(self):  # Telegram method names are case-insensitive
                if name.startswith("_m_") and name[3:].lower() == method.lower():
                    handler = getattr(self, name)
                    method = name[3:]
                    break
        call = {"seq": len(self._calls) + 1, "time": time.time(), "method": method,
                "params": _summarise(params, files), "chat_id": None, "status": None, "outcome": None,
                "description": None, "message_id": None}
        try:
            cid = params.get("chat_id")
            call["chat_id"] = int(cid) if cid is not None else None
        except (TypeError, ValueError):
            pass
        if method not in ("getUpdates",):
            self._calls.append(call)
        if handler is None:
            return self._finish(call, ApiError(404, "Not Found"))

        drop_after = False
        if method in SENDING_METHODS and self.faults.active:
            f = self.faults
            if f.slow and self._rng.random() < f.slow:
                self._counters["slow"] += 1
                await asyncio.sleep(f.slow_seconds)
            r = self._rng.random()
            if r < f.http_5xx:
                self._counters["fault_5xx"] += 1
                call.update(status=502, outcome="fault_5xx", description="Bad Gateway")
                return web.json_response({"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502)
            if r < f.http_5xx + f.http_429:
                self._counters["fault_429"] += 1
                err = ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
                resp = self._finish(call, err)
                call["outcome"] = "fault_429"
                return resp
            if r < f.http_5xx + f.http_429 + f.drop:
                if self._rng.random() < 0.5:
                    self._counters["drop_unapplied"] += 1
                    call.update(status=0, outcome="drop_unapplied")
                    return self._drop(request)
                drop_after = True
        try:
            result = await handler(params, files, call)
        except ApiError as err:
            return self._finish(call, err)
        except ControlError as err:
            return self._finish(call, bad(str(err)))
        if drop_after:
            self._counters["drop_applied"] += 1
            call.update(status=0, outcome="drop_applied")
            return self._drop(request)
        return self._finish(call, None, result)

    def _drop(self, request: web.Request) -> web.StreamResponse:
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError  # aiohttp treats this as a lost client; nothing is written

    def _finish(self, call: dict, err: ApiError | None, result: Any = None) -> web.Response:
        if err is not None:
            call.update(status=err.code, outcome="rate_limited" if err.code == 429 else "error",
                        description=err.description)
            if call["method"] == "getUpdates":
                log.debug("getUpdates: %s", err.description)
            elif err.code == 429:
                self._counters["rate_limited"] += 1
            else:
                self._counters["errors"] += 1
            return web.json_response(err.body(), status=err.code)
        call.update(status=200, outcome="ok")
        if isinstance(result, dict) and "message_id" in result:
            call["message_id"] = result["message_id"]
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        path = request.match_info["path"]
        for f in self._files.values():
            if f.file_path == path:
                return web.Response(body=f.content, content_type=f.mime_type or "application/octet-stream")
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    # ------------------------------------------------------------------ Bot API methods
    def _chat(self, params: dict) -> dict:
        cid = params.get("chat_id")
        if cid is None or cid == "":
            raise bad("chat_id is empty")
        if isinstance(cid, str) and cid.startswith("@"):
            for c in self._chats.values():
                if c.get("username") == cid[1:]:
                    return c
            raise bad("chat not found")
        chat = self._chats.get(_as_int(cid, "chat_id"))
        if chat is None:
            raise bad("chat not found")
        if chat["type"] == "private" and chat["id"] in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _rate_limit(self, chat: dict) -> None:
        lim = self.limits
        if not lim.enabled:
            return
        now = time.monotonic()
        if chat["type"] == "private":
            key, rate, cap = ("chat", chat["id"]), lim.private_per_second, lim.private_burst
        else:
            key, rate, cap = ("chat", chat["id"]), lim.group_per_minute / 60.0, lim.group_burst
        buckets = []
        for k, rt, cp in ((key, rate, cap), (("overall",), lim.overall_per_second, lim.overall_burst)):
            b = self._buckets.get(k)
            if b is None or b.rate != rt or b.capacity != cp:
                b = self._buckets[k] = _Bucket(rt, max(1, cp), max(1, cp), now)
            buckets.append(b)
        wait = max(b.wait(now) for b in buckets)
        if wait > 0:
            n = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {n}", {"retry_after": n})
        for b in buckets:
            b.tokens -= 1

    def _inline_markup(self, params: dict) -> dict | None:
        rm = _as_json(params.get("reply_markup"))
        if not rm:
            return None
        if not isinstance(rm, dict):
            raise bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in rm:
            return None  # reply keyboards / ForceReply are accepted but not echoed, like Telegram
        rows = rm["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
        for row in rows:
            for b in row:
                if not isinstance(b, dict) or not b.get("text"):
                    raise bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
                if "callback_data" in b:
                    data = b["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                        raise bad("BUTTON_DATA_INVALID")
                elif not any(k in b for k in ("url", "switch_inline_query", "switch_inline_query_current_chat",
                                              "web_app", "login_url", "copy_text", "pay", "callback_game")):
                    raise bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
        return {"inline_keyboard": rows}

    def _formatted(self, text: str, parse_mode: str | None, entities: Any, limit: int, what: str) -> tuple[str, list, str]:
        if parse_mode and parse_mode.lower() == "html":
            try:
                plain, ents, safe = parse_html(text)
            except EntityParseError as exc:
                raise bad(f"can't parse entities: {exc}") from None
        else:
            plain, ents, safe = text, (_as_json(entities) or []), plain_to_safe_html(text)
        if not plain.strip() and what == "text":
            raise bad("message text is empty")
        if len(plain) > limit:
            raise bad("message is too long" if what == "text" else "message caption is too long")
        return plain, ents, safe

    def _reply_to(self, params: dict, chat: dict) -> dict | None:
        rp = _as_json(params.get("reply_parameters"))
        mid, allow = None, _as_bool(params.get("allow_sending_without_reply", False))
        if isinstance(rp, dict):
            mid = rp.get("message_id")
            allow = allow or bool(rp.get("allow_sending_without_reply"))
            if rp.get("chat_id") not in (None, chat["id"]):
                raise bad("cross-chat replies are not supported by the sandbox")
        elif params.get("reply_to_message_id") is not None:
            mid = params.get("reply_to_message_id")
        if mid is None:
            return None
        m = self._messages.get(chat["id"], {}).get(_as_int(mid, "message_id"))
        if m is None or m.deleted:
            if allow:
                return None
            raise bad("message to be replied not found")
        return self._shallow(m.data)

    def _deliver(self, chat: dict, msg: dict, html_text: str, dup_key: tuple) -> dict:
        mid = self._next_message_id(chat["id"])
        full = {"message_id": mid, "from": dict(self.bot_user), "chat": dict(chat), "date": int(self.clock()), **msg}
        self._messages.setdefault(chat["id"], {})[mid] = _Msg(chat["id"], mid, True, full, html_text)
        self._counters["sent"] += 1
        key = (chat["id"], *dup_key)
        self._dup_seen[key] = self._dup_seen.get(key, 0) + 1
        if self._dup_seen[key] > 1:
            self._counters["duplicates"] += 1
        self._notify()
        return copy.deepcopy(full)

    async def _m_getMe(self, params, files, call):
        return {**self.bot_user, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}

    async def _m_logOut(self, params, files, call):
        return True

    async def _m_close(self, params, files, call):
        return True

    async def _m_sendChatAction(self, params, files, call):
        self._chat(params)
        return True

    async def _m_sendMessage(self, params, files, call):
        chat = self._chat(params)
        text = params.get("text")
        if text is None or text == "":
            raise bad("message text is empty")
        plain, ents, safe = self._formatted(str(text), params.get("parse_mode"), params.get("entities"), 4096, "text")
        markup = self._inline_markup(params)
        reply = self._reply_to(params, chat)
        self._rate_limit(chat)
        msg: dict[str, Any] = {"text": plain}
        if ents:
            msg["entities"] = ents
        if reply:
            msg["reply_to_message"] = reply
        if markup:
            msg["reply_markup"] = markup
        return self._deliver(chat, msg, safe, ("text", plain))

    def _input_file(self, params: dict, files: dict, name: str, kind: str) -> _File:
        value = params.get(name)
        upload = None
        if name in files:
            upload = files[name]
        elif isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
            upload = files[value[9:]]
        if upload is not None:
            fname, content, ctype = upload
            if not content:
                raise bad("file must be non-empty")
            if kind == "photo":
                return self._new_file(content, None, None, "photo")
            mime = ctype if ctype and ctype != "application/octet-stream" else None
            mime = mime or mimetypes.guess_type(fname or "")[0] or "application/octet-stream"
            return self._new_file(content, fname or "file", mime, "document")
        if isinstance(value, str) and value:
            f = self._files.get(value)
            if f is None:
                raise bad("wrong file identifier/HTTP URL specified")
            if kind == "photo" and f.kind != "photo":
                raise bad("can't use file of type Document as Photo")
            return f
        raise bad(f"there is no {name} in the request")

    async def _send_media(self, params, files, kind: str):
        chat = self._chat(params)
        f = self._input_file(params, files, kind, kind)
        caption = params.get("caption")
        plain, ents, safe = ("", [], "")
        if caption:
            plain, ents, safe = self._formatted(str(caption), params.get("parse_mode"), params.get("caption_entities"),
                                                1024, "caption")
        markup = self._inline_markup(params)
        reply = self._reply_to(params, chat)
        self._rate_limit(chat)
        msg: dict[str, Any] = {kind: f.document() if kind == "document" else f.photo()}
        if plain:
            msg["caption"] = plain
        if ents:
            msg["caption_entities"] = ents
        if reply:
            msg["reply_to_message"] = reply
        if markup:
            msg["reply_markup"] = markup
        return self._deliver(chat, msg, safe, (kind, f.file_unique_id, plain))

    async def _m_sendDocument(self, params, files, call):
        return await self._send_media(params, files, "document")

    async def _m_sendPhoto(self, params, files, call):
        return await self._send_media(params, files, "photo")

    def _editable(self, params: dict) -> tuple[dict, _Msg]:
        if params.get("inline_message_id"):
            raise bad("inline messages are not supported by the sandbox")
        chat = self._chat(params)
        if params.get("message_id") in (None, ""):
            raise bad("message identifier is not specified")
        m = self._messages.get(chat["id"], {}).get(_as_int(params.get("message_id"), "message_id"))
        if m is None or m.deleted:
            raise bad("message to edit not found")
        if not m.from_bot:
            raise bad("message can't be edited")
        return chat, m

    def _apply_edit(self, chat: dict, m: _Msg, new: dict, safe: str | None) -> dict:
        self._rate_limit(chat)
        m.data.update(new)
        for k in [k for k, v in m.data.items() if v is None]:
            del m.data[k]
        m.data["edit_date"] = int(self.clock())
        if safe is not None:
            m.html = safe
        m.edited = True
        self._counters["edits"] += 1
        self._notify()
        return copy.deepcopy(m.data)

    async def _m_editMessageText(self, params, files, call):
        chat, m = self._editable(params)
        text = params.get("text")
        if text is None or text == "":
            raise bad("message text is empty")
        if "text" not in m.data:
            raise bad("there is no text in the message to edit")
        plain, ents, safe = self._formatted(str(text), params.get("parse_mode"), params.get("entities"), 4096, "text")
        markup = self._inline_markup(params)
        if plain == m.data.get("text") and ents == m.data.get("entities", []) and markup == m.data.get("reply_markup"):
            raise bad(NOT_MODIFIED[len("Bad Request: "):])
        return self._apply_edit(chat, m, {"text": plain, "entities": ents or None, "reply_markup": markup}, safe)

    async def _m_editMessageCaption(self, params, files, call):
        chat, m = self._editable(params)
        if "text" in m.data:
            raise bad("there is no caption in the message to edit")
        plain, ents, safe = ("", [], "")
        if params.get("caption"):
            plain, ents, safe = self._formatted(str(params["caption"]), params.get("parse_mode"),
                                                params.get("caption_entities"), 1024, "caption")
        markup = self._inline_markup(params)
        if (plain == m.data.get("caption", "") and ents == m.data.get("caption_entities", [])
                and markup == m.data.get("reply_markup")):
            raise bad(NOT_MODIFIED[len("Bad Request: "):])
        return self._apply_edit(chat, m, {"caption": plain or None, "caption_entities": ents or None,
                                          "reply_markup": markup}, safe)

    async def _m_editMessageReplyMarkup(self, params, files, call):
        chat, m = self._editable(params)
        markup = self._inline_markup(params)
        if markup == m.data.get("reply_markup"):
            raise bad(NOT_MODIFIED[len("Bad Request: "):])
        return self._apply_edit(chat, m, {"reply_markup": markup}, None)

    async def _m_deleteMessage(self, params, files, call):
        chat = self._chat(params)
        m = self._messages.get(chat["id"], {}).get(_as_int(params.get("message_id"), "message_id"))
        if m is None or m.deleted:
            raise bad("message to delete not found")
        m.deleted = True
        self._notify()
        return True

    async def _m_answerCallbackQuery(self, params, files, call):
        qid = str(params.get("callback_query_id", ""))
        q = self._queries.get(qid)
        if q is None or q["answered"]:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise bad("MESSAGE_TOO_LONG")
        q["answered"] = True
        q["answer"] = {"text": text, "show_alert": _as_bool(params.get("show_alert", False)), "url": params.get("url")}
        self._notify()
        return True

    async def _m_getFile(self, params, files, call):
        f = self._files.get(str(params.get("file_id", "")))
        if f is None:
            raise bad("invalid file_id")
        return {"file_id": f.file_id, "file_unique_id": f.file_unique_id, "file_size": len(f.content),
                "file_path": f.file_path}

    def _scope_key(self, params: dict) -> tuple:
        scope = _as_json(params.get("scope")) or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise bad("can't parse BotCommandScope JSON object")
        chat_id = scope.get("chat_id")
        if chat_id is not None:
            chat = self._chats.get(_as_int(chat_id, "chat_id"))
            if chat is None:
                raise bad("chat not found")
        return ((scope["type"], int(chat_id or 0), int(scope.get("user_id") or 0)), params.get("language_code") or "")

    async def _m_setMyCommands(self, params, files, call):
        cmds = _as_json(params.get("commands"))
        if not isinstance(cmds, list) or len(cmds) > 100:
            raise bad("can't parse commands JSON object")
        for c in cmds:
            if not isinstance(c, dict) or not _COMMAND_RE.match(str(c.get("command", ""))):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", ""))) <= 256:
                raise bad("command description is empty" if not c.get("description") else "BOT_COMMAND_INVALID")
        key = self._scope_key(params)
        if cmds:
            self._commands[key] = [{"command": c["command"], "description": c["description"]} for c in cmds]
        else:
            self._commands.pop(key, None)
        self._notify()
        return True

    async def _m_getMyCommands(self, params, files, call):
        return copy.deepcopy(self._commands.get(self._scope_key(params), []))

    async def _m_deleteMyCommands(self, params, files, call):
        self._commands.pop(self._scope_key(params), None)
        self._notify()
        return True

    # ---- updates and webhooks
    async def _m_getUpdates(self, params, files, call):
        if self._webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = params.get("offset")
        limit = min(100, max(1, _as_int(params.get("limit", 100), "limit")))
        timeout = max(0.0, float(params.get("timeout", 0) or 0))
        allowed = _as_json(params.get("allowed_updates"))
        if isinstance(allowed, list):
            self._allowed_updates = allowed or None
        if offset is not None:
            off = _as_int(offset, "offset")
            if off < 0:
                self._updates = self._updates[off:]
            else:
                self._updates = [u for u in self._updates if u["update_id"] >= off]
        # A newer getUpdates terminates an older one, as in Telegram.
        if self._poller is not None and not self._poller.done():
            self._poller.set_result("conflict")
        me = self._poller = asyncio.get_running_loop().create_future()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                self._filter_allowed()
                if self._updates:
                    return copy.deepcopy(self._updates[:limit])
                left = deadline - loop.time()
                if left <= 0 or self._stopping.is_set():
                    return []
                ev = self._changed
                waiter = asyncio.ensure_future(ev.wait())
                done, _ = await asyncio.wait({waiter, me}, timeout=left, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
                if me in done:
                    raise ApiError(409, "Conflict: terminated by other getUpdates request; "
                                        "make sure that only one bot instance is running")
        finally:
            if self._poller is me:
                self._poller = None

    def _filter_allowed(self) -> None:
        allowed = self._allowed_updates or DEFAULT_UPDATE_TYPES
        self._updates = [u for u in self._updates if any(k in allowed for k in u if k != "update_id")]

    async def _m_setWebhook(self, params, files, call):
        url = str(params.get("url") or "")
        if not url:
            return await self._m_deleteWebhook(params, files, call)
        if not url.startswith(("http://", "https://")):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        allowed = _as_json(params.get("allowed_updates"))
        if isinstance(allowed, list):
            self._allowed_updates = allowed or None
        if _as_bool(params.get("drop_pending_updates", False)):
            self._updates = []
        self._webhook = {"url": url, "secret_token": params.get("secret_token"),
                         "max_connections": _as_int(params.get("max_connections", 40), "max_connections")}
        self._webhook_error = None
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.ensure_future(self._webhook_loop())
        self._notify()
        return True

    async def _m_deleteWebhook(self, params, files, call):
        if _as_bool(params.get("drop_pending_updates", False)):
            self._updates = []
        self._webhook = None
        if self._webhook_task:
            self._webhook_task.cancel()
            self._webhook_task = None
        self._notify()
        return True

    async def _m_getWebhookInfo(self, params, files, call):
        wh = self._webhook
        info: dict[str, Any] = {"url": wh["url"] if wh else "", "has_custom_certificate": False,
                                "pending_update_count": len(self._updates)}
        if wh:
            info["max_connections"] = wh["max_connections"]
            info["ip_address"] = "127.0.0.1"
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
            if self._webhook_error:
                info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    async def _webhook_loop(self) -> None:
        backoff = 0.1
        async with ClientSession(timeout=ClientTimeout(total=30)) as session:
            while self._webhook and not self._stopping.is_set():
                self._filter_allowed()
                if not self._updates:
                    ev = self._changed
                    await ev.wait()
                    continue
                upd = self._updates[0]
                headers = {}
                if self._webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = self._webhook["secret_token"]
                try:
                    async with session.post(self._webhook["url"], json=upd, headers=headers) as resp:
                        ok = 200 <= resp.status < 300
                        err = f"Wrong response from the webhook: {resp.status} {resp.reason}"
                except Exception as exc:  # noqa: BLE001 - any delivery failure is retried
                    ok, err = False, f"Connection failed: {exc!r}"
                if ok:
                    if self._updates and self._updates[0] is upd:
                        self._updates.pop(0)
                    backoff = 0.1
                    self._notify()
                else:
                    self._webhook_error = (int(time.time()), err)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)

    # ------------------------------------------------------------------ HTTP: control API
    async def _handle_index(self, request: web.Request) -> web.StreamResponse:
        index = WEB_DIR / "index.html"
        if not index.is_file():
            return web.Response(text="dondoc sandbox: no demo page installed", content_type="text/plain")
        return web.FileResponse(index, headers={"Cache-Control": "no-cache"})

    @staticmethod
    async def _json_body(request: web.Request) -> dict:
        if not request.can_read_body:
            return {}
        try:
            body = await request.json()
        except ValueError:
            raise ControlError("body must be JSON") from None
        if not isinstance(body, dict):
            raise ControlError("body must be a JSON object")
        return body

    @staticmethod
    def _need(body: dict, name: str, conv: Callable = int) -> Any:
        if body.get(name) in (None, ""):
            raise ControlError(f"missing {name}")
        try:
            return conv(body[name])
        except (TypeError, ValueError):
            raise ControlError(f"bad {name}") from None

    @staticmethod
    def _opt_int(body: dict, name: str) -> int | None:
        v = body.get(name)
        if v in (None, ""):
            return None
        try:
            return int(v)
        except (TypeError, ValueError):
            raise ControlError(f"bad {name}") from None

    def _control(fn):  # noqa: N805 - decorator inside the class body
        async def wrapper(self, request: web.Request) -> web.StreamResponse:
            try:
                out = await fn(self, request)
            except ControlError as exc:
                return web.json_response({"ok": False, "error": str(exc)}, status=exc.status)
            if isinstance(out, web.StreamResponse):
                return out
            return web.json_response(out, dumps=lambda o: json.dumps(o, ensure_ascii=False))
        return wrapper

    @_control
    async def _c_users(self, request):
        return {"ok": True, "users": self.users(), "groups": [dict(c) for c in self._chats.values()
                                                              if c["type"] != "private"]}

    @_control
    async def _c_add_user(self, request):
        b = await self._json_body(request)
        return {"ok": True, "user": self.add_user(self._need(b, "user_id"), self._need(b, "first_name", str),
                                                  b.get("username"), b.get("last_name"), b.get("description"))}

    @_control
    async def _c_add_group(self, request):
        b = await self._json_body(request)
        return {"ok": True, "chat": self.add_group(self._need(b, "chat_id"), self._need(b, "title", str))}

    @_control
    async def _c_block(self, request):
        self.block(self._need(await self._json_body(request), "user_id"))
        return {"ok": True}

    @_control
    async def _c_unblock(self, request):
        self.unblock(self._need(await self._json_body(request), "user_id"))
        return {"ok": True}

    @_control
    async def _c_send_text(self, request):
        b = await self._json_body(request)
        msg = await self.send_text(self._need(b, "user_id"), self._need(b, "text", str),
                                   self._opt_int(b, "reply_to_message_id"), self._opt_int(b, "chat_id"))
        return {"ok": True, "message": msg}

    async def _file_body(self, request: web.Request) -> tuple[dict, bytes | None, str | None, str | None]:
        """JSON {.., filename, content_base64, mime_type} or multipart with a `file` part."""
        if request.content_type.startswith("multipart/"):
            body: dict[str, Any] = {}
            content = filename = mime = None
            reader = await request.multipart()
            async for part in reader:
                if part.filename is not None:
                    content, filename = await part.read(decode=False), part.filename
                    mime = part.headers.get("Content-Type")
                else:
                    body[part.name] = await part.text()
            return body, content, filename, mime
        b = await self._json_body(request)
        raw = b.get("content_base64")
        try:
            content = base64.b64decode(raw, validate=True) if raw else None
        except ValueError:
            raise ControlError("bad content_base64") from None
        return b, content, b.get("filename"), b.get("mime_type")

    @_control
    async def _c_send_document(self, request):
        b, content, filename, mime = await self._file_body(request)
        if not content:
            raise ControlError("missing file content")
        if mime in (None, "", "application/octet-stream"):
            mime = b.get("mime_type") or None
        msg = await self.send_document(self._need(b, "user_id"), str(b.get("filename") or filename or "file"),
                                       content, mime, b.get("caption") or None, b.get("media_group_id") or None,
                                       self._opt_int(b, "chat_id"), self._opt_int(b, "reply_to_message_id"))
        return {"ok": True, "message": msg}

    @_control
    async def _c_send_photo(self, request):
        b, content, _, _ = await self._file_body(request)
        if not content:
            raise ControlError("missing file content")
        msg = await self.send_photo(self._need(b, "user_id"), content, b.get("caption") or None,
                                    self._opt_int(b, "chat_id"))
        return {"ok": True, "message": msg}

    @_control
    async def _c_press_button(self, request):
        b = await self._json_body(request)
        qid = await self.press_button(self._need(b, "user_id"), self._need(b, "message_id"),
                                      self._need(b, "callback_data", str), self._opt_int(b, "chat_id"))
        return {"ok": True, "query_id": qid}

    @_control
    async def _c_callback_answer(self, request):
        q = request.query
        qid = q.get("query_id", "")
        wait = float(q.get("wait", 0) or 0)
        if wait > 0:
            try:
                return {"ok": True, "answer": await self.wait_for_callback_answer(qid, min(wait, 60))}
            except TimeoutError:
                return {"ok": True, "answer": None}
        return {"ok": True, "answer": self.callback_answer(qid)}

    @_control
    async def _c_messages(self, request):
        q = request.query
        chat_id = self._need(dict(q), "chat_id")
        after = self._opt_int(dict(q), "after") or 0
        include_user = q.get("all", "") in ("1", "true")
        wait = min(float(q.get("wait", 0) or 0), 60.0)
        version = self._opt_int(dict(q), "version")
        if wait > 0:
            async def cond():
                if version is not None:
                    return True if self._version != version else None
                return True if self.messages(chat_id, include_user=include_user, after_message_id=after) else None
            try:
                await self._wait(cond, wait, "")
            except TimeoutError:
                pass
        return {"ok": True, "version": self._version, "chat_id": chat_id,
                "messages": self.messages(chat_id, include_user=include_user, after_message_id=after)}

    @_control
    async def _c_calls(self, request):
        return {"ok": True, "calls": self.calls(request.query.get("method") or None,
                                                self._opt_int(dict(request.query), "since") or 0)}

    @_control
    async def _c_stats(self, request):
        return {"ok": True, "stats": self.stats()}

    @_control
    async def _c_commands(self, request):
        return {"ok": True, "commands": self.commands_for(self._need(dict(request.query), "chat_id"))}

    @_control
    async def _c_reset(self, request):
        b = await self._json_body(request)
        await self.reset(keep_users=_as_bool(b.get("keep_users", True)))
        return {"ok": True}

    @_control
    async def _c_file(self, request):
        f = self._files.get(request.match_info["file_id"])
        if f is None:
            raise ControlError("unknown file", 404)
        name = f.file_name or Path(f.file_path).name
        from urllib.parse import quote
        return web.Response(body=f.content, content_type=f.mime_type or "application/octet-stream",
                            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})

    @_control
    async def _c_config(self, request):
        if request.method == "POST":
            b = await self._json_body(request)
            try:
                if isinstance(b.get("limits"), dict):
                    self.set_limits(limits_from_dict({**asdict(self.limits), **b["limits"]}))
                if isinstance(b.get("faults"), dict):
                    self.set_faults(faults_from_dict({**asdict(self.faults), **b["faults"]}))
            except TypeError as exc:
                raise ControlError(str(exc)) from None
        return {"ok": True, "limits": asdict(self.limits), "faults": asdict(self.faults)}

    @_control
    async def _c_actions(self, request):
        return {"ok": True, "actions": sorted(self._actions)}

    @_control
    async def _c_action(self, request):
        name = request.match_info["name"]
        fn = self._actions.get(name)
        if fn is None:
            raise ControlError(f"no action {name!r} registered", 404)
        body = await self._json_body(request)
        try:
            result = await fn(body)
        except ControlError:
            raise
        except Exception as exc:  # noqa: BLE001 - report the failure to the caller
            log.exception("control action %s failed", name)
            return web.json_response({"ok": False, "error": f"{type(exc).__name__}: {exc}"}, status=500)
        return result if isinstance(result, dict) else {"ok": True, "result": result}

    del _control


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


def _summarise(params: dict, files: dict) -> dict:
    out = {}
    for k, v in params.items():
        if isinstance(v, str) and len(v) > 2000:
            v = v[:2000] + "…"
        out[k] = v
    for k, (name, content, _ctype) in files.items():
        out[k] = f"<file {name!r}, {len(content)} bytes>"
    return out


def limits_from_dict(d: dict) -> SandboxLimits:
    return SandboxLimits(**{k: v for k, v in d.items() if k in asdict(SandboxLimits())})


def faults_from_dict(d: dict) -> SandboxFaults:
    return SandboxFaults(**{k: v for k, v in d.items() if k in asdict(SandboxFaults())})
