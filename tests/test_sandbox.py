"""The local Bot API sandbox, driven by the real python-telegram-bot stack (no mocks)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dtm
import warnings

import aiohttp
import pytest
from aiohttp import web
from telegram import BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.sandbox import BotApiSandbox, SandboxFaults, SandboxLimits
from tests.ptb_apps import build_app, polling

# PTB itself reads RetryAfter.retry_after (AIORateLimiter), which warns about its future type.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

TOKEN = "424242:SANDBOX-TEST"
LAN, BINH, GROUP = 2001, 2002, -100500
PNG_1x1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = exc.retry_after
    return v.total_seconds() if isinstance(v, dtm.timedelta) else float(v)


def make_sandbox(**kw) -> BotApiSandbox:
    # Flood limits off unless a test turns them on: these tests call app.bot directly, without the
    # rate limiter dondoc uses, and send bursts to one chat; the limits have their own tests below.
    kw.setdefault("limits", SandboxLimits(enabled=False))
    sb = BotApiSandbox(token=TOKEN, **kw)
    return sb


@contextlib.asynccontextmanager
async def running(**kw):
    sb = make_sandbox(**kw)
    async with sb:
        sb.add_user(LAN, "Lan", username="lan_nguyen", last_name="Nguyễn", description="Ban Dân vận · trưởng ban")
        sb.add_user(BINH, "Bình")
        sb.add_group(GROUP, "Ban chỉ đạo")
        yield sb


def echo_handlers(app: Application, seen: dict) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text("Chào <b>bạn</b>!", parse_mode="HTML")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        kb = InlineKeyboardMarkup([[InlineKeyboardButton("Đã xong", callback_data="done:1"),
                                    InlineKeyboardButton("Hoãn", callback_data="later:1")]])
        await update.message.reply_text(f"Bạn nói: {update.message.text}", reply_markup=kb,
                                        reply_to_message_id=update.message.message_id)

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        q = update.callback_query
        seen.setdefault("callbacks", []).append(q.data)
        await q.answer("Đã ghi nhận", show_alert=False)
        await q.edit_message_text(f"Đã chọn {q.data}")

    async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        f = await update.message.document.get_file()
        seen["downloaded"] = bytes(await f.download_as_bytearray())
        seen["file_name"] = update.message.document.file_name
        await update.message.reply_text(f"Đã nhận {len(seen['downloaded'])} byte")

    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(MessageHandler(filters.Document.ALL, document))
    app.add_handler(CallbackQueryHandler(button))


# ---------------------------------------------------------------- PTB round trips

async def test_text_round_trip_command_and_reply():
    async with running() as sb:
        app = build_app(sb)
        echo_handlers(app, {})
        async with polling(app):
            await sb.send_text(LAN, "/start")
            hello = await sb.wait_for_message(LAN)
            assert hello["text"] == "Chào bạn!"
            assert hello["html"] == "Chào <b>bạn</b>!"
            user_msg = await sb.send_text(LAN, "xin chào")
            reply = await sb.wait_for_message(LAN, after_message_id=hello["message_id"])
            assert reply["text"] == "Bạn nói: xin chào"
            assert reply["reply_to_message_id"] == user_msg["message_id"]
            assert reply["message_id"] == user_msg["message_id"] + 1  # one id sequence per chat
            assert [b["callback_data"] for b in reply["reply_markup"]["inline_keyboard"][0]] == ["done:1", "later:1"]
        everything = sb.messages(LAN, include_user=True)
        assert [m["from_bot"] for m in everything] == [False, True, False, True]
        assert sb.stats()["sent"] == 2
        assert {c["method"] for c in sb.calls()} >= {"getMe", "sendMessage", "deleteWebhook"}


async def test_inline_button_press_is_handled_and_answered():
    seen: dict = {}
    async with running() as sb:
        app = build_app(sb)
        echo_handlers(app, seen)
        async with polling(app):
            await sb.send_text(LAN, "báo cáo")
            msg = await sb.wait_for_message(LAN)
            qid = await sb.press_button(LAN, msg["message_id"], "done:1")
            answer = await sb.wait_for_callback_answer(qid)
            assert answer == {"text": "Đã ghi nhận", "show_alert": False, "url": None}
            edited = await sb.wait_for_message(LAN, lambda m: m["edited"])
            assert edited["message_id"] == msg["message_id"]
            assert edited["text"] == "Đã chọn done:1"
            assert edited["reply_markup"] is None  # editing text without a markup drops the keyboard
            with pytest.raises(Exception, match="no button"):
                await sb.press_button(LAN, msg["message_id"], "done:1")
        assert seen["callbacks"] == ["done:1"]


async def test_user_document_is_downloaded_by_the_bot_via_get_file():
    seen: dict = {}
    content = "Báo cáo quý II — đã xong".encode() * 100
    async with running() as sb:
        app = build_app(sb)
        echo_handlers(app, seen)
        async with polling(app):
            await sb.send_document(LAN, "bao_cao_quy_2.docx", content, caption="gửi anh chị")
            reply = await sb.wait_for_message(LAN)
            assert reply["text"] == f"Đã nhận {len(content)} byte"
        assert seen["downloaded"] == content
        assert seen["file_name"] == "bao_cao_quy_2.docx"
        assert len(sb.calls("getFile")) == 1


async def test_bot_sends_document_and_photo_upload_and_by_file_id():
    async with running() as sb:
        app = build_app(sb)
        async with app:
            doc_msg = await app.bot.send_document(LAN, b"col1,col2\n1,2\n", filename="ket_qua.csv", caption="Kết quả")
            assert doc_msg.document.file_name == "ket_qua.csv"
            assert doc_msg.document.mime_type == "text/csv"
            assert doc_msg.document.file_size == 14
            assert doc_msg.caption == "Kết quả"
            again = await app.bot.send_document(BINH, doc_msg.document.file_id)
            assert again.document.file_id == doc_msg.document.file_id
            photo_msg = await app.bot.send_photo(LAN, PNG_1x1, caption="biểu đồ")
            assert photo_msg.photo[-1].width == 1 and photo_msg.photo[-1].height == 1
            f = await app.bot.get_file(photo_msg.photo[-1].file_id)
            assert bytes(await f.download_as_bytearray()) == PNG_1x1
            await app.bot.send_photo(BINH, photo_msg.photo[-1].file_id)
            with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
                await app.bot.send_document(LAN, "no-such-file-id")
        views = sb.messages(LAN)
        assert views[0]["document"]["url"] == f"/control/file/{doc_msg.document.file_id}"
        assert "photo" in views[1]
        assert sb.file_content(doc_msg.document.file_id) == b"col1,col2\n1,2\n"
        assert [m.get("document", {}).get("file_name") for m in sb.messages(BINH)] == ["ket_qua.csv", None]


# ---------------------------------------------------------------- Telegram's errors

async def test_errors_like_telegram():
    async with running() as sb:
        app = build_app(sb)
        async with app:
            with pytest.raises(BadRequest, match="(?i)message is too long"):
                await app.bot.send_message(LAN, "x" * 4097)
            await app.bot.send_message(LAN, "x" * 4096)
            kb = InlineKeyboardMarkup([[InlineKeyboardButton("quá dài", callback_data="x" * 65)]])
            with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
                await app.bot.send_message(LAN, "nút", reply_markup=kb)
            with pytest.raises(BadRequest, match="(?i)chat not found"):
                await app.bot.send_message(999999, "ai đó")
            with pytest.raises(BadRequest, match="(?i)can't parse entities"):
                await app.bot.send_message(LAN, "a <b>b", parse_mode="HTML")
            with pytest.raises(BadRequest, match="(?i)message text is empty"):
                await app.bot.send_message(LAN, "")
            sent = await app.bot.send_message(LAN, "một", reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("A", callback_data="a")]]))
            with pytest.raises(BadRequest, match="(?i)message is not modified"):
                await app.bot.edit_message_text("một", LAN, sent.message_id, reply_markup=sent.reply_markup)
            with pytest.raises(BadRequest, match="(?i)message to edit not found"):
                await app.bot.edit_message_text("hai", LAN, 9999)
            edited = await app.bot.edit_message_reply_markup(LAN, sent.message_id, reply_markup=None)
            assert edited.reply_markup is None
            with pytest.raises(BadRequest, match="(?i)message is not modified"):
                await app.bot.edit_message_reply_markup(LAN, sent.message_id, reply_markup=None)
            with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
                await app.bot.send_message(LAN, "trả lời", reply_to_message_id=8888)
            sb.block(BINH)
            with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
                await app.bot.send_message(BINH, "nhắc việc")
        outcomes = [c["description"] for c in sb.calls("sendMessage") if c["outcome"] == "error"]
        assert "Bad Request: message is too long" in outcomes
        assert "Forbidden: bot was blocked by the user" in outcomes
        # Blocking produced a my_chat_member update for the bot.
        assert any("my_chat_member" in u for u in sb._updates)
        # The request checker recorded the requests that broke a documented limit, and only those.
        assert [v["description"] for v in sb.violations(clear=True)] == [
            "Bad Request: message is too long", "Bad Request: BUTTON_DATA_INVALID",
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
            "Bad Request: message text is empty"]

        bad_token = ApplicationBuilder().token("424242:WRONG").base_url(sb.bot_api_base_url).build()
        with pytest.raises(InvalidToken):
            await bad_token.bot.initialize()


async def test_per_chat_limit_answers_429_without_a_rate_limiter():
    async with running(limits=SandboxLimits()) as sb:
        app = build_app(sb)
        async with app:
            with pytest.raises(RetryAfter) as info:
                for i in range(5):
                    await app.bot.send_message(LAN, f"tin {i}")
            assert retry_seconds(info.value) >= 1
            assert len(sb.messages(LAN)) == SandboxLimits().private_burst
            # Other chats are not affected by LAN's bucket.
            await app.bot.send_message(BINH, "khác")
        stats = sb.stats()
        assert stats["rate_limited"] == 1
        # The sandbox (not Telegram's answer) tells which bucket refused.
        assert (stats["flood_chat"], stats["flood_overall"]) == (1, 0)
        assert [c["limit"] for c in sb.calls("sendMessage") if c["status"] == 429] == ["chat"]


async def test_overall_limit_is_told_apart_from_the_per_chat_one():
    async with running(limits=SandboxLimits(overall_per_second=1.0, overall_burst=4)) as sb:
        sb.add_user(700_000_001, "Một")
        app = build_app(sb)
        async with app:
            with pytest.raises(RetryAfter):
                for chat in (LAN, BINH, 700_000_001, LAN, BINH):  # 5 chats' worth in a burst of 4
                    await app.bot.send_message(chat, "tin")
        stats = sb.stats()
        assert (stats["flood_overall"], stats["flood_chat"]) == (1, 0)
        assert [c["limit"] for c in sb.calls("sendMessage") if c["status"] == 429] == ["overall"]


async def test_group_limit_is_per_minute():
    async with running(limits=SandboxLimits(group_per_minute=20, group_burst=2)) as sb:
        app = build_app(sb)
        async with app:
            await app.bot.send_message(GROUP, "1")
            await app.bot.send_message(GROUP, "2")
            with pytest.raises(RetryAfter) as info:
                await app.bot.send_message(GROUP, "3")
            assert 1 <= retry_seconds(info.value) <= 3


async def test_aio_rate_limiter_recovers_from_429():
    async with running(limits=SandboxLimits(private_burst=2)) as sb:
        app = build_app(sb, rate_limiter=True)
        async with app:
            for i in range(4):
                await app.bot.send_message(LAN, f"tin {i}")
        assert [m["text"] for m in sb.messages(LAN)] == [f"tin {i}" for i in range(4)]
        assert sb.stats()["rate_limited"] >= 1  # the limiter retried after Telegram-style 429s


# ---------------------------------------------------------------- faults

async def raw_send(session: aiohttp.ClientSession, sb: BotApiSandbox, text: str):
    return await session.post(f"{sb.bot_api_base_url}{TOKEN}/sendMessage", json={"chat_id": LAN, "text": text})


async def test_fault_5xx_answers_502_and_ptb_raises_network_error():
    async with running(faults=SandboxFaults(http_5xx=1.0, seed=1)) as sb:
        async with aiohttp.ClientSession() as s:
            resp = await raw_send(s, sb, "xin chào")
            assert resp.status == 502
            assert (await resp.json())["description"] == "Bad Gateway"
            me = await s.get(f"{sb.bot_api_base_url}{TOKEN}/getMe")  # faults never touch getMe
            assert me.status == 200
        app = build_app(sb)
        async with app:
            with pytest.raises(NetworkError):
                await app.bot.send_message(LAN, "lần nữa")
        assert sb.messages(LAN) == []
        assert sb.stats()["fault_5xx"] == 2


async def test_fault_429_and_drops_are_deterministic():
    async with running(faults=SandboxFaults(http_429=1.0, seed=3)) as sb:
        async with aiohttp.ClientSession() as s:
            resp = await raw_send(s, sb, "a")
            body = await resp.json()
            assert resp.status == 429 and body["parameters"] == {"retry_after": 1}

    async def drops(seed: int) -> list[str]:
        async with running(faults=SandboxFaults(drop=1.0, seed=seed)) as sb:
            async with aiohttp.ClientSession() as s:
                for i in range(8):
                    with pytest.raises(aiohttp.ClientError):
                        await raw_send(s, sb, f"tin {i}")
            outcomes = [c["outcome"] for c in sb.calls("sendMessage")]
            delivered = [m["text"] for m in sb.messages(LAN)]
            # "sent but not acknowledged": exactly the drop_applied calls reached the chat.
            assert len(delivered) == outcomes.count("drop_applied")
            return outcomes

    first = await drops(7)
    assert first == await drops(7)
    assert {"drop_applied", "drop_unapplied"} == set(first)


async def test_slow_fault_delays_the_answer():
    async with running(faults=SandboxFaults(slow=1.0, slow_seconds=0.3, seed=1)) as sb:
        app = build_app(sb)
        async with app:
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            await app.bot.send_message(LAN, "chậm")
            assert loop.time() - t0 >= 0.3


# ---------------------------------------------------------------- updates

async def test_webhook_delivers_updates_and_blocks_get_updates():
    received: list[dict] = []
    got = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        assert request.headers["X-Telegram-Bot-Api-Secret-Token"] == "bi-mat"
        received.append(await request.json())
        got.set()
        return web.Response()

    hook_app = web.Application()
    hook_app.router.add_post("/hook", hook)
    runner = web.AppRunner(hook_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        async with running() as sb:
            sb.route_webhook("https://bot.example.org", f"http://127.0.0.1:{port}")  # DNS + TLS proxy
            app = build_app(sb)
            async with app:
                assert await app.bot.set_webhook("https://bot.example.org/hook", secret_token="bi-mat")
                info = await app.bot.get_webhook_info()
                assert info.url == "https://bot.example.org/hook"
                with pytest.raises(Exception, match="(?i)conflict|webhook is active"):
                    await app.bot.get_updates()
                sent = await sb.send_text(LAN, "qua webhook")
                await asyncio.wait_for(got.wait(), 30)
                assert received[0]["message"]["text"] == "qua webhook"
                assert received[0]["message"]["message_id"] == sent["message_id"]
                update = Update.de_json(received[0], app.bot)
                assert update.effective_user.id == LAN
                assert (await app.bot.get_webhook_info()).pending_update_count == 0
                assert await app.bot.delete_webhook()
                await sb.send_text(LAN, "qua getUpdates")
                updates = await app.bot.get_updates(timeout=1)
                assert [u.message.text for u in updates] == ["qua getUpdates"]
    finally:
        await runner.cleanup()


async def test_get_updates_offset_timeout_and_allowed_updates():
    async with running() as sb:
        app = build_app(sb)
        async with app:
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            assert await app.bot.get_updates(timeout=1) == ()
            assert loop.time() - t0 >= 0.9
            waiter = asyncio.create_task(app.bot.get_updates(timeout=60))
            await sb.wait_until(lambda: sb.polling, 30, "the long poll did not start")
            await sb.send_text(LAN, "một")
            first = await waiter  # a poll that was not woken would end with () after 60 s
            assert [u.message.text for u in first] == ["một"]
            assert sb.stats()["polls_timed_out"] == 1  # only the first, 1-second poll
            await sb.send_text(LAN, "hai")
            again = await app.bot.get_updates()
            assert [u.message.text for u in again] == ["một", "hai"]  # not confirmed yet
            later = await app.bot.get_updates(offset=again[-1].update_id + 1)
            assert later == ()
            sb.block(BINH)
            await sb.send_text(LAN, "ba")
            only_messages = await app.bot.get_updates(allowed_updates=["message"])
            assert [u.message.text for u in only_messages] == ["ba"]


async def test_commands_with_scope():
    async with running() as sb:
        app = build_app(sb)
        async with app:
            await app.bot.set_my_commands([BotCommand("viec", "Việc của tôi")])
            await app.bot.set_my_commands([BotCommand("viec", "Việc của tôi"), BotCommand("baocao", "Báo cáo")],
                                          scope=BotCommandScopeChat(LAN))
            assert [c.command for c in await app.bot.get_my_commands()] == ["viec"]
            assert [c.command for c in await app.bot.get_my_commands(scope=BotCommandScopeChat(LAN))] == \
                ["viec", "baocao"]
            assert [c["command"] for c in sb.commands_for(LAN)] == ["viec", "baocao"]
            assert [c["command"] for c in sb.commands_for(BINH)] == ["viec"]
            await app.bot.delete_my_commands(scope=BotCommandScopeChat(LAN))
            assert [c["command"] for c in sb.commands_for(LAN)] == ["viec"]
            assert await app.bot.send_chat_action(LAN, "typing")
            with pytest.raises(BadRequest):
                await app.bot.set_my_commands([BotCommand("Viec Sai", "x")])
        assert [v["description"] for v in sb.violations(clear=True)] == ["Bad Request: BOT_COMMAND_INVALID"]


# ---------------------------------------------------------------- control API over HTTP

async def test_control_api_over_http_with_a_real_bot():
    async with running() as sb:
        calls = []

        async def advance(body: dict) -> dict:
            calls.append(body)
            return {"ok": True, "message": "Đã tua đến 08:00 ngày mai"}

        sb.register_control_action("advance_clock", advance)
        app = build_app(sb)
        echo_handlers(app, {})
        async with polling(app), aiohttp.ClientSession(base_url=sb.url) as s:
            r = await s.post("/control/users", json={"user_id": 3003, "first_name": "Chi",
                                                      "description": "Văn phòng · thư ký"})
            assert r.status == 200
            users = (await (await s.get("/control/users")).json())["users"]
            assert {"user_id": 3003, "name": "Chi", "description": "Văn phòng · thư ký"}.items() <= \
                next(u for u in users if u["user_id"] == 3003).items()
            r = await s.post("/control/send_text", json={"user_id": 3003, "text": "chào bot"})
            sent = (await r.json())["message"]
            r = await s.get("/control/messages", params={"chat_id": 3003, "after": sent["message_id"], "wait": 5})
            msgs = (await r.json())["messages"]
            assert [m["text"] for m in msgs] == ["Bạn nói: chào bot"]
            r = await s.post("/control/press_button", json={"user_id": 3003, "message_id": msgs[0]["message_id"],
                                                             "callback_data": "later:1"})
            qid = (await r.json())["query_id"]
            r = await s.get("/control/callback_answer", params={"query_id": qid, "wait": 5})
            assert (await r.json())["answer"]["text"] == "Đã ghi nhận"

            form = aiohttp.FormData()
            form.add_field("user_id", "3003")
            form.add_field("file", b"abc", filename="ke_hoach.xlsx")
            r = await s.post("/control/send_document", data=form)
            assert r.status == 200, await r.text()
            r = await s.post("/control/send_document", json={
                "user_id": 3003, "filename": "b.txt", "content_base64": base64.b64encode(b"xyz").decode()})
            assert (await r.json())["message"]["document"]["file_size"] == 3
            await sb.wait_for_message(3003, lambda m: m["text"] == "Đã nhận 3 byte")
            r = await s.get("/control/messages", params={"chat_id": 3003, "all": "1"})
            everything = (await r.json())["messages"]
            assert any(m.get("document", {}).get("file_name") == "ke_hoach.xlsx" for m in everything)

            bot_doc = await app.bot.send_document(3003, "Tổng hợp".encode(), filename="tong_hop.txt")
            r = await s.get(f"/control/file/{bot_doc.document.file_id}")
            assert await r.read() == "Tổng hợp".encode()
            assert "tong_hop.txt" in r.headers["Content-Disposition"]

            r = await s.post("/control/action/advance_clock", json={"steps": 1})
            assert (await r.json())["message"] == "Đã tua đến 08:00 ngày mai"
            assert calls == [{"steps": 1}]
            r = await s.post("/control/action/unknown", json={})
            assert r.status == 404

            r = await s.post("/control/send_text", json={"user_id": 99, "text": "ai?"})
            assert r.status == 404
            stats = (await (await s.get("/control/stats")).json())["stats"]
            assert stats["sent_by_chat"]["3003"] >= 3
            r = await s.get("/")
            assert r.status == 200 and "member-select" in await r.text()
            r = await s.get("/static/app.js")
            assert r.status == 200
            r = await s.post("/control/reset", json={})
            assert sb.messages(3003) == [] and any(u["user_id"] == 3003 for u in sb.users())


async def test_duplicates_are_counted():
    async with running() as sb:
        app = build_app(sb)
        async with app:
            await app.bot.send_message(LAN, "Nhắc: báo cáo quý")
            await app.bot.send_message(LAN, "Nhắc: báo cáo quý")
            await app.bot.send_message(BINH, "Nhắc: báo cáo quý")
        stats = sb.stats()
        assert stats["duplicates"] == 1
        assert stats["duplicate_messages"] == [{"chat_id": LAN, "kind": "text", "content": "Nhắc: báo cáo quý",
                                                "count": 2}]


async def test_reset_keeps_a_polling_bot_working():
    async with running() as sb:
        app = build_app(sb)
        echo_handlers(app, {})
        async with polling(app, timeout=60):
            await sb.send_text(LAN, "trước")
            await sb.wait_for_message(LAN)
            await sb.wait_until(lambda: sb.polling, 30, "the bot is not back in its long poll")
            await sb.reset()
            await sb.send_text(LAN, "sau")
            reply = await sb.wait_for_message(LAN, timeout=30)
            assert reply["text"] == "Bạn nói: sau"
            assert reply["message_id"] > 2  # ids keep counting, so the bot's offsets stay valid
            # The poll waiting across the reset took "sau" at once: none ran out its 60 s.
            assert sb.stats()["polls_timed_out"] == 0
