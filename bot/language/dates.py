"""Vietnamese date phrases -> dates: the rules and the reader.

Our own rules run first on folded text (no diacritics, lower case): they know the
Vietnamese calendar words dateparser does not (quarters, half-years, "mùng", "tuần sau",
"bữa", lunar days, Tết). dateparser reads what is left (English phrases, month names).

How people mean dates:
- a month, quarter or half-year named without a year is the next one that is not over
  ("quý 1" said in December is next year's);
- a day and month without a year long past means next year's ("10/1" in December);
- an explicit date beats a weekday or relative word next to it ("Thứ Sáu, 18/12/2026");
- a fraction after a progress word is not a date ("xong 3/4 rồi");
- vague phrases ("sau Tết", "mai mốt", "vài hôm nữa") give no date: never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from datetime import date, timedelta

from bot.language.calendar import (add_months, month_end, next_lunar, next_quarter_end, not_over, quarter_end,
                                   shift_month, tet, lunar_to_solar, lunar_year_of)
from bot.language.text import expand_shorthand, fold_keep, nfc

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
          "xi": 11, "xii": 12}
_MONTHWORD = {"mot": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "bay": 7, "tam": 8, "chin": 9, "muoi": 10,
              "muoi mot": 11, "muoi hai": 12}
_WORDNUM = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5, "sau": 6, "bay": 7,
            "tam": 8, "chin": 9, "muoi": 10, "muoi lam": 15, "hai muoi": 20, "ba muoi": 30}
_NUM = r"(?<!thu )(?:\d{1,3}|muoi lam|hai muoi|ba muoi|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi)"
_QNUM = r"(?:iv|iii|ii|i|[1-4])"
# "tháng sáu" folded is "thang sau", which is "tháng sau" (next month): the words leave six out
_MWORD = r"(?:muoi hai|muoi mot|muoi|mot|gieng|hai|ba|tu|bon|nam(?!\s+(?:nay|sau|toi|hien tai|\d))|bay|tam|chin)"
_MNUM = r"(?:xii|xi|x|ix|viii|vii|vi|v|iv|iii|ii|i|1[0-2]|0?[1-9]|" + _MWORD.replace("gieng|", "") + ")"
_LMNUM = rf"(?:{_MNUM}|gieng|chap)"
YEAR = r"(?:19|20)\d{2}"
# weekday words: Monday = 0
_WEEKDAY = {"hai": 0, "2": 0, "ba": 1, "3": 1, "tu": 2, "4": 2, "nam": 3, "5": 3, "sau": 4, "6": 4,
            "bay": 5, "7": 5, "chu nhat": 6, "cn": 6}
_NEXT = r"(?:sau|toi|ke tiep|ke den|tiep theo)"
_LUNAR_MONTH = {"gieng": 1, "chap": 12}
_EN_MONTH = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                         "dec"), start=1)}
_EN_MONTHS = r"(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"

# A number right after these is progress ("xong 3/4"), not a day and month.
_PROGRESS_BEFORE = re.compile(r"\b(?:xong|duoc|dat|lam|hoan thanh|tien do|khoang|con|tien do dat|xong duoc)\s*$")
_COUNT_AFTER = re.compile(r"^\s*(?:viec|phan|cong viec|nhiem vu|hang muc|dau viec|chi tieu|muc|noi dung|roi|%|so)\b")
_DATE_CUE_BEFORE = re.compile(r"\b(?:ngay|hom|han|truoc|den|toi|vao|mung|sang|het)\s*$")


@dataclass(frozen=True)
class Found:
    """A date expression inside a text: where it is and what it means."""

    start: int
    end: int
    value: date | None  # None for a vague phrase that rules out a guess
    kind: str  # "day", "month", "quarter", "half", "year", "relative", "weekday", "lunar", "vague"


def _num(tok: str | None) -> int | None:
    if tok is None:
        return 1
    tok = tok.strip()
    return int(tok) if tok.isdigit() else _WORDNUM.get(tok)


def _roman_or_int(tok: str) -> int | None:
    tok = tok.strip().lower()
    if tok.isdigit():
        return int(tok)
    return _ROMAN.get(tok) or _LUNAR_MONTH.get(tok) or _MONTHWORD.get(tok)


def safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _year(m: re.Match, today: date) -> int | None:
    """The year a match names: written ("2027", "27"), or "năm sau"/"năm nay"; else None."""
    g = m.groupdict()
    if g.get("y"):
        y = g["y"]
        return int("20" + y if len(y) == 2 else y)
    rel = g.get("rel")
    if rel:
        return today.year if rel in ("nay", "hien tai") else today.year + 1
    return None


VAGUE = object()  # a builder's answer for a phrase that must not be read as any date

# --- builders: (match, today) -> a date, None (not this rule) or VAGUE ------------------------


def _monday(t: date) -> date:
    return t - timedelta(days=t.weekday())


def _dmy(m: re.Match, t: date) -> date | None:
    return safe_date(_year(m, t) or t.year, int(m["m"]), int(m["d"]))


def _dm_bare(m: re.Match, t: date) -> date | None:
    """A day and month with no cue word: a proper fraction after a progress word or before
    a count ("xong 3/4", "2/3 việc") is not a date."""
    before, after = m.string[:m.start()], m.string[m.end():]
    proper = int(m["d"]) <= int(m["m"])
    if proper and not _DATE_CUE_BEFORE.search(before) and (_PROGRESS_BEFORE.search(before)
                                                          or _COUNT_AFTER.match(after)):
        return None
    return _dmy(m, t)


def _day_of_month(m: re.Match, t: date, months_ahead: int | None = None) -> date | None:
    """"ngày 20": this month's if not past, else next month's; "ngày 5 tháng sau": next month's."""
    d = int(m["d"])
    if months_ahead is not None:
        return safe_date(*shift_month(t, months_ahead), d)
    got = safe_date(t.year, t.month, d)
    if got is None or got >= t:
        return got  # "ngày 31" in February names no day: no guess
    return safe_date(*shift_month(t, 1), d)


