"""What a unit contact means by a free-text answer: done, progress, blocked, extension,
leave — in Vietnamese with or without diacritics, or in English. Pure: text and today's
date in, an `Intent` out; never raises."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

KINDS = ("done", "progress", "blocked", "extension", "leave", "unknown")


@dataclass(frozen=True)
class Intent:
    kind: str  # one of KINDS
    progress: int | None = None  # 0..100 when a percentage was given (done → 100)
    new_due: date | None = None  # extension: the date asked for; leave: last day of leave
    reason: str = ""  # blocked / extension: why, as written


UNKNOWN = Intent("unknown")


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    low = base.lower()
    if len(low) != 1:
        low = base[:1].lower()[:1] if base else " "
    return low or " "


def fold(text: str) -> str:
    """Lower case without diacritics, one character per character of the NFC input, so a
    match position in the folded text is the same position in the original."""
    return "".join(_fold_char(ch) for ch in text)


# --- phrase lists (on folded text) ---------------------------------------------------

_LEAVE = re.compile(
    r"\b(nghi phep|nghi om|nghi viec rieng|nghi le|nghi che do|nghi thai san|di cong tac|vang mat"
    r"|on leave|annual leave|sick leave|vacation|out of office|away until|off until)\b"
)
_EXTENSION = re.compile(
    r"\b(xin gia han|gia han|xin lui han|lui han|doi han|xin them thoi gian|them thoi gian|hoan den"
    r"|extend|extension|postpone|more time|push back|reschedule)\b"
)
_BLOCKED = re.compile(
    r"\b(chua (?:lam|the|thuc hien|trien khai|bat dau)(?: duoc| dc)?"
    r"|khong (?:the|lam duoc|thuc hien duoc|du)"
    r"|vuong mac|bi vuong|kho khan|bi chan|bi tac|ach tac|thieu"
    r"|blocked|stuck|cannot|can ?not|can't|unable|waiting for|not started|haven't started|lack of)\b"
)
_NOT_DONE = re.compile(
    r"\b(chua|khong|not|isn't|haven't|hasn't|no)\s+(?:\w+\s+){0,2}?(xong|hoan thanh|done|finished|complete|completed)\b"
    r"|\b(sap|gan|almost|nearly)\s+(xong|hoan thanh|done|finished|complete)\b"
)
_DONE = re.compile(
    r"\b(xong|hoan thanh|hoan tat|da nop|da gui bao cao|hoan thien|ket thuc|done|finished|finish"
    r"|complete|completed|accomplished|ok xong)\b"
)
_PROGRESS = re.compile(
    r"\b(dang lam|dang thuc hien|dang trien khai|dang tien hanh|dang xu ly|dang hoan thien|dang|"
    r"tien do|in progress|progress|working on|ongoing|on track|underway|started|da lam duoc|lam duoc|duoc|dat)\b"
)
_PERCENT = re.compile(r"(?<![\d/.,-])(\d{1,3})(?:[.,]\d+)?\s*(%|phan tram|percent|pct)(?!\w)")
_BARE_NUMBER = re.compile(r"^\s*(\d{1,3})\s*$")
_NUMBER_AFTER = re.compile(r"\b(?:duoc|dat|khoang|at|progress|tien do|lam)\s*:?\s*(\d{1,3})(?![\d/.])")

_UNTIL = re.compile(r"\b(den ngay|toi ngay|den het|den|toi|cho den|until|till|to|through|thru|by)\b")
# "vì" vs "vị" (đơn vị): with diacritics the original tells them apart; folded, skip "don vi".
_REASON_ORIG = re.compile(r"(?i)\b(lý do|ly do|bởi vì|bởi|vì|do|because|due to|since|as)\b\s*:?\s*")
_REASON_FOLD = re.compile(r"\b(ly do|boi vi|(?<!don )vi|because|due to|since|do)\b\s*:?\s*")


def _percent(folded: str) -> int | None:
    m = _PERCENT.search(folded)
    if m:
        n = int(m.group(1))
        return n if 0 <= n <= 100 else None
    m = _BARE_NUMBER.match(folded)
    if m and int(m.group(1)) <= 100:
        return int(m.group(1))
    m = _NUMBER_AFTER.search(folded)
    if m and int(m.group(1)) <= 100:
        return int(m.group(1))
    return None


def _reason(original: str, folded: str, start: int) -> tuple[str, int | None]:
    """The reason written after "vì/do/because…" at or after `start`, and where it begins."""
    has_marks = original != folded and any(ord(c) > 127 for c in original)
    pattern, text = (_REASON_ORIG, original) if has_marks else (_REASON_FOLD, folded)
    m = pattern.search(text, start)
    if m is None or (pattern is _REASON_ORIG and m.group(1).lower() == "as" and not _is_english(folded)):
        return "", None
    return _clean(original[m.end():]), m.start()


def _is_english(folded: str) -> bool:
    return bool(re.search(r"\b(extend|extension|because|until|leave|blocked|the|to)\b", folded))


def _clean(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip(" .,;:-–—!\n\t")


def _date(segment: str, today: date) -> date | None:
    from bot.deadlines import parse_deadline

    segment = segment.strip()
    if not segment:
        return None
    try:
        return parse_deadline(segment, today)
    except Exception:  # noqa: BLE001 - a phrase the parser chokes on is just "no date"
        return None


def _due_after(original: str, folded: str, start: int, end: int | None, today: date) -> date | None:
    """The date in original[start:end], preferring what follows "đến/until"."""
    end = len(original) if end is None else end
    m = _UNTIL.search(folded, start, end)
    if m:
        d = _date(original[m.end():end], today)
        if d:
            return d
    return _date(original[start:end], today)


def classify(text: str, today: date) -> Intent:
    try:
        return _classify(text or "", today)
    except Exception:  # noqa: BLE001 - a chat message must never crash the bot
        return UNKNOWN


def _classify(text: str, today: date) -> Intent:
    original = unicodedata.normalize("NFC", text)
    folded = fold(original)
    if not folded.strip():
        return UNKNOWN

    m = _LEAVE.search(folded)
    if m:
        return Intent("leave", new_due=_due_after(original, folded, m.end(), None, today))

    m = _EXTENSION.search(folded)
    if m:
        reason, at = _reason(original, folded, m.end())
        return Intent("extension", new_due=_due_after(original, folded, m.end(), at, today), reason=reason)

    pct = _percent(folded)
    not_done = _NOT_DONE.search(folded)
    m = _BLOCKED.search(folded)
    if m and not (pct is not None and _PROGRESS.search(folded) and not _has_because(folded)):
        reason, _ = _reason(original, folded, m.end())
        if not reason:
            reason = _clean(original)
        return Intent("blocked", progress=pct, reason=reason)

    if not_done and _has_because(folded):
        reason, _ = _reason(original, folded, not_done.end())
        return Intent("blocked", progress=pct, reason=reason or _clean(original))
    if pct is not None:
        if pct == 100 and not not_done:
            return Intent("done", progress=100)
        return Intent("progress", progress=min(pct, 99) if not_done and pct == 100 else pct)
    if not_done:
        return Intent("progress")
    if _DONE.search(folded):
        return Intent("done", progress=100)
    if _PROGRESS.search(folded) and re.search(r"\b(dang|progress|working|ongoing|underway|on track|started)\b", folded):
        return Intent("progress")
    return UNKNOWN


def _has_because(folded: str) -> bool:
    return bool(re.search(r"\b(vi|do|because|due to)\b", folded))


def extension_details(text: str, today: date) -> tuple[date | None, str]:
    """An answer to "đến ngày nào, vì sao?": the date asked for and the reason."""
    intent = classify("xin gia hạn " + (text or ""), today)
    reason = intent.reason
    if not reason and intent.new_due is not None:
        rest = re.sub(r"\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{2,4})?", " ", text or "")
        rest = re.sub(r"(?i)\b(đến|tới|den|toi|ngày|ngay|to|until)\b", " ", rest)
        reason = _clean(rest)
    return intent.new_due, reason
