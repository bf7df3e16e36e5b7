"""Storage round trips on every configured backend."""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from storage.models import Assignment, Member, Plan, ReminderLog, Task, Unit


async def test_a_plan_with_tasks_and_assignments_round_trips(ctx):
    async with ctx.sessions() as s:
        unit = Unit(name="Phòng Nội vụ", key="phong noi vu")
        plan = Plan(title="Chương trình công tác 2023", title_key="ct 2023", year=2023)
        task = Task(plan=plan, code="I.1", title="Tổng kết năm", due_date=date(2023, 3, 15))
        s.add_all([unit, plan, task])
        await s.flush()
        s.add(Assignment(task_id=task.id, unit_id=unit.id, role="lead", due_date=task.due_date))
        await s.commit()
    async with ctx.sessions() as s:
        a = (await s.execute(select(Assignment))).scalar_one()
        assert a.task.code == "I.1" and a.unit.name == "Phòng Nội vụ" and a.due_date == date(2023, 3, 15)
        assert a.created_at.tzinfo is not None


async def test_timestamps_come_back_as_aware_utc(ctx):
    when = datetime(2023, 3, 1, 1, 0, tzinfo=timezone.utc)
    async with ctx.sessions() as s:
        s.add(Member(user_id=1, chat_id=1, full_name="A", unreachable_since=when))
        await s.commit()
    async with ctx.sessions() as s:
        if ctx.engine.dialect.name == "postgresql":  # a server whose TimeZone is Vietnam's answers in +07
            await s.execute(text("SET TIME ZONE 'Asia/Ho_Chi_Minh'"))
        m = (await s.execute(select(Member))).scalar_one()
        assert m.unreachable_since == when  # the same instant…
        assert m.unreachable_since.utcoffset() == timedelta(0)  # …in UTC, as every caller expects
        assert m.unreachable_since.isoformat() == "2023-03-01T01:00:00+00:00"


async def test_reminder_log_refuses_a_second_claim(ctx):
    async with ctx.sessions() as s:
        unit = Unit(name="U", key="u")
        plan = Plan(title="P", title_key="p", year=2023)
        task = Task(plan=plan, code="1", title="T")
        member = Member(user_id=7, chat_id=7, full_name="M", unit=unit)
        s.add_all([unit, plan, task, member])
        await s.flush()
        a = Assignment(task_id=task.id, unit_id=unit.id)
        s.add(a)
        await s.flush()
        s.add(ReminderLog(assignment_id=a.id, member_id=member.id, kind="due_today"))
        await s.commit()
        s.add(ReminderLog(assignment_id=a.id, member_id=member.id, kind="due_today"))
        with pytest.raises(IntegrityError):
            await s.commit()


def test_the_migrations_build_exactly_the_models(sqlite_template):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from storage.models import Base

    engine = create_engine(f"sqlite:///{sqlite_template}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_sqlite_runs_in_wal_mode(sqlite_template, tmp_path):
    import asyncio

    from sqlalchemy import text

    from storage.db import create_engine

    async def mode():
        eng = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'w.sqlite3'}")
        async with eng.connect() as c:
            jm = (await c.execute(text("PRAGMA journal_mode"))).scalar_one()
            fk = (await c.execute(text("PRAGMA foreign_keys"))).scalar_one()
        await eng.dispose()
        return jm, fk

    assert asyncio.run(mode()) == ("wal", 1)


# --- file names ---------------------------------------------------------------------------------------

EMOJI_70 = "📄" * 70 + ".pdf"  # 284 bytes in UTF-8: over the 255-byte limit of a file name


def test_a_name_of_seventy_emoji_is_cut_by_bytes_and_keeps_its_extension(tmp_path):
    from storage.attachments import MAX_NAME_BYTES, AttachmentStore, sanitize_filename

    assert len(EMOJI_70.encode()) == 284
    name = sanitize_filename(EMOJI_70)
    assert name.endswith(".pdf") and len(name.encode()) <= MAX_NAME_BYTES and set(name[:-4]) == {"📄"}
    stored = AttachmentStore(tmp_path).save(b"%PDF-1.4", EMOJI_70)
    assert stored.path.read_bytes() == b"%PDF-1.4" and stored.name == name


@pytest.mark.parametrize(("given", "kept"), [
    ("Báo cáo\u202eFDP.exe", "Báo cáoFDP.exe"),  # right-to-left override: shown as "Báo cáoexe.PDF"
    ("bao\u200b_cao\u2066.docx\u2069", "bao_cao.docx"),
    ("\ufeffso_lieu\u00ad.xlsx", "so_lieu.xlsx"),
    ("a\x00b\x1fc\x7f.pdf", "a_b_c_.pdf"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\lan\\Báo cáo.pdf", "Báo cáo.pdf"),
    ("\u202e\u200b", "tep"),
    ("Kế hoạch số 12/KH-UBND.docx", "KH-UBND.docx"),
])
def test_stored_names_have_no_invisible_or_direction_characters(given, kept):
    from storage.attachments import sanitize_filename

    assert sanitize_filename(given) == kept


async def test_a_report_named_with_seventy_emoji_is_kept(harness, ctx):
    from storage.models import Attachment, CheckIn
    from tests.test_checkin import PDF, rows, world

    _, minh, _ = await world(harness, ctx)
    receipt = await harness.send_file(minh, EMOJI_70, PDF)
    assert "Nộp báo cáo" in receipt["text"] and "📄📄📄" in receipt["text"]
    (att,) = await rows(ctx, Attachment)
    (ci,) = await rows(ctx, CheckIn)
    assert att.checkin_id == ci.id
    from pathlib import Path

    assert Path(att.stored_path).read_bytes() == PDF
    spoof = await harness.send_file(minh, "Báo cáo\u202efdp.docx", PDF + b"2")
    assert "\u202e" not in spoof["text"] and "Báo cáofdp.docx" in spoof["text"]
