"""`dondoc run` as an operator starts it, against the sandbox held to Telegram's rules: webhook mode
(HTTPS URL behind a proxy, a secret, forged updates refused, a member answered) and start-up while
Telegram is unreachable (retried with backoff, then serving)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.sandbox import BotApiSandbox
from bot.services.directory import add_member, ensure_unit
from tests.harness import TOKEN

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = "https://dondoc.example.org"
SECRET = "Kh0a-bi_mat-cua-BCD"
MINH = 2001


async def _member(ctx, sandbox: BotApiSandbox) -> None:
    async with ctx.sessions() as s:
        unit = await ensure_unit(s, "Phòng Nội vụ")
        await add_member(s, user_id=MINH, chat_id=MINH, full_name="Anh Minh", role="member", unit=unit)
        await s.commit()
    sandbox.add_user(MINH, "Anh Minh")


def _env(settings, sandbox: BotApiSandbox, **extra: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT),
            "DONDOC_BOT_TOKEN": TOKEN, "DONDOC_DATABASE_URL": settings.database_url,
            "DONDOC_ATTACHMENT_DIR": str(settings.attachment_dir), "DONDOC_TELEGRAM_API_URL": sandbox.url,
            "DONDOC_LOG_LEVEL": "INFO", **extra}


async def _start(tmp_path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)


async def _line(proc: asyncio.subprocess.Process, pattern: str, seen: list[str]) -> re.Match:
    """Read the process's output until a line matches (every line kept in `seen`)."""
    while True:
        try:
            raw = await asyncio.wait_for(proc.stdout.readline(), 60)
        except TimeoutError:
            raise AssertionError(f"no line matching {pattern!r}:\n" + "".join(seen)) from None
        if not raw:
            raise AssertionError("dondoc run ended:\n" + "".join(seen))
        seen.append(raw.decode())
        if m := re.search(pattern, seen[-1]):
            return m


async def _stop(proc: asyncio.subprocess.Process, seen: list[str]) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
    rest, _ = await asyncio.wait_for(proc.communicate(), 60)
    seen.append(rest.decode())
    assert proc.returncode == 0, "".join(seen)


def _forged_update(text: str) -> dict:
    return {"update_id": 999_000, "message": {
        "message_id": 77, "date": 1_700_000_000, "text": text,
        "from": {"id": MINH, "is_bot": False, "first_name": "Anh Minh"},
        "chat": {"id": MINH, "type": "private", "first_name": "Anh Minh"},
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}]}}


async def test_run_in_webhook_mode_refuses_updates_without_the_secret_and_answers_a_member(
        ctx, settings, sandbox, tmp_path):
    await _member(ctx, sandbox)
    env = _env(settings, sandbox, DONDOC_WEBHOOK_URL=f"{PUBLIC}/tg/hook", DONDOC_WEBHOOK_PORT="0",
               DONDOC_WEBHOOK_SECRET=SECRET)
    seen: list[str] = []
    proc = await _start(tmp_path, env)
    try:
        m = await _line(proc, r"bot nghe tại [\d.]+:(\d+)/tg/hook", seen)
        port = int(m.group(1))
        sandbox.route_webhook(PUBLIC, f"http://127.0.0.1:{port}")  # DNS + the TLS proxy in front of the bot
        webhook = [c for c in sandbox.calls("setWebhook") if c["outcome"] == "ok"]
        assert webhook[-1]["params"]["url"] == f"{PUBLIC}/tg/hook"
        assert webhook[-1]["params"]["secret_token"] == SECRET
        assert sandbox.commands_for(MINH), "dondoc run sets the command menus"

        async with aiohttp.ClientSession() as http:
            local = f"http://127.0.0.1:{port}/tg/hook"
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "doan-mo"}):
                async with http.post(local, json=_forged_update("/viec"), headers=headers) as resp:
                    assert resp.status == 403

        before = len(sandbox.calls("sendMessage"))
        await sandbox.send_text(MINH, "/start")
        reply = await sandbox.wait_for_message(MINH, timeout=30)
        assert "Anh Minh" in reply["text"] and "Phòng Nội vụ" in reply["text"]
        sent = sandbox.calls("sendMessage")[before:]
        assert [c["chat_id"] for c in sent] == [MINH]  # the forged updates were never handled
    finally:
        await _stop(proc, seen)


