"""Vietnamese deadline phrases -> dates.

One parser for deadlines as people write them, in chat and in programmes, with or without
diacritics: "15/3", "trước ngày 20/11/2023", "cuối quý II", "cuối tháng này", "3 ngày nữa",
"thứ sáu tuần sau", "mùng 5 tháng 4", "6 tháng đầu năm", "xin gia hạn đến 15/4".

Our own rules run first on the folded text (no diacritics, lower case): they know the
Vietnamese calendar words dateparser does not (quarters, half-years, "mùng", "tuần sau").
dateparser reads what is left (English phrases, month names) under strict settings. Text
with no date gives None, never a guess.

`find_deadline` is the importer's variant: it looks for a deadline inside a sentence and
skips the dates of cited documents ("Chỉ thị số 30-CT/TW, ngày 18/2/1998").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from bot.plan_import.units import fold

__all__ = ["fold", "parse_deadline", "parse_deadline_lines", "find_deadline", "period_end",
           "parse_recurrence", "Found"]

# --- small calendar helpers --------------------------------------------------------------


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_end(year: int, quarter: int) -> date:
    return month_end(year, quarter * 3)


def add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def period_end(period: str | None, year: int | None) -> date | None:
    """End of a section's period: "Q1".."Q4", "H1", "H2", "9M", "M01".."M12", "Y"."""
    if not period or not year:
        return None
    p = period.upper()
    try:
        if p == "Y":
            return date(year, 12, 31)
        if p.startswith("Q"):
            return quarter_end(year, int(p[1:]))
        if p == "H1":
            return date(year, 6, 30)
        if p == "H2":
            return date(year, 12, 31)
        if p == "9M":
            return date(year, 9, 30)
        if p.startswith("M"):
            return month_end(year, int(p[1:]))
    except ValueError:
        return None
    return None


# --- vocabulary (folded: no diacritics) --------------------------------------------------

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
          "xi": 11, "xii": 12}
_WORDNUM = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5, "sau": 6, "bay": 7,
            "tam": 8, "chin": 9, "muoi": 10, "muoi lam": 15, "hai muoi": 20, "ba muoi": 30, "nua": None}
_NUM = r"(?<!thu )(?:\d{1,3}|muoi lam|hai muoi|ba muoi|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi)"
_QNUM = r"(?:iv|iii|ii|i|[1-4])"
_MNUM = r"(?:xii|xi|x|ix|viii|vii|vi|v|iv|iii|ii|i|1[0-2]|0?[1-9])"
_YEAR = r"(?:19|20)\d{2}"
# weekday words: Monday = 0
_WEEKDAY = {"hai": 0, "2": 0, "ba": 1, "3": 1, "tu": 2, "4": 2, "nam": 3, "5": 3, "sau": 4, "6": 4,
            "bay": 5, "7": 5}
_NEXT = r"(?:sau|toi|ke tiep|ke den|tiep theo)"


def _num(tok: str) -> int | None:
    tok = tok.strip()
    if tok.isdigit():
        return int(tok)
    return _WORDNUM.get(tok)


def _roman_or_int(tok: str) -> int | None:
    tok = tok.strip().lower()
    if tok.isdigit():
        return int(tok)
    return _ROMAN.get(tok)


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _prep(text: str) -> str:
    s = fold(text)
    s = s.replace("\u00a0", " ")
    s = re.sub(r"[“”\"'`]", " ", s)
    s = re.sub(r"\s+", " ", s).strip()
    return s


# --- the rules -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A date expression inside a text: where it is and what it means."""

    start: int
    end: int
    value: date
    kind: str  # "day", "month", "quarter", "half", "year", "relative", "weekday"


def _year_or(y: str | None, today: date) -> int:
    return int(y) if y else today.year


