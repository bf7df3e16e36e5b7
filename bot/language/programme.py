"""Deadlines inside programme sentences, recurrence and open-ended work.

`find_deadline` looks for the deadline stated inside a programme sentence and skips the
dates of cited documents ("Chỉ thị số 30-CT/TW, ngày 18/2/1998") and relative words
("ngày mai" in a programme is not a date)."""

from __future__ import annotations

import re
from datetime import date

from bot.language.dates import Found, prepare_keep_positions, scan
from bot.language.text import none_on_error

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


@none_on_error
def find_deadline(text: str, today: date, *, not_before: date | None = None) -> date | None:
    """The deadline stated inside a programme sentence, skipping cited documents' dates
    and relative words ("ngày mai" in a programme is not a date). The last explicit
    deadline after a cue ("trước ngày", "hoàn thành trong", "đến") wins; else the first
    date expression that is not a citation."""
    return _find_deadline(text or "", today, not_before)


_CUE_BEFORE = re.compile(
    r"\b(?:truoc|cham nhat(?: la)?|han chot|thoi han|han|hoan thanh|xong|ket thuc|du kien|thoi gian|tien do|"
    r"den|toi|vao|dung|trong|gui ve|nop ve|bao cao ve)"
    r"(?:\s+(?:ngay|la|vao|trong|truoc|het|thang|quy|nam|ngay|xong|thuc hien|hoan thanh|dong|dot))*\s*[:,]?\s*$")
_CUE_INSIDE = re.compile(r"^(?:trong|het|ket thuc|tu)\b")  # "từ 22.2 - 27.2": a range, its end
_HORIZON = re.compile(r"\b(?:den|toi|giai doan|tam nhin)\s*(?:het\s*)?(?:nam\s*)?$")


def _find_deadline(text: str, today: date, not_before: date | None) -> date | None:
    if len(text) > 5000:
        text = text[:5000]
    folded = prepare_keep_positions(text)
    found = [f for f in scan(folded, today) if f.kind not in ("relative", "weekday", "vague")]
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


_NONE_WORDS = re.compile(r"\b(?:khong ro|chua ro|chua biet|khong biet|thuong xuyen|lien tuc|hang ngay|khi co yeu cau)\b")


# --- recurrence and open-ended work -------------------------------------------------------------------------------

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
    s = re.sub(r"\s+", " ", prepare_keep_positions(text or "")).strip()
    for pat, fmt in _RECUR:
        m = pat.search(s)
        if m:
            return fmt.format(**m.groupdict())
    return None


def is_open_ended(text: str) -> bool:
    """"Thực hiện thường xuyên", "hằng ngày", "liên tục": no deadline, flagged."""
    return bool(_NONE_WORDS.search(prepare_keep_positions(text or "")))
