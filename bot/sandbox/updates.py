"""Updates: getUpdates long polling and webhook delivery."""

from __future__ import annotations

import asyncio
import copy
import time
from typing import Any
from urllib.parse import urlsplit

from aiohttp import ClientSession, ClientTimeout

from bot.sandbox.model import ApiError, as_bool, as_int, as_json, over_limit
from bot.sandbox.rules import SECRET_TOKEN_RE, WEBHOOK_PORTS

DEFAULT_UPDATE_TYPES = ("message", "edited_message", "channel_post", "edited_channel_post", "callback_query",
                        "my_chat_member", "inline_query", "chosen_inline_result", "shipping_query",
                        "pre_checkout_query", "poll", "poll_answer", "chat_join_request")


class UpdatesMixin:
    """getUpdates, setWebhook, deleteWebhook, getWebhookInfo and the webhook delivery loop."""

    async def _m_getUpdates(self, params, files, call):
        if self._webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = params.get("offset")
        limit = min(100, max(1, as_int(params.get("limit", 100), "limit")))
        timeout = max(0.0, float(params.get("timeout", 0) or 0))
        allowed = as_json(params.get("allowed_updates"))
        if isinstance(allowed, list):
            self._allowed_updates = allowed or None
        if offset is not None:
            off = as_int(offset, "offset")
            if off < 0:
                self._updates = self._updates[off:]
            else:
                self._updates = [u for u in self._updates if u["update_id"] >= off]
        # A newer getUpdates terminates an older one, as in Telegram.
        if self._poller is not None and not self._poller.done():
            self._poller.set_result("conflict")
        me = self._poller = asyncio.get_running_loop().create_future()
        self._notify()  # `polling` changed: tests wait on it instead of sleeping
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                self._filter_allowed()
                if self._updates:
                    self._mark_delivered(self._updates[:limit])
                    return copy.deepcopy(self._updates[:limit])
                left = deadline - loop.time()
                if left <= 0 or self._stopping.is_set():
                    if timeout and left <= 0:
                        self._counters["polls_timed_out"] += 1
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

    @property
    def polling(self) -> bool:
        """A getUpdates long poll is waiting now (the bot is ready to take the next update at once)."""
        return self._poller is not None and not self._poller.done()

    def _filter_allowed(self) -> None:
        """Drop pending updates of types the bot did not ask for, and (rule update_retention) those older
        than Telegram keeps them."""
        allowed = self._allowed_updates or DEFAULT_UPDATE_TYPES
        oldest = self.clock() - self.rules.update_retention_seconds if self.rules.update_retention else None
        self._updates = [u for u in self._updates if any(k in allowed for k in u if k != "update_id")
                         and (oldest is None or self._update_born.get(u["update_id"], oldest) >= oldest)]

    async def _m_setWebhook(self, params, files, call):
        url = str(params.get("url") or "")
        if not url:
            return await self._m_deleteWebhook(params, files, call)
        if not url.startswith(("http://", "https://")):
            raise over_limit("bad webhook: An HTTPS URL must be provided for webhook")
        secret = str(params.get("secret_token") or "")
        if self.rules.webhook_checks:
            _check_webhook(url, secret)
        allowed = as_json(params.get("allowed_updates"))
        if isinstance(allowed, list):
            self._allowed_updates = allowed or None
        if as_bool(params.get("drop_pending_updates", False)):
            self._updates = []
        self._webhook = {"url": url, "secret_token": secret or None,
                         "max_connections": as_int(params.get("max_connections", 40), "max_connections")}
        self._webhook_error = None
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.ensure_future(self._webhook_loop())
        self._notify()
        return True

    async def _m_deleteWebhook(self, params, files, call):
        if as_bool(params.get("drop_pending_updates", False)):
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

    def route_webhook(self, public_base: str, local_base: str) -> None:
        """Deliver webhook updates for URLs under `public_base` (e.g. https://bot.example.org) to `local_base`
        (e.g. http://127.0.0.1:PORT), as DNS and a TLS-terminating reverse proxy do in production. The path
        after the base is kept."""
        self._webhook_routes[public_base.rstrip("/")] = local_base.rstrip("/")

    def _delivery_url(self, url: str) -> str:
        for public, local in self._webhook_routes.items():
            if url == public or url.startswith(public + "/"):
                return local + url[len(public):]
        return url

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
                    async with session.post(self._delivery_url(self._webhook["url"]), json=upd,
                                            headers=headers) as resp:
                        ok = 200 <= resp.status < 300
                        err = f"Wrong response from the webhook: {resp.status} {resp.reason}"
                except Exception as exc:  # noqa: BLE001 - any delivery failure is retried
                    ok, err = False, f"Connection failed: {exc!r}"
                if ok:
                    self._mark_delivered([upd])
                    if self._updates and self._updates[0] is upd:
                        self._updates.pop(0)
                    backoff = 0.1
                    self._notify()
                else:
                    self._webhook_error = (int(time.time()), err)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)


def _check_webhook(url: str, secret: str) -> None:
    """setWebhook's checks: an HTTPS URL on port 443, 80, 88 or 8443; a secret of 1-256 [A-Za-z0-9_-]."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise over_limit("bad webhook: An HTTPS URL must be provided for webhook")
    try:
        port = parts.port or 443
    except ValueError:
        raise over_limit("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443") from None
    if port not in WEBHOOK_PORTS:
        raise over_limit("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    if secret and not SECRET_TOKEN_RE.match(secret):
        raise over_limit("secret token contains unallowed characters")
