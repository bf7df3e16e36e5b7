"""The Bot API methods that send, edit and delete messages, answer callback queries and set commands."""

from __future__ import annotations

import copy
import re
from typing import Any

from bot.sandbox.htmltext import EntityParseError, parse_html, plain_to_safe_html, utf16_len
from bot.sandbox.model import ApiError, StoredMessage, as_bool, as_int, as_json, bad, over_limit
from bot.sandbox.rules import BUTTONS_PER_ROW, BUTTONS_TOTAL, PARSE_MODES, TRIMMED


NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


class MessagesMixin:
    """Bot API methods on chats and messages."""

    def _chat(self, params: dict) -> dict:
        cid = params.get("chat_id")
        if cid is None or cid == "":
            raise bad("chat_id is empty")
        if isinstance(cid, str) and cid.startswith("@"):
            for c in self._chats.values():
                if c.get("username") == cid[1:]:
                    return c
            raise bad("chat not found")
        chat = self._chats.get(as_int(cid, "chat_id"))
        if chat is None:
            raise bad("chat not found")
        if chat["type"] == "private" and chat["id"] in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat["type"] == "private" and self.rules.require_start and not self._users[chat["id"]]["started"]:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _inline_markup(self, params: dict, call: dict) -> dict | None:
        rm = as_json(params.get("reply_markup"))
        if not rm:
            return None
        if not isinstance(rm, dict):
            raise over_limit("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in rm:
            return None  # reply keyboards / ForceReply are accepted but not echoed, like Telegram
        rows = rm["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise over_limit("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
        for row in rows:
            for b in row:
                if not isinstance(b, dict) or not b.get("text"):
                    raise over_limit("can't parse inline keyboard button: Text buttons are unallowed in the "
                                     "inline keyboard")
                if "callback_data" in b:
                    data = b["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                        raise over_limit("BUTTON_DATA_INVALID")
                elif not any(k in b for k in ("url", "switch_inline_query", "switch_inline_query_current_chat",
                                              "web_app", "login_url", "copy_text", "pay", "callback_game")):
                    raise over_limit("can't parse inline keyboard button: Text buttons are unallowed in the "
                                     "inline keyboard")
        if self.rules.keyboard_limits:
            rows = self._keyboard_within_limits(rows, call)
        return {"inline_keyboard": rows}

    def _keyboard_within_limits(self, rows: list[list[dict]], call: dict) -> list[list[dict]]:
        """What tdlib keeps of a keyboard: 12 buttons a row, 300 in all; the rest silently dropped."""
        kept, total = [], 0
        for row in rows:
            room = min(BUTTONS_PER_ROW, BUTTONS_TOTAL - total)
            if room <= 0:
                break
            kept.append(row[:room])
            total += len(kept[-1])
        dropped = sum(len(r) for r in rows) - total
        if dropped:
            self._record_violation(call, f"{dropped} inline buttons dropped (at most {BUTTONS_PER_ROW} a row "
                                         f"and {BUTTONS_TOTAL} in all)")
        return kept

    def _formatted(self, text: str, parse_mode: str | None, entities: Any, limit: int,
                   what: str) -> tuple[str, list, str]:
        mode = str(parse_mode or "").lower()
        if self.rules.parse_mode_check and mode not in ("", *PARSE_MODES):
            raise over_limit("unsupported parse_mode")
        if mode == "html":
            try:
                plain, ents, safe = parse_html(text)
            except EntityParseError as exc:
                raise over_limit(f"can't parse entities: {exc}") from None
        else:  # Markdown is not parsed by the sandbox: the text is kept as written
            plain, ents, safe = text, (as_json(entities) or []), plain_to_safe_html(text)
        if self.rules.trim_text:
            plain, ents = _trimmed(plain, ents)
        if not plain.strip() and what == "text":
            raise over_limit("message text is empty")
        if len(plain) > limit:
            raise over_limit("message is too long" if what == "text" else "message caption is too long")
        return plain, ents, safe

    def _reply_to(self, params: dict, chat: dict) -> dict | None:
        rp = as_json(params.get("reply_parameters"))
        mid, allow = None, as_bool(params.get("allow_sending_without_reply", False))
        if isinstance(rp, dict):
            mid = rp.get("message_id")
            allow = allow or bool(rp.get("allow_sending_without_reply"))
            if rp.get("chat_id") not in (None, chat["id"]):
                raise bad("cross-chat replies are not supported by the sandbox")
        elif params.get("reply_to_message_id") is not None:
            mid = params.get("reply_to_message_id")
        if mid is None:
            return None
        m = self._messages.get(chat["id"], {}).get(as_int(mid, "message_id"))
        if m is None or m.deleted:
            if allow:
                return None
            raise bad("message to be replied not found")
        return self._shallow(m.data)

    def _deliver(self, chat: dict, msg: dict, html_text: str, dup_key: tuple) -> dict:
        mid = self._next_message_id(chat["id"])
        full = {"message_id": mid, "from": dict(self.bot_user), "chat": dict(chat), "date": int(self.clock()), **msg}
        self._messages.setdefault(chat["id"], {})[mid] = StoredMessage(chat["id"], mid, True, full, html_text)
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
            raise over_limit("message text is empty")
        plain, ents, safe = self._formatted(str(text), params.get("parse_mode"), params.get("entities"), 4096, "text")
        markup = self._inline_markup(params, call)
        reply = self._reply_to(params, chat)
        self._rate_limit(chat)
        msg = _with_extras({"text": plain}, "entities", ents, reply, markup)
        return self._deliver(chat, msg, safe, ("text", plain))

    async def _send_media(self, params, files, call, kind: str):
        chat = self._chat(params)
        f = self._input_file(params, files, kind, kind)
        caption = params.get("caption")
        plain, ents, safe = ("", [], "")
        if caption:
            plain, ents, safe = self._formatted(str(caption), params.get("parse_mode"), params.get("caption_entities"),
                                                1024, "caption")
        markup = self._inline_markup(params, call)
        reply = self._reply_to(params, chat)
        self._rate_limit(chat)
        msg: dict[str, Any] = {kind: f.document() if kind == "document" else f.photo()}
        if plain:
            msg["caption"] = plain
        msg = _with_extras(msg, "caption_entities", ents, reply, markup)
        return self._deliver(chat, msg, safe, (kind, f.file_unique_id, plain))

    async def _m_sendDocument(self, params, files, call):
        return await self._send_media(params, files, call, "document")

    async def _m_sendPhoto(self, params, files, call):
        return await self._send_media(params, files, call, "photo")

    def _editable(self, params: dict) -> tuple[dict, StoredMessage]:
        if params.get("inline_message_id"):
            raise bad("inline messages are not supported by the sandbox")
        chat = self._chat(params)
        if params.get("message_id") in (None, ""):
            raise bad("message identifier is not specified")
        m = self._messages.get(chat["id"], {}).get(as_int(params.get("message_id"), "message_id"))
        if m is None or m.deleted:
            raise bad("message to edit not found")
        if not m.from_bot:
            raise bad("message can't be edited")
        return chat, m

    def _apply_edit(self, chat: dict, m: StoredMessage, new: dict, safe: str | None) -> dict:
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
            raise over_limit("message text is empty")
        if "text" not in m.data:
            raise bad("there is no text in the message to edit")
        plain, ents, safe = self._formatted(str(text), params.get("parse_mode"), params.get("entities"), 4096, "text")
        markup = self._inline_markup(params, call)
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
        markup = self._inline_markup(params, call)
        if (plain == m.data.get("caption", "") and ents == m.data.get("caption_entities", [])
                and markup == m.data.get("reply_markup")):
            raise bad(NOT_MODIFIED[len("Bad Request: "):])
        return self._apply_edit(chat, m, {"caption": plain or None, "caption_entities": ents or None,
                                          "reply_markup": markup}, safe)

    async def _m_editMessageReplyMarkup(self, params, files, call):
        chat, m = self._editable(params)
        markup = self._inline_markup(params, call)
        if markup == m.data.get("reply_markup"):
            raise bad(NOT_MODIFIED[len("Bad Request: "):])
        return self._apply_edit(chat, m, {"reply_markup": markup}, None)

    async def _m_deleteMessage(self, params, files, call):
        chat = self._chat(params)
        m = self._messages.get(chat["id"], {}).get(as_int(params.get("message_id"), "message_id"))
        if m is None or m.deleted:
            raise bad("message to delete not found")
        m.deleted = True
        self._notify()
        return True

    async def _m_answerCallbackQuery(self, params, files, call):
        qid = str(params.get("callback_query_id", ""))
        q = self._queries.get(qid)
        if q is not None:
            q["attempted"] = True
        if q is None or q["answered"] or self._query_expired(q):
            raise bad("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise over_limit("MESSAGE_TOO_LONG")
        q["answered"] = True
        q["answer"] = {"text": text, "show_alert": as_bool(params.get("show_alert", False)), "url": params.get("url")}
        self._notify()
        return True

    def _scope_key(self, params: dict) -> tuple:
        scope = as_json(params.get("scope")) or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise over_limit("can't parse BotCommandScope JSON object")
        chat_id = scope.get("chat_id")
        if chat_id is not None:
            chat = self._chats.get(as_int(chat_id, "chat_id"))
            if chat is None:
                raise bad("chat not found")
        return ((scope["type"], int(chat_id or 0), int(scope.get("user_id") or 0)), params.get("language_code") or "")

    async def _m_setMyCommands(self, params, files, call):
        cmds = as_json(params.get("commands"))
        if not isinstance(cmds, list) or len(cmds) > 100:
            raise over_limit("can't parse commands JSON object")
        for c in cmds:
            if not isinstance(c, dict) or not _COMMAND_RE.match(str(c.get("command", ""))):
                raise over_limit("BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", ""))) <= 256:
                raise over_limit("command description is empty" if not c.get("description") else "BOT_COMMAND_INVALID")
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


def _with_extras(msg: dict, entities_key: str, entities: list, reply: dict | None, markup: dict | None) -> dict:
    """Add the optional parts of a sent message (entities, replied message, inline keyboard) when present."""
    if entities:
        msg[entities_key] = entities
    if reply:
        msg["reply_to_message"] = reply
    if markup:
        msg["reply_markup"] = markup
    return msg


def _trimmed(text: str, entities: list) -> tuple[str, list]:
    """Cut leading and trailing white space as Telegram does, moving and clipping the entities (UTF-16)."""
    body = text.lstrip(TRIMMED)
    lead = utf16_len(text[:len(text) - len(body)])
    body = body.rstrip(TRIMMED)
    if lead == 0 and len(body) == len(text):
        return text, entities
    total = utf16_len(body)
    out = []
    for e in entities:
        start, end = max(e["offset"] - lead, 0), min(e["offset"] + e["length"] - lead, total)
        if end > start:
            out.append({**e, "offset": start, "length": end - start})
    return body, out
