"""The sandbox as strict as Telegram: each rule of SandboxRules met by the real python-telegram-bot stack,
with the answer Telegram gives (docs/sandbox.md names the source of each), and the request checker that
records every request breaking a documented limit."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import zlib

import aiohttp
import pytest
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.sandbox import BotApiSandbox, SandboxLimits, SandboxRules
from tests.ptb_apps import build_app, polling

TOKEN = "515151:SANDBOX-RULES"
LAN, BINH = 3001, 3002


@contextlib.asynccontextmanager
async def running(rules: SandboxRules | None = None):
    # Flood limits off: these tests call app.bot directly (no rate limiter) in bursts to one chat, and test
    # the other rules; the limits are tested in test_sandbox.py and test_reminder_delivery.py.
    async with BotApiSandbox(token=TOKEN, limits=SandboxLimits(enabled=False), rules=rules or SandboxRules()) as sb:
        sb.add_user(LAN, "Lan")
        yield sb


def png(width: int, height: int) -> bytes:
    """A valid PNG header of the given size (the sandbox reads only the IHDR)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)) + b"\x00" * 16)


def keyboard(*rows: list[str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in row] for row in rows])


# ---------------------------------------------------------------- callback queries

async def test_an_answer_after_the_query_expired_is_refused_as_too_old():
    answers: list[str] = []
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        entered.set()
        await release.wait()  # the handler takes longer than Telegram waits
        try:
            await update.callback_query.answer("muộn")
            answers.append("ok")
        except BadRequest as exc:
            answers.append(str(exc))

    async with running() as sb:
        app = build_app(sb)
        app.add_handler(CallbackQueryHandler(slow))
        async with polling(app):
            msg = await app.bot.send_message(LAN, "Báo cáo?", reply_markup=keyboard(["xong"]))
            qid = await sb.press_button(LAN, msg.message_id, "xong")
            await asyncio.wait_for(entered.wait(), 10)
            assert sb.expire_callback_queries() == 1
            release.set()
            await sb.wait_until(lambda: answers, 10, "handler did not finish")
        assert answers == ["Query is too old and response timeout expired or query id is invalid"]
        assert sb.callback_answer(qid) is None


async def test_a_query_is_answered_once():
    async with running() as sb:
        app = build_app(sb)
        async with app:
            msg = await app.bot.send_message(LAN, "?", reply_markup=keyboard(["a"]))
            qid = await sb.press_button(LAN, msg.message_id, "a")
            assert await app.bot.answer_callback_query(qid)
            with pytest.raises(BadRequest, match="(?i)query is too old"):
                await app.bot.answer_callback_query(qid)


async def test_a_press_on_a_deleted_or_forgotten_message_arrives_as_an_inaccessible_message():
    seen: list = []

    async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.callback_query.message)
        await update.callback_query.answer()

    async with running() as sb:
        app = build_app(sb)
        app.add_handler(CallbackQueryHandler(press))
        async with polling(app):
            fresh = await app.bot.send_message(LAN, "mới", reply_markup=keyboard(["a"]))
            old = await app.bot.send_message(LAN, "cũ", reply_markup=keyboard(["b"]))
            gone = await app.bot.send_message(LAN, "xoá", reply_markup=keyboard(["c"]))
            await app.bot.delete_message(LAN, gone.message_id)
            sb.forget_messages(LAN, up_to_message_id=old.message_id)
            for m, data in ((old, "b"), (gone, "c")):
                await sb.wait_for_callback_answer(await sb.press_button(LAN, m.message_id, data))
            sb.rules.inaccessible_messages = False
            await sb.wait_for_callback_answer(await sb.press_button(LAN, fresh.message_id, "a"))
    # PTB 22 reads an InaccessibleMessage into a Message with date 0: is_accessible is False, no text.
    assert [m.is_accessible for m in seen] == [False, False, True]
    assert [(m.chat.id, m.message_id, m.date.timestamp(), m.text) for m in seen[:2]] == [
        (LAN, old.message_id, 0, None), (LAN, gone.message_id, 0, None)]
    assert seen[2].text == "mới"


# ---------------------------------------------------------------- users