def _rules(today: date):
    """(pattern, builder) pairs; builders get the match and return a date or None.

    Order matters: specific before general. Every pattern runs on folded text.
    """
    ty = today.year

    def dmy(m):
        d, mo, y = int(m["d"]), int(m["m"]), m.groupdict().get("y")
        if y and len(y) == 2:
            y = "20" + y
        return _safe_date(_year_or(y, today), mo, d)

    def month_of(m, which="end"):
        mo = _roman_or_int(m["m"])
        if not mo or not 1 <= mo <= 12:
            return None
        y = _year_or(m.groupdict().get("y"), today)
        if which == "mid":
            return date(y, mo, 15)
        if which == "early":
            return date(y, mo, 10)
        return month_end(y, mo)

    def quarter(m):
        q = _roman_or_int(m["q"])
        if not q or not 1 <= q <= 4:
            return None
        return quarter_end(_year_or(m.groupdict().get("y"), today), q)

    def rel(m, unit):
        n = _num(m["n"]) if m["n"] else 1
        if n is None:
            return None
        if unit == "d":
            return today + timedelta(days=n)
        if unit == "w":
            return today + timedelta(weeks=n)
        if unit == "m":
            return add_months(today, n)
        if unit == "y":
            return _safe_date(ty + n, today.month, min(today.day, 28))
        return None

    def weekday(tok: str, week_offset: int | None):
        wd = 6 if tok in ("chu nhat", "cn") else _WEEKDAY.get(tok)
        if wd is None:
            return None
        if week_offset is None:  # bare weekday: the next one, today included
            return today + timedelta(days=(wd - today.weekday()) % 7)
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(weeks=week_offset, days=wd)

    D = r"(?P<d>[0-3]?\d)"
    M = r"(?P<m>1[0-2]|0?[1-9])"
    Y = r"(?P<y>(?:19|20)\d{2})"
    WD = r"(?:thu\s*(?P<wd>hai|ba|tu|nam|sau|bay|[2-7])|(?P<wd2>chu nhat|cn)|t(?P<wd3>[2-7]))"

    def wdm(m, off):
        return weekday(m["wd"] or m["wd2"] or m["wd3"], off)

    return [
        # ranges and extensions: the end counts ("từ tháng 12/2025 đến quý I/2026")
        # -- handled in parse_deadline by cutting at the last "đến"
        # full numeric dates
        (rf"\b{Y}-(?P<m>1[0-2]|0[1-9])-(?P<d>[0-3]\d)\b", dmy, "day"),
        (rf"\b{D}\s*[/.\-]\s*{M}\s*[/.\-]\s*(?P<y>(?:19|20)\d{{2}}|\d{{2}})\b", dmy, "day"),
        (rf"\bngay\s+{D}\s+thang\s+{M}\s*(?:nam\s+|[/,]\s*){Y}\b", dmy, "day"),
        (rf"\b(?:ngay|mung|mong)\s+{D}\s+(?:thang\s+)?{M}(?:\s*(?:nam\s+|/\s*){Y})?\b", dmy, "day"),
        (rf"\b{D}\s+thang\s+{M}(?:\s*(?:nam\s+|/\s*){Y})?\b", dmy, "day"),
        (rf"\b(?:ngay\s+|mung\s+)?{D}\s*/\s*{M}\b(?!\s*/)", dmy, "day"),
        (rf"\b(?:ngay|truoc|han|den)\s+{D}\.{M}\b(?!\.\d)", dmy, "day"),
        (rf"\b(?:thang\s+)?(?P<m>1[0-2]|0?[1-9])\s*/\s*{Y}\b", month_of, "month"),
        # month with a position in it
        (rf"\bgiua\s+thang\s+(?P<m>{_MNUM})(?:\s*(?:nam\s+|/\s*){Y})?\b", lambda m: month_of(m, "mid"), "month"),
        (rf"\bdau\s+thang\s+(?P<m>{_MNUM})(?:\s*(?:nam\s+|/\s*){Y})?\b", lambda m: month_of(m, "early"), "month"),
        (rf"\b(?:cuoi\s+|het\s+|trong\s+)?thang\s+(?P<m>{_MNUM})(?:\s*(?:nam\s+|/\s*|-\s*){Y})?\b(?!\s*(?:nam\s+dau|dau nam|cuoi nam|nua|toi|sau|qua|truoc))",
         month_of, "month"),
        (rf"\b(?:cuoi|het|trong)?\s*thang\s+(?:nay|hien tai)\b", lambda m: month_end(ty, today.month), "month"),
        (rf"\b(?:cuoi|het|trong)?\s*thang\s+{_NEXT}\b", lambda m: month_end(*divmod_month(today, 1)), "month"),
        # quarters
        (rf"\b(?:cuoi|het|trong|ket thuc)?\s*quy\s+(?P<q>{_QNUM})\b(?:\s*(?:nam\s+|/\s*|-\s*){Y})?", quarter, "quarter"),
        (rf"\b(?:cuoi|het|trong)?\s*quy\s+(?:nay|hien tai)\b", lambda m: quarter_end(ty, (today.month - 1) // 3 + 1), "quarter"),
        (rf"\b(?:cuoi|het|trong)?\s*quy\s+{_NEXT}\b", lambda m: next_quarter_end(today), "quarter"),
        (r"\b(?:cuoi|het)\s+quy\b", lambda m: quarter_end(ty, (today.month - 1) // 3 + 1), "quarter"),
        # half-year, nine months, the year
        (rf"\b(?:06|6|sau)\s+thang\s+dau\s+nam(?:\s+{Y})?\b", lambda m: date(_year_or(m.groupdict().get("y"), today), 6, 30), "half"),
        (rf"\b(?:06|6|sau)\s+thang\s+cuoi\s+nam(?:\s+{Y})?\b", lambda m: date(_year_or(m.groupdict().get("y"), today), 12, 31), "half"),
        (rf"\bnua\s+(?:dau\s+)?nam(?:\s+{Y})?\b(?<!cuoi nam)", lambda m: date(_year_or(m.groupdict().get("y"), today), 6, 30), "half"),
        (rf"\b(?:09|9|chin)\s+thang(?:\s+dau)?\s+nam(?:\s+{Y})?\b", lambda m: date(_year_or(m.groupdict().get("y"), today), 9, 30), "half"),
        (rf"\b(?:cuoi|het|trong|ca)\s+nam(?:\s+{Y})?\b", lambda m: date(_year_or(m.groupdict().get("y"), today), 12, 31), "year"),
        (r"\bnam\s+(?:nay|hien tai)\b", lambda m: date(ty, 12, 31), "year"),
        (r"(?<!nhung )(?<!cac )\bnam\s+(?:sau|toi)\b", lambda m: date(ty + 1, 12, 31), "year"),
        (rf"\b(?:giai doan|thoi ky|tu nam)?\s*(?:19|20)\d{{2}}\s*(?:[-–]|den(?: nam)?)\s*{Y}\b",
         lambda m: date(int(m["y"]), 12, 31), "year"),
        # weekdays
        (rf"\b{WD}\s+tuan\s+(?:nay|hien tai)\b", lambda m: wdm(m, 0), "weekday"),
        (rf"\b{WD}\s+tuan\s+{_NEXT}\b", lambda m: wdm(m, 1), "weekday"),
        (rf"\b{WD}\s+tuan\s+sau\s+nua\b", lambda m: wdm(m, 2), "weekday"),
        (rf"\b{WD}\b", lambda m: wdm(m, None), "weekday"),
        (rf"\bcuoi\s+tuan\s+{_NEXT}\b", lambda m: today - timedelta(days=today.weekday()) + timedelta(days=11), "weekday"),
        (r"\bcuoi\s+tuan(?:\s+nay)?\b", lambda m: today - timedelta(days=today.weekday()) + timedelta(days=4), "weekday"),
        (rf"\btuan\s+{_NEXT}\b", lambda m: today - timedelta(days=today.weekday()) + timedelta(days=11), "weekday"),
        # relative days / weeks / months
        (r"\b(?:hom nay|ngay hom nay|trong ngay)\b", lambda m: today, "relative"),
        (r"\b(?:ngay mai|sang mai|chieu mai|toi mai)\b|^(?:truoc\s+|han\s+)?mai$", lambda m: today + timedelta(days=1), "relative"),
        (r"\b(?:ngay kia|ngay mot)\b|^(?:truoc\s+|han\s+)?mot$", lambda m: today + timedelta(days=2), "relative"),
        (rf"\b(?:(?P<n>{_NUM})\s+)?ngay\s+(?:nua|toi|sau|ke tiep)\b", lambda m: rel(m, "d"), "relative"),
        (rf"\b(?:trong\s+(?:vong\s+)?|sau\s+)(?P<n>{_NUM})\s+ngay\b", lambda m: rel(m, "d"), "relative"),
        (rf"\b(?:(?P<n>{_NUM})\s+)tuan\s+(?:nua|toi|sau)\b", lambda m: rel(m, "w"), "relative"),
        (rf"\b(?:trong\s+(?:vong\s+)?|sau\s+)(?P<n>{_NUM})\s+tuan\b", lambda m: rel(m, "w"), "relative"),
        (rf"\b(?:(?P<n>{_NUM})\s+)thang\s+(?:nua|toi|sau)\b", lambda m: rel(m, "m"), "relative"),
        (rf"\b(?:trong\s+(?:vong\s+)?|sau\s+)(?P<n>{_NUM})\s+thang\b", lambda m: rel(m, "m"), "relative"),
        # a bare year ("năm 2025", "trong năm 2025")
        (rf"\bnam\s+{Y}\b", lambda m: date(int(m["y"]), 12, 31), "year"),
    ]


def divmod_month(today: date, n: int) -> tuple[int, int]:
    m = today.month - 1 + n
    return today.year + m // 12, m % 12 + 1


def next_quarter_end(today: date) -> date:
    q = (today.month - 1) // 3 + 2
    return quarter_end(today.year + (q - 1) // 4, (q - 1) % 4 + 1)


_COMPILED: list[tuple[re.Pattern, object, str]] = []


def _compiled(today: date):
    # patterns don't depend on today; builders do: compile once, bind builders per call
    rules = _rules(today)
    if not _COMPILED:
        _COMPILED.extend((re.compile(p), None, k) for p, _, k in rules)
    return [(c[0], r[1], c[2]) for c, r in zip(_COMPILED, rules)]


def find_all(text: str, today: date) -> list[Found]:
    """Every date expression in `text` (folded positions equal original positions)."""
    s = _prep_keep_positions(text)
    found: list[Found] = []
    taken: list[tuple[int, int]] = []
    for pat, build, kind in _compiled(today):
        for m in pat.finditer(s):
            a, b = m.span()
            while a < b and s[a] == " ":
                a += 1
            if any(a < tb and ta < b for ta, tb in taken):
                continue
            try:
                value = build(m)
            except (ValueError, OverflowError, TypeError, IndexError):
                value = None
            if value is None:
                continue
            taken.append((a, b))
            found.append(Found(a, b, value, kind))
    found.sort(key=lambda f: f.start)
    return found


def _prep_keep_positions(text: str) -> str:
    """Folded text with the same length as the NFC input, so spans map back."""
    import unicodedata

    nfc = unicodedata.normalize("NFC", text or "")
    out = []
    for ch in nfc:
        f = fold(ch)
        out.append(f[0] if len(f) >= 1 else " ")
    s = "".join(out)
    return re.sub(r"[\s\u00a0“”\"'`]", " ", s)


_UNTIL = re.compile(r"\b(?:den|toi|cho den|han den|gia han den|den het|until|to)\b")
_NONE_WORDS = re.compile(r"\b(?:khong ro|chua ro|chua biet|khong biet|thuong xuyen|lien tuc|hang ngay|khi co yeu cau)\b")


def parse_deadline(text: str, today: date) -> date | None:
    """The deadline a phrase names, or None. Never raises on odd text."""
    try:
        return _parse_deadline(text or "", today)
    except Exception:  # noqa: BLE001 - arbitrary user text must never crash a caller
        return None


def _parse_deadline(text: str, today: date) -> date | None:
    if len(text) > 2000:
        text = text[:2000]
    found = find_all(text, today)
    if found:
        # a range or an extension: the part after the last "đến" wins
        s = _prep_keep_positions(text)
        cut = None
        for m in _UNTIL.finditer(s):
            cut = m.end()
        if cut is not None:
            after = [f for f in found if f.start >= cut]
            if after:
                return _roll(after[0], text, today)
        return _roll(found[-1] if len(found) > 1 and _is_range(text) else found[0], text, today)
    return _dateparser(text, today)


def _is_range(text: str) -> bool:
    s = _prep(text)
    return bool(re.search(r"\btu\b.*\b(?:den|toi)\b|\s[-–]\s", s))


def _roll(f: Found, text: str, today: date) -> date:
    """A day and month without a year that is long past means next year's ("15/1" in December)."""
    value = f.value
    if f.kind == "day" and not re.search(_YEAR, _prep(text)[f.start:f.end]):
        if value < today - timedelta(days=183):
            rolled = _safe_date(value.year + 1, value.month, value.day)
            return rolled or value
    return value


def _dateparser(text: str, today: date) -> date | None:
    s = _prep(text)
    if not s or not re.search(r"\b(?:tomorrow|today|next|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
                              r"january|february|march|april|may|june|july|august|september|october|november|december|"
                              r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|week|month|day|days|weeks|months|end)\b", s):
        return None
    import dateparser
    from datetime import datetime

    base = datetime(today.year, today.month, today.day)
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY",
                "STRICT_PARSING": False, "RETURN_AS_TIMEZONE_AWARE": False}
    cleaned = re.sub(r"^(?:by|before|until|due|deadline|extend(?: to)?|extension to)\s+", "", s)
    try:
        got = dateparser.parse(cleaned, languages=["en", "vi"], settings=settings)
    except Exception:  # noqa: BLE001
        return None
    if got is None:
        return None
    # a bare number dateparser reads as a day of this month is a guess: refuse it
    if re.fullmatch(r"\d{1,2}", cleaned):
        return None
    return got.date()


def parse_deadline_lines(lines: Iterable[str], today: date) -> Iterator[str]:
    """For the CLI: one ISO date or "-" per input line."""
    for line in lines:
        d = parse_deadline(line, today)
        yield d.isoformat() if d else "-"


# --- deadlines inside programme sentences ---------------------------------------------------

# A date that belongs to a cited document: "Chỉ thị số 30-CT/TW, ngày 18/2/1998",
# "Kế hoạch số 12/KH-UBND ngày 5/1/2023 của UBND tỉnh", "Luật ... năm 2022".
_CITED_BEFORE = re.compile(
    r"(?:\bso\s*[:.]?\s*\d[\w./\-]*|\b\d+[\w.]*/(?:\d{4}/)?[a-z]{1,6}[\w\-/]*|\b\d+-[a-z]{1,6}/[a-z]{1,6}\w*"
    r"|\b(?:ban hanh|ky|thong qua|phe duyet|cong bo|hop|dien ra|to chuc)\b(?:\s+\w+){0,2}|\b(?:nghi quyet|chi thi|ket luan|"
    r"quyet dinh|thong tri|quy dinh|huong dan|ke hoach|cong van|thong bao|luat|nghi dinh|thong tu|chuong trinh)"
    r"(?:\s+(?:so|cua|ve|dai hoi|hoi nghi|trung uong|lien tich|chung))*)"
    r"[\s,;:()\-–]*(?:ngay|,)?\s*$")
_CITED_AFTER = re.compile(r"^\s*,?\s*(?:cua|ve viec|ve|v/v|cua ban|cua thu tuong|cua chinh phu|cua bo|cua ubnd|quy dinh)\b")
_DEADLINE_CUE = re.compile(
    r"\b(?:truoc|cham nhat|han chot|han|hoan thanh|xong|ket thuc|trong|dung|du kien|thoi gian|thoi han|"
    r"nop|gui|bao cao|den|vao)\b[^.;]{0,25}$")


def is_cited_date(folded: str, f: Found) -> bool:
    before = folded[max(0, f.start - 90):f.start]
    after = folded[f.end:f.end + 30]
    if f.kind not in ("day", "month", "year"):
        return False
    if _DEADLINE_CUE.search(before[-30:]):
        return False
    if _CITED_BEFORE.search(before):
        return True
    if _CITED_AFTER.search(after):
        return True
    return False


def find_deadline(text: str, today: date, *, not_before: date | None = None) -> date | None:
    """The deadline stated inside a programme sentence, skipping cited documents' dates
    and relative words ("ngày mai" in a programme is not a date). The last explicit
    deadline after a cue ("trước ngày", "hoàn thành trong", "đến") wins; else the first
    date expression that is not a citation."""
    try:
        return _find_deadline(text or "", today, not_before)
    except Exception:  # noqa: BLE001
        return None


_CUE_BEFORE = re.compile(
    r"\b(?:truoc|cham nhat(?: la)?|han chot|thoi han|han|hoan thanh|xong|ket thuc|du kien|thoi gian|tien do|"
    r"den|toi|vao|dung|trong|gui ve|nop ve|bao cao ve)"
    r"(?:\s+(?:ngay|la|vao|trong|truoc|het|thang|quy|nam|ngay|xong|thuc hien|hoan thanh|dong|dot))*\s*[:,]?\s*$")
_CUE_INSIDE = re.compile(r"^(?:trong|het|ket thuc)\b")
_HORIZON = re.compile(r"\b(?:den|toi|giai doan|tam nhin)\s*(?:het\s*)?(?:nam\s*)?$")


def _find_deadline(text: str, today: date, not_before: date | None) -> date | None:
    if len(text) > 5000:
        text = text[:5000]
    folded = _prep_keep_positions(text)
    found = [f for f in find_all(text, today) if f.kind not in ("relative", "weekday")]
    good = []
    for f in found:
        if not_before and f.value < not_before:
            continue
        before = folded[max(0, f.start - 40):f.start]
        # a cue word just before, inside the same clause: "trước ngày 15/3", "hoàn thành trong quý II"
        cue = _CUE_BEFORE.search(before) or _CUE_INSIDE.match(folded[f.start:f.end])
        if not cue or is_cited_date(folded, f):
            continue
        if f.kind == "year" and _HORIZON.search(folded[max(0, f.start - 15):f.start] + folded[f.start:f.start + 4]):
            continue  # "đến năm 2030, tầm nhìn đến năm 2045": a horizon, not a deadline
        good.append(f)
    if not good:
        return None
    for f in good:  # a range: its end
        pre = folded[max(0, f.start - 12):f.start]
        if re.search(r"\b(?:den|toi)\s*(?:het\s*)?(?:ngay\s*)?$", pre):
            return f.value
    return good[0].value


# --- recurrence -------------------------------------------------------------------------------

_RECUR = [
    (re.compile(rf"\b(?:truoc\s+)?(?:ngay\s+)?(?P<d>[0-3]?\d)\s+(?:hang|hàng|moi|cac)\s+thang\b"), "monthly:{d}"),
    (re.compile(r"\b(?:hang|moi|dinh ky(?: hang)?|dinh ky)\s+thang\b|\bdinh ky hang thang\b"), "monthly"),
    (re.compile(r"\b(?:hang|moi|dinh ky(?: hang)?)\s+quy\b|\bdinh ky\s+quy\b"), "quarterly"),
    (re.compile(r"\b(?:hang|moi|dinh ky(?: hang)?)\s+tuan\b"), "weekly"),
    (re.compile(r"\b(?:6 thang mot lan|hang nua nam|moi 6 thang|dinh ky 6 thang)\b"), "half-yearly"),
    (re.compile(r"\b(?:hang nam|moi nam|dinh ky hang nam)\b"), "yearly"),
]


def parse_recurrence(text: str) -> str | None:
    """"trước ngày 15 hằng tháng" -> "monthly:15"; "định kỳ hằng quý" -> "quarterly"."""
    s = _prep(text or "")
    for pat, fmt in _RECUR:
        m = pat.search(s)
        if m:
            return fmt.format(**m.groupdict())
    return None


def is_open_ended(text: str) -> bool:
    """"Thực hiện thường xuyên", "hằng ngày", "liên tục": no deadline, flagged."""
    return bool(_NONE_WORDS.search(_prep(text or "")))
