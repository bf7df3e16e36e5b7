"""Vietnamese deadline phrases: the shared list, the same phrases typed without diacritics,
more phrases people write, and text that holds no date (never a guess)."""

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.deadlines import find_deadline, fold, is_open_ended, parse_deadline, parse_deadline_lines, parse_recurrence

TODAY = date(2023, 3, 1)  # a Wednesday, as in the shared list
DATA = Path(__file__).parent / "data" / "deadline_phrases.tsv"


def shared_phrases():
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            phrase, expected = line.split("\t")
            yield phrase, expected.split("|")


@pytest.mark.parametrize("phrase,expected", list(shared_phrases()))
def test_the_shared_phrases(phrase, expected):
    got = parse_deadline(phrase, TODAY)
    assert (got.isoformat() if got else "-") in expected


@pytest.mark.parametrize("phrase,expected", list(shared_phrases()))
def test_the_shared_phrases_without_diacritics(phrase, expected):
    got = parse_deadline(fold(phrase), TODAY)
    assert (got.isoformat() if got else "-") in expected


@pytest.mark.parametrize("phrase,expected", [
    ("chậm nhất ngày 20/6", "2023-06-20"),
    ("hoàn thành trong tháng 9", "2023-09-30"),
    ("Quý IV/2025", "2025-12-31"),
    ("Dự kiến tháng 11/2025", "2025-11-30"),
    ("từ tháng 12/2025 đến quý I/2026", "2026-03-31"),
    ("đến hết ngày 30/4/2024", "2024-04-30"),
    ("hai tuần nữa", "2023-03-15"),
    ("T6 tuần sau", "2023-03-10"),
    ("9 tháng đầu năm", "2023-09-30"),
    ("quý sau", "2023-06-30"),
    ("giữa tháng 5", "2023-05-15"),
    ("hạn 20.11", "2023-11-20"),
    ("3/2024", "2024-03-31"),
    ("2023-03-20", "2023-03-20"),
    ("giai đoạn 2026-2030", "2030-12-31"),
    ("tomorrow", "2023-03-02"),
    ("in 3 days", "2023-03-04"),
    ("by March 15", "2023-03-15"),
    ("Tuần sau em nộp được không ạ, xin gia hạn đến thứ 2 tuần sau", "2023-03-06"),
])
def test_more_phrases(phrase, expected):
    assert parse_deadline(phrase, TODAY) == date.fromisoformat(expected)


@pytest.mark.parametrize("phrase", [
    "không rõ", "xong rồi", "đã xong 80%", "còn 2 việc", "tổ 3", "phòng 201", "lúc 9 giờ", "5 người",
    "2023", "tháng 13", "ngày 45", "ngày 31/2", "làm mãi không xong", "một việc", "12", "",
    "Thực hiện thường xuyên",
])
def test_text_without_a_date_gives_none(phrase):
    assert parse_deadline(phrase, TODAY) is None


def test_cli_lines():
    assert list(parse_deadline_lines(["15/3", "không rõ"], TODAY)) == ["2023-03-15", "-"]


def test_a_day_long_past_means_next_year():
    assert parse_deadline("15/1", date(2023, 11, 20)) == date(2024, 1, 15)


@pytest.mark.parametrize("sentence,expected", [
    ("Các cơ sở gửi về Ban Chỉ đạo Quận trước ngày 15/3/2023.", date(2023, 3, 15)),
    ("Thực hiện Chỉ thị số 30-CT/TW, ngày 18/2/1998 của Bộ Chính trị, hoàn thành trong tháng 9", date(2023, 9, 30)),
    ("Quán triệt Nghị quyết số 15-NQ/TW ngày 05/5/2022 của Bộ Chính trị", None),
    ("phát triển Thủ đô đến năm 2030, tầm nhìn đến năm 2045", None),
    ("Sơ kết công tác 9 tháng; triển khai nhiệm vụ 3 tháng cuối năm 2023", None),
    ("Báo cáo kết quả chậm nhất ngày 20/6", date(2023, 6, 20)),
])
def test_deadlines_inside_programme_sentences(sentence, expected):
    assert find_deadline(sentence, date(2023, 1, 1), not_before=date(2023, 1, 1)) == expected


def test_recurrence_and_open_ended():
    assert parse_recurrence("Báo cáo trước ngày 15 hằng tháng") == "monthly:15"
    assert parse_recurrence("định kỳ hằng quý") == "quarterly"
    assert parse_recurrence("Tổ chức hội nghị") is None
    assert is_open_ended("Thường xuyên") and not is_open_ended("Quý IV/2025")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text):
    got = parse_deadline(text, TODAY)
    assert got is None or isinstance(got, date)
    found = find_deadline(text, TODAY)
    assert found is None or isinstance(found, date)
    parse_recurrence(text)
