"""The update inbox: a bot process killed with SIGKILL during a burst of incoming report
files, again and again, loses none — every file gets its receipt after a restart, counted
from what the sandbox recorded — and records none twice; a redelivered update is handled once."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta

from sqlalchemy import func, select

from bot.plan_import.model import ParsedTask
from storage.models import Attachment, CheckIn, InboxUpdate
from tests.bot_process import kill, spawn
from tests.harness import Harness
from tests.test_checkin import PDF, given_units

UNITS = ["Phòng Nội vụ", "Phòng Tài chính", "Phòng Tư pháp", "Văn phòng UBND"]
FILES_PER_MEMBER = 12
KILLS = 4


async def members_with_one_task(ctx, sandbox) -> list:
    """One member per unit, each with one open task due in ten days."""
    await given_units(ctx, *UNITS)
    h = Harness(ctx, sandbox)
    people = [await h.person(5001 + i, f"Cán bộ {i + 1}", unit=u) for i, u in enumerate(UNITS)]
    today = date.today()
    await h.plan([ParsedTask(code=str(i + 1), title=f"Báo cáo chuyên đề {i + 1}", due=today + timedelta(days=10),
                             lead=[u]) for i, u in enumerate(UNITS)], year=today.year, today=today)
    return people


def receipts(sandbox, people, names: list[tuple[int, str]]) -> dict[str, int]:
    """How many receipts name each file (a receipt lists the files it took)."""
    count = {name: 0 for _, name in names}
    for p in people:
        for m in sandbox.messages(p.user_id):
            text = m.get("text") or ""
            if "Nộp báo cáo" in text:
                for uid, name in names:
                    if uid == p.user_id and f"{name} (" in text:
                        count[name] += 1
    return count


async def until(cond, what: str, timeout: float = 120.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not ((await r) if asyncio.iscoroutine(r := cond()) else r):
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def unhandled(ctx) -> bool:
    """True when no stored update waits to be handled."""
    async with ctx.sessions() as s:
        return not (await s.execute(select(func.count()).select_from(InboxUpdate)
                                    .where(InboxUpdate.handled_at.is_(None)))).scalar_one()


async def test_kills_during_a_burst_of_files_lose_no_file(ctx, sandbox, db_url, tmp_path):
    people = await members_with_one_task(ctx, sandbox)
    names = [(p.user_id, f"bao_cao_{p.user_id}_{k:02d}.pdf") for k in range(FILES_PER_MEMBER) for p in people]
    batches = [names[i::KILLS] for i in range(KILLS)]
    attachments = tmp_path / "attachments"
    got = lambda: sum(1 for n in receipts(sandbox, people, names).values() if n)  # noqa: E731
    killed_with_work_left = 0
    log = tmp_path / "bot.log"
    proc = spawn(db_url, sandbox, attachments, log=log, level="INFO")
    try:
        for batch in batches:
            before = got()
            for k, (uid, name) in enumerate(batch):
                await sandbox.send_document(uid, name, PDF + name.encode(), mime_type="application/pdf")
            # kill once the bot has taken the burst and answered part of it
            await until(lambda: got() >= before + 2, "the first receipts of a burst")
            kill(proc)
            if got() < before + len(batch):
                killed_with_work_left += 1
            proc = spawn(db_url, sandbox, attachments, log=log, level="INFO")
        await until(lambda: got() == len(names), "a receipt for every file")
        await until(lambda: unhandled(ctx), "every stored update marked handled")
    finally:
        kill(proc)

    count = receipts(sandbox, people, names)
    assert [n for n, c in count.items() if c == 0] == []
    assert killed_with_work_left >= 2, "the kills must fall while files were still unanswered"
    async with ctx.sessions() as s:
        files = (await s.execute(select(Attachment.file_name, Attachment.checkin_id))).all()
        checkins = (await s.execute(select(func.count()).select_from(CheckIn))).scalar_one()
    assert {n for _, n in names} <= {f for f, _ in files}
    assert all(c is not None for _, c in files), "every stored file is linked to a check-in"
    # a kill between a handler's commit and the inbox mark replays that update: its receipt
    # may go out twice, its check-in is recorded once
    assert (checkins, len(files)) == (len(names), len(names))
    print(f"files={len(names)} kills={KILLS} killed_with_work_left={killed_with_work_left} "
          f"receipts={sum(count.values())} duplicates={sum(count.values()) - len(names)} checkins={checkins}")


async def test_a_file_stored_without_its_check_in_is_reported_once(harness, ctx):
    """A file kept before a kill whose update cannot be handled again (given up after
    repeated kills): after the restart its sender is told to send it again, once; a file a
    pending question holds ("which task is this for?") is left alone."""
    from storage.models import Attachment, Member
    from storage.state import set_state
    from tests.test_checkin import world

    _, minh, _ = await world(harness, ctx)
    async with ctx.sessions() as s:
        m = await s.get(Member, minh.member_id)
        for name in ("bao_cao_quy_1.pdf", "dang_cho.pdf"):
            s.add(Attachment(member_id=m.id, file_id=f"f-{name}", file_name=name, size=10, sha256="0" * 64,
                             stored_path="/nowhere", created_at=ctx.clock.now()))
        await s.flush()
        held = (await s.execute(select(Attachment.id).where(Attachment.file_name == "dang_cho.pdf"))).scalar_one()
        await set_state(s, f"telegram:{minh.user_id}:checkin", {"attachment_ids": [held]})
        await s.commit()
    after = harness.last_id(minh)
    await harness.restart()
    told = await harness.wait(minh, after=after)
    assert "bao_cao_quy_1.pdf" in told["text"] and "gửi lại" in told["text"]
    await harness.restart()
    await harness.say(minh, "/viec")
    texts = [m["text"] for m in harness.messages(minh)]
    assert sum("bao_cao_quy_1.pdf" in t for t in texts) == 1 and not any("dang_cho.pdf" in t for t in texts)
    async with ctx.sessions() as s:
        rows = (await s.execute(select(Attachment.file_name, Attachment.unlinked_reported_at)
                                .order_by(Attachment.id))).all()
    assert [(n, r is not None) for n, r in rows] == [("bao_cao_quy_1.pdf", True), ("dang_cho.pdf", False)]


async def test_an_update_redelivered_is_handled_once_and_its_key_is_visible_to_handlers(harness, ctx):
    """Telegram delivers an update again (a webhook retry, a poll repeated after a failed
    store): the inbox drops it. A handler sees the update's key while it runs."""
    from telegram import Update
    from telegram.ext import TypeHandler

    from bot.inbox import current_update_key, update_key
    from tests.test_checkin import world

    _, minh, _ = await world(harness, ctx)
    seen: list[str | None] = []

    async def spy(update, context):
        seen.append(current_update_key.get())

    harness.app.add_handler(TypeHandler(Update, spy), group=-3)
    first = await harness.say(minh, "/viec")
    (stored,) = await stored_updates(ctx)
    update = Update.de_json(json.loads(stored.payload), harness.app.bot)
    await harness.app.update_queue.put(update)  # the same update once more
    again = await harness.say(minh, "/viec")
    assert len([m for m in harness.messages(minh) if m["text"] == first["text"]]) == 2  # two /viec, not three
    assert again["text"] == first["text"]
    await until(lambda: unhandled(ctx), "the second /viec marked handled")
    rows = await stored_updates(ctx)
    assert len(rows) == 2 and all(r.handled_at is not None for r in rows)
    assert seen == [update_key("telegram", r.update_id, r.payload) for r in rows]
    assert seen[0] != seen[1] and seen[0].startswith(f"telegram:{rows[0].update_id}:")


