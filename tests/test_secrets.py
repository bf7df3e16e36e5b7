"""No secret leaks: a whole flow at DEBUG (the bot in its own process, as `dondoc run`
logs) with a real-looking token and a database password; neither appears in any log line
nor in any message the bot sent. `dondoc db upgrade` prints the URL without the password."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.plan_import.model import ParsedTask
from storage.db import upgrade
from tests.bot_process import kill, spawn
from tests.harness import Harness, buttons
from tests.test_checkin import PDF, given_units

TOKEN = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw4"
PASSWORD = "Wr0ng-Pa55word-xyz"


def with_password(url: str) -> str:
    u = make_url(url)
    return url if u.get_backend_name() == "sqlite" else u.set(password=PASSWORD).render_as_string(hide_password=False)


async def test_no_token_or_password_in_debug_logs_or_messages(ctx, db_url, tmp_path):
    from bot.sandbox import BotApiSandbox, SandboxLimits

    sandbox = BotApiSandbox(port=0, token=TOKEN, limits=SandboxLimits(enabled=False))
    await sandbox.start()
    log = tmp_path / "bot.log"
    proc = None
    try:
        await given_units(ctx, "Phòng Nội vụ")
        h = Harness(ctx, sandbox)
        lan = await h.person(1001, "Chị Lan", role="admin")
        minh = await h.person(2001, "Anh Minh", unit="Phòng Nội vụ")
        today = date.today()
        await h.plan([ParsedTask(code="1", title="Báo cáo quý", due=today - timedelta(days=2), lead=["Phòng Nội vụ"])],
                     year=today.year, today=today - timedelta(days=30))
        proc = spawn(with_password(db_url), sandbox, tmp_path / "files", log=log, level="DEBUG", token=TOKEN)

        async def say(who, text: str) -> dict:
            after = h.last_id(who)
            await sandbox.send_text(who.user_id, text)
            return await sandbox.wait_for_message(who.user_id, after_message_id=after, timeout=60)

        assert "Báo cáo quý" in (await say(minh, "/viec"))["text"]
        after = h.last_id(minh)
        await sandbox.send_document(minh.user_id, "bao_cao.pdf", PDF)
        assert "bao_cao.pdf" in (await sandbox.wait_for_message(minh.user_id, after_message_id=after, timeout=60))["text"]
        overdue = await say(lan, "/quahan")
        assert "Báo cáo quý" in overdue["text"]
        await say(minh, "đang làm được 50%")
        stranger_answer = None
        sandbox.add_user(3001, "Người lạ")
        await sandbox.send_text(3001, "xin chào")
        stranger_answer = await sandbox.wait_for_message(3001, timeout=60)
        if buttons(overdue):
            data = buttons(overdue)[0][1]
            qid = await sandbox.press_button(lan.user_id, overdue["message_id"], data)
            await sandbox.wait_for_callback_answer(qid, timeout=60)
        assert stranger_answer is not None
    finally:
        if proc is not None:
            kill(proc)
        texts = [m.get("text") or m.get("caption") or "" for chat in (1001, 2001, 3001)
                 for m in sandbox.messages(chat)]
        calls = [str(c) for c in sandbox.calls()]
        await sandbox.stop()
    logged = log.read_text(encoding="utf-8", errors="replace")
    assert "getUpdates" in logged and "DEBUG" in logged  # the chatty lines were there
    assert "/bot***/" in logged  # … and the token in their URLs was masked
    secret_part = TOKEN.split(":")[1]
    for secret in (TOKEN, secret_part, PASSWORD):
        assert secret not in logged
        assert not [t for t in texts if secret in t]
    assert calls  # what the bot sent was recorded


def test_db_upgrade_does_not_print_the_password(db_url, tmp_path):
    url = with_password(db_url)
    env = {**os.environ, "DONDOC_DATABASE_URL": url}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env, cwd=tmp_path,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert PASSWORD not in out.stdout + out.stderr
    assert "Đã cập nhật cơ sở dữ liệu" in out.stdout
    if make_url(url).password:
        assert ":***@" in out.stdout


async def test_an_admin_error_alert_names_the_error_kind_not_its_sql(ctx):
    """A database error's message carries the statement and its parameters (a member's
    words): the alert names the kind of error only; the details go to the audit log."""
    from sqlalchemy import text

    from bot import texts
    from handlers.common import error_kind

    said = "Báo cáo mật của Sở Nội vụ"
    try:
        async with ctx.sessions() as s:
            await s.execute(text("SELECT * FROM no_such_table WHERE name = :n"), {"n": said})
    except Exception as exc:  # noqa: BLE001 - the error is the subject
        error = exc
    assert "no_such_table" in str(error)
    alert = texts.ADMIN_ERROR_ALERT.format(kind=error_kind(error), audit_id=7)
    assert "no_such_table" not in alert and said not in alert and "SELECT" not in alert
    assert error_kind(error) in ("OperationalError", "UndefinedTableError", "ProgrammingError")
