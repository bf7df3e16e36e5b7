"""``dondoc bench import [--repeat N] [--json] [--hostile | --long | --writers N] [FILE ...]``

Times `read_plan` (decode + parse) on the sample programmes — bot/samples/*.txt and
bot/samples/more/*.txt, or the files given — each read N times after one warm-up read.
Prints, per document, its size in pages (a page = 3,000 characters), the tasks found and
the median milliseconds per read; then the total throughput in pages per second.
``--long`` reads generated worst cases instead (long paragraphs, thousands of items
numbered alike, a huge unit name), in this process, to show the parser stays linear in
the text's length.

With ``--hostile``: each file of `bot.plan_import.hostile` (zip bomb, numbering from two
billion, entity bomb, long and pathological text, PDF stream bomb) is read by the isolated
reader the bot uses; per file the wall time, the reading process's peak memory and whether
it was read or refused (with the reason), and whether all stayed within the budget.

With ``--writers N``: a plan of N tasks is imported into a fresh SQLite database in batches
(as the chat import does; ``--one-transaction`` for the old way) while another writer
commits a row every 20 ms; prints the import time, the other writer's commits during the
import, its longest wait and how many of its writes failed ("database is locked").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

PAGE_CHARS = 3000
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
TODAY = date(2025, 3, 10)  # fixed so figures compare between runs


def sample_files() -> list[Path]:
    return sorted(SAMPLES.glob("*.txt")) + sorted((SAMPLES / "more").glob("*.txt"))


def hostile_documents(scale: int = 8000) -> list[tuple[str, bytes]]:
    """Generated worst cases for the text parser (issue 10), as (name, bytes)."""
    head = "KẾ HOẠCH công tác năm 2025\nI. NHIỆM VỤ\n"
    docs = {
        "continuation_lines.txt": head + "1. Tổ chức tuyên truyền\n"
        + "\n".join(f"tiếp tục nội dung dòng {i} và" for i in range(scale)),
        "items_numbered_1.txt": head + "\n".join(f"1. Tổ chức hội nghị số {i}" for i in range(scale)),
        "long_unit_name.txt": head + "1. Tổ chức hội nghị\nChủ trì: Sở " + "Văn hóa Thể thao " * (scale // 4),
    }
    return [(name, text.encode("utf-8")) for name, text in docs.items()]


def _chars(path: Path, data: bytes) -> int:
    try:
        return len(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return len(data)  # a binary format: its byte size stands in for the text


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="dondoc bench import", description=__doc__.split("\n\n")[1])
    p.add_argument("files", nargs="*", type=Path, help="documents to read (default: the samples)")
    p.add_argument("--repeat", "-n", type=int, default=5, help="timed reads per document (default 5)")
    p.add_argument("--json", action="store_true", help="print one JSON line instead of a table")
    p.add_argument("--long", action="store_true", help="generated long texts instead of the samples")
    p.add_argument("--hostile", action="store_true", help="read the hostile files in the worker, within the budget")
    p.add_argument("--writers", type=int, metavar="N", help="import N tasks while another writer commits")
    p.add_argument("--one-transaction", action="store_true", help="with --writers: no batches")
    args = p.parse_args(argv or [])
    if args.hostile:
        return hostile(args.json)
    if args.writers:
        print(json.dumps(asyncio.run(writers(args.writers, not args.one_transaction)), ensure_ascii=False))
        return 0

    from bot.plan_import import PlanReadError, read_plan

    files = [Path(name) for name, _ in hostile_documents()] if args.long else args.files or sample_files()
    generated = dict(hostile_documents()) if args.long else {}
    if not files:
        print("Không có tệp mẫu nào để đo.", file=sys.stderr)
        return 1
    repeat = max(1, args.repeat)
    docs = []
    total_chars = 0
    total_s = 0.0
    for path in files:
        data = generated[path.name] if generated else path.read_bytes()
        try:
            plan = read_plan(data, path.name, today=TODAY)  # warm-up (imports, regex compilation)
        except PlanReadError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            read_plan(data, path.name, today=TODAY)
            times.append(time.perf_counter() - t0)
        chars = _chars(path, data)
        total_chars += chars * repeat
        total_s += sum(times)
        docs.append({"file": path.name, "pages": round(chars / PAGE_CHARS, 1), "tasks": len(plan.tasks),
                     "ms": round(statistics.median(times) * 1000, 2)})
    pages_per_s = (total_chars / PAGE_CHARS) / total_s if total_s else float("inf")
    summary = {"documents": len(docs), "repeat": repeat, "pages_per_s": round(pages_per_s, 1),
               "ms_per_document": round(total_s * 1000 / (len(docs) * repeat), 2), "docs": docs}
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    width = max(len(d["file"]) for d in docs)
    print(f"{'tệp':<{width}}  {'trang':>6}  {'nhiệm vụ':>8}  {'ms/lần':>8}")
    for d in docs:
        print(f"{d['file']:<{width}}  {d['pages']:>6}  {d['tasks']:>8}  {d['ms']:>8}")
    print(f"{len(docs)} tài liệu × {repeat} lần: {summary['pages_per_s']} trang/giây, "
          f"{summary['ms_per_document']} ms mỗi tài liệu (1 trang = {PAGE_CHARS} ký tự)")
    return 0


def hostile(as_json: bool) -> int:
    from bot.plan_import.hostile import hostile_files
    from bot.plan_import.safe import DEFAULT_BUDGET, read_isolated

    read_isolated(b"KE HOACH NAM 2025\n1. Viec\n", "warm.txt")  # start the worker server once
    rows = []
    for name, data in hostile_files():
        t0 = time.perf_counter()
        outcome = read_isolated(data, name, TODAY)
        seconds = time.perf_counter() - t0
        rows.append({"file": name, "kb": len(data) // 1024, "s": round(seconds, 2), "peak_mb": round(outcome.peak_mb, 1),
                     "result": outcome.error.reason if outcome.error else f"{len(outcome.plan.tasks)} tasks"})
        if not as_json:
            print(f"{name:<24} {len(data) // 1024:>6} KB {seconds:6.2f} s {outcome.peak_mb:7.1f} MB  {rows[-1]['result']}")
    summary = {"files": len(rows), "budget_s": DEFAULT_BUDGET.seconds, "budget_mb": DEFAULT_BUDGET.memory_mb,
               "max_s": max(r["s"] for r in rows), "max_peak_mb": max(r["peak_mb"] for r in rows), "rows": rows}
    print(json.dumps(summary, ensure_ascii=False))
    return 0


async def writers(n_tasks: int, batched: bool) -> dict:
    import tempfile

    from bot.plan_import.model import ParsedPlan, ParsedTask
    from bot.services.plans import IMPORT_BATCH, import_plan
    from storage.db import create_engine, make_sessionmaker, upgrade
    from storage.models import AuditLog

    url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp(prefix='dondoc-bench-writers-')) / 'w.sqlite3'}"
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    sessions = make_sessionmaker(engine)
    parsed = ParsedPlan(title="Kế hoạch lớn năm 2025", year=2025, tasks=[
        ParsedTask(code=f"T{i}", title=f"Nhiệm vụ số {i}", due=date(2025, 12, 31), lead=[f"Đơn vị {i % 300}"])
        for i in range(n_tasks)])
    waits: list[float] = []
    failures = 0

    async def run_import() -> float:
        t0 = time.perf_counter()
        async with sessions() as s:
            await import_plan(s, parsed, today=TODAY, batch_size=IMPORT_BATCH if batched else None)
            await s.commit()
        return time.perf_counter() - t0

    importing = asyncio.create_task(run_import())
    while not importing.done():
        t0 = time.perf_counter()
        try:
            async with sessions() as s:
                s.add(AuditLog(action="bench_writer", detail={}))
                await s.commit()
        except Exception:  # noqa: BLE001 - "database is locked" is what is counted
            failures += 1
        if not importing.done():
            waits.append(time.perf_counter() - t0)
        await asyncio.sleep(0.02)
    seconds = await importing
    await engine.dispose()
    return {"tasks": n_tasks, "batched": batched, "import_s": round(seconds, 2), "writer_commits": len(waits),
            "writer_max_wait_ms": round(max(waits, default=0) * 1000, 1), "writer_failures": failures}


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
