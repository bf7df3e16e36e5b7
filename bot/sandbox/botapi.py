"""The Bot API over HTTP: request parsing, method dispatch, injected faults, the call log."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiohttp import web

from bot.sandbox.limits import FloodLimited
from bot.sandbox.model import ApiError, ControlError, bad

log = logging.getLogger(__name__)

# Methods that put something into a chat: counted by the rate limits, subject to faults.
SENDING_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageReplyMarkup", "editMessageCaption"}
)


class BotApiHttpMixin:
    """/bot<token>/<method>: parse, dispatch to `_m_<method>`, record the call, answer."""

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
                "description": None, "message_id": None, "limit": None}
        try:
            cid = params.get("chat_id")
            call["chat_id"] = int(cid) if cid is not None else None
        except (TypeError, ValueError):
            pass
        if method not in ("getUpdates",):
            self._calls.append(call)
            self._notify()
        if handler is None:
            return self._finish(call, ApiError(404, "Not Found"))
        if self.outage:
            call.update(status=502, outcome="outage", description="Bad Gateway")
            return web.json_response({"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502)

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
            if isinstance(err, FloodLimited):
                call["limit"] = "+".join(err.buckets)
            if err.violation:
                self._record_violation(call, err.description)
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


def _summarise(params: dict, files: dict) -> dict:
    out = {}
    for k, v in params.items():
        if isinstance(v, str) and len(v) > 2000:
            v = v[:2000] + "…"
        out[k] = v
    for k, (name, content, _ctype) in files.items():
        out[k] = f"<file {name!r}, {len(content)} bytes>"
    return out
