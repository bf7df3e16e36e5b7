"""A local stand-in for the Telegram Bot API (the part dondoc uses) plus a control API.

The unchanged python-telegram-bot `Application` talks to it through
``ApplicationBuilder().base_url(sandbox.bot_api_base_url).base_file_url(sandbox.bot_file_base_url)``.
Tests (in-process) and people (HTTP, demo page) act as users through the control API.
See docs/sandbox.md.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from aiohttp import web

from bot.sandbox.botapi import BotApiHttpMixin
from bot.sandbox.control import ControlApiMixin
from bot.sandbox.files import FilesMixin
from bot.sandbox.limits import LimitsMixin, SandboxFaults, SandboxLimits
from bot.sandbox.methods import MessagesMixin
from bot.sandbox.model import ControlAction
from bot.sandbox.rules import SandboxRules
from bot.sandbox.store import SandboxState
from bot.sandbox.updates import UpdatesMixin
from bot.sandbox.users import UsersMixin

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent.parent / "web"


class BotApiSandbox(ControlApiMixin, BotApiHttpMixin, UpdatesMixin, MessagesMixin, FilesMixin, UsersMixin,
                    LimitsMixin, SandboxState):
    """The sandbox server. Use as ``async with BotApiSandbox() as sb:`` or start()/stop()."""

    # Every sandbox started in this process (weakly held): the test suite's request checker reads them.
    started: ClassVar[weakref.WeakSet[BotApiSandbox]] = weakref.WeakSet()

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
        rules: SandboxRules | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.token = token
        self.bot_username = bot_username
        self.limits = limits if limits is not None else SandboxLimits()
        self.faults = faults if faults is not None else SandboxFaults()
        self.clock = clock
        self.rules = rules if rules is not None else SandboxRules()
        self.outage = False  # True: every Bot API request answers 502 Bad Gateway, as in a Telegram outage
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
        self._webhook_routes: dict[str, str] = {}  # public URL base -> local base (kept across reset)
        self._reset_state(keep_users=False)

    async def start(self) -> BotApiSandbox:
        self._stopping = asyncio.Event()
        self._changed = asyncio.Event()
        BotApiSandbox.started.add(self)
        app = web.Application(client_max_size=60 * 1024 * 1024)
        r = app.router
        r.add_route("*", "/bot{token}/{method}", self._handle_api)
        r.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        r.add_get("/", self._handle_index)
        if WEB_DIR.is_dir():
            r.add_static("/static/", WEB_DIR)
        self._add_control_routes(r)
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

    def register_control_action(self, name: str, fn: ControlAction) -> None:
        """`POST /control/action/<name>` with a JSON body awaits fn(body) and answers its JSON result."""
        self._actions[name] = fn

    async def _handle_index(self, request: web.Request) -> web.StreamResponse:
        index = WEB_DIR / "index.html"
        if not index.is_file():
            return web.Response(text="dondoc sandbox: no demo page installed", content_type="text/plain")
        return web.FileResponse(index, headers={"Cache-Control": "no-cache"})
