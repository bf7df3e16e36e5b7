"""`dondoc demo` without a browser: its date is injectable, it sets the command menus as `dondoc run`
does, and a busy port gets one friendly line."""

from __future__ import annotations

import asyncio
import socket
from datetime import date

import aiohttp

from bot.config import Settings
from bot.demo import run_demo

TODAY = date(2026, 3, 2)  # a Monday; the demo moves the first deadlines to ten days ahead: 12/03/2026


def _settings(tmp_path, port: int) -> Settings:
    return Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path}/demo.sqlite3",
                    attachment_dir=tmp_path / "files", web_port=port)


async def test_a_busy_port_gives_one_friendly_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with socket.create_server(("127.0.0.1", 0)) as busy:  # held open: the port is really taken
        port = busy.getsockname()[1]
        assert await run_demo(_settings(tmp_path, port)) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and str(port) in lines[0] and "--port" in lines[0], lines


async def test_the_demo_sets_menus_and_runs_on_the_given_date(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    demo = asyncio.create_task(run_demo(_settings(tmp_path, 0), port=0, today=TODAY, stop=stop,
                                        on_ready=ready.set_result))
    try:
        url = await asyncio.wait_for(ready, 120)
        async with aiohttp.ClientSession() as http:
            async def get(path: str) -> dict:
                async with http.get(url + path) as resp:
                    return await resp.json()

            member = [c["command"] for c in (await get("/control/commands?chat_id=2001"))["commands"]]
            secretariat = [c["command"] for c in (await get("/control/commands?chat_id=1001"))["commands"]]
            assert member and set(member) < set(secretariat)

            async with http.post(url + "/control/action/advance_clock", json={}) as resp:
                moved = (await resp.json())["message"]
            assert "08:00 05/03/2026" in moved  # seven days before the first deadline
            reminder = (await get("/control/messages?chat_id=2001"))["messages"][-1]
            assert "12/03/2026" in reminder["text"] and "Ban Dân vận" in reminder["text"], reminder["text"]

            async def say(body: dict, path: str = "/control/send_text") -> dict:
                last = (await get("/control/messages?chat_id=2001"))["messages"][-1]["message_id"]
                async with http.post(url + path, json={"user_id": 2001, **body}) as resp:
                    assert (await resp.json())["ok"]
                answer = await get(f"/control/messages?chat_id=2001&after={last}&wait=30")
                return answer["messages"][0]

            assert "12/03/2026" in (await say({"text": "/viec"}))["text"]
            if not any(b["text"].startswith("✅") for row in reminder["reply_markup"]["inline_keyboard"] for b in row):
                # a combined reminder: pick a task first; its actions then show on the same message
                first = reminder["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                async with http.post(url + "/control/press_button", json={
                        "user_id": 2001, "message_id": reminder["message_id"], "callback_data": first}) as resp:
                    assert (await resp.json())["ok"]
                for _ in range(600):  # wait for the edit (a condition, not a time limit)
                    reminder = next(m for m in (await get("/control/messages?chat_id=2001"))["messages"]
                                    if m["message_id"] == reminder["message_id"])
                    if any(b["text"].startswith("✅") for row in reminder["reply_markup"]["inline_keyboard"] for b in row):
                        break
                    await asyncio.sleep(0.05)
            done = next(b["callback_data"] for row in reminder["reply_markup"]["inline_keyboard"] for b in row
                        if b["text"].startswith("✅"))
            receipt = await say({"message_id": reminder["message_id"], "callback_data": done}, "/control/press_button")
            assert "Đã ghi nhận" in receipt["text"] and "Đã hoàn thành" in receipt["text"], receipt["text"]
    finally:
        stop.set()
        assert await asyncio.wait_for(demo, 60) == 0
