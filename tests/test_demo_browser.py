"""The demo, driven as a person would: real headless Chromium (Debian's package) on the
demo page, chatting as a member through the sandbox to the real bot."""

import asyncio
import shutil
from datetime import date

import pytest

from bot.config import Settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]


TODAY = date(2026, 3, 2)  # the demo's first deadlines fall ten days ahead: 12/03/2026


async def test_a_member_sees_reminders_and_answers_on_the_demo_page(tmp_path, monkeypatch):
    from playwright.async_api import async_playwright

    from bot.demo import run_demo

    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path}/demo.sqlite3",
                        attachment_dir=tmp_path / "files", web_port=0)
    stop = asyncio.Event()
    ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    demo = asyncio.create_task(run_demo(settings, port=0, today=TODAY, stop=stop, on_ready=ready.set_result))
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = await browser.new_page()
            await page.goto((await asyncio.wait_for(ready, 120)) + "/")
            await page.wait_for_selector("#member-select option[value='2001']", state="attached")
            await page.select_option("#member-select", "2001")

            await page.click("#advance-clock")
            # the reminder the clock move brought (a "giao phối hợp" notice may have come before it)
            shown = page.locator(".message.bot", has_text="12/03/2026").last
            await shown.wait_for(timeout=20000)
            reminder = await shown.inner_text()
            assert "Ban Dân vận" in reminder and "12/03/2026" in reminder, reminder

            await page.fill("#message-input", "/viec")
            await page.click("#send-button")
            await page.wait_for_function(
                "() => [...document.querySelectorAll('.message.bot')].slice(-1)[0].innerText.includes('Nhiệm vụ đang mở')"
                " && document.querySelectorAll('.message.bot').length > 1", timeout=15000)

            count = await page.locator(".message.bot").count()
            # "✅ Đã hoàn thành" on a one-task reminder; a combined one shows it once a task is picked
            done = page.locator(".message.bot .inline-button", has_text="✅")
            if await done.count() == 0:
                await page.locator(".message.bot .inline-button").first.click()
                await done.first.wait_for(timeout=15000)
            await done.first.click()
            await page.wait_for_function(f"() => document.querySelectorAll('.message.bot').length > {count}",
                                         timeout=15000)
            receipt = await page.locator(".message.bot").last.inner_text()
            assert "Đã ghi nhận" in receipt and "Đã hoàn thành" in receipt, receipt
            await page.screenshot(path=str(tmp_path / "demo.png"))
            await browser.close()
    finally:
        stop.set()
        await asyncio.wait_for(demo, 30)
