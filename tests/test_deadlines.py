"""Vietnamese deadline phrases: the two shared lists, the same phrases typed without
diacritics, our own larger table of phrases as people type them (measured), the rules at
their boundaries, the lunar calendar against the holidays library, and text that holds
no date (never a guess)."""

from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.deadlines import (find_all, find_deadline, fold, is_cited_date, is_open_ended, parse_deadline,
                           parse_deadline_lines, parse_recurrence, period_end)
from bot.language.calendar import add_months, lunar_to_solar, next_lunar, not_over, tet
from bot.language.dates import prepare_keep_positions

TODAY = date(2023, 3, 1)  # a Wednesday, as in the shared deadline list
LATE = date(2026, 12, 10)  # a Thursday late in the year, as in the shared chat list
DATA = Path(__file__).parent / "data"


def table(name: str, today: date | None = None):
    """(phrase, accepted ISO dates or "-", today) rows of a phrases file; "# today=" lines set today."""
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("# today="):
            today = date.fromisoformat(line[len("# today="):][:10])
        elif line.strip() and not line.startswith("#"):
            phrase, expected = line.split("\t")
            rows.append((phrase, expected.split("|"), today))
    return rows


def iso(d: date | None) -> str:
    return d.isoformat() if d else "-"


SHARED = table("deadline_phrases.tsv", TODAY) + table("chat_phrases.tsv", LATE)


def test_the_shared_lists_are_read_whole():
    assert len(table("deadline_phrases.tsv", TODAY)) == 32 and len(table("chat_phrases.tsv", LATE)) == 39


@pytest.mark.parametrize("phrase,expected,today", SHARED, ids=[r[0] for r in SHARED])
def test_the_shared_phrases(phrase, expected, today):
    assert iso(parse_deadline(phrase, today)) in expected


@pytest.mark.parametrize("phrase,expected,today", SHARED, ids=[r[0] for r in SHARED])
def test_the_shared_phrases_without_diacritics(phrase, expected, today):
    assert iso(parse_deadline(fold(phrase), today)) in expected


TYPED = table("typed_date_phrases.tsv")


@pytest.mark.parametrize("phrase,expected,today", TYPED, ids=[f"{r[2]}:{r[0]}" for r in TYPED])
def test_each_phrase_as_people_type_it(phrase, expected, today):
    assert iso(parse_deadline(phrase, today)) in expected


def test_phrases_as_people_type_them_are_read_at_least_97_percent():
    """Our own table (shorthand, no diacritics, typos, English), kept apart from the shared
    lists. Measure: python -m pytest tests/test_deadlines.py -k people_type -s"""
    rows = table("typed_date_phrases.tsv")
    wrong = [(p, iso(parse_deadline(p, t)), e) for p, e, t in rows if iso(parse_deadline(p, t)) not in e]
    share = 1 - len(wrong) / len(rows)
    print(f"\ntyped_date_phrases.tsv: {len(rows) - len(wrong)}/{len(rows)} = {share:.3f}; wrong: {wrong}")
    assert len(rows) >= 250 and share >= 0.97, wrong


# --- the rules, each at its boundary ---------------------------------------------------------