async def test_an_edited_message_reaches_the_bot_as_edited_message():
    edits: list[tuple[int, str]] = []

    async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        edits.append((update.edited_message.message_id, update.edited_message.text))
        await update.edited_message.reply_text("đã sửa")

    async with running() as sb:
        app = build_app(sb)
        app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, edited))
        async with polling(app):
            sent = await sb.send_text(LAN, "50%")
            await sb.edit_text(LAN, sent["message_id"], "80%")
            await sb.wait_for_message(LAN)
    assert edits == [(sent["message_id"], "80%")]
    assert sb.messages(LAN, include_user=True)[0]["text"] == "80%"


async def test_block_and_unblock_reach_the_bot_as_chat_member_updates_ptb_can_read():
    seen: list[tuple[str, str]] = []

    async def member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        seen.append((change.old_chat_member.status, change.new_chat_member.status))

    async with running() as sb:
        app = build_app(sb)
        app.add_handler(ChatMemberHandler(member, ChatMemberHandler.MY_CHAT_MEMBER))
        async with polling(app):
            sb.block(LAN)
            with pytest.raises(Forbidden, match="(?i)blocked by the user"):
                await app.bot.send_message(LAN, "nhắc việc")
            sb.unblock(LAN)
            await sb.wait_until(lambda: len(seen) == 2, 10, "my_chat_member updates not handled")
            assert (await app.bot.send_message(LAN, "nhắc việc")).text == "nhắc việc"
    assert seen == [("member", "kicked"), ("kicked", "member")]


async def test_the_bot_cannot_write_first_to_a_user_who_never_started_it():
    async with running() as sb:
        sb.add_user(BINH, "Bình", started=False)
        app = build_app(sb)
        async with app:
            with pytest.raises(Forbidden, match="(?i)bot can't initiate conversation with a user"):
                await app.bot.send_message(BINH, "nhắc việc")
            await sb.send_text(BINH, "/start")
            assert (await app.bot.send_message(BINH, "nhắc việc")).text == "nhắc việc"
        assert [u["started"] for u in sb.users()] == [True, True]


# ---------------------------------------------------------------- files

async def test_get_file_over_20_mb_is_refused_and_recorded():
    async with running() as sb:
        small = await sb.send_document(LAN, "nho.pdf", b"%PDF" + b"0" * (20 * 1024 * 1024 - 4))
        big = await sb.send_document(LAN, "lon.pdf", b"%PDF" + b"0" * (20 * 1024 * 1024 - 3))
        app = build_app(sb)
        async with app:
            assert (await app.bot.get_file(small["document"]["file_id"])).file_size == 20 * 1024 * 1024
            with pytest.raises(BadRequest, match="(?i)file is too big"):
                await app.bot.get_file(big["document"]["file_id"])
        assert [v["method"] for v in sb.violations(clear=True)] == ["getFile"]


async def test_upload_limits_for_documents_and_photos():
    async with running() as sb:
        app = build_app(sb)
        async with app:
            with pytest.raises(NetworkError, match="(?i)request entity too large"):
                await app.bot.send_document(LAN, b"0" * (50 * 1024 * 1024 + 1), filename="lon.bin")
            with pytest.raises(BadRequest, match="(?i)photo_invalid_dimensions"):
                await app.bot.send_photo(LAN, png(9000, 1001))
            with pytest.raises(BadRequest, match="(?i)photo_invalid_dimensions"):
                await app.bot.send_photo(LAN, png(2100, 100))
            assert (await app.bot.send_photo(LAN, png(2000, 100))).photo[-1].width == 2000
        assert [v["description"] for v in sb.violations(clear=True)] == [
            "Request Entity Too Large", "Bad Request: PHOTO_INVALID_DIMENSIONS",
            "Bad Request: PHOTO_INVALID_DIMENSIONS"]


# ---------------------------------------------------------------- webhooks

@pytest.mark.parametrize(("url", "secret", "error"), [
    ("http://bot.example.org/hook", "abc", "An HTTPS URL must be provided"),
    ("https://bot.example.org:8080/hook", "abc", "only on ports 80, 88, 443 or 8443"),
    ("https://bot.example.org/hook", "a+b/c=", "secret token contains unallowed characters"),
    ("https://bot.example.org/hook", "a" * 257, "secret token contains unallowed characters"),
    ("https://bot.example.org/hook", "bí-mật", "secret token contains unallowed characters"),
])
async def test_set_webhook_checks_url_port_and_secret(url, secret, error):
    async with running() as sb:
        app = build_app(sb)
        async with app:
            with pytest.raises(BadRequest, match=f"(?i){error}"):
                await app.bot.set_webhook(url, secret_token=secret)
        assert len(sb.violations(clear=True)) == 1


