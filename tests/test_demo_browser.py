"""The demo, driven as a person would: real headless Chromium (Debian's package) on the
demo page, chatting as a member through the sandbox to the real bot."""

import asyncio
import shutil
import socket

import pytest

from bot.config import Settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_a_member_sees_reminders_and_answers_on_the_demo_page(tmp_path, monkeypatch):
    from playwright.async_api import async_playwright

    from bot.demo import run_demo

    monkeypatch.chdir(tmp_path)
    port = free_port()
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path}/demo.sqlite3",
                        attachment_dir=tmp_path / "files", web_port=port)
    stop = asyncio.Event()
    demo = asyncio.create_task(run_demo(settings, stop=stop))
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = await browser.new_page()
            for _ in range(100):
                try:
                    await page.goto(f"http://127.0.0.1:{port}/")
                    break
                except Exception:
                    await asyncio.sleep(0.2)
            await page.wait_for_selector("#member-select option[value='2001']", state="attached")
            await page.select_option("#member-select", "2001")

            await page.click("#advance-clock")
            await page.wait_for_selector(".message.bot .inline-button", timeout=20000)
            reminder = page.locator(".message.bot").last
            assert "Ban Dân vận" in (await reminder.inner_text())

            await page.fill("#message-input", "/viec")
            await page.click("#send-button")
            await page.wait_for_function(
                "() => [...document.querySelectorAll('.message.bot')].some(e => e.innerText.includes('còn') || e.innerText.includes('quá hạn'))",
                timeout=15000)

            count = await page.locator(".message.bot").count()
            # "✅ Đã hoàn thành" on a one-task reminder; a combined one shows it once a task is picked
            done = page.locator(".message.bot .inline-button", has_text="✅")
            if await done.count() == 0:
                await page.locator(".message.bot .inline-button").last.click()
                await done.last.wait_for(timeout=15000)
            await done.last.click()
            await page.wait_for_function(f"() => document.querySelectorAll('.message.bot').length > {count}",
                                         timeout=15000)
            await page.screenshot(path=str(tmp_path / "demo.png"))
            await browser.close()
    finally:
        stop.set()
        await asyncio.wait_for(demo, 30)