@pytest.mark.parametrize("phrase,today,expected", [
    # a month without a year: this year's while it is not over, its last day included
    ("tháng 12", date(2026, 12, 31), date(2026, 12, 31)),
    ("tháng 11", date(2026, 12, 1), date(2027, 11, 30)),
    ("tháng 11", date(2026, 11, 30), date(2026, 11, 30)),
    ("tháng 1 năm nay", date(2026, 12, 10), date(2026, 1, 31)),
    ("tháng 1 năm sau", date(2026, 3, 1), date(2027, 1, 31)),
    ("tháng 1/2026", date(2026, 12, 10), date(2026, 1, 31)),
    ("giữa tháng 11", date(2026, 12, 10), date(2027, 11, 15)),
    ("đầu tháng 12", date(2026, 12, 10), date(2026, 12, 10)),
    ("giữa tháng", date(2026, 12, 10), date(2026, 12, 15)),
    ("giữa tháng", date(2026, 12, 20), date(2027, 1, 15)),
    ("giữa tháng", date(2026, 12, 15), date(2026, 12, 15)),
    # quarters and halves
    ("quý 4", date(2026, 12, 31), date(2026, 12, 31)),
    ("quý 3", date(2026, 10, 1), date(2027, 9, 30)),
    ("quý 3", date(2026, 9, 30), date(2026, 9, 30)),
    ("quý 2 năm nay", date(2026, 12, 10), date(2026, 6, 30)),
    ("quý V", TODAY, None),
    ("quý này", date(2026, 5, 5), date(2026, 6, 30)),
    ("quý sau", date(2026, 11, 5), date(2027, 3, 31)),
    ("quý sau", date(2026, 9, 30), date(2026, 12, 31)),
    ("quý sau", date(2026, 1, 1), date(2026, 6, 30)),
    ("cuối quý", date(2026, 7, 1), date(2026, 9, 30)),
    ("6 tháng đầu năm", date(2026, 6, 30), date(2026, 6, 30)),
    ("6 tháng đầu năm", date(2026, 7, 1), date(2027, 6, 30)),
    ("6 tháng đầu năm 2026", date(2026, 12, 10), date(2026, 6, 30)),
    ("6 tháng cuối năm", date(2026, 12, 10), date(2026, 12, 31)),
    ("nửa đầu năm", date(2026, 3, 1), date(2026, 6, 30)),
    ("9 tháng đầu năm", date(2026, 10, 1), date(2027, 9, 30)),
    ("cuối năm 2025", LATE, date(2025, 12, 31)),
    ("năm nay", LATE, date(2026, 12, 31)),
    ("giai đoạn 2026-2030", LATE, date(2030, 12, 31)),
    # a day and month without a year: next year's once more than half a year past
    ("15/6", date(2026, 12, 10), date(2026, 6, 15)),
    ("9/6", date(2026, 12, 10), date(2027, 6, 9)),
    ("10/6", date(2026, 12, 10), date(2026, 6, 10)),
    ("15/6/2026", date(2026, 12, 31), date(2026, 6, 15)),
    ("15/6/26", date(2026, 12, 31), date(2026, 6, 15)),
    ("31/2", LATE, None),
    # "ngày N": this month's from today on, else next month's
    ("ngày 10", LATE, LATE),
    ("ngày 9", LATE, date(2027, 1, 9)),
    ("ngày 31", date(2027, 2, 3), None),
    ("ngày 30 tháng này", date(2026, 11, 3), date(2026, 11, 30)),
    ("ngày 5 tháng sau", LATE, date(2027, 1, 5)),
    # weekdays: today counts; the explicit date wins
    ("thứ 5", LATE, LATE),
    ("thứ 4", LATE, date(2026, 12, 16)),
    ("thứ 2 tuần này", LATE, date(2026, 12, 7)),
    ("thứ 2 tuần sau nữa", LATE, date(2026, 12, 21)),
    ("t3 tuần sau", LATE, date(2026, 12, 15)),
    ("cuối tuần sau", LATE, date(2026, 12, 20)),
    ("trong tuần này", date(2026, 12, 12), date(2026, 12, 12)),
    ("trong tuần này", date(2026, 12, 7), date(2026, 12, 11)),
    ("Thứ Hai, 21/12/2026", LATE, date(2026, 12, 21)),
    ("sáng mai 9h", LATE, date(2026, 12, 11)),
    ("mai 9h", LATE, date(2026, 12, 11)),
    ("chiều mai", LATE, date(2026, 12, 11)),
    ("hôm qua", LATE, date(2026, 12, 9)),
    ("ba ngày nữa", LATE, date(2026, 12, 13)),
    ("trong vòng hai tuần", LATE, date(2026, 12, 24)),
    ("sau 2 tháng", date(2026, 12, 31), date(2027, 2, 28)),
    ("3 tháng nữa", LATE, date(2027, 3, 10)),
    ("1 ngày nữa", LATE, date(2026, 12, 11)),
    ("ngày nữa", LATE, None),
    # extension and range: the end counts
    ("từ 15/12 đến 20/12", LATE, date(2026, 12, 20)),
    ("15/12 - 20/12", LATE, date(2026, 12, 20)),
    ("từ tháng 12/2025 đến quý I/2026", TODAY, date(2026, 3, 31)),
    ("gia hạn đến 15/1 vì chờ số liệu ngày 20/12", LATE, date(2027, 1, 15)),
    # lunar
    ("rằm tháng 7", date(2026, 8, 27), date(2026, 8, 27)),
    ("rằm tháng 7", date(2026, 8, 28), date(2027, 8, 16)),
    ("mùng 1 tháng giêng", date(2027, 2, 6), date(2027, 2, 6)),
    ("trước Tết", date(2027, 2, 6), date(2028, 1, 25)),
    ("Tết", date(2027, 2, 7), date(2028, 1, 26)),
    ("tết dương lịch", date(2026, 1, 1), date(2026, 1, 1)),
    ("trong tháng giêng", LATE, date(2027, 3, 7)),
    ("tháng chạp", date(2027, 2, 5), date(2027, 2, 5)),
    ("31 tháng giêng", LATE, None),
    # English
    ("tomorrow", TODAY, date(2023, 3, 2)),
    ("in 3 days", TODAY, date(2023, 3, 4)),
    ("by March 15", TODAY, date(2023, 3, 15)),
    ("next week", LATE, date(2026, 12, 18)),
    ("3 more days", LATE, date(2026, 12, 13)),
    ("two more weeks", LATE, date(2026, 12, 24)),
    ("another month", date(2026, 12, 31), date(2027, 1, 31)),
    ("an extra day", LATE, date(2026, 12, 11)),
    ("within a month", LATE, date(2027, 1, 10)),
    ("end of year", LATE, date(2026, 12, 31)),
    ("end of november", LATE, date(2027, 11, 30)),
])
def test_rules_at_their_boundaries(phrase, today, expected):
    assert parse_deadline(phrase, today) == expected