async def test_an_answer_handled_again_after_a_kill_is_recorded_once(harness, ctx):
    """A kill after the handler committed a report and its receipt, before the inbox marked
    the update (the row left unhandled, as a SIGKILL leaves it): at the next start the update
    is handled again, the member gets the same receipt, and the report is recorded once."""
    from storage.models import Assignment
    from tests.test_checkin import PDF, world

    _, minh, _ = await world(harness, ctx)
    first = await harness.send_file(minh, "bao_cao_quy_1.pdf", PDF, caption="xong")
    assert "bao_cao_quy_1.pdf" in first["text"]
    await until(lambda: unhandled(ctx), "the report marked handled")
    (stored,) = await stored_updates(ctx)
    async with ctx.sessions() as s:
        (await s.get(InboxUpdate, stored.id)).handled_at = None
        await s.commit()
    after = harness.last_id(minh)
    await harness.restart()
    again = await harness.wait(minh, after=after)
    await until(lambda: unhandled(ctx), "the replayed report marked handled")
    assert again["text"] == first["text"]
    async with ctx.sessions() as s:
        checkins = (await s.execute(select(CheckIn.status, CheckIn.update_key))).all()
        files = (await s.execute(select(Attachment.file_name, Attachment.checkin_id))).all()
        status = (await s.execute(select(Assignment.status))).scalars().all()
    assert [c for c, _ in checkins] == ["done"] and checkins[0][1].startswith(f"telegram:{stored.update_id}:")
    assert len(files) == 1 and files[0][1] is not None and status == ["done"]
    await harness.restart()  # nothing left to report: the file is linked, not "send it again"
    await harness.say(minh, "/viec")
    assert not any("gửi lại" in m["text"] for m in harness.messages(minh))


async def stored_updates(ctx) -> list:
    async with ctx.sessions() as s:
        return list((await s.execute(select(InboxUpdate).order_by(InboxUpdate.id))).scalars())
