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

_Rule = tuple[str, Callable[[re.Match], object], str]


def _rules(today: date) -> list[_Rule]:
    """(pattern, builder, kind); builders get the match and return a date, None (not this
    rule) or VAGUE. Order matters: specific before general. Every pattern runs on folded text."""
    ty = today.year
    monday = today - timedelta(days=today.weekday())

    def dmy(m):
        return safe_date(_year(m, today) or ty, int(m["m"]), int(m["d"]))

    def dm_bare(m):
        """A day and month with no cue word: a fraction after a progress word is not a date."""
        before, after = m.string[:m.start()], m.string[m.end():]
        proper = int(m["d"]) <= int(m["m"])
        if proper and not _DATE_CUE_BEFORE.search(before) and (_PROGRESS_BEFORE.search(before)
                                                              or _COUNT_AFTER.match(after)):
            return None
        return dmy(m)

    def day_of_month(m):
        """"ngày 20": this month's if not past, else next month's."""
        d = int(m["d"])
        got = safe_date(ty, today.month, d)
        if got is None or got >= today:
            return got  # "ngày 31" in February names no day: no guess
        return safe_date(*shift_month(today, 1), d)

    def month_of(m, which="end"):
        mo = _roman_or_int(m["m"])
        if not mo or not 1 <= mo <= 12:
            return None
        return _not_over_month(mo, {"mid": 15, "early": 10}.get(which), today, _year(m, today))

    def quarter(m):
        q = _roman_or_int(m["q"])
        if not q or not 1 <= q <= 4:
            return None
        return not_over(lambda y: quarter_end(y, q), today, _year(m, today))

    def period(month: int, day: int):
        return lambda m: not_over(lambda y: date(y, month, day), today, _year(m, today))

    def rel(m, unit):
        n = _num(m.groupdict().get("n"))
        if n is None:
            return None
        if unit == "d":
            return today + timedelta(days=n)
        if unit == "w":
            return today + timedelta(weeks=n)
        return add_months(today, n)

    def weekday(m, week_offset: int | None):
        tok = m["wd"] or m["wd2"] or m["wd3"]
        wd = _WEEKDAY.get(tok)
        if wd is None:
            return None
        if week_offset is None:  # bare weekday: the next one, today included
            return today + timedelta(days=(wd - today.weekday()) % 7)
        return monday + timedelta(weeks=week_offset, days=wd)

    def this_week_end(m):
        """"trong tuần này": Friday, the last working day; at the weekend, Sunday."""
        return max(monday + timedelta(days=4), min(today, monday + timedelta(days=6)))

    def tomorrow_unless_name(m):
        """"mai" is tomorrow, but "chị Mai" is a person."""
        if re.search(r"\b(?:chi|anh|co|em|ban|ong|ba|c|a|e|b|gui|cho|voi|hoi|cua)\s*$", m.string[:m.start()]):
            return None
        return today + timedelta(days=1)

    def lunar(m):
        mo = _roman_or_int(m["m"])
        d = int(m["d"]) if m.groupdict().get("d") else 15
        if not mo or not 1 <= mo <= 12:
            return None
        return next_lunar(d, mo, today) or VAGUE  # "31 tháng giêng" names no day: no guess

    def lunar_month_end(m):
        mo = _roman_or_int(m["m"])
        ly = lunar_year_of(today)
        for y in (ly, ly + 1):
            start_next = lunar_to_solar(1, mo + 1, y) if mo < 12 else tet(y + 1)
            if start_next is not None and start_next - timedelta(days=1) >= today:
                return start_next - timedelta(days=1)
        return None

    def next_tet(offset: int):
        def build(m):
            ly = lunar_year_of(today)
            for y in (ly, ly + 1):
                t = tet(y)
                if t is not None and t + timedelta(days=offset) >= today:
                    return t + timedelta(days=offset)
            return None
        return build

    D = r"(?P<d>[0-3]?\d)"
    M = r"(?P<m>1[0-2]|0?[1-9])"
    Y = r"(?P<y>(?:19|20)\d{2})"
    YOPT = rf"(?:\s*(?:nam\s+|/\s*|-\s*|,\s*){Y}|\s+nam\s+(?P<rel>sau|toi|nay|hien tai))?"
    WD = r"(?:thu\s*(?P<wd>hai|ba|tu|nam|sau|bay|[2-7])|(?P<wd2>chu nhat|cn)|\bt(?P<wd3>[2-7]))"
    AL = r"\s*(?:\(?\s*(?:am lich|al|a\.l)\s*\)?)"
    today_ = lambda m: today  # noqa: E731

    return [
        # vague: no date at all, whatever else the text holds
        (r"\b(?:sau|ra|qua|het|dip|quanh|sat) tet\b(?! (?:duong|tay))|\bmai mot\b|\bvai (?:hom|ngay|bua|tuan|thang)"
         r"|\b(?:som nhat co the|khi nao xong|chua biet khi nao|asap|sometime|some day|soon)\b",
         lambda m: VAGUE, "vague"),
        # lunar dates: "mùng 8 tháng giêng", "rằm tháng Giêng", "15/8 âm lịch", "mùng 3 Tết", "trước Tết"
        (rf"\b(?:ngay\s+|mung\s+|mong\s+)?(?P<d>[0-3]?\d)\s+thang\s+(?P<m>gieng|chap)\b", lunar, "lunar"),
        (rf"\b(?:ngay\s+|mung\s+|mong\s+)?(?P<d>[0-3]?\d)\s*(?:/|\s+thang\s+)\s*(?P<m>1[0-2]|0?[1-9]){AL}", lunar, "lunar"),
        (rf"\bram\s+thang\s+(?P<m>{_LMNUM})(?:{AL})?", lunar, "lunar"),
        (r"\b(?:mung|mong)\s+(?P<d>[1-9]|10)\s+tet\b", lambda m: next_tet(int(m["d"]) - 1)(m), "lunar"),
        (r"\btet\s+(?:duong lich|tay)\b", lambda m: not_over(lambda y: date(y, 1, 1), today, None), "day"),
        (r"\btruoc\s+(?:ky nghi\s+|dip\s+|nghi\s+)?tet\b", next_tet(-1), "lunar"),
        (r"\b(?:den|toi|han|trong|vao)\s+(?:dip\s+)?tet\b|^tet(?: nguyen dan| am lich)?$", next_tet(0), "lunar"),
        (r"\b(?:cuoi|het|trong)?\s*thang\s+(?P<m>gieng|chap)\b", lunar_month_end, "lunar"),
        # full numeric dates
        (rf"\b{Y}-(?P<m>1[0-2]|0[1-9])-(?P<d>[0-3]\d)\b", dmy, "day"),
        (rf"\b{D}\s*[/.\-]\s*{M}\s*[/.\-]\s*{Y}\b", dmy, "day"),
        (rf"\b{D}(?P<sep>[/.\-]){M}(?P=sep)(?P<y>\d{{2}})\b(?![/.\-]\d)", dmy, "day"),
        (rf"\bngay\s+{D}\s+thang\s+{M}\s*(?:nam\s+|[/,]\s*){Y}\b", dmy, "day"),
        (rf"\b(?:ngay|mung|mong)\s+{D}\s+(?:thang\s+)?{M}{YOPT}\b", dmy, "day"),
        (rf"\b{D}\s+thang\s+{M}{YOPT}\b", dmy, "day"),
        (rf"\b(?:ngay|mung)\s+{D}\s*/\s*{M}\b(?!\s*/)", dmy, "day"),
        (rf"\b[0-3]?\d\s*[-–]\s*{D}\s*/\s*{M}\b(?!\s*/)", dmy, "day"),
        (rf"(?<![\d/.,\-]){D}\s*/\s*{M}\b(?!\s*/|[.,]\d)", dm_bare, "day"),
        (rf"\b(?:ngay\s+)?{D}\s+thang\s+(?:nay|hien tai)\b", lambda m: safe_date(ty, today.month, int(m["d"])), "day"),
        (rf"\b(?:ngay\s+)?{D}\s+thang\s+{_NEXT}\b", lambda m: safe_date(*shift_month(today, 1), int(m["d"])), "day"),
        (rf"\b(?:ngay|truoc|han|den|toi|vao)\s+{D}\.{M}\b(?!\.\d)", dmy, "day"),
        (rf"(?<![\w/.,\-]){D}-{M}\b(?![\d/.\-]|\s*(?:ngay|tuan|thang|nam|hom|bua|gio|nguoi|viec|%))", dm_bare, "day"),
        (rf"(?<!quy )(?<!q)\b(?:thang\s+)?(?P<m>1[0-2]|0?[1-9])\s*/\s*{Y}\b", month_of, "month"),
        # a day of this or next month: "ngày 20"
        (rf"\b(?:ngay|hom|mung)\s+{D}\b(?!\s*(?:[/.\-]\s*\d|thang|ngay|tuan|nguoi|viec|%|gio|h\b))", day_of_month, "day"),
        # month with a position in it
        (rf"\bgiua\s+thang\s+(?P<m>{_MNUM}){YOPT}\b", lambda m: month_of(m, "mid"), "month"),
        (rf"\bdau\s+thang\s+(?P<m>{_MNUM}){YOPT}\b", lambda m: month_of(m, "early"), "month"),
        (rf"\b(?:cuoi\s+|het\s+|trong\s+|den\s+)?thang\s+(?P<m>{_MNUM}){YOPT}\b"
         r"(?!\s*(?:nam\s+dau|dau nam|cuoi nam|nua|toi|sau|qua|truoc))", month_of, "month"),
        (rf"\b(?:cuoi|het|trong)?\s*thang\s+(?:nay|hien tai)\b", lambda m: month_end(ty, today.month), "month"),
        (rf"\bdau\s+thang\s+{_NEXT}\b", lambda m: safe_date(*shift_month(today, 1), 10), "month"),
        (rf"\bgiua\s+thang\s+{_NEXT}\b", lambda m: safe_date(*shift_month(today, 1), 15), "month"),
        (rf"\b(?:cuoi|het|trong)?\s*thang\s+{_NEXT}\b(?!\s+nua)", lambda m: month_end(*shift_month(today, 1)), "month"),
        (r"\b(?:cuoi|het)\s+thang\b|\bend of (?:the |this )?month\b", lambda m: month_end(ty, today.month), "month"),
        (r"\bend of next month\b", lambda m: month_end(*shift_month(today, 1)), "month"),
        (rf"\bend of (?P<m>{_EN_MONTHS})\b", lambda m: _not_over_month(_EN_MONTH[m["m"][:3]], None, today, None),
         "month"),
        (r"\bgiua\s+thang\b", lambda m: _not_over_month(today.month, 15, today, ty) or
         safe_date(*shift_month(today, 1), 15), "month"),
        # quarters
        (rf"\b(?:cuoi|het|trong|ket thuc|den)?\s*(?:quy|end of q|q)\s*(?P<q>{_QNUM})\b"
         rf"(?:\s*(?:nam\s+|/\s*|-\s*){Y}|\s+nam\s+(?P<rel>sau|toi|nay|hien tai))?", quarter, "quarter"),
        (r"\b(?:cuoi|het|trong)?\s*quy\s+(?:nay|hien tai)\b", lambda m: quarter_end(ty, (today.month - 1) // 3 + 1), "quarter"),
        (rf"\b(?:cuoi|het|trong)?\s*quy\s+{_NEXT}\b", lambda m: next_quarter_end(today), "quarter"),
        (r"\b(?:cuoi|het)\s+quy\b|\bend of (?:the |this )?quarter\b", lambda m: quarter_end(ty, (today.month - 1) // 3 + 1), "quarter"),
        # half-year, nine months, the year
        (rf"\b(?:06|6|sau)\s+thang\s+dau\s+nam(?:\s+{Y}|\s+(?P<rel>sau|toi|nay))?\b", period(6, 30), "half"),
        (rf"\b(?:06|6|sau)\s+thang\s+cuoi\s+nam(?:\s+{Y}|\s+(?P<rel>sau|toi|nay))?\b", period(12, 31), "half"),
        (rf"\bnua\s+(?:dau\s+)?nam(?:\s+{Y}|\s+(?P<rel>sau|toi|nay))?\b(?<!cuoi nam)", period(6, 30), "half"),
        (rf"\b(?:09|9|chin)\s+thang(?:\s+dau)?\s+nam(?:\s+{Y}|\s+(?P<rel>sau|toi|nay))?\b", period(9, 30), "half"),
        (r"\b(?:cuoi|het|trong|ca)\s+nam\s+(?:sau|toi)\b|\bend of next year\b", lambda m: date(ty + 1, 12, 31), "year"),
        (rf"\b(?:cuoi|het|trong|ca)\s+nam(?:\s+{Y})?\b|\bend of (?:the |this )?year\b",
         lambda m: date(_year(m, today) or ty, 12, 31), "year"),
        (r"\bnam\s+(?:nay|hien tai)\b", lambda m: date(ty, 12, 31), "year"),
        (r"(?<!nhung )(?<!cac )\bnam\s+(?:sau|toi)\b", lambda m: date(ty + 1, 12, 31), "year"),
        (rf"\b(?:giai doan|thoi ky|tu nam)?\s*(?:19|20)\d{{2}}\s*(?:[-–]|den(?: nam)?)\s*{Y}\b",
         lambda m: date(int(m["y"]), 12, 31), "year"),
        # weekdays
        (rf"{WD}\s+(?:tuan\s+)?(?:nay|hien tai)\b", lambda m: weekday(m, 0), "weekday"),
        (rf"{WD}\s+tuan\s+sau\s+nua\b", lambda m: weekday(m, 2), "weekday"),
        (rf"{WD}\s+tuan\s+{_NEXT}\b", lambda m: weekday(m, 1), "weekday"),
        (rf"{WD}\b", lambda m: weekday(m, None), "weekday"),
        (rf"\bcuoi\s+tuan\s+{_NEXT}\b", lambda m: monday + timedelta(days=13), "weekday"),
        (rf"\bdau\s+tuan\s+{_NEXT}\b", lambda m: monday + timedelta(days=7), "weekday"),
        (rf"\bgiua\s+tuan\s+{_NEXT}\b", lambda m: monday + timedelta(days=9), "weekday"),
        (r"\b(?:cuoi|het)\s+tuan(?:\s+nay)?\b|\bend of (?:the |this )?week\b|\bthis weekend\b", lambda m: monday + timedelta(days=6), "weekday"),
        (rf"\btuan\s+sau\s+nua\b", lambda m: monday + timedelta(days=18), "weekday"),
        (rf"\btuan\s+{_NEXT}\b|\bnext week\b", lambda m: monday + timedelta(days=11), "weekday"),
        (r"\b(?:trong\s+)?tuan\s+(?:nay|hien tai)\b|\btrong tuan\b|\bthis week\b", this_week_end, "weekday"),
        # relative days / weeks / months
        (r"\b(?:hom nay|ngay hom nay|trong ngay|(?:sang|chieu|trua|toi|dem)\s+nay|today|tonight|eod|end of (?:the )?day)\b",
         today_, "relative"),
        (r"\bhom qua\b|\byesterday\b", lambda m: today - timedelta(days=1), "relative"),
        (r"\bhom kia\b", lambda m: today - timedelta(days=2), "relative"),
        (r"\b(?:ngay|sang|chieu|trua|toi|dem|truoc|han|den|het|hom)\s+mai\b", lambda m: today + timedelta(days=1), "relative"),
        (r"^mai\b|\bmai(?=\s+(?:em|toi|minh|se|nop|gui|lam|bao cao|xong|hoan thanh|nhe|nha|a|la|duoc|chac|co)\b)|\bmai\s*$",
         tomorrow_unless_name, "relative"),
        (r"\b(?:ngay kia|ngay mot)\b|^(?:truoc\s+|han\s+)?mot$|^mot\s+(?=(?:em|toi|minh|se|nop|gui)\b)",
         lambda m: today + timedelta(days=2), "relative"),
        (rf"\b(?:(?P<n>{_NUM})\s+)?(?:ngay|hom|bua)\s+(?:nua|toi|sau|ke tiep)\b", lambda m: rel(m, "d"), "relative"),
        (r"\b(?:trong\s+(?:vong\s+)?)?nua\s+thang\s+(?:nua|toi)\b|\btrong\s+(?:vong\s+)?nua\s+thang\b",
         lambda m: today + timedelta(days=15), "relative"),
        (rf"\b(?:gia han|lui han|lui|hoan|doi han)\s+(?:them\s+)?(?P<n>{_NUM})\s+(?P<u>ngay|hom|bua|tuan|thang)\b",
         lambda m: rel(m, {"tuan": "w", "thang": "m"}.get(m["u"], "d")), "relative"),
        (rf"\b(?:trong\s+(?:vong\s+)?|sau\s+|them\s+|in\s+|within\s+)(?P<n>{_NUM})\s+(?:ngay|hom|bua|days?)\b", lambda m: rel(m, "d"), "relative"),
        (rf"\b(?P<n>{_NUM})\s+tuan\s+(?:nua|toi|sau)\b", lambda m: rel(m, "w"), "relative"),
        (rf"\b(?:trong\s+(?:vong\s+)?|sau\s+|them\s+|in\s+|within\s+)(?P<n>{_NUM})\s+(?:tuan|weeks?)\b", lambda m: rel(m, "w"), "relative"),
        (rf"\b(?P<n>{_NUM})\s+thang\s+(?:nua|toi|sau)\b", lambda m: rel(m, "m"), "relative"),
        (rf"\b(?:trong\s+(?:vong\s+)?|sau\s+|them\s+|in\s+|within\s+)(?P<n>{_NUM})\s+(?:thang|months?)\b", lambda m: rel(m, "m"), "relative"),
        # a bare year ("năm 2025", "trong năm 2025")
        (rf"\bnam\s+{Y}\b", lambda m: date(int(m["y"]), 12, 31), "year"),
    ]


def _not_over_month(month: int, day: int | None, today: date, year: int | None) -> date | None:
    """A day inside a month named without a year: this year's unless that month is over."""
    if year is None:
        year = today.year if month_end(today.year, month) >= today else today.year + 1
    return safe_date(year, month, day) if day else month_end(year, month)


_COMPILED: list[re.Pattern] = []


def _compiled(today: date) -> list[tuple[re.Pattern, Callable, str]]:
    # patterns don't depend on today; builders do: compile once, bind builders per call
    rules = _rules(today)
    if not _COMPILED:
        _COMPILED.extend(re.compile(p) for p, _, _ in rules)
    return [(c, r[1], r[2]) for c, r in zip(_COMPILED, rules)]


def scan(s: str, today: date) -> list[Found]:
    """Every date expression in the prepared (folded) string `s`, in text order."""
    found: list[Found] = []
    taken: list[tuple[int, int]] = []
    for pat, build, kind in _compiled(today):
        for m in pat.finditer(s):
            a, b = m.span()
            while a < b and s[a] == " ":
                a += 1
            if a == b or any(a < tb and ta < b for ta, tb in taken):
                continue
            try:
                value = build(m)
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