@pytest.mark.parametrize("phrase,expected", [
    ("chậm nhất ngày 20/6", "2023-06-20"),
    ("hoàn thành trong tháng 9", "2023-09-30"),
    ("Quý IV/2025", "2025-12-31"),
    ("Dự kiến tháng 11/2025", "2025-11-30"),
    ("đến hết ngày 30/4/2024", "2024-04-30"),
    ("hai tuần nữa", "2023-03-15"),
    ("T6 tuần sau", "2023-03-10"),
    ("quý sau", "2023-06-30"),
    ("giữa tháng 5", "2023-05-15"),
    ("hạn 20.11", "2023-11-20"),
    ("3/2024", "2024-03-31"),
    ("2023-03-20", "2023-03-20"),
    ("Tuần sau em nộp được không ạ, xin gia hạn đến thứ 2 tuần sau", "2023-03-06"),
])
def test_more_phrases(phrase, expected):
    assert parse_deadline(phrase, TODAY) == date.fromisoformat(expected)


@pytest.mark.parametrize("phrase", [
    "không rõ", "xong rồi", "đã xong 80%", "còn 2 việc", "tổ 3", "phòng 201", "lúc 9 giờ", "5 người",
    "2023", "tháng 13", "ngày 45", "ngày 31/2", "làm mãi không xong", "một việc", "12", "",
    "Thực hiện thường xuyên",
    # fractions and percentages are progress, never dates; a proper fraction after a progress word
    "xong 3/4 rồi", "đã xong 2/3 việc", "được 4/4", "xong 1/2", "hoàn thành 7/10 chỉ tiêu", "đạt 50%",
    # vague: no guess
    "sau Tết", "ra Tết", "mai mốt em gửi", "vài hôm nữa", "sớm nhất có thể", "asap", "soon",
    # "Mai" is a person
    "chị Mai gửi rồi", "gửi cho Mai", "Nguyễn Thị Mai", "Mai Văn Nam", "Phòng CN", "UBND xã",
])
def test_text_without_a_date_gives_none(phrase):
    assert parse_deadline(phrase, TODAY) is None


@pytest.mark.parametrize("phrase,expected", [
    ("ngày 3/4", date(2023, 4, 3)),  # a cue word makes it a date
    ("hạn 3/4 rồi", date(2023, 4, 3)),
    ("xong 5/4", date(2023, 4, 5)),  # not a proper fraction
    ("nộp 3/4", date(2023, 4, 3)),
    ("khoảng 20/12", date(2023, 12, 20)),
])
def test_a_day_and_month_that_is_no_fraction(phrase, expected):
    assert parse_deadline(phrase, TODAY) == expected


def test_cli_lines():
    assert list(parse_deadline_lines(["15/3", "không rõ"], TODAY)) == ["2023-03-15", "-"]


