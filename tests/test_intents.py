"""Free-text answers to a reminder → what the unit contact means. One row per phrase."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings, strategies as st

from bot.intents import KINDS, Intent, classify, fold

TODAY = date(2025, 3, 1)

CASES = [
    # done — with and without diacritics, English
    ("xong", Intent("done", 100)),
    ("đã xong", Intent("done", 100)),
    ("Đã hoàn thành", Intent("done", 100)),
    ("da xong", Intent("done", 100)),
    ("hoan thanh roi", Intent("done", 100)),
    ("Xong rồi ạ", Intent("done", 100)),
    ("đã hoàn thành 100% nhiệm vụ", Intent("done", 100)),
    ("da xong 100%", Intent("done", 100)),
    ("done", Intent("done", 100)),
    ("Finished!", Intent("done", 100)),
    ("completed", Intent("done", 100)),
    # progress
    ("đang làm, được 60%", Intent("progress", 60)),
    ("dang lam 60%", Intent("progress", 60)),
    ("in progress 60%", Intent("progress", 60)),
    ("đã triển khai được 75 %", Intent("progress", 75)),
    ("hoàn thành 60%", Intent("progress", 60)),
    ("50%", Intent("progress", 50)),
    ("25", Intent("progress", 25)),
    ("được 40 phần trăm", Intent("progress", 40)),
    ("sắp xong", Intent("progress")),
    ("chưa xong", Intent("progress")),
    ("not done yet", Intent("progress")),
    ("đang thực hiện", Intent("progress")),
    # blocked, with the reason as written
    ("chưa làm được vì thiếu kinh phí", Intent("blocked", reason="thiếu kinh phí")),
    ("chua lam duoc vi thieu kinh phi", Intent("blocked", reason="thieu kinh phi")),
    ("Chưa làm được do thiếu người", Intent("blocked", reason="thiếu người")),
    ("đơn vị chưa thực hiện được vì chờ văn bản", Intent("blocked", reason="chờ văn bản")),
    ("chưa hoàn thành vì chờ số liệu", Intent("blocked", reason="chờ số liệu")),
    ("blocked because the budget is not approved", Intent("blocked", reason="the budget is not approved")),
    # extension: the date through parse_deadline, the reason after vì/do/because
    ("xin gia hạn đến 15/4", Intent("extension", new_due=date(2025, 4, 15))),
    ("xin gia han den 15/4 vi cho so lieu", Intent("extension", new_due=date(2025, 4, 15), reason="cho so lieu")),
    ("Xin gia hạn đến 15/4/2025 vì chờ ý kiến Sở Tài chính",
     Intent("extension", new_due=date(2025, 4, 15), reason="chờ ý kiến Sở Tài chính")),
    ("xin lùi hạn tới 30/4 do thiếu người", Intent("extension", new_due=date(2025, 4, 30), reason="thiếu người")),
    ("extend to 15/4", Intent("extension", new_due=date(2025, 4, 15))),
    ("extend to 15/4 because data is late", Intent("extension", new_due=date(2025, 4, 15), reason="data is late")),
    ("xin gia hạn", Intent("extension")),
    # leave
    ("nghỉ phép đến 15/4", Intent("leave", new_due=date(2025, 4, 15))),
    ("nghi phep den 15/4", Intent("leave", new_due=date(2025, 4, 15))),
    ("on leave until 20/4", Intent("leave", new_due=date(2025, 4, 20))),
    # nothing to act on
    ("", Intent("unknown")),
    ("xin chào", Intent("unknown", topic="greeting")),
    ("hello", Intent("unknown", topic="greeting")),
    ("báo cáo đây", Intent("unknown")),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] or "<empty>" for c in CASES])
def test_classify(text, expected):
    assert classify(text, TODAY) == expected


def test_fold_keeps_positions():
    s = "Đã hoàn thành — ĐƠN VỊ ﬁ İ"
    assert len(fold(s)) == len(s)
    assert fold("Đã hoàn thành") == "da hoan thanh"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_never_raises(text):
    intent = classify(text, TODAY)
    assert intent.kind in KINDS
    assert intent.progress is None or 0 <= intent.progress <= 100


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["xong", "gia hạn", "đến", "vì", "60%", "nghỉ phép", "15/4", "chưa", "làm",
                                 "được", "done", "extend", "to", "do", "%", "/", " ", "100", "999%"]),
                max_size=12).map(" ".join))
def test_never_raises_on_keyword_soup(text):
    intent = classify(text, TODAY)
    assert intent.progress is None or 0 <= intent.progress <= 100
