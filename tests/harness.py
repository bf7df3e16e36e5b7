"""The real stack for end-to-end tests: the unchanged python-telegram-bot Application
talking HTTP to the local Bot API sandbox, over a real database.

A test reads as a scene:

    async def test_x(harness):
        lan = await harness.person(1001, "Chị Lan", role="secretariat")
        minh = await harness.person(2001, "Anh Minh", unit="Phòng Nội vụ")
        reply = await harness.say(minh, "xong")
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.app import build_application
from bot.context import AppContext
from bot.plan_import.model import ParsedPlan, ParsedTask
from bot.sandbox import BotApiSandbox

TOKEN = "123456:TEST-TOKEN"


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    role: str
    unit: str | None
    member_id: int


class Harness:
    def __init__(self, ctx: AppContext, sandbox: BotApiSandbox) -> None:
        self.ctx = ctx
        self.sandbox = sandbox
        self.app = None

    async def start(self, *, jobs: bool = False) -> None:
        self.app = build_application(self.ctx, token=TOKEN, base_url=self.sandbox.bot_api_base_url,
                                     base_file_url=self.sandbox.bot_file_base_url, jobs=jobs)
        await self.app.initialize()
        await self.app.start()
        await self.app.updater.start_polling(poll_interval=0.0, timeout=1)

    async def stop(self) -> None:
        if self.app is None:
            return
        if self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        self.app = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    # --- the world ---------------------------------------------------------------------

    async def person(self, user_id: int, name: str, *, role: str = "member", unit: str | None = None,
                     started: bool = True) -> Person:
        """A member in the directory and a Telegram user. `started=False`: they never wrote to the bot, so
        Telegram refuses to let the bot write first ("bot can't initiate conversation with a user")."""
        from bot.services.directory import add_member, ensure_unit

        async with self.ctx.sessions() as s:
            u = await ensure_unit(s, unit) if unit else None
            m = await add_member(s, user_id=user_id, chat_id=user_id, full_name=name, role=role, unit=u)
            await s.commit()
            mid = m.id
        self.sandbox.add_user(user_id, name, started=started)
        return Person(user_id, name, role, unit, mid)

    async def plan(self, tasks: list[ParsedTask], *, title: str = "Chương trình công tác", year: int | None = None,
                   today: date | None = None) -> Any:
        """Import tasks through the same service the product uses (reminders scheduled)."""
        from bot.reminders.policy import ReminderPolicy
        from bot.services.plans import import_plan

        today = today or self.ctx.clock.today()
        parsed = ParsedPlan(title=title, year=year or today.year, tasks=tasks)
        async with self.ctx.sessions() as s:
            res = await import_plan(s, parsed, today=today, policy=ReminderPolicy.from_settings(self.ctx.settings))
            await s.commit()
        return res

    # --- acting as users ---------------------------------------------------------------

    def last_id(self, who: Person | int) -> int:
        chat = who.user_id if isinstance(who, Person) else who
        msgs = self.sandbox.messages(chat)
        return msgs[-1]["message_id"] if msgs else 0

    async def say(self, who: Person, text: str, *, reply_to: int | None = None, timeout: float = 10.0) -> dict:
        """Send text as a user and wait for the bot's next message to that user."""
        after = self.last_id(who)
        await self.sandbox.send_text(who.user_id, text, reply_to_message_id=reply_to)
        return await self.sandbox.wait_for_message(who.user_id, after_message_id=after, timeout=timeout)

    async def send_file(self, who: Person, filename: str, content: bytes, *, caption: str | None = None,
                        reply_to: int | None = None, timeout: float = 10.0, **kw) -> dict:
        after = self.last_id(who)
        await self.sandbox.send_document(who.user_id, filename, content, caption=caption,
                                         reply_to_message_id=reply_to, **kw)
        return await self.sandbox.wait_for_message(who.user_id, after_message_id=after, timeout=timeout)

    async def press(self, who: Person, message: dict, data: str, *, timeout: float = 10.0,
                    expect_message: bool = True) -> dict | None:
        after = self.last_id(who)
        await self.sandbox.press_button(who.user_id, message["message_id"], data)
        if not expect_message:
            return None
        return await self.sandbox.wait_for_message(who.user_id, after_message_id=after, timeout=timeout)

    async def edit(self, who: Person, message: dict, text: str, *, timeout: float = 10.0,
                   expect_message: bool = True) -> dict | None:
        """The user edits their earlier message (an edited_message update); waits for the bot's next message."""
        after = self.last_id(who)
        await self.sandbox.edit_text(who.user_id, message["message_id"], text)
        if not expect_message:
            return None
        return await self.sandbox.wait_for_message(who.user_id, after_message_id=after, timeout=timeout)

    async def wait(self, who: Person, *, after: int = 0, timeout: float = 10.0) -> dict:
        return await self.sandbox.wait_for_message(who.user_id, after_message_id=after, timeout=timeout)

    def messages(self, who: Person) -> list[dict]:
        return self.sandbox.messages(who.user_id)

    async def scan(self):
        """Run one reminder scan now, as the scheduled job would."""
        from bot.reminders.scanner import scan_once
        from handlers.messenger import TelegramMessenger

        return await scan_once(self.ctx, TelegramMessenger(self.app.bot))


def buttons(message: dict) -> list[tuple[str, str]]:
    """(text, callback_data) of every inline button on a bot message."""
    markup = message.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]


def button(message: dict, starts_with: str) -> str:
    for text, data in buttons(message):
        if text.startswith(starts_with) or data.startswith(starts_with):
            return data
    raise AssertionError(f"no button {starts_with!r} in {buttons(message)}")