def test_a_day_long_past_means_next_year():
    assert parse_deadline("15/1", date(2023, 11, 20)) == date(2024, 1, 15)


def test_long_text_is_cut_not_refused():
    assert parse_deadline("x " * 1000 + "15/3", TODAY) is None
    assert parse_deadline("15/3 " + "x " * 1000, TODAY) == date(2023, 3, 15)


def test_find_all_positions_are_those_of_the_text():
    text = "Hạn: quý II và ngày 15/3"
    spans = [(text[f.start:f.end], f.kind) for f in find_all(text, TODAY)]
    assert spans == [("quý II", "quarter"), ("ngày 15/3", "day")]


# --- the lunar calendar, in the Vietnamese time zone ------------------------------------------

def test_tet_agrees_with_the_holidays_library_including_1985():
    """1985 is the year the new moon fell on different days in Hanoi (UTC+7) and Beijing
    (UTC+8): Vietnam's Tết was 21/1, China's 20/2. The holidays library's Vietnam calendar
    is the reference."""
    years = range(1985, 2051)
    vn = holidays.Vietnam(years=years)
    new_year = {d.year: d for d, name in vn.items() if name == "Lunar New Year"}
    assert len(new_year) == len(years)
    assert {y: tet(y) for y in years} == new_year
    assert tet(1985) == date(1985, 1, 21)


def test_tet_phrases_follow_the_holidays_library():
    vn = holidays.Vietnam(years=2027)
    tet_2027 = next(d for d, name in vn.items() if name == "Lunar New Year")
    assert parse_deadline("Tết", LATE) == tet_2027
    assert parse_deadline("trước Tết", LATE) == tet_2027 - timedelta(days=1)
    assert parse_deadline("mùng 3 Tết", LATE) == tet_2027 + timedelta(days=2)
    hung_kings = next(d for d, name in vn.items() if name == "Hung Kings' Commemoration Day")
    assert parse_deadline("mùng 10 tháng 3 âm lịch", LATE) == hung_kings


def test_lunar_edges():
    assert lunar_to_solar(30, 1, 2027) == date(2027, 3, 7)  # lunar month 1 of 2027 has 30 days
    assert lunar_to_solar(30, 3, 2027) is None  # month 3 has 29
    assert lunar_to_solar(29, 3, 2027) == date(2027, 5, 5)
    assert next_lunar(15, 1, date(2027, 2, 20)) == date(2027, 2, 20)
    assert next_lunar(15, 1, date(2027, 2, 21)) == lunar_to_solar(15, 1, 2028)


def test_calendar_helpers():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 2) == date(2027, 1, 30)
    assert not_over(lambda y: date(y, 6, 30), date(2026, 6, 30), None) == date(2026, 6, 30)
    assert not_over(lambda y: date(y, 6, 30), date(2026, 7, 1), None) == date(2027, 6, 30)
    assert not_over(lambda y: date(y, 6, 30), date(2026, 7, 1), 2026) == date(2026, 6, 30)


@pytest.mark.parametrize("period,year,expected", [
    ("Y", 2026, date(2026, 12, 31)), ("H2", 2026, date(2026, 12, 31)), ("H1", 2026, date(2026, 6, 30)),
    ("q2", 2026, date(2026, 6, 30)), ("Q4", 2026, date(2026, 12, 31)), ("9M", 2026, date(2026, 9, 30)),
    ("M02", 2028, date(2028, 2, 29)), ("M12", 2026, date(2026, 12, 31)), ("M13", 2026, None), ("Qx", 2026, None),
    ("Z", 2026, None), (None, 2026, None), ("Y", None, None),
])
def test_period_end(period, year, expected):
    assert period_end(period, year) == expected


# --- programme sentences ------------------------------------------------------------------------

