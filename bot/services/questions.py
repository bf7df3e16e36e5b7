"""What the secretariat means when it writes in plain words instead of a command:
"quá hạn", "cho tôi xem các nhiệm vụ quá hạn", "xuất excel", "tiến độ", "sắp đến hạn"
(with or without diacritics) map to the view their command shows.

Matching is on the folded text (lower case, no diacritics, punctuation as spaces), on
whole words; the first rule that matches wins, so "nhiệm vụ quá hạn" is the overdue list,
not a task. No Telegram types here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.plan_import.units import unit_key

# views (the same names as the chat layer's): od overdue, up upcoming, pr progress,
# export, chart, tk one task; help and thanks are answered with what the person can do
OVERDUE = "od"
UPCOMING = "up"
PROGRESS = "pr"
EXPORT = "export"
CHART = "chart"
TASK = "tk"
HELP = "help"
THANKS = "thanks"


@dataclass(frozen=True)
class StaffQuestion:
    view: str
    arg: str = ""


_RULES: tuple[tuple[str, str], ...] = (
    # (view, regular expression on the folded text)
    (EXPORT, r"^xuat\b|\bxuat (ra )?(excel|file|tep|bang|du lieu|bao cao)\b|\b(export|excel|xlsx|bang tinh)\b"),
    (CHART, r"\b(bieu do|do thi|chart|graph)\b"),
    (OVERDUE, r"\b(qua han|tre han|cham tien do|cham han|tre hen|overdue)\b"),
    (UPCOMING, r"\b(sap (den|toi|het) han|sap den|den han|toi han|han trong tuan|tuan nay|upcoming|due soon)\b"),
    (PROGRESS, r"\b(tien do|thong ke|tong hop|ket qua thuc hien|bao nhieu phan tram|progress|bao cao tinh hinh)\b"),
    (HELP, r"\b(giup|tro giup|huong dan|lam (duoc )?gi|lam the nao|cach dung|help|menu|lenh)\b"),
    (THANKS, r"\b(cam on|cam un|thank|thanks|thank you|chao|xin chao|hello)\b"),
)
_COMPILED = tuple((view, re.compile(rx)) for view, rx in _RULES)
_TASK = re.compile(r"^(?:xem )?nhiem vu (?:so |ma )?([0-9ivxlc]+(?:[ .][0-9a-z]+)*)$")
_UPCOMING_DAYS = re.compile(r"\b(\d{1,3}) ngay\b")


REPORTS = (OVERDUE, UPCOMING, PROGRESS, EXPORT, CHART, TASK)


def staff_question(text: str) -> StaffQuestion | None:
    """The view a plain-words message asks for, or None when it asks for none."""
    folded = unit_key(text or "")
    if not folded:
        return None
    m = _TASK.match(folded)
    if m:
        return StaffQuestion(TASK, m.group(1).replace(" ", "."))
    for view, rx in _COMPILED:
        if rx.search(folded):
            if view == UPCOMING:
                days = _UPCOMING_DAYS.search(folded)
                n = int(days.group(1)) if days else 7
                return StaffQuestion(view, str(n if 1 <= n <= 366 else 7))
            return StaffQuestion(view)
    return None
