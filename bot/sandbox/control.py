"""The control API (/control/...) that tests, the demo page and scripts use to act as users."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.sandbox.limits import faults_from_dict, limits_from_dict
from bot.sandbox.model import ControlError, as_bool
from bot.sandbox.rules import rules_from_dict

log = logging.getLogger(__name__)


def _control(fn):
    """Answer a control handler's dict as JSON and a ControlError as {"ok": false, "error": ...}."""
    async def wrapper(self, request: web.Request) -> web.StreamResponse:
        try:
            out = await fn(self, request)
        except ControlError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=exc.status)
        if isinstance(out, web.StreamResponse):
            return out
        return web.json_response(out, dumps=lambda o: json.dumps(o, ensure_ascii=False))
    return wrapper


class ControlApiMixin:
    """HTTP handlers of the control API; each wraps a public helper method."""

    def _add_control_routes(self, r: web.UrlDispatcher) -> None:
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
        r.add_post(c + "/edit_text", self._c_edit_text)
        r.add_post(c + "/expire_callback_queries", self._c_expire_callback_queries)
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
    async def _c_edit_text(self, request):
        b = await self._json_body(request)
        msg = await self.edit_text(self._need(b, "user_id"), self._need(b, "message_id"), self._need(b, "text", str),
                                   self._opt_int(b, "chat_id"))
        return {"ok": True, "message": msg}

    @_control
    async def _c_expire_callback_queries(self, request):
        return {"ok": True, "expired": self.expire_callback_queries()}

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
        await self.reset(keep_users=as_bool(b.get("keep_users", True)))
        return {"ok": True}

    @_control
    async def _c_file(self, request):
        f = self._files.get(request.match_info["file_id"])
        if f is None:
            raise ControlError("unknown file", 404)
        name = f.file_name or Path(f.file_path).name
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
                if isinstance(b.get("rules"), dict):
                    self.rules = rules_from_dict({**asdict(self.rules), **b["rules"]})
            except TypeError as exc:
                raise ControlError(str(exc)) from None
        return {"ok": True, "limits": asdict(self.limits), "faults": asdict(self.faults), "rules": asdict(self.rules)}

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