@pytest.mark.parametrize("sentence,expected", [
    ("Các cơ sở gửi về Ban Chỉ đạo Quận trước ngày 15/3/2023.", date(2023, 3, 15)),
    ("Thực hiện Chỉ thị số 30-CT/TW, ngày 18/2/1998 của Bộ Chính trị, hoàn thành trong tháng 9", date(2023, 9, 30)),
    ("Quán triệt Nghị quyết số 15-NQ/TW ngày 05/5/2022 của Bộ Chính trị", None),
    ("phát triển Thủ đô đến năm 2030, tầm nhìn đến năm 2045", None),
    ("Sơ kết công tác 9 tháng; triển khai nhiệm vụ 3 tháng cuối năm 2023", None),
    ("Báo cáo kết quả chậm nhất ngày 20/6", date(2023, 6, 20)),
    ("Tổ chức hội nghị ngày mai", None),
    ("Hoàn thành trước Tết", date(2023, 1, 21)),
    ("Thực hiện từ tháng 3 đến hết tháng 6/2023", date(2023, 6, 30)),
    ("Hoàn thành trước ngày 30/1/2022", None),  # before not_before
    ("Hoàn thành trước ngày 1/1/2023", date(2023, 1, 1)),  # on not_before
    ("Hoàn thành trong năm 2023", date(2023, 12, 31)),  # a year that is no horizon
    ("Tầm nhìn đến năm 2030; hoàn thành trước ngày 30/6/2023", date(2023, 6, 30)),
    ("Hoàn thành trong tháng 3 đến tháng 6/2023", date(2023, 6, 30)),  # a range: its end
    ("Báo cáo trước ngày mai", None),  # relative words are not programme deadlines
    ("Hoàn thành trước thứ 6 tuần sau", None),
    ("Hoàn thành trước ngày 15/3/2023. " + "Nội dung. " * 600, date(2023, 3, 15)),  # a long text is cut
    # dotted days in a range after "từ" (a newspaper's list of milestones): its last day
    ("*Từ 22.2 - 27.2: Các địa phương gửi dự kiến danh sách đơn vị bầu cử", date(2023, 2, 27)),
    ("Từ ngày 22.2-27.2 tiếp nhận hồ sơ", date(2023, 2, 27)),
    ("Sửa đổi mục 1.2 - 1.5 của quy chế", None),  # section numbers, no "từ"
])
def test_deadlines_inside_programme_sentences(sentence, expected):
    assert find_deadline(sentence, date(2023, 1, 1), not_before=date(2023, 1, 1)) == expected


@pytest.mark.parametrize("sentence,cited", [
    ("Thực hiện Kế hoạch số 12/KH-UBND ngày 5/1/2023 về công tác", True),
    ("Căn cứ Quyết định số 123/QĐ-UBND, ngày 20/3/2023", True),
    ("Nghị quyết 15-NQ/TW ngày 5/5/2022", True),
    ("văn bản ban hành ngày 5/1/2023", True),
    ("tổ chức hội nghị ngày 5/1/2023", True),
    ("ngày 5/1/2023 của Chính phủ", True),
    ("ngày 5/1/2023 về việc tăng cường", True),
    ("hoàn thành trước ngày 5/1/2023", False),
    ("gửi báo cáo ngày 5/1/2023", False),
    ("Chỉ thị số 30-CT/TW, thực hiện hoàn thành trước ngày 5/1/2023", False),
    ("ngày 5/1/2023", False),
    ("Quyết định số 12/QĐ-UBND tuần sau", False),  # a weekday is never a citation
    ("Kế hoạch số 5/KH-UBND tháng 3/2023", True),  # a month
    ("Thực hiện Nghị quyết năm 2022", True),  # a year
    ("Tổ chức Hội nghị quý II/2023", False),  # a quarter is never a citation
])
def test_cited_dates(sentence, cited):
    folded = prepare_keep_positions(sentence)
    first = find_all(sentence, TODAY)[-1]
    assert is_cited_date(folded, first) is cited


@pytest.mark.parametrize("text,expected", [
    ("Báo cáo trước ngày 15 hằng tháng", "monthly:15"),
    ("định kỳ hằng tháng", "monthly"),
    ("định kỳ hằng quý", "quarterly"),
    ("báo cáo hằng tuần", "weekly"),
    ("6 tháng một lần", "half-yearly"),
    ("tổng kết hằng năm", "yearly"),
    ("Tổ chức hội nghị", None),
])
def test_recurrence(text, expected):
    assert parse_recurrence(text) == expected


def test_open_ended():
    assert is_open_ended("Thường xuyên") and is_open_ended("thực hiện liên tục") and is_open_ended("khi có yêu cầu")
    assert not is_open_ended("Quý IV/2025") and not is_open_ended("")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text):
    got = parse_deadline(text, TODAY)
    assert got is None or isinstance(got, date)
    found = find_deadline(text, TODAY)
    assert found is None or isinstance(found, date)
    parse_recurrence(text)