async def test_set_webhook_accepts_the_allowed_ports_and_secrets():
    async with running() as sb:
        app = build_app(sb)
        async with app:
            for port in ("", ":443", ":80", ":88", ":8443"):
                assert await app.bot.set_webhook(f"https://bot.example.org{port}/hook", secret_token="A-z_09" * 40)
            assert (await app.bot.get_webhook_info()).url == "https://bot.example.org:8443/hook"


# ---------------------------------------------------------------- text, keyboards, commands

async def test_parse_mode_values():
    async with running() as sb:
        app = build_app(sb)
        async with app:
            for mode in ("HTML", "html", "Markdown", "MarkdownV2"):
                await app.bot.send_message(LAN, "chào", parse_mode=mode)
            with pytest.raises(BadRequest, match="(?i)unsupported parse_mode"):
                await app.bot.send_message(LAN, "chào", parse_mode="markdown3")
        assert [v["description"] for v in sb.violations(clear=True)] == ["Bad Request: unsupported parse_mode"]


async def test_text_is_trimmed_before_it_is_stored_and_before_not_modified_is_judged():
    async with running() as sb:
        app = build_app(sb)
        async with app:
            msg = await app.bot.send_message(LAN, "\n  <b>Việc</b> quá hạn \n\n", parse_mode="HTML")
            assert msg.text == "Việc quá hạn"
            assert [(e.offset, e.length) for e in msg.entities] == [(0, 4)]
            with pytest.raises(BadRequest, match="(?i)message is not modified"):
                await app.bot.edit_message_text("Việc quá hạn\n", LAN, msg.message_id,
                                                entities=msg.entities)
            with pytest.raises(BadRequest, match="(?i)message text is empty"):
                await app.bot.send_message(LAN, " \n ")
        assert [v["description"] for v in sb.violations(clear=True)] == ["Bad Request: message text is empty"]


