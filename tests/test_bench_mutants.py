"""`dondoc bench mutants` picks each module's focused tests by default, and modules that
share a selection share one mutmut run."""

from __future__ import annotations

from pathlib import Path

from bot.bench.mutants import FOCUSED_TESTS, ROOT, WHOLE_SUITE, focused_tests, groups


def test_each_module_runs_against_its_focused_tests_else_the_whole_suite():
    assert focused_tests("bot/services/checkins.py") == ("tests/test_checkin_services.py",)
    assert focused_tests("bot/reminders/scanner.py") == ("tests/test_scanner_pass.py",)
    assert focused_tests("bot/language/dates.py") == ("tests/test_intents.py", "tests/test_deadlines.py")
    assert focused_tests("bot/languages.py") == WHOLE_SUITE  # a prefix is a folder, not a name start
    assert focused_tests("bot/demo.py") == WHOLE_SUITE


def test_modules_sharing_a_selection_share_a_run_and_given_tests_serve_all():
    mods = ["bot/services/checkins.py", "bot/intents.py", "bot/demo.py", "bot/language/dates.py",
            "bot/deadlines.py"]
    assert groups(mods, None) == [
        (("tests/test_checkin_services.py",), ["bot/services/checkins.py"]),
        (("tests/test_intents.py", "tests/test_deadlines.py"),
         ["bot/intents.py", "bot/language/dates.py", "bot/deadlines.py"]),
        (WHOLE_SUITE, ["bot/demo.py"]),
    ]
    assert groups(mods, ["tests/test_storage.py"]) == [(("tests/test_storage.py",), mods)]


def test_every_focused_test_file_exists():
    for tests in FOCUSED_TESTS.values():
        for t in tests:
            assert (ROOT / t).is_file(), t
    assert Path(ROOT / "bot/services/checkins.py").is_file()
