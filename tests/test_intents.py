"""Free-text answers to a reminder → what the unit contact means. One row per phrase, each
typed with and without diacritics; our own table of answers as people type them, measured;
each rule at its boundary; the `dondoc parse-answer` command."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from bot.intents import KINDS, TOPICS, Intent, answer_lines, classify, extension_details, fold

TODAY = date(2025, 3, 1)
LATE = date(2026, 12, 10)  # a Thursday late in the year
DATA = Path(__file__).parent / "data"

CASES = [
    # done — with and without diacritics, English
    ("xong", Intent("done", 100)),
    ("đã xong", Intent("done", 100)),
    ("Đã hoàn thành", Intent("done", 100)),
    ("hoan thanh roi", Intent("done", 100)),
    ("Xong rồi ạ", Intent("done", 100)),
    ("đã hoàn thành 100% nhiệm vụ", Intent("done", 100)),
    ("xong 2/2 việc", Intent("done", 100)),
    ("done", Intent("done", 100)),
    ("Finished!", Intent("done", 100)),
    ("completed", Intent("done", 100)),
    # a task code typed in the text picks the task; its digits are neither progress nor a date
    ("Q2.1 xong rồi nhé", Intent("done", 100, task_code="Q2.1")),
    ("II.3 đạt 60%", Intent("progress", 60, task_code="II.3")),
    ("xong Q1-04", Intent("done", 100, task_code="Q1-04")),
    ("nhiệm vụ 1.2 xong", Intent("done", 100, task_code="1.2")),
    ("mục 3 xong", Intent("done", 100, task_code="3")),
    ("#4 xong", Intent("done", 100, task_code="4")),
    ("Q2.1 xin gia hạn đến 20/12", Intent("extension", new_due=date(2025, 12, 20), task_code="Q2.1")),
    ("Q2.1 mai em gửi", Intent("progress", new_due=date(2025, 3, 2), task_code="Q2.1")),
    ("huy, dc 40%", Intent("progress", 40)),
    # progress
    ("đang làm, được 60%", Intent("progress", 60)),
    ("in progress 60%", Intent("progress", 60)),
    ("đã triển khai được 75 %", Intent("progress", 75)),
    ("hoàn thành 60%", Intent("progress", 60)),
    ("50%", Intent("progress", 50)),
    ("25", Intent("progress", 25)),
    ("0", Intent("progress", 0)),
    ("được 40 phần trăm", Intent("progress", 40)),
    ("tiến độ 30", Intent("progress", 30)),
    ("sắp xong", Intent("progress")),
    ("chưa xong", Intent("progress")),
    ("chưa", Intent("progress")),
    ("not done yet", Intent("progress")),
    ("đang thực hiện", Intent("progress")),
    ("mới bắt đầu", Intent("progress")),
    # fractions and halves are progress, not done and not a date
    ("xong 1 nửa", Intent("progress", 50)),
    ("được một nửa", Intent("progress", 50)),
    ("đã xong 2/3 việc", Intent("progress", 67)),
    ("xong 3/4 rồi", Intent("progress", 75)),
    ("được 3 trên 5 việc", Intent("progress", 60)),
    ("xong 4 việc, còn 2 việc", Intent("progress")),
    ("em làm xong phần 1 rồi", Intent("progress")),
    # a date promised
    ("mai em gửi", Intent("progress", new_due=date(2025, 3, 2))),
    # blocked, with the reason as written; numbers in a reason are not progress
    ("chưa làm được vì thiếu kinh phí", Intent("blocked", reason="thiếu kinh phí")),
    ("chưa làm được vì kinh phí < 50%", Intent("blocked", reason="kinh phí < 50%")),
    ("Chưa làm được do thiếu người", Intent("blocked", reason="thiếu người")),
    ("đơn vị chưa thực hiện được vì chờ văn bản", Intent("blocked", reason="chờ văn bản")),
    ("chưa hoàn thành vì chờ số liệu", Intent("blocked", reason="chờ số liệu")),
    ("đang làm được 60% nhưng thiếu kinh phí", Intent("blocked", 60, reason="đang làm được 60% nhưng thiếu kinh phí")),
    ("đang chờ UBND phê duyệt", Intent("blocked", reason="đang chờ UBND phê duyệt")),
    ("blocked because the budget is not approved", Intent("blocked", reason="the budget is not approved")),
    # extension: the date through parse_deadline, the reason after vì/do/because
    ("xin gia hạn đến 15/4", Intent("extension", new_due=date(2025, 4, 15))),
    ("Xin gia hạn đến 15/4/2025 vì chờ ý kiến Sở Tài chính",
     Intent("extension", new_due=date(2025, 4, 15), reason="chờ ý kiến Sở Tài chính")),
    ("xin lùi hạn tới 30/4 do thiếu người", Intent("extension", new_due=date(2025, 4, 30), reason="thiếu người")),
    ("extend to 15/4 because data is late", Intent("extension", new_due=date(2025, 4, 15), reason="data is late")),
    ("xin gia hạn", Intent("extension")),
    # asking for time in plain words
    ("lùi sang tuần sau", Intent("extension", new_due=date(2025, 3, 7))),
    ("xin thêm 1 tuần", Intent("extension", new_due=date(2025, 3, 8))),
    ("cho em thêm 3 ngày", Intent("extension", new_due=date(2025, 3, 4))),
    ("thêm 2 tuần nữa nhé", Intent("extension", new_due=date(2025, 3, 15))),
    ("dời sang thứ 2 tuần sau được không ạ", Intent("extension", new_due=date(2025, 3, 3))),
    ("can I get one more week", Intent("extension", new_due=date(2025, 3, 8))),
    # leave
    ("nghỉ phép đến 15/4", Intent("leave", new_due=date(2025, 4, 15))),
    ("on leave until 20/4", Intent("leave", new_due=date(2025, 4, 20))),
    ("em xin phép nghỉ từ mai đến hết tuần", Intent("leave", new_due=date(2025, 3, 2))),
    # questions are answered, never recorded
    ("xong chưa?", Intent("question", topic="status")),
    ("đã xong chưa ạ", Intent("question", topic="status")),
    ("hạn khi nào?", Intent("question", topic="due")),
    ("khi nào hết hạn", Intent("question", topic="due")),
    ("em còn những việc gì", Intent("question", topic="tasks")),
    ("làm sao để gửi file", Intent("question", topic="how")),
    ("ai phụ trách việc này", Intent("question", topic="other")),
    ("có cần gửi file không", Intent("question", topic="other")),
    ("xong rồi mà?", Intent("question", topic="status")),
    ("Q2.1 hạn khi nào?", Intent("question", task_code="Q2.1", topic="due")),
    ("when is it due?", Intent("question", topic="due")),
    # leaving a pending question
    ("thôi", Intent("cancel")),
    ("hủy", Intent("cancel")),
    ("thôi không gia hạn nữa", Intent("cancel")),
    ("em gửi nhầm", Intent("cancel")),
    ("thôi, xin gia hạn đến 20/4", Intent("extension", new_due=date(2025, 4, 20))),
    ("thôi, xong rồi", Intent("done", 100)),
    ("hủy, được 40%", Intent("progress", 40)),
    # statements that start like a question word in another language
    ("Đó là việc của phòng khác", Intent("unknown")),
    ("cần nộp trước 20/12", Intent("progress", new_due=date(2025, 12, 20))),
    # nothing to act on
    ("", Intent("unknown")),
    ("xin chào", Intent("unknown", topic="greeting")),
    ("hello", Intent("unknown", topic="greeting")),
    ("cảm ơn anh", Intent("unknown", topic="thanks")),
    ("báo cáo đây", Intent("unknown")),
    ("123456", Intent("unknown")),
    ("kế hoạch 12/KH-UBND", Intent("unknown")),
]


def _folded(intent: Intent) -> Intent:
    return Intent(intent.kind, intent.progress, intent.new_due, fold(intent.reason), intent.task_code, intent.topic)


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] or "<empty>" for c in CASES])
def test_classify(text, expected):
    assert classify(text, TODAY) == expected


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] or "<empty>" for c in CASES])
def test_classify_without_diacritics(text, expected):
    assert _folded(classify(fold(text), TODAY)) == _folded(expected)


def answer_table():
    today, rows = None, []
    for line in (DATA / "answer_phrases.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("# today="):
            today = date.fromisoformat(line[len("# today="):][:10])
        elif line.strip() and not line.startswith("#"):
            phrase, *expected = line.split("\t")
            rows.append((phrase, tuple(expected), today))
    return rows


def _cells(i: Intent) -> tuple[str, str, str, str]:
    return (i.kind, "-" if i.progress is None else str(i.progress), i.new_due.isoformat() if i.new_due else "-",
            i.task_code or "-")


def _agrees(got: tuple[str, ...], expected: tuple[str, ...]) -> bool:
    """Each cell as expected; the date cell may list accepted dates ("2027-06-18|2027-06-25")."""
    return all(g in e.split("|") if i == 2 else g == e for i, (g, e) in enumerate(zip(got, expected)))


TYPED = answer_table()


@pytest.mark.parametrize(("phrase", "expected", "today"), TYPED, ids=[f"{r[2]}:{r[0]}" for r in TYPED])
def test_each_answer_as_people_type_it(phrase, expected, today):
    assert _agrees(_cells(classify(phrase, today)), expected)


def test_answers_as_people_type_them_are_read_at_least_97_percent():
    """Measure: python -m pytest tests/test_intents.py -k people_type -s"""
    rows = answer_table()
    wrong = [(p, _cells(classify(p, t)), e) for p, e, t in rows if not _agrees(_cells(classify(p, t)), e)]
    share = 1 - len(wrong) / len(rows)
    print(f"\nanswer_phrases.tsv: {len(rows) - len(wrong)}/{len(rows)} = {share:.3f}; wrong: {wrong}")
    assert len(rows) >= 200 and share >= 0.97, wrong


# --- boundaries --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "kind", "progress"), [
    ("100%", "done", 100),
    ("101%", "unknown", None),
    ("99%", "progress", 99),
    ("0%", "progress", 0),
    ("100", "done", 100),
    ("101", "unknown", None),
    ("được 100", "done", 100),
    ("được 120", "unknown", None),
    ("chưa xong 100%", "progress", 99),
    ("xong 4/4", "done", 100),
    ("xong 5/4", "done", 100),  # not a fraction: a date, and the work is done
    ("xong 1/3", "progress", 33),
    ("được 0/5", "progress", 0),
    ("xong 3/0", "done", 100),
    ("được 50/200", "unknown", None),  # no proper fraction
    ("đã làm được 60.5%", "progress", 60),
    ("được 3 ngày", "unknown", None),  # a duration is no progress
])
def test_progress_boundaries(text, kind, progress):
    got = classify(text, TODAY)
    assert (got.kind, got.progress) == (kind, progress)


@pytest.mark.parametrize(("text", "code"), [
    ("Q2.1 xong", "Q2.1"), ("II.3.1 xong", "II.3.1"), ("q1-04 xong", "Q1-04"), ("ii.3 xong", "II.3"),
    ("t6 xong", None),  # Friday
    ("q2 xong", None),  # a quarter
    ("II xong", None), ("hạn 15.01", None), ("xong 1.2", None), ("được 2.5%", None), ("nv 3 xong", "3"),
    ("A1 xong", None), ("AB1.2 xong", None), ("tổ số 3 xong", None), ("việc số 3 xong", "3"),
    ("nhiệm vụ số II.2 xong", "II.2"),
    ("II.3, II.4 xong", None), ("II.3 xong, đúng II.3", "II.3"),
])
def test_task_codes(text, code):
    assert classify(text, TODAY).task_code == code


def test_extension_details():
    assert extension_details("15/4 vì chờ số liệu", TODAY) == (date(2025, 4, 15), "chờ số liệu")
    assert extension_details("đến 15/4", TODAY) == (date(2025, 4, 15), "")
    assert extension_details("20/4 thiếu người", TODAY) == (date(2025, 4, 20), "thiếu người")
    assert extension_details("chưa biết", TODAY) == (None, "")


def test_fold_keeps_positions():
    s = "Đã hoàn thành — ĐƠN VỊ ﬁ İ"
    assert len(fold(s)) == len(s)
    assert fold("Đã hoàn thành") == "da hoan thanh"


# --- the command ---------------------------------------------------------------------------------

def test_answer_lines():
    assert list(answer_lines(["xong 1 nửa", "Q2.1 xong rồi nhé", "hạn khi nào?", "lùi sang tuần sau", "thôi"], LATE)) == [
        "progress\t50\t-\t-", "done\t100\t-\tQ2.1", "question\t-\t-\t-\tdue", "extension\t-\t2026-12-18\t-",
        "cancel\t-\t-\t-"]


def test_parse_answer_command():
    run = subprocess.run([sys.executable, "-m", "bot.cli", "parse-answer", "--today", "2026-12-10"],
                         input="xin thêm 1 tuần\nxong 3/4 rồi\n", capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent.parent)
    assert run.stdout.splitlines() == ["extension\t-\t2026-12-17\t-", "progress\t75\t-\t-"]


# --- never raises ----------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_never_raises(text):
    intent = classify(text, TODAY)
    assert intent.kind in KINDS
    assert intent.topic is None or intent.topic in (*TOPICS, "thanks", "greeting")
    assert intent.progress is None or 0 <= intent.progress <= 100


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["xong", "gia hạn", "đến", "vì", "60%", "nghỉ phép", "15/4", "chưa", "làm",
                                 "được", "done", "extend", "to", "do", "%", "/", " ", "100", "999%", "thôi", "?",
                                 "Q2.1", "nửa", "2/3", "chưa?"]),
                max_size=12).map(" ".join))
def test_never_raises_on_keyword_soup(text):
    intent = classify(text, TODAY)
    assert intent.progress is None or 0 <= intent.progress <= 100
