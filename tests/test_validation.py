"""Values from outside checked before they reach anything: button data of any shape (a
modified client can send any 1–64 bytes), values longer than their columns (refused the
same way on SQLite and PostgreSQL, with one Vietnamese line), file names of any bytes."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Float, Integer, String, insert, select

from storage.limits import ValueOutOfRange
from storage.models import AuditLog, Base
from tests.harness import buttons
from tests.test_checkin import PDF, press_crafted, reminder_for, rows, world

PREFIXES = ["ci", "jn", "sc", "pi", "ext", "xx", "", "ci:done", "CI"]
VERBS = ["done", "prog", "file", "ext", "snz", "pick", "ok", "no", "unit", "inv", "pg", "u", "t", "f", "n", "x",
         "yes", "", "-1"]
ARG = st.one_of(st.integers(-10**45, 10**45).map(str), st.text(alphabet="ab0-_:.@ é", max_size=6),
                st.sampled_from(["", "0", "-0", "1", "100", str(2**31), str(2**63), "1e9", "NaN", "৩", "²", "-", "--1"]))
PAYLOAD = st.one_of(
    st.text(min_size=1, max_size=64),
    st.builds(lambda p, v, a: ":".join([p, v, *a]), st.sampled_from(PREFIXES), st.sampled_from(VERBS),
              st.lists(ARG, max_size=4)),
).filter(lambda s: 1 <= len(s.encode()) <= 64)


def payloads(n: int) -> list[str]:
    """``n`` payloads drawn by hypothesis (drawn first: the sandbox scene is async)."""
    out: list[str] = ["ci:done:" + "9" * 40, "ci:prog:1:" + "9" * 30, "jn:unit:1:" + "9" * 20, "sc:pg:x:y:z",
                      "ext:ok:-" + "9" * 30, "ci:snz:1:99999999999", "pi:ok:abc", ":", "::::", "ci:", "ci:done:",
                      "sc:f:", "sc:n:x", "sc:t:tk:", "sc:t:nh:a", "sc:u:od:", "sc:pg:od::", "sc:pg:od:1:x"]

    # derandomized: the same payloads every run (a failure found by a random draw is added above)
    @settings(max_examples=n, database=None, suppress_health_check=list(HealthCheck), deadline=None,
              derandomize=True)
    @given(PAYLOAD)
    def draw(p: str) -> None:
        out.append(p)

    draw()
    return out


async def test_no_button_payload_raises(harness, ctx):
    lan, minh, _ = await world(harness, ctx)
    reminder = await reminder_for(harness, minh)
    staff_msg = await harness.say(lan, "/quahan")
    sent = payloads(150)
    for data in sent:
        for who, msg in ((minh, reminder), (lan, staff_msg)):
            answer = await press_crafted(harness, who, msg, data)
            assert answer is not None, data
            assert answer.get("text") != "Xin lỗi, đã có lỗi khi xử lý yêu cầu. Bộ phận thường trực đã được báo.", data
    errors = await rows(ctx, AuditLog, AuditLog.action == "error")
    assert [e.detail.get("detail_text", "")[-300:] for e in errors] == []
    generic = [m for who in (lan, minh) for m in harness.messages(who) if "đã có lỗi" in (m.get("text") or "")]
    assert generic == []


# --- column limits ------------------------------------------------------------------------------------


def string_columns():
    for table in Base.metadata.sorted_tables:
        for col in table.columns:
            impl = getattr(col.type, "impl", col.type)
            if isinstance(impl, String) and impl.length:
                yield pytest.param(table.name, col.name, impl.length, id=f"{table.name}.{col.name}")


def _value(col) -> object:
    impl = getattr(col.type, "impl", col.type)
    if isinstance(impl, String):
        return uuid.uuid4().hex[: impl.length or 32]
    if isinstance(impl, (Integer, BigInteger)):
        return 1
    if isinstance(impl, Boolean):
        return False
    if isinstance(impl, DateTime):
        return datetime.now(timezone.utc)
    if isinstance(impl, Date):
        return date(2026, 1, 1)
    if isinstance(impl, JSON):
        return {}
    if isinstance(impl, Float):
        return 1.5
    raise AssertionError(f"no sample value for {col.table.name}.{col.name} ({impl!r}): add one")


async def insert_row(conn, table, overrides: dict) -> object:
    """A row of ``table`` with its NOT NULL columns filled and its parents made first."""
    values = {}
    for col in table.columns:
        if col.name in overrides:
            values[col.name] = overrides[col.name]
        elif col.foreign_keys:
            if not col.nullable:
                values[col.name] = await insert_row(conn, next(iter(col.foreign_keys)).column.table, {})
        elif col.primary_key and isinstance(col.type, Integer):
            continue
        elif not col.nullable and col.default is None and col.server_default is None:
            values[col.name] = _value(col)
    pk = next(iter(table.primary_key.columns))
    return (await conn.execute(insert(table).values(values).returning(pk))).scalar_one()


@pytest.mark.parametrize(("table", "column", "limit"), list(string_columns()))
async def test_every_string_column_limit_is_the_same_on_both_databases(ctx, table, column, limit):
    """At the limit (in characters; Vietnamese letters are 2 bytes): the database keeps it.
    One over: refused before any SQL runs, with the column named — on SQLite as on PostgreSQL."""
    model = next(m.class_ for m in Base.registry.mappers if m.local_table.name == table)
    attr = next(a.key for a in model.__mapper__.column_attrs if a.columns[0].name == column)
    at_limit = ("ệ" * limit)[:-8] + uuid.uuid4().hex[:8]
    async with ctx.engine.connect() as conn:
        await insert_row(conn, model.__table__, {column: at_limit})
        kept = (await conn.execute(select(model.__table__.c[column]).where(
            model.__table__.c[column] == at_limit))).scalar_one()
        await conn.rollback()
    assert kept == at_limit
    async with ctx.sessions() as s:
        s.add(model(**{attr: "ệ" * (limit + 1)}))
        with pytest.raises(ValueOutOfRange) as err:
            await s.flush()
    assert (err.value.key, err.value.length, err.value.limit) == (f"{table}.{column}", limit + 1, limit)


async def test_a_task_code_longer_than_its_column_is_refused_alike_on_both_databases(harness, ctx):
    from bot.plan_import.model import ParsedTask

    await world(harness, ctx)
    with pytest.raises(ValueOutOfRange) as err:
        await harness.plan([ParsedTask(code="1." * 30, title="Nhiệm vụ có mã quá dài", lead=["Phòng Nội vụ"])])
    assert (err.value.key, err.value.length, err.value.limit) == ("tasks.code", 60, 50)
    from bot.texts import refusal_line

    assert refusal_line(err.value) == ("Không lưu được: mã nhiệm vụ dài 60 ký tự, tối đa 50 ký tự. "
                                       "Hãy rút gọn rồi gửi lại.")


async def test_a_file_with_an_overlong_mime_type_is_kept(harness, ctx):
    from storage.models import Attachment, CheckIn

    _, minh, _ = await world(harness, ctx)
    receipt = await harness.send_file(minh, "bao_cao.pdf", PDF, mime_type="application/" + "x" * 130)
    assert "bao_cao.pdf" in receipt["text"] and "Nộp báo cáo" in receipt["text"]
    (att,) = await rows(ctx, Attachment)
    (ci,) = await rows(ctx, CheckIn)
    assert att.checkin_id == ci.id and att.mime_type is None


async def test_nhac_on_a_task_with_a_coordinating_unit(harness, ctx):
    """A /nhac reminder key is 41+ characters: PostgreSQL refused it in a 40-character column."""
    from tests.test_secretariat import world as committee

    lan, minh, hoa, _ = await committee(harness, ctx)
    reply = await harness.say(lan, "/nhac 1")
    assert reply["text"] == "🔔 Đã gửi nhắc nhiệm vụ [1]: 2 người nhận được."
    assert "Báo cáo quyết toán ngân sách" in harness.messages(hoa)[-1]["text"]


def test_a_unit_name_too_long_gets_one_line_on_the_command_line(tmp_path, settings):
    import os
    import subprocess
    import sys

    env = {**os.environ, "DONDOC_DATABASE_URL": settings.database_url, "DONDOC_ATTACHMENT_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "unit", "Ủy ban " * 60], env=env, cwd=tmp_path,
                         capture_output=True, text=True)
    assert out.returncode == 1 and "Không lưu được: tên đơn vị dài" in out.stderr
    assert "tối đa 300 ký tự" in out.stderr and "Traceback" not in out.stderr + out.stdout


async def test_a_number_out_of_its_column_range_is_refused_alike(ctx):
    """SQLite keeps 2**31 in an INTEGER column, PostgreSQL refuses it: refused on both."""
    from storage.models import Assignment, Member

    for obj, key in ((Assignment(progress=2**31), "assignments.progress"),
                     (Member(user_id=2**63, full_name="A"), "members.user_id")):
        async with ctx.sessions() as s:
            s.add(obj)
            with pytest.raises(ValueOutOfRange) as err:
                await s.flush()
        assert err.value.key == key and err.value.length is None
