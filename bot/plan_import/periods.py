"""Periods named in headings and lines: "Quý II", "6 tháng đầu năm", "Tháng 9"."""

from __future__ import annotations

import re

from bot.plan_import.units import fold

_PERIODS = [
    (re.compile(r"\bquy\s+(iv|iii|ii|i|[1-4])\b"), lambda m: "Q" + str({"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(m[1], m[1]))),
    (re.compile(r"\b(?:6|sau) thang dau nam\b|\bnua dau nam\b"), lambda m: "H1"),
    (re.compile(r"\b(?:6|sau) thang cuoi nam\b|\bnua cuoi nam\b"), lambda m: "H2"),
    (re.compile(r"\b9 thang\b"), lambda m: "9M"),
    (re.compile(r"\bthang\s+(1[0-2]|0?[1-9])\b"), lambda m: f"M{int(m[1]):02d}"),
    (re.compile(r"\b(?:ca nam|hang nam|nam\s+20\d\d|trong nam)\b"), lambda m: "Y"),
]
_PERIOD_HEADING = re.compile(
    r"^(?:cac\s+)?(?:nhiem vu|cong viec|noi dung|chuong trinh|ke hoach|trong tam)?(?:\s+(?:cong tac|trong tam))*\s*"
    r"(?:thuc hien\s+)?(?:trong\s+)?(?:quy\s+(?:iv|iii|ii|i|[1-4])|thang\s+\d{1,2}|(?:6|sau|9|chin) thang (?:dau|cuoi) nam|"
    r"nua (?:dau|cuoi) nam)(?:\s*(?:nam\s*)?[/-]?\s*20\d\d)?\s*[:.]?$")


# a day's date ("ngày 05 tháng 5 năm 2022", "05/5/2022") names a day, often a cited document's,
# never a period: "… NGHỊ QUYẾT SỐ 15-NQ/TW NGÀY 05 THÁNG 5 NĂM 2022" is no "Tháng 5" heading
_DAY_DATE = re.compile(r"\bngay\s+\d{1,2}\s*(?:thang\s+|[/.-]\s*)\d{1,2}(?:\s*(?:nam\s+|[/.-]\s*)\d{2,4})?"
                       r"|\b\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{2,4}\b")


def period_of(text: str) -> str | None:
    f = _DAY_DATE.sub(" ", fold(text))
    for pat, build in _PERIODS:
        m = pat.search(f)
        if m:
            return build(m)
    return None


# "Đợt 1: từ ngày 01/12/2025 đến ngày 31/12/2025", "Giai đoạn 2 (từ … đến …)": a phase and its span
_PHASE = re.compile(r"^(?:dot|giai doan|buoc|phase)\s+(?:\d{1,2}|[ivx]{1,4})\s*(?:[:.(-]|$)")


def is_phase_heading(text: str) -> bool:
    f = fold(text).strip()
    return bool(_PHASE.match(f)) and len(f) < 120


def is_period_heading(text: str) -> bool:
    return bool(_PERIOD_HEADING.match(fold(text).strip())) or is_phase_heading(text)