def _month_of(m: re.Match, t: date, day: int | None = None) -> date | None:
    mo = _roman_or_int(m["m"])
    if not mo or not 1 <= mo <= 12:
        return None
    return _not_over_month(mo, day, t, _year(m, t))


def _in_month(m: re.Match, t: date, months_ahead: int, day: int | None) -> date | None:
    """A day of this or next month ("đầu tháng sau"), or its end (day None)."""
    y, mo = shift_month(t, months_ahead)
    return safe_date(y, mo, day) if day else month_end(y, mo)


def _mid_month(m: re.Match, t: date) -> date | None:
    """"giữa tháng": the 15th of this month, or of next month once past."""
    mid = safe_date(t.year, t.month, 15)
    return mid if mid >= t else safe_date(*shift_month(t, 1), 15)


def _end_of_named_month(m: re.Match, t: date) -> date | None:
    return _not_over_month(_EN_MONTH[m["m"][:3]], None, t, None)


def _quarter(m: re.Match, t: date) -> date | None:
    q = _roman_or_int(m["q"])
    if not q or not 1 <= q <= 4:
        return None
    return not_over(lambda y: quarter_end(y, q), t, _year(m, t))


def _this_quarter(m: re.Match, t: date) -> date:
    return quarter_end(t.year, (t.month - 1) // 3 + 1)


def _next_quarter(m: re.Match, t: date) -> date:
    return next_quarter_end(t)


def _period(m: re.Match, t: date, month: int, day: int) -> date | None:
    """Half-year or nine months: the next one not over, unless a year is named."""
    return not_over(lambda y: date(y, month, day), t, _year(m, t))


def _year_end(m: re.Match, t: date, years_ahead: int = 0) -> date:
    return date((_year(m, t) or t.year) + years_ahead, 12, 31)


def _written_year_end(m: re.Match, t: date) -> date:
    return date(int(m["y"]), 12, 31)


def _rel(m: re.Match, t: date, unit: str | None = None) -> date | None:
    n = _num(m.groupdict().get("n"))
    if n is None:
        return None
    unit = unit or {"tuan": "w", "thang": "m"}.get(m["u"], "d")
    if unit == "d":
        return t + timedelta(days=n)
    if unit == "w":
        return t + timedelta(weeks=n)
    return add_months(t, n)


def _days(m: re.Match, t: date, n: int) -> date:
    return t + timedelta(days=n)


def _week_day(m: re.Match, t: date, n: int) -> date:
    """Day n of this week (Monday = 0; 7 = next Monday …)."""
    return _monday(t) + timedelta(days=n)


def _weekday(m: re.Match, t: date, week_offset: int | None = None) -> date | None:
    wd = _WEEKDAY.get(m["wd"] or m["wd2"] or m["wd3"])
    if wd is None:
        return None
    if week_offset is None:  # bare weekday: the next one, today included
        return t + timedelta(days=(wd - t.weekday()) % 7)
    return _monday(t) + timedelta(weeks=week_offset, days=wd)


def _this_week_end(m: re.Match, t: date) -> date:
    """"trong tuần này": Friday, the last working day; at the weekend, that day."""
    return max(_monday(t) + timedelta(days=4), t)


_NAME_BEFORE = re.compile(r"\b(?:chi|anh|co|em|ban|ong|ba|c|a|e|b|gui|cho|voi|hoi|cua)\s*$")


def _tomorrow_unless_name(m: re.Match, t: date) -> date | None:
    """"mai" is tomorrow, but "chị Mai" is a person."""
    return None if _NAME_BEFORE.search(m.string[:m.start()]) else t + timedelta(days=1)


def _lunar(m: re.Match, t: date) -> object:
    mo = _roman_or_int(m["m"])
    if not mo or not 1 <= mo <= 12:
        return None
    d = int(m["d"]) if m.groupdict().get("d") else 15  # "rằm": the 15th
    return next_lunar(d, mo, t) or VAGUE  # "31 tháng giêng" names no day: no guess


def _mid_autumn(m: re.Match, t: date) -> date | None:
    return next_lunar(15, 8, t)


def _lunar_month_end(m: re.Match, t: date) -> date | None:
    mo = _roman_or_int(m["m"])
    ly = lunar_year_of(t)
    for y in (ly, ly + 1):
        start_next = lunar_to_solar(1, mo + 1, y) if mo < 12 else tet(y + 1)
        if start_next is not None and start_next - timedelta(days=1) >= t:
            return start_next - timedelta(days=1)
    return None


def _tet(m: re.Match, t: date, offset: int | None = None) -> date | None:
    """Tết (+ offset days; "mùng N Tết" when offset is None): the next one not over."""
    if offset is None:
        offset = int(m["d"]) - 1
    ly = lunar_year_of(t)
    for y in (ly, ly + 1):
        first = tet(y)
        if first is not None and first + timedelta(days=offset) >= t:
            return first + timedelta(days=offset)
    return None


def _new_year(m: re.Match, t: date) -> date | None:
    return not_over(lambda y: date(y, 1, 1), t, None)


def _vague(m: re.Match, t: date) -> object:
    return VAGUE


def _more(m: re.Match, t: date) -> date:
    """"one more week", "another day", "3 more days", "within a week": from today."""
    n = m["n"] or m["n2"]
    n = 1 if n is None else (int(n) if n.isdigit() else _EN_NUM[n])
    unit = m["u"][0]
    if unit == "m":
        return add_months(t, n)
    return t + timedelta(days=n * (7 if unit == "w" else 1))


# --- the rules: (pattern on folded text, builder, kind); order matters, specific first -----

_D = r"(?P<d>[0-3]?\d)"
_M = r"(?P<m>1[0-2]|0?[1-9])"
_Y = r"(?P<y>(?:19|20)\d{2})"
_YOPT = rf"(?:\s*(?:nam\s+|/\s*|-\s*|,\s*){_Y}|\s+nam\s+(?P<rel>sau|toi|nay|hien tai))?"
_YREL = rf"(?:\s+{_Y}|\s+(?P<rel>sau|toi|nay))?"
_WD = r"(?:\bthu\s*(?P<wd>hai|ba|tu|nam|sau|bay|[2-7])|\b(?P<wd2>chu nhat|cn)|\bt(?P<wd3>[2-7]))"
# alone, "CN" is Sunday only as the whole text or after a cue word ("Phòng CN" is a unit)
_WD_ALONE = _WD.replace(r"\b(?P<wd2>chu nhat|cn)", r"(?P<wd2>\bchu nhat|^cn|(?<=den |toi |han |vao )cn|(?<=truoc )cn)")
_AL = r"\s*(?:\(?\s*(?:am lich|al|a\.l)\s*\)?)"
_FOR = r"(?:trong\s+(?:vong\s+)?|sau\s+|them\s+|in\s+|within\s+)"

Builder = Callable[[re.Match, date], object]
_RULE_TABLE: list[tuple[str, Builder, str]] = [
    # vague: no date at all, whatever else the text holds
    (r"\b(?:sau|ra|qua|het|dip|quanh|sat) tet\b(?! (?:duong|tay))|\bmai mot\b|\bvai (?:hom|ngay|bua|tuan|thang)"
     r"|\b(?:som nhat co the|khi nao xong|chua biet khi nao|asap|sometime|some day|soon)\b"
     r"|(?<!thang )(?<!nua )\bdau nam\b|\bbua sau\b", _vague, "vague"),
    # lunar dates: "mùng 8 tháng giêng", "rằm tháng Giêng", "15/8 âm lịch", "mùng 3 Tết", "trước Tết"
    (r"\b(?:ngay\s+|mung\s+|mong\s+)?(?P<d>[0-3]?\d)\s+thang\s+(?P<m>gieng|chap)\b", _lunar, "lunar"),
    (rf"\b(?:ngay\s+|mung\s+|mong\s+)?(?P<d>[0-3]?\d)\s*(?:/|\s+thang\s+)\s*(?P<m>1[0-2]|0?[1-9]){_AL}", _lunar, "lunar"),
    (rf"\bram\s+thang\s+(?P<m>{_LMNUM})(?:{_AL})?", _lunar, "lunar"),
    (r"\b(?:tet\s+)?trung thu\b", _mid_autumn, "lunar"),
    (r"\b(?:mung|mong)\s+(?P<d>[1-9]|10)\s+tet\b", _tet, "lunar"),
    (r"\btet\s+(?:duong lich|tay)\b", _new_year, "day"),
    (r"\btruoc\s+(?:ky nghi\s+|dip\s+|nghi\s+)?tet\b", partial(_tet, offset=-1), "lunar"),
    (r"\b(?:den|toi|han|trong|vao)\s+(?:dip\s+)?tet\b|^tet(?: nguyen dan| am lich)?$", partial(_tet, offset=0), "lunar"),
    (r"\b(?:cuoi|het|trong)?\s*thang\s+(?P<m>gieng|chap)\b", _lunar_month_end, "lunar"),
    # full numeric dates
    (rf"\b{_Y}-(?P<m>1[0-2]|0[1-9])-(?P<d>[0-3]\d)\b", _dmy, "day"),
    (rf"\b{_D}\s*[/.\-]\s*{_M}\s*[/.\-]\s*{_Y}\b", _dmy, "day"),
    (rf"\b{_D}(?P<sep>[/.\-]){_M}(?P=sep)(?P<y>\d{{2}})\b(?![/.\-]\d)", _dmy, "day"),
    (rf"\bngay\s+{_D}\s+thang\s+{_M}\s*(?:nam\s+|[/,]\s*){_Y}\b", _dmy, "day"),
    (rf"\b(?:ngay|mung|mong)\s+{_D}\s+(?:thang\s+)?{_M}{_YOPT}\b", _dmy, "day"),
    (rf"\b{_D}\s+thang\s+{_M}{_YOPT}\b", _dmy, "day"),
    (rf"\b(?:ngay|mung)\s+{_D}\s*/\s*{_M}\b(?!\s*/)", _dmy, "day"),
    (rf"\b[0-3]?\d\s*[-–]\s*{_D}\s*/\s*{_M}\b(?!\s*/)", _dmy, "day"),
    (rf"(?<![\d/.,\-]){_D}\s*/\s*{_M}\b(?!\s*/|[.,]\d)", _dm_bare, "day"),
    (rf"\b(?:ngay\s+)?{_D}\s+thang\s+(?:nay|hien tai)\b", partial(_day_of_month, months_ahead=0), "day"),
    (rf"\b(?:ngay\s+)?{_D}\s+thang\s+{_NEXT}\b", partial(_day_of_month, months_ahead=1), "day"),
    # "Từ 22.2 - 27.2": a range of dotted days after "từ", its last day
    (rf"\btu\s+(?:ngay\s+)?[0-3]?\d\.(?:1[0-2]|0?[1-9])\s*[-–]\s*{_D}\.{_M}\b(?!\.\d)", _dmy, "day"),
    (rf"\b(?:ngay|truoc|han|den|toi|vao)\s+{_D}\.{_M}\b(?!\.\d)", _dmy, "day"),
    (rf"(?<![\w/.,\-]){_D}-{_M}\b(?![\d/.\-]|\s*(?:ngay|tuan|thang|nam|hom|bua|gio|nguoi|viec|%))", _dm_bare, "day"),
    # "tháng 4/2021" (its end); "đầu/giữa tháng 4/2021" are the rules below
    (rf"(?<!quy )(?<!q)(?<!dau )(?<!giua )(?<!thang )\b(?:thang\s+)?(?P<m>1[0-2]|0?[1-9])\s*/\s*{_Y}\b",
     _month_of, "month"),
    # a day of this or next month: "ngày 20", "by the 20th"
    (rf"\bthe\s+{_D}(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?{_EN_MONTHS})", _day_of_month, "day"),
    (rf"\b(?:ngay|hom|mung)\s+{_D}\b(?!\s*(?:[/.\-]\s*\d|thang|ngay|tuan|nguoi|viec|%|gio|h\b))", _day_of_month, "day"),
    # month with a position in it
    (rf"\bgiua\s+thang\s+(?P<m>{_MNUM}){_YOPT}\b", partial(_month_of, day=15), "month"),
    (rf"\bdau\s+thang\s+(?P<m>{_MNUM}){_YOPT}\b", partial(_month_of, day=10), "month"),
    (rf"\b(?:cuoi\s+|het\s+|trong\s+|den\s+)?thang\s+(?P<m>{_MNUM}){_YOPT}\b"
     r"(?!\s*(?:nam\s+dau|dau nam|cuoi nam|nua|toi|sau|qua|truoc))", _month_of, "month"),
    (r"\b(?:cuoi|het|trong)?\s*thang\s+(?:nay|hien tai)\b", partial(_in_month, months_ahead=0, day=None), "month"),
    (rf"\bdau\s+thang\s+{_NEXT}\b", partial(_in_month, months_ahead=1, day=10), "month"),
    (rf"\bgiua\s+thang\s+{_NEXT}\b|\bmid next month\b", partial(_in_month, months_ahead=1, day=15), "month"),
    (rf"\b(?:cuoi|het|trong)?\s*thang\s+{_NEXT}\b(?!\s+nua)|\bend of next month\b",
     partial(_in_month, months_ahead=1, day=None), "month"),
    (r"\b(?:cuoi|het)\s+thang\b|\bend of (?:the |this )?month\b", partial(_in_month, months_ahead=0, day=None), "month"),
    (rf"\bend of (?P<m>{_EN_MONTHS})\b", _end_of_named_month, "month"),
    (r"\bgiua\s+thang\b", _mid_month, "month"),
    # quarters
    (rf"\b(?:cuoi|het|trong|ket thuc|den)?\s*(?:quy|end of q|q)\s*(?P<q>{_QNUM})\b(?!\.\d|-\d{{1,2}}(?!\d))"
     rf"(?:\s*(?:nam\s+|/\s*|-\s*){_Y}|\s+nam\s+(?P<rel>sau|toi|nay|hien tai))?", _quarter, "quarter"),
    (r"\b(?:cuoi|het|trong)?\s*quy\s+(?:nay|hien tai)\b", _this_quarter, "quarter"),
    (rf"\b(?:cuoi|het|trong)?\s*quy\s+{_NEXT}\b", _next_quarter, "quarter"),
    (r"\b(?:cuoi|het)\s+quy\b|\bend of (?:the |this )?quarter\b", _this_quarter, "quarter"),
    # half-year, nine months, the year
    (rf"\b(?:06|6|sau)\s+thang\s+dau\s+nam{_YREL}\b", partial(_period, month=6, day=30), "half"),
    (rf"\b(?:06|6|sau)\s+thang\s+cuoi\s+nam{_YREL}\b", partial(_period, month=12, day=31), "half"),
    (rf"\bnua\s+(?:dau\s+)?nam{_YREL}\b(?<!cuoi nam)", partial(_period, month=6, day=30), "half"),
    (rf"\b(?:09|9|chin)\s+thang(?:\s+dau)?\s+nam{_YREL}\b", partial(_period, month=9, day=30), "half"),
    (r"\b(?:cuoi|het|trong|ca)\s+nam\s+(?:sau|toi)\b|\bend of next year\b", partial(_year_end, years_ahead=1), "year"),
    (rf"\b(?:cuoi|het|trong|ca)\s+nam(?:\s+{_Y})?\b|\bend of (?:the |this )?year\b", _year_end, "year"),
    (r"\bnam\s+(?:nay|hien tai)\b", _year_end, "year"),
    (r"(?<!nhung )(?<!cac )\bnam\s+(?:sau|toi)\b", partial(_year_end, years_ahead=1), "year"),
    (rf"\b(?:giai doan|thoi ky|tu nam)?\s*(?:19|20)\d{{2}}\s*(?:[-–]|den(?: nam)?)\s*{_Y}\b", _written_year_end, "year"),
    # weekdays
    (rf"{_WD}\s+(?:tuan\s+)?(?:nay|hien tai)\b", partial(_weekday, week_offset=0), "weekday"),
    (rf"{_WD}\s+tuan\s+sau\s+nua\b", partial(_weekday, week_offset=2), "weekday"),
    (rf"{_WD}\s+tuan\s+{_NEXT}\b", partial(_weekday, week_offset=1), "weekday"),
    (rf"{_WD_ALONE}\b", _weekday, "weekday"),
    (rf"\bcuoi\s+tuan\s+{_NEXT}\b", partial(_week_day, n=13), "weekday"),
    (rf"\bdau\s+tuan\s+{_NEXT}\b|\bearly next week\b", partial(_week_day, n=7), "weekday"),
    (rf"\bgiua\s+tuan\s+{_NEXT}\b|\bmid next week\b", partial(_week_day, n=9), "weekday"),
    (r"\b(?:cuoi|het)\s+tuan(?:\s+nay)?\b|\bend of (?:the |this )?week\b|\bthis weekend\b", partial(_week_day, n=6),
     "weekday"),
    (r"\btuan\s+sau\s+nua\b", partial(_week_day, n=18), "weekday"),
    (rf"\btuan\s+{_NEXT}\b|\bnext week\b", partial(_week_day, n=11), "weekday"),
    (r"\b(?:trong\s+)?tuan\s+(?:nay|hien tai)\b|\btrong tuan\b|\bthis week\b", _this_week_end, "weekday"),
    # relative days / weeks / months
    (r"\b(?:hom nay|bua nay|ngay hom nay|trong ngay|(?:sang|chieu|trua|toi|dem)\s+nay|today|tonight|eod|end of (?:the )?day)\b",
     partial(_days, n=0), "relative"),
    (r"\bhom qua\b|\byesterday\b", partial(_days, n=-1), "relative"),
    (r"\bhom kia\b", partial(_days, n=-2), "relative"),  # Northern usage: the day before yesterday
    (r"\b(?:ngay|sang|chieu|trua|toi|dem|truoc|han|den|het|hom)\s+mai\b", partial(_days, n=1), "relative"),
    # "mai" alone, before what someone will do, or after it; elsewhere it may be a name ("Nguyễn Thị Mai")
    (r"^mai\s*$|\bmai(?=\s+(?:em|toi|minh|se|nop|gui|lam|bao cao|xong|hoan thanh|nhe|nha|a|la|duoc|chac|co|sang|chieu|trua"
     r"|\d{1,2} gio)\b)"
     r"|\b(?:nop|gui|lam|xong|bao cao|de|hen|truoc|den|toi|han|tu)\s+mai\s*$",
     _tomorrow_unless_name, "relative"),
    (r"\b(?:ngay kia|ngay mot)\b|^(?:truoc\s+|han\s+)?mot$|^mot\s+(?=(?:em|toi|minh|se|nop|gui)\b)",
     partial(_days, n=2), "relative"),
    (rf"\b(?P<n>{_NUM})\s+(?:ngay|hom|bua)\s+(?:nua|toi|sau|ke tiep)\b", partial(_rel, unit="d"), "relative"),
    (r"\b(?:trong\s+(?:vong\s+)?)?nua\s+thang\s+(?:nua|toi)\b|\btrong\s+(?:vong\s+)?nua\s+thang\b"
     r"|\b(?:them|gia han|lui|lui han|hoan)\s+(?:them\s+)?nua\s+thang\b",
     partial(_days, n=15), "relative"),
    (rf"\b(?:gia han|lui han|lui|hoan|doi han)\s+(?:them\s+)?(?P<n>{_NUM})\s+(?P<u>ngay|hom|bua|tuan|thang)\b",
     _rel, "relative"),
    (rf"\b{_FOR}(?P<n>{_NUM})\s+(?:ngay|hom|bua|days?)\b", partial(_rel, unit="d"), "relative"),
    (rf"\b(?P<n>{_NUM})\s+tuan\s+(?:nua|toi|sau)\b", partial(_rel, unit="w"), "relative"),
    (r"\b(?:(?P<n>\d{1,3}|one|two|three|a|an)\s+more|another|extra|(?:in|within)\s+(?P<n2>one|two|three|a|an))"
     r"\s+(?P<u>days?|weeks?|months?)\b", _more, "relative"),
    (rf"\b{_FOR}(?P<n>{_NUM})\s+(?:tuan|weeks?)\b", partial(_rel, unit="w"), "relative"),
    (rf"\b(?P<n>{_NUM})\s+thang\s+(?:nua|toi|sau)\b", partial(_rel, unit="m"), "relative"),
    (rf"\b{_FOR}(?P<n>{_NUM})\s+(?:thang|months?)\b", partial(_rel, unit="m"), "relative"),
    # a bare year ("năm 2025", "trong năm 2025")
    (rf"\bnam\s+{_Y}\b", _written_year_end, "year"),
]
RULES: list[tuple[re.Pattern, Builder, str]] = [(re.compile(p), b, k) for p, b, k in _RULE_TABLE]


_EN_NUM = {"one": 1, "a": 1, "an": 1, "two": 2, "three": 3}


def _not_over_month(month: int, day: int | None, today: date, year: int | None) -> date | None:
    """A day inside a month named without a year: this year's unless that month is over."""
    if year is None:
        year = today.year if month_end(today.year, month) >= today else today.year + 1
    return safe_date(year, month, day) if day else month_end(year, month)


def scan(s: str, today: date) -> list[Found]:
    """Every date expression in the prepared (folded) string `s`, in text order."""
    found: list[Found] = []
    taken: list[tuple[int, int]] = []
    for pat, build, kind in RULES:
        for m in pat.finditer(s):
            a, b = m.span()
            while a < b and s[a] == " ":
                a += 1
            if a == b or any(a < tb and ta < b for ta, tb in taken):
                continue
            try:
                value = build(m, today)
            except (ValueError, OverflowError, TypeError, IndexError):
                value = None
            if value is None:
                continue
            taken.append((a, b))
            found.append(Found(a, b, None, "vague") if value is VAGUE else Found(a, b, value, kind))
    found.sort(key=lambda f: f.start)
    return found


def prepare_keep_positions(text: str) -> str:
    """Folded text with the same length as the NFC input, so spans map back."""
    return re.sub(r"[\s\u00a0“”\"'`]", " ", fold_keep(text))


def prepare_chat(text: str) -> str:
    """Folded text with chat shorthand written out (positions do not map back)."""
    s = nfc(text)
    s = re.sub(r"(?i)\bmai\s+mốt\b", "mai mot", s)  # "some day soon": vague
    s = re.sub(r"(?i)(?<!mai )\bmốt\b", "ngày kia", s)  # "mốt" (day after tomorrow) is not "một" (one)
    return re.sub(r"\s+", " ", expand_shorthand(prepare_keep_positions(s))).strip()


_UNTIL = re.compile(r"\b(?:den|toi|cho den|han den|gia han den|den het|until|to|sang)\b")
_RANGE = re.compile(r"\btu\b.*\b(?:den|toi)\b|\s[-–]\s")
_EXPLICIT = ("day", "lunar")


def read(s: str, today: date) -> date | None:
    """The date a prepared phrase names, or None."""
    found = scan(s, today)
    if not found:
        return None
    explicit = [f for f in found if f.kind in _EXPLICIT]
    if any(f.kind == "vague" for f in found) and not explicit:
        return None
    found = [f for f in found if f.kind != "vague"]
    if explicit and any(f.kind in ("weekday", "relative") for f in found):
        found = explicit  # "Thứ Sáu, 18/12/2026": the date wins
    # a range or an extension: the part after the last "đến" wins
    cut = None
    for m in _UNTIL.finditer(s):
        cut = m.end()
    if cut is not None:
        after = [f for f in found if f.start >= cut]
        if after:
            return roll(after[0], s, today)
    return roll(found[-1] if len(found) > 1 and _RANGE.search(s) else found[0], s, today)


def roll(f: Found, s: str, today: date) -> date:
    """A day and month without a year that is long past means next year's ("15/1" in December)."""
    value = f.value
    if f.kind == "day" and not re.search(YEAR + r"|\d\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2}", s[f.start:f.end]):
        if value < today - timedelta(days=183):
            return safe_date(value.year + 1, value.month, value.day) or value
    return value
