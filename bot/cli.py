"""`dondoc …` — the command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from datetime import date
from pathlib import Path

SAMPLES = Path(__file__).parent / "samples"


def _settings():
    from bot.config import load_settings

    return load_settings()


def _logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


# --- commands ------------------------------------------------------------------------


def cmd_run(args) -> int:
    from bot import texts
    from bot.runner import run_telegram

    settings = _settings()
    if not settings.bot_token:
        print(texts.NO_TOKEN)
        return 2
    _logging(settings.log_level)
    run_telegram(settings, scanner_only=args.scanner_only)
    return 0


def cmd_demo(args) -> int:
    from bot.demo import run_demo

    settings = _settings()
    _logging(settings.log_level)
    return asyncio.run(run_demo(settings, port=args.port, fresh=args.fresh, open_browser=False, today=args.today))


def cmd_db_upgrade(args) -> int:
    from storage.db import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    print(f"Đã cập nhật cơ sở dữ liệu: {settings.database_url}")
    return 0


def cmd_plan_parse(args) -> int:
    from bot.plan_import import PlanReadError, read_plan

    try:
        plan = read_plan(Path(args.file))
    except PlanReadError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(plan.to_json(), ensure_ascii=False, indent=1))
    else:
        from bot.texts import fmt_date

        print(f"{plan.title} ({plan.year})")
        for t in plan.tasks:
            print(f"{t.code:>8}  {fmt_date(t.due):>12}  {t.title[:80]}  [{'; '.join(t.lead)}]")
    return 0


def cmd_plan_import(args) -> int:
    from bot.plan_import import PlanReadError, read_plan
    from bot.services.plans import import_plan, preview_plan
    from bot.texts import plan_preview_text

    settings = _settings()
    try:
        parsed = read_plan(Path(args.file))
    except PlanReadError as exc:
        print(str(exc), file=sys.stderr)
        return 1

    async def go() -> int:
        from bot.context import build_context
        from bot.reminders.policy import ReminderPolicy
        from storage.db import upgrade

        upgrade(settings.database_url)
        ctx = build_context(settings)
        try:
            async with ctx.sessions() as s:
                pv = await preview_plan(s, parsed)
                print(plan_preview_text(pv))
                if args.dry_run:
                    print("(--dry-run: chưa ghi gì)")
                    return 0
                res = await import_plan(s, parsed, today=ctx.clock.today(), source_name=Path(args.file).name,
                                        policy=ReminderPolicy.from_settings(settings))
                await s.commit()
                print(f"Đã nhập: {res.created} nhiệm vụ mới, {res.updated} cập nhật, {res.cancelled} hủy.")
                return 0
        finally:
            await ctx.close()

    return asyncio.run(go())


def cmd_plan_template(args) -> int:
    from bot.plan_import.export import write_template

    out = Path(args.out)
    write_template(out)
    print(f"Đã ghi mẫu: {out}")
    return 0


def cmd_parse_deadline(args) -> int:
    from bot.deadlines import parse_deadline_lines

    today = date.fromisoformat(args.today) if args.today else date.today()
    for line in parse_deadline_lines((l.rstrip("\n") for l in sys.stdin), today):
        print(line)
    return 0


def cmd_parse_answer(args) -> int:
    from bot.intents import answer_lines

    today = date.fromisoformat(args.today) if args.today else date.today()
    for line in answer_lines((l.rstrip("\n") for l in sys.stdin), today):
        print(line)
    return 0


def cmd_unit(args) -> int:
    from bot.services.directory import ensure_unit

    async def go(s):
        unit = await ensure_unit(s, args.name, args.alias or [])
        print(f"Đơn vị: {unit.name} (bí danh: {', '.join(a.alias for a in unit.aliases) or '—'})")

    return _with_session(go)


def cmd_member(args) -> int:
    from bot.services.directory import add_member

    async def go(s):
        unit = await _one_unit(s, args.unit) if args.unit else None
        if args.unit and unit is None:
            return 1
        m = await add_member(s, user_id=args.user_id, chat_id=args.user_id, full_name=args.name,
                             role=args.role, unit=unit)
        print(f"Thành viên #{m.id}: {m.full_name} ({m.role})")

    return _with_session(go)


def cmd_invite(args) -> int:
    from bot.services.directory import create_invite

    async def go(s):
        from bot.clock import Clock

        unit = await _one_unit(s, args.unit) if args.unit else None
        if args.unit and unit is None:
            return 1
        link = await create_invite(s, unit=unit, role=args.role, now=Clock(_settings().tz).now())
        print(f"https://t.me/{args.bot}?start={link.code}")

    return _with_session(go)


async def _one_unit(session, name: str):
    """The one unit a name designates, or None (said on stderr) when none or several match."""
    from bot.services.directory import find_units

    units = await find_units(session, name)
    if len(units) != 1:
        found = "; ".join(u.name for u in units[:5])
        print(f"Không xác định được đơn vị '{name}'" + (f" (có thể là: {found})" if found else ""), file=sys.stderr)
        return None
    return units[0]


def _with_session(fn) -> int:
    settings = _settings()

    async def go() -> int:
        from bot.context import build_context
        from storage.db import upgrade

        upgrade(settings.database_url)
        ctx = build_context(settings)
        try:
            async with ctx.sessions() as s:
                rc = await fn(s)
                await s.commit()
                return rc or 0
        finally:
            await ctx.close()

    return asyncio.run(go())


def cmd_bench(args) -> int:
    import importlib

    modules = {"import": "bot.plan_import.bench", "scan": "bot.bench.scan", "dispatch": "bot.bench.dispatch",
               "crash": "bot.bench.crash", "quahan": "bot.bench.quahan"}
    return importlib.import_module(modules[args.what]).main(args.rest)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dondoc", description="dondoc — nhắc việc chương trình công tác")
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("run", help="run the bot against real Telegram (needs DONDOC_BOT_TOKEN)")
    s.add_argument("--scanner-only", action="store_true",
                   help="send due reminders only, take no updates (a second process beside the poller)")
    s.set_defaults(fn=cmd_run)
    s = sub.add_parser("demo", help="the bot + local Bot API sandbox + demo web page, no token needed")
    s.add_argument("--port", type=int, default=None, help="web page port (default DONDOC_WEB_PORT)")
    s.add_argument("--fresh", action="store_true", help="start from an empty demo database")
    s.add_argument("--today", type=date.fromisoformat, default=None,
                   help="the bot's date at start, YYYY-MM-DD (default: today)")
    s.set_defaults(fn=cmd_demo)

    db = sub.add_parser("db").add_subparsers(dest="dbcmd", required=True)
    s = db.add_parser("upgrade", help="apply database migrations")
    s.set_defaults(fn=cmd_db_upgrade)

    plan = sub.add_parser("plan").add_subparsers(dest="plancmd", required=True)
    s = plan.add_parser("parse", help="read a programme and print its tasks")
    s.add_argument("file")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_plan_parse)
    s = plan.add_parser("import", help="import a programme into the database")
    s.add_argument("file")
    s.add_argument("--dry-run", action="store_true")
    s.set_defaults(fn=cmd_plan_import)
    s = plan.add_parser("template", help="write the spreadsheet template (.xlsx)")
    s.add_argument("out", nargs="?", default="mau_ke_hoach.xlsx")
    s.set_defaults(fn=cmd_plan_template)

    s = sub.add_parser("parse-deadline", help="read phrases on stdin, print ISO dates or -")
    s.add_argument("--today", help="YYYY-MM-DD (default: today)")
    s.set_defaults(fn=cmd_parse_deadline)
    s = sub.add_parser("parse-answer", help="read answers on stdin, print kind, progress, date (and task code)")
    s.add_argument("--today", help="YYYY-MM-DD (default: today)")
    s.set_defaults(fn=cmd_parse_answer)

    s = sub.add_parser("unit", help="add a unit (with aliases)")
    s.add_argument("name")
    s.add_argument("--alias", action="append")
    s.set_defaults(fn=cmd_unit)
    s = sub.add_parser("member", help="add or update a member (e.g. the first secretariat)")
    s.add_argument("--user-id", type=int, required=True)
    s.add_argument("--name", required=True)
    s.add_argument("--role", choices=["member", "unit_head", "secretariat", "admin"], default="member")
    s.add_argument("--unit")
    s.set_defaults(fn=cmd_member)
    s = sub.add_parser("invite", help="make a single-use invite link for a unit and role")
    s.add_argument("--unit")
    s.add_argument("--role", choices=["member", "unit_head", "secretariat", "admin"], default="member")
    s.add_argument("--bot", default="dondoc_bot", help="the bot's username")
    s.set_defaults(fn=cmd_invite)

    s = sub.add_parser("bench", help="benchmarks: import | scan | dispatch | crash | quahan")
    s.add_argument("what", choices=["import", "scan", "dispatch", "crash", "quahan"])
    s.add_argument("rest", nargs=argparse.REMAINDER)
    s.set_defaults(fn=cmd_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.fn(args) or 0


if __name__ == "__main__":
    sys.exit(main())
