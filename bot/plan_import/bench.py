"""``dondoc bench import [--repeat N] [--json] [FILE ...]``

Times `read_plan` (decode + parse) on the sample programmes — bot/samples/*.txt and
bot/samples/more/*.txt, or the files given — each read N times after one warm-up read.
Prints, per document, its size in pages (a page = 3,000 characters), the tasks found and
the median milliseconds per read; then the total throughput in pages per second.
``--hostile`` reads generated worst cases instead (long paragraphs, thousands of items
numbered alike, a huge unit name), to show the parser stays linear in the text's length.
"""

from __future__ import annotations

import argparse
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
    p.add_argument("--hostile", action="store_true", help="generated worst cases instead of the samples")
    args = p.parse_args(argv or [])

    from bot.plan_import import PlanReadError, read_plan

    files = [Path(name) for name, _ in hostile_documents()] if args.hostile else args.files or sample_files()
    generated = dict(hostile_documents()) if args.hostile else {}
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


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