async def test_run_waits_for_telegram_with_backoff_then_serves(ctx, settings, sandbox, tmp_path):
    await _member(ctx, sandbox)
    sandbox.outage = True
    seen: list[str] = []
    proc = await _start(tmp_path, _env(settings, sandbox))
    try:
        await sandbox.wait_until(lambda: len(sandbox.calls("getMe")) >= 3, 60, "no retries of getMe")
        assert proc.returncode is None, "".join(seen)
        times = [c["time"] for c in sandbox.calls("getMe")]
        assert times[2] - times[1] > times[1] - times[0]  # the wait grows
        await sandbox.send_text(MINH, "/start")  # written while the bot is down: taken when it is back
        sandbox.outage = False
        await _line(proc, r"long polling Telegram", seen)
        reply = await sandbox.wait_for_message(MINH, timeout=30)
        assert "Anh Minh" in reply["text"]
    finally:
        await _stop(proc, seen)
    assert sum("thử lại sau" in line for line in seen) >= 2
    assert TOKEN not in "".join(seen)


@pytest.mark.parametrize(("env", "key"), [
    ({"DONDOC_MAX_FILE_MB": "25", "DONDOC_TELEGRAM_API_URL": ""}, "DONDOC_MAX_FILE_MB"),
    ({"DONDOC_MAX_FILE_MB": "2001"}, "DONDOC_MAX_FILE_MB"),  # a self-hosted Bot API server: 2000 MB
    ({"DONDOC_WEBHOOK_URL": "http://dondoc.example.org/hook"}, "DONDOC_WEBHOOK_URL"),
    ({"DONDOC_WEBHOOK_URL": "https://dondoc.example.org:8080/hook"}, "DONDOC_WEBHOOK_URL"),
    ({"DONDOC_WEBHOOK_URL": f"{PUBLIC}/hook", "DONDOC_WEBHOOK_SECRET": "bí mật"}, "DONDOC_WEBHOOK_SECRET"),
    ({"DONDOC_WEBHOOK_URL": f"{PUBLIC}/hook", "DONDOC_WEBHOOK_SECRET": "x" * 257}, "DONDOC_WEBHOOK_SECRET"),
])
async def test_settings_telegram_would_refuse_stop_start_up_with_one_line(settings, sandbox, tmp_path, env, key):
    proc = await _start(tmp_path, _env(settings, sandbox, **env))
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    lines = out.decode().strip().splitlines()
    assert proc.returncode != 0
    assert len(lines) == 1 and key in lines[0], lines
    assert sandbox.calls() == []  # refused before asking Telegram anything


async def test_a_webhook_without_a_secret_or_a_path_gets_a_generated_secret_and_listens_on_root(
        ctx, settings, sandbox, tmp_path):
    await _member(ctx, sandbox)
    env = _env(settings, sandbox, DONDOC_WEBHOOK_URL=PUBLIC, DONDOC_WEBHOOK_PORT="0")
    seen: list[str] = []
    proc = await _start(tmp_path, env)
    try:
        generated = (await _line(proc, r"DONDOC_WEBHOOK_SECRET.*: ([A-Za-z0-9_-]{32,})$", seen)).group(1)
        port = int((await _line(proc, r"bot nghe tại [\d.]+:(\d+)/$", seen)).group(1))
        assert sandbox.calls("setWebhook")[-1]["params"]["secret_token"] == generated
        sandbox.route_webhook(PUBLIC, f"http://127.0.0.1:{port}")
        await sandbox.send_text(MINH, "/start")  # delivered to the URL as set: https://dondoc.example.org
        assert "Anh Minh" in (await sandbox.wait_for_message(MINH, timeout=30))["text"]
    finally:
        await _stop(proc, seen)


async def test_a_token_telegram_refuses_stops_start_up_naming_the_key(settings, sandbox, tmp_path):
    proc = await _start(tmp_path, _env(settings, sandbox, DONDOC_BOT_TOKEN="123456:SAI-TOKEN"))
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    lines = out.decode().strip().splitlines()
    assert proc.returncode != 0
    assert "DONDOC_BOT_TOKEN" in lines[-1] and "SAI-TOKEN" not in out.decode(), lines
    assert "thử lại" not in out.decode()  # a refused token is not retried
