"""Issue 10, reading files safely: a hostile or pathological file is read or refused by a
worker process within the time and memory budget, with one Vietnamese line for a refusal;
a long import is written in batches so other writers go on in between."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import func, select

from bot.plan_import.hostile import hostile_files, huge_numbering_docx, zip_bomb_docx
from bot.plan_import.model import ParsedPlan, ParsedTask
from bot.plan_import.readers import PlanReadError, read_plan
from bot.plan_import.safe import DEFAULT_BUDGET, Budget, read_isolated
from bot.services.plans import import_plan
from storage.models import AuditLog, Plan, Task

TODAY = date(2025, 3, 10)


@pytest.mark.parametrize("name,data", hostile_files(), ids=[n for n, _ in hostile_files()])
def test_each_hostile_file_is_read_or_refused_within_the_budget(name, data):
    outcome = read_isolated(data, name, TODAY)
    if outcome.error is not None:
        message = str(outcome.error)
        assert message.startswith(f"Không đọc được tệp {name}: ") and "\n" not in message
    else:
        assert outcome.plan is not None
    # a process that finished reports its peak; one stopped by its limits was held to them
    assert outcome.peak_mb < DEFAULT_BUDGET.memory_mb


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    with pytest.raises(PlanReadError, match="nội dung giải nén lớn quá"):
        read_plan(zip_bomb_docx(), "bom.docx")


def test_a_list_numbered_from_two_billion_reads_in_words_range():
    plan = read_plan(huge_numbering_docx(), "so_lon.docx", today=TODAY)
    assert plan.title.startswith("Kế hoạch") or plan.title.startswith("KẾ HOẠCH")


def test_a_reader_that_runs_out_of_its_budget_is_stopped_with_a_reason():
    text = ("KẾ HOẠCH NĂM 2025\n" + "".join(f"{i}. Tổ chức kiểm tra việc thực hiện tại cơ sở số {i}\n"
                                            "- Chủ trì: Văn phòng\n" for i in range(1, 4000))).encode()
    outcome = read_isolated(text, "dai.txt", TODAY, Budget(seconds=0.01, memory_mb=500))
    assert outcome.error is not None and "đọc hơn" in outcome.error.reason
    outcome = read_isolated(text, "dai.txt", TODAY, Budget(seconds=30, memory_mb=60))
    assert outcome.error is not None and "bộ nhớ" in outcome.error.reason


def _big_plan(n: int) -> ParsedPlan:
    return ParsedPlan(title="Kế hoạch lớn năm 2025", year=2025, tasks=[
        ParsedTask(code=f"T{i}", title=f"Nhiệm vụ số {i}", due=date(2025, 12, 31), lead=[f"Đơn vị {i % 40}"])
        for i in range(n)])


async def test_a_long_import_lets_other_writers_in_between_batches(ctx):
    """Another writer commits while the import is still running: the import does not hold
    the database's write lock from its first row to its last."""
    parsed = _big_plan(400)

    async def run_import():
        async with ctx.sessions() as s:
            res = await import_plan(s, parsed, today=TODAY, batch_size=50)
            await s.commit()
            return res

    importing = asyncio.create_task(run_import())
    async with ctx.sessions() as s:
        while not (await s.execute(select(func.count()).select_from(Task))).scalar_one():
            assert not importing.done(), "the first batch was never visible before the end"
            await asyncio.sleep(0.005)
    async with ctx.sessions() as s:
        s.add(AuditLog(action="other_writer", detail={}))
        await s.commit()
    assert not importing.done(), "the other writer had to wait for the whole import"
    res = await importing
    assert res.created == 400
    async with ctx.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Task))).scalar_one() == 400
        assert (await s.execute(select(func.count()).select_from(Plan))).scalar_one() == 1
