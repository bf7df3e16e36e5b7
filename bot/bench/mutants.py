"""``dondoc bench mutants [MODULE …] [--tests FILE …] [--max-children N] [--keep DIR]``

Mutation testing of the modules that decide things, with mutmut 3: each mutant is a small
change to one function (an operator, a constant, a condition, a returned value); the tests
that cover that function run against it, and a mutant no test notices "survives".

Without ``--tests``, each module is run against its focused tests (``FOCUSED_TESTS``: the
tests that call it directly, seconds per mutant), the modules without any against the
whole suite; modules sharing a selection share one mutmut run.

The run works on a copy of the code and tests in a temporary folder (mutmut writes a
``mutants/`` tree beside the code it mutates), so the working tree is never touched. The
test suite runs on SQLite only (DONDOC_TEST_DATABASE_URL is cleared: the PostgreSQL half
would double the time and checks the same Python code); the browser test is left out.

A mutant that is equivalent to the original (no test could ever tell them apart) is kept
out with ``# pragma: no mutate`` on its line, followed by the reason.

Prints the surviving mutants (``mutmut show NAME`` in the kept folder shows the diff), then
one JSON line::

    {"modules": [{"module", "mutants", "killed", "survived", "no_tests", "timeout", "score"}]}

``score`` = (killed + timeout) / mutants: mutants in code no test runs count as survivors.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODULES = (
    "bot/reminders/policy.py",
    "bot/reminders/scanner.py",
    "bot/deadlines.py",
    "bot/intents.py",
    "bot/services/checkins.py",
    "bot/plan_import/parser.py",
)
# module (or folder prefix) -> the tests that call it directly; checkins and the scanner
# also run end to end (sandbox journeys) in the whole suite, hours per run on 2 cores
FOCUSED_TESTS = {
    "bot/reminders/policy.py": ("tests/test_reminder_policy.py", "tests/test_reminder_policy_rules.py"),
    "bot/reminders/scanner.py": ("tests/test_scanner_pass.py",),
    "bot/services/checkins.py": ("tests/test_checkin_services.py",),
    "bot/intents.py": ("tests/test_intents.py", "tests/test_deadlines.py"),
    "bot/deadlines.py": ("tests/test_intents.py", "tests/test_deadlines.py"),
    "bot/language/": ("tests/test_intents.py", "tests/test_deadlines.py"),
    "bot/plan_import/parser.py": ("tests/test_plan_parser.py",),
    "bot/plan_import/labels.py": ("tests/test_plan_parser.py",),
}
WHOLE_SUITE = ("tests",)
COPIED = ("bot", "handlers", "storage", "tests", "pyproject.toml")
ALSO_COPIED = (".env.example", "README.md", "docs")  # files the tests read
KILLED = {"killed", "timeout"}


def _mutmut() -> str:
    exe = Path(sys.executable).with_name("mutmut")
    if not exe.exists():
        raise SystemExit("mutmut is not installed: pip install -e '.[test]'")
    return str(exe)


def _config(modules: list[str], tests: list[str]) -> str:
    def toml_list(items) -> str:
        return "[" + ", ".join(json.dumps(i) for i in items) + "]"

    return (
        "\n\n[tool.mutmut]\n"
        'source_paths = ["bot", "handlers", "storage"]\n'
        f"also_copy = {toml_list(ALSO_COPIED)}\n"
        f"only_mutate = {toml_list(modules)}\n"
        f"pytest_add_cli_args_test_selection = {toml_list(tests)}\n"
        f"pytest_add_cli_args = {toml_list(['-p', 'no:cacheprovider', '-n', '0', '-x', '-q', '-m', 'not browser'])}\n"
    )


def _module_of(mutant: str, modules: list[str]) -> str | None:
    """``bot.reminders.policy.x_claim_key__mutmut_2`` → ``bot/reminders/policy.py``."""
    for m in modules:
        dotted = m[:-3].replace("/", ".") if m.endswith(".py") else m.replace("/", ".")
        if mutant.startswith(dotted + "."):
            return m
    return None


def expand(modules: list[str]) -> list[str]:
    """Files as given; a folder stands for the .py files in it (a module split into a package)."""
    out: list[str] = []
    for m in modules:
        p = ROOT / m
        if p.is_dir():
            out += sorted(str(f.relative_to(ROOT)) for f in p.rglob("*.py") if f.name != "__init__.py")
        elif p.is_file():
            out.append(m)
        else:
            raise SystemExit(f"no such module: {m}")
    return out


def focused_tests(module: str) -> tuple[str, ...]:
    """The tests a module is run against by default: its entry (or its folder's) in
    `FOCUSED_TESTS`, else the whole suite."""
    for key, tests in FOCUSED_TESTS.items():
        if module == key or (key.endswith("/") and module.startswith(key)):
            return tests
    return WHOLE_SUITE


def groups(modules: list[str], tests: list[str] | None) -> list[tuple[tuple[str, ...], list[str]]]:
    """(test selection, modules) per mutmut run: one run when ``--tests`` is given, else
    one per distinct default selection, in the order the modules came."""
    if tests:
        return [(tuple(tests), modules)]
    out: dict[tuple[str, ...], list[str]] = {}
    for m in modules:
        out.setdefault(focused_tests(m), []).append(m)
    return list(out.items())


def summarize(results: str, modules: list[str]) -> list[dict]:
    counts: dict[str, Counter] = {m: Counter() for m in modules}
    for line in results.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        module = _module_of(name, modules) if sep else None
        if module:
            counts[module][status.strip()] += 1
    rows = []
    for m in modules:
        c = counts[m]
        total = sum(c.values())
        killed = sum(c[s] for s in KILLED)
        rows.append({"module": m, "mutants": total, "killed": killed, "survived": c["survived"],
                     "no_tests": c["no tests"], "timeout": c["timeout"],
                     "score": round(killed / total, 3) if total else None})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="dondoc bench mutants")
    ap.add_argument("modules", nargs="*", default=list(DEFAULT_MODULES),
                    help="files (or folders) to mutate, relative to the repository")
    ap.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--tests", nargs="+",
                    help="test files to choose from for every module (default: each module's focused tests, "
                         "see FOCUSED_TESTS, else the whole suite; mutmut runs those that cover a mutant)")
    ap.add_argument("--keep", type=Path, help="run in this folder and keep it (mutmut show/browse there: the "
                                                "last run's modules, when the modules needed several runs)")
    args = ap.parse_args(argv)
    modules = expand(args.modules)

    work = args.keep or Path(tempfile.mkdtemp(prefix="dondoc-mutants-"))
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for name in COPIED + ALSO_COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, work / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, work / name)
    project = (work / "pyproject.toml").read_text(encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if k != "DONDOC_TEST_DATABASE_URL"}
    mutmut = _mutmut()
    results = ""
    try:
        for tests, group in groups(modules, args.tests):
            (work / "pyproject.toml").write_text(project + _config(group, list(tests)), encoding="utf-8")
            shutil.rmtree(work / "mutants", ignore_errors=True)  # the previous group's mutants and results
            run = subprocess.run([mutmut, "run", "--max-children", str(args.max_children)], cwd=work, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if run.returncode != 0:
                print(run.stdout[-4000:], file=sys.stderr)
                print(json.dumps({"error": f"mutmut run exited {run.returncode}", "modules": group}))
                return 1
            results += subprocess.run([mutmut, "results", "--all", "true"], cwd=work, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout + "\n"
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    for line in results.splitlines():
        if line.strip().endswith((": survived", ": no tests")):
            print(line.strip())
    print(json.dumps({"modules": summarize(results, modules)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