async def test_text_and_caption_limits_count_after_entity_parsing():
    async with running() as sb:
        app = build_app(sb)
        async with app:
            assert len((await app.bot.send_message(LAN, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")).text) == 4096
            with pytest.raises(BadRequest, match="(?i)message is too long"):
                await app.bot.send_message(LAN, "x" * 4097)
            await app.bot.send_document(LAN, b"1", filename="a.txt", caption="<i>" + "y" * 1024 + "</i>",
                                        parse_mode="HTML")
            with pytest.raises(BadRequest, match="(?i)caption is too long"):
                await app.bot.send_document(LAN, b"1", filename="a.txt", caption="y" * 1025)
        assert len(sb.violations(clear=True)) == 2


async def test_keyboards_keep_12_buttons_a_row_and_300_in_all_and_the_cut_is_recorded():
    async with running() as sb:
        app = build_app(sb)
        async with app:
            msg = await app.bot.send_message(LAN, "chọn", reply_markup=keyboard([str(i) for i in range(13)]))
            assert [len(r) for r in msg.reply_markup.inline_keyboard] == [12]
            rows = [[f"{r}.{c}" for c in range(12)] for r in range(26)]  # 312 buttons
            msg = await app.bot.send_message(LAN, "chọn", reply_markup=keyboard(*rows))
            assert sum(len(r) for r in msg.reply_markup.inline_keyboard) == 300
            with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
                await app.bot.send_message(LAN, "chọn", reply_markup=keyboard(["đ" * 33]))
            assert (await app.bot.send_message(LAN, "chọn", reply_markup=keyboard(["đ" * 32]))).text == "chọn"
        assert [v["description"] for v in sb.violations(clear=True)] == [
            "1 inline buttons dropped (at most 12 a row and 300 in all)",
            "12 inline buttons dropped (at most 12 a row and 300 in all)",
            "Bad Request: BUTTON_DATA_INVALID"]


async def test_command_names_and_descriptions():
    async with running() as sb:
        app = build_app(sb)
        async with app:
            assert await app.bot.set_my_commands([BotCommand("quahan", "Việc quá hạn"), BotCommand("a" * 32, "d" * 256)])
            for cmd in (BotCommand("QuaHan", "x"), BotCommand("a" * 33, "x"), BotCommand("qua-han", "x"),
                        BotCommand("quahan", "d" * 257)):
                with pytest.raises(BadRequest):
                    await app.bot.set_my_commands([cmd])
        assert len(sb.violations(clear=True)) == 4


async def test_every_rule_can_be_turned_off():
    async with running(SandboxRules.lenient()) as sb:
        sb.add_user(BINH, "Bình", started=False)
        app = build_app(sb)
        async with app:
            assert (await app.bot.send_message(BINH, " nhắc ")).text == " nhắc "
            msg = await app.bot.send_message(LAN, "chọn", reply_markup=keyboard([str(i) for i in range(13)]))
            assert len(msg.reply_markup.inline_keyboard[0]) == 13
            qid = await sb.press_button(LAN, msg.message_id, "1")
            sb.expire_callback_queries()
            assert await app.bot.answer_callback_query(qid)
        assert sb.violations() == []



async def test_in_a_group_the_bot_gets_only_commands_replies_to_it_and_mentions():
    got: list[str] = []

    async def seen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        got.append(update.message.text)

    group = -100777
    async with running() as sb:
        sb.add_group(group, "Ban chỉ đạo")
        app = build_app(sb)
        app.add_handler(MessageHandler(filters.ALL, seen))
        async with polling(app):
            mine = await app.bot.send_message(group, "Họp lúc 8 giờ")
            await sb.send_text(LAN, "chuyện riêng trong nhóm", chat_id=group)
            await sb.send_text(LAN, "/viec", chat_id=group)
            await sb.send_text(LAN, "đã xong", chat_id=group, reply_to_message_id=mine.message_id)
            await sb.send_text(LAN, f"@{sb.bot_username} nhắc giúp", chat_id=group)
            await sb.wait_until(lambda: len(got) == 3, 10, "the bot did not get the three")
    assert got == ["/viec", "đã xong", f"@{sb.bot_username} nhắc giúp"]
    assert len(sb.messages(group, include_user=True)) == 5  # the group itself saw everything


async def test_pending_updates_older_than_24_hours_are_gone():
    now = [1_800_000_000.0]
    async with BotApiSandbox(token=TOKEN, limits=SandboxLimits(enabled=False), clock=lambda: now[0]) as sb:
        sb.add_user(LAN, "Lan")
        app = build_app(sb)
        async with app:
            await sb.send_text(LAN, "trả lời hôm qua")
            now[0] += 24 * 3600 - 60
            await sb.send_text(LAN, "trả lời sáng nay")
            now[0] += 120  # the first is now more than 24 hours old
            assert [u.message.text for u in await app.bot.get_updates()] == ["trả lời sáng nay"]


async def test_the_control_api_edits_messages_expires_queries_and_switches_rules_over_http():
    async with running() as sb:
        sent = await sb.send_text(LAN, "50%")
        app = build_app(sb)
        async with app:
            msg = await app.bot.send_message(LAN, "?", reply_markup=keyboard(["a"]))
            qid = await sb.press_button(LAN, msg.message_id, "a")
            async with aiohttp.ClientSession(sb.url) as http:
                r = await http.post("/control/edit_text", json={"user_id": LAN, "message_id": sent["message_id"],
                                                               "text": "80%"})
                assert (await r.json())["message"]["text"] == "80%"
                r = await http.post("/control/expire_callback_queries")
                assert (await r.json())["expired"] == 1
                r = await http.post("/control/config", json={"rules": {"require_start": False}})
                assert (await r.json())["rules"]["require_start"] is False
            with pytest.raises(BadRequest, match="(?i)query is too old"):
                await app.bot.answer_callback_query(qid)
            updates = await app.bot.get_updates()
            assert [u.edited_message.text for u in updates if u.edited_message] == ["80%"]
        assert sb.rules.require_start is False and sb.rules.callback_expiry is True


async def test_a_press_the_bot_never_answers_is_reported():
    handled: list[str] = []

    async def forgetful(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        handled.append(update.callback_query.data)
        if update.callback_query.data == "tra-loi":
            await update.callback_query.answer()

    async with running() as sb:
        app = build_app(sb)
        app.add_handler(CallbackQueryHandler(forgetful))
        async with polling(app):
            msg = await app.bot.send_message(LAN, "?", reply_markup=keyboard(["im-lang", "tra-loi"]))
            silent = await sb.press_button(LAN, msg.message_id, "im-lang")
            await sb.wait_for_callback_answer(await sb.press_button(LAN, msg.message_id, "tra-loi"), 10)
            await sb.wait_until(lambda: len(handled) == 2, 10, "presses not handled")
    assert [q["query_id"] for q in sb.unanswered_callback_queries(clear=True)] == [silent]
    assert sb.unanswered_callback_queries() == []
