"""What a unit contact means by a free-text answer: done, progress, blocked, extension,
leave, a question, cancel — in Vietnamese with or without diacritics, chat shorthand, or
English. Pure: text and today's date in, an `Intent` out; never raises.

What is unclear is not guessed: no percentage when none is written (a fraction "2/3" or
"một nửa" is one), no date when none is named, numbers inside a reason ("vì kinh phí <
50%") are not progress, and a question ("xong chưa?", "hạn khi nào?") is never a check-in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from bot.deadlines import parse_deadline
from bot.language.text import expand_shorthand, fold_keep, nfc

KINDS = ("done", "progress", "blocked", "extension", "leave", "question", "cancel", "unknown")
# what a question asks about (Intent.topic when kind == "question")
TOPICS = ("status", "due", "tasks", "how", "other")


@dataclass(frozen=True)
class Intent:
    """One reading of a message.

    kind: one of KINDS ("unknown": nothing to act on — greetings, thanks, chatter).
    progress: 0..100 when a percentage or fraction was given (done → 100).
    new_due: the date the text names — extension: the date asked for; leave: its last day;
        progress: a date promised ("mai em gửi"). None when no date is named.
    reason: blocked / extension: why, as written.
    task_code: a task code typed in the text ("Q2.1", "II.3"), upper case, else None.
    topic: question: what is asked (one of TOPICS); thanks/greeting for chatter; else None.
    """

    kind: str
    progress: int | None = None
    new_due: date | None = None
    reason: str = ""
    task_code: str | None = None
    topic: str | None = None


UNKNOWN = Intent("unknown")


def fold(text: str) -> str:
    """Lower case without diacritics, one character per character of the NFC input, so a
    match position in the folded text is the same position in the original."""
    return fold_keep(text)


# --- phrase lists (on folded, shorthand-expanded text) -----------------------------------

# "nghỉ" (leave) folds like "nghĩ" (think): bare, it counts only as typed, or asked for
_LEAVE_MARKED = re.compile(r"(?i)\bnghỉ\s+(?:từ|đến|tới|hết|hôm|ngày|mai|tuần|thứ|\d)")
_LEAVE = re.compile(
    r"\b(xin (?:phep )?nghi|nghi phep|nghi om|nghi viec rieng|nghi le|nghi che do|nghi thai san|nghi de|di cong tac|vang mat"
    r"|on leave|annual leave|sick leave|vacation|out of office|away until|off until)\b"
)
# the little words that end a Vietnamese sentence ("ạ", "nhé", "vậy", a vocative)
_PARTICLES = r"(?:\s+(?:a|vay|nhi|ha|ah|nhe|nha|the|ta|em|anh|chi|ban|oi|khong a|ad|admin|sep|ban oi))*"
_EXTENSION = re.compile(
    r"\b(xin gia han|gia han|xin lui han|lui han|doi han|xin them thoi gian|them thoi gian|hoan (?:den|toi|sang|lai)"
    r"|lui (?:sang|den|toi|lai|ve|qua)|doi (?:sang|den|toi|lai|qua)|xin khat|khat (?:den|toi|sang|them)"
    r"|xin (?:them|them cho)\s+(?:\d+|mot|hai|ba|bon|nam|muoi|vai|it)\s+(?:ngay|tuan|thang|hom|bua)"
    r"|cho (?:em|toi|minh|chung em|chung toi|ben em|don vi)\s+(?:xin\s+)?them\s+(?:\d+\s+|mot\s+|hai\s+|ba\s+|vai\s+|it\s+)?"
    r"(?:ngay|tuan|thang|hom|bua|thoi gian)"
    r"|them\s+(?:\d+|mot|hai|ba|bon|nam|muoi)\s+(?:ngay|tuan|thang|hom|bua)(?:\s+(?:nua|duoc khong))*" + _PARTICLES + r"\s*\??$"
    r"|extend|extension|postpone|more time|push back|push (?:it )?(?:to|until)|move (?:it )?to|delay|reschedule|(?:one|two|three|\d+|a few) more (?:days?|weeks?)"
    r"|another (?:day|week|\d+ days)|extra (?:time|days?|weeks?))\b"
)
_CANCEL = re.compile(
    r"^\s*(?:thoi|huy|huy bo|bo qua|bo di|khong can(?: nua)?|cancel|thoat|dung lai|stop|quit|exit|/huy|/cancel"
    r"|(?:em |toi |minh )?(?:gui|bam|nhap|chon|bao|an) nham|nham(?: roi)?)\b"
)
_BLOCKED = re.compile(
    r"\b(chua (?:lam|the|thuc hien|trien khai|bat dau)(?: duoc)?"
    r"|khong (?:the|lam duoc|thuc hien duoc|du)"
    r"|vuong mac|bi vuong|kho khan|bi chan|bi tac|ach tac|thieu|(?:dang|van|con) cho|cho (?:phe duyet|y kien|ket qua|so lieu)"
    r"|blocked|stuck|cannot|can ?not|can't|unable|waiting for|not started|haven't started|lack of)\b"
)
_NOT_DONE = re.compile(
    r"\b(chua|khong|not|isn't|haven't|hasn't|no)\s+(?:\w+\s+){0,2}?(xong|hoan thanh|done|finished|complete|completed)\b"
    r"|\b(sap|gan|almost|nearly)\s+(xong|hoan thanh|done|finished|complete)\b"
    r"|\bxong\s+(?:phan|buoc|giai doan|muc|dot|noi dung|mot phan)\b"  # a part of it
    r"|\bcon\s+(?:\d+|mot|hai|ba|vai|it|nhieu)\s+(?:viec|phan|noi dung|muc|hang muc|nhiem vu|dau viec)\b"
    r"|\bcon\s+(?:(?:1|mot)\s+)?(?:chut|it|ti|xiu)\b"
    r"|^\s*(?:chua|not yet|chua xong|van chua)\b(?:\s+(?:a|anh|chi|em|nhe|roi))*\s*[.!]*\s*$"
)
_DONE = re.compile(
    r"\b(xong|hoan thanh|hoan tat|da nop|da gui bao cao|da gui|hoan thien|ket thuc|done|finished|finish"
    r"|complete|completed|accomplished|ok xong)\b"
)
_PROGRESS = re.compile(
    r"\b(dang lam|dang thuc hien|dang trien khai|dang tien hanh|dang xu ly|dang hoan thien|dang|"
    r"tien do|in progress|progress|working on|ongoing|on track|underway|started|da lam duoc|lam duoc|duoc|dat"
    r"|moi bat dau|da bat dau|bat dau (?:lam|trien khai|thuc hien))\b"
)
_BUT = re.compile(r"\b(?:nhung|but|tuy nhien|however)\b")
_PROMISE = re.compile(r"\b(?:em|toi|minh|ben em|chung em|don vi)?\s*(?:se\s+)?(?:gui|nop|bao cao|lam|xong|hoan thanh)\b")
_PERCENT = re.compile(r"(?<![\d/.,-])(\d{1,3})(?:[.,]\d+)?\s*(%|phan tram|percent|pct)(?!\w)")
_FRACTION = re.compile(r"(?<![\d/.,-])(\d{1,3})\s*(?:/|\btren\b|\bof\b|\bout of\b)\s*(\d{1,3})(?![\d/.\-])")
# "nửa" (half) and "nữa" (more) fold alike: a bare "nua" is half only when typed "nửa"
_HALF = re.compile(r"\b(?:(?:mot|1)\s+nua|nua chung|phan nua|half|halfway|half way)\b")
_HALF_MARKED = re.compile(r"(?i)\bnửa\b")
_BARE_NUMBER = re.compile(r"^\s*(\d{1,3})\s*$")
_NUMBER_AFTER = re.compile(r"\b(?:duoc|dat|khoang|at|progress|tien do|lam)\s*:?\s*(\d{1,3})(?![\d/.]|\s*(?:ngay|tuan|thang|nam|hom|bua|gio|nguoi|viec))")

_UNTIL = re.compile(r"\b(den ngay|toi ngay|den het|den|toi|sang|cho den|until|till|to|through|thru|by)\b")
# "vì" vs "vị" (đơn vị): with diacritics the original tells them apart; folded, skip "don vi".
_REASON_ORIG = re.compile(r"(?i)\b(lý do|ly do|bởi vì|bởi|vì|do|because|due to|since)\b\s*:?\s*")
# folded, "do" (because) is also "độ" (tiến độ, mức độ)
_REASON_FOLD = re.compile(r"\b(ly do|boi vi|(?<!don )vi|because|due to|since|(?<!tien )(?<!muc )do)\b\s*:?\s*")

# Task codes as the importer makes them: "II.3", "II.3.1", "Q1-04", "Q2.1", "NV3"; digits alone
# ("1.2") only after a word that names a task ("nhiệm vụ 1.2", "mục 3", "#4").
_CODE = re.compile(
    r"(?<![\w./-])((?:[ivxlc]{1,5}|q[1-4]|nv|[a-z])[.\-]?\d{1,3}(?:[.\-]\d{1,3}){0,3}"
    r"|[ivxlc]{1,5}\.\d{1,3}(?:\.\d{1,3}){0,3})(?![\w%/]|[.\-]\d)"
)
_CODE_AFTER_WORD = re.compile(r"\b(?:nhiem vu|nv|muc|task|viec)(?:\s+so)?\s*:?\s*#?((?:[ivxlc]{1,5}|\d{1,3})(?:[.\-]\d{1,3}){0,3})(?![\w%/]|[.\-]\d)|#(\d{1,3}(?:[.\-]\d{1,3}){0,3})\b")

# Questions: "?", "... chưa" at the end, a question word at the end or leading a short message.
_ASK_STATUS_END = re.compile(r"\b(?:xong|hoan thanh|nop|gui|lam|bao cao|duyet|nhan|co|het han|qua han|cap nhat)\s+(?:\w+\s+){0,3}?chua" + _PARTICLES + r"\s*\??\s*$")
_ASK_WORDS = (r"khi nao|bao gio|luc nao|hom nao|ngay nao|may gio|the nao|ra sao|lam sao|nhu the nao|o dau|cai gi|"
              r"viec gi|nhiem vu gi|nhiem vu nao|viec nao|gi|nao|bao nhieu|phai khong|duoc khong|co khong|roi khong|xong khong|"
              r"tai sao|vi sao|qua dau|vao dau|o dau|cua ai|ai|"
              r"when|what|how|which|why|where")
_ASK_END = re.compile(r"\b(?:" + _ASK_WORDS + r")" + _PARTICLES + r"\s*\??\s*$")
_ASK_YES_NO = re.compile(r"\bco\b.*\bkhong" + _PARTICLES + r"\s*\??\s*$")
_ASK_START = re.compile(r"^\s*(?:cho (?:em|toi|minh) hoi|hoi chut|ai|khi nao|bao gio|lam sao|lam the nao|tai sao|sao|"
                        r"the nao|nhiem vu nao|viec nao|con (?:nhung |may |bao nhieu )?(?:viec|nhiem vu)|"
                        r"when|what|how|which|why|where|is|are|did|does|has|have)\b")  # not "do", "can": đó, cần
_STATEMENT = re.compile(r"\b(?:em|toi|minh|chung em|chung toi|ben em)\s+(?:se\s+)?(?:bao|gui|nop|lam|bao cao|trinh|xong)\b|\bthi\b")
_TOPIC_DUE = re.compile(r"\b(?:han|deadline|due|het han|qua han|khi nao|bao gio|luc nao|ngay nao|hom nao|when)\b")
_TOPIC_TASKS = re.compile(r"\b(?:nhiem vu|viec|task|tasks)\s+(?:nao|gi)\b|\b(?:nhung|cac|may|bao nhieu)\s+(?:viec|nhiem vu)\b|\bwhich task")
_TOPIC_HOW = re.compile(r"\b(?:lam sao|the nao|nhu the nao|ra sao|cach|how|huong dan)\b")
_TOPIC_STATUS = re.compile(r"\b(?:chua|xong|hoan thanh|tien do|status|done)\b")

_THANKS = re.compile(r"\b(?:cam on|cam ong|thanks|thank you|thank|thks|tks|thx|ok|oke|okay|vang|da vang|nhan roi|da nhan|ro roi)\b")
_GREETING = re.compile(r"^\s*(?:xin chao|chao|hello|hi|alo|hey)\b")


def _find_codes(folded: str) -> list[tuple[str, int, int]]:
    """The task codes typed in the folded text (upper case) and where each is."""
    found = []
    for m in _CODE_AFTER_WORD.finditer(folded):
        group = 1 if m.group(1) else 2
        found.append((m.group(group).upper(), *m.span(group)))
    for m in _CODE.finditer(folded):
        code = m.group(1)
        if re.fullmatch(r"[a-z]\d{1,2}", code) and not code.startswith("q"):
            continue  # "t6" (Friday), "k3": shorthand, not a code
        if re.fullmatch(r"q[1-4]", code):
            continue  # a quarter
        if not any(a <= m.start(1) < b for _, a, b in found):
            found.append((code.upper(), *m.span(1)))
    return found


def _blank(s: str, a: int, b: int) -> str:
    return s[:a] + " " * (b - a) + s[b:]


def _percent(folded: str, original: str = "") -> int | None:
    """The progress written in `folded` (as typed: `original`): "60%", "2/3 việc", "một
    nửa", a bare "25"."""
    m = _PERCENT.search(folded)
    if m:
        n = int(m.group(1))
        return n if 0 <= n <= 100 else None
    m = _FRACTION.search(folded)
    if m:
        num, den = int(m.group(1)), int(m.group(2))
        return round(100 * num / den) if 0 < den and num <= den and den <= 100 else None
    if _HALF.search(folded) or _HALF_MARKED.search(original):
        return 50
    m = _BARE_NUMBER.match(folded)
    if m and int(m.group(1)) <= 100:
        return int(m.group(1))
    m = _NUMBER_AFTER.search(folded)
    if m and int(m.group(1)) <= 100:
        return int(m.group(1))
    return None


def _reason(original: str, folded: str, start: int) -> tuple[str, int | None]:
    """The reason written after "vì/do/because…" at or after `start`, and where it begins."""
    has_marks = any(ord(c) > 127 for c in original)
    pattern, text = (_REASON_ORIG, original) if has_marks else (_REASON_FOLD, folded)
    m = pattern.search(text, start)
    if m is None:
        return "", None
    return _clean(original[m.end():]), m.start()


def _clean(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip(" .,;:-–—!?\n\t")


def _due_after(original: str, folded: str, start: int, end: int | None, today: date) -> date | None:
    """The date in original[start:end], preferring what follows "đến/until"."""
    end = len(original) if end is None else end
    m = _UNTIL.search(folded, start, end)
    if m:
        d = parse_deadline(original[m.end():end], today)
        if d:
            return d
    return parse_deadline(original[start:end], today)


def classify(text: str, today: date) -> Intent:
    try:
        return _classify(text or "", today)
    except Exception:  # noqa: BLE001 - a chat message must never crash the bot
        return UNKNOWN


def _classify(text: str, today: date) -> Intent:
    original = nfc(text)
    folded = fold_keep(original)
    if not folded.strip():
        return UNKNOWN
    codes = _find_codes(folded)
    for _, a, b in codes:  # a code's digits are neither progress nor a date
        original, folded = _blank(original, a, b), _blank(folded, a, b)
    distinct = {c for c, _, _ in codes}
    code = distinct.pop() if len(distinct) == 1 else None  # two codes: which task is unclear
    intent = _read(original, folded, today)
    return Intent(intent.kind, intent.progress, intent.new_due, intent.reason, code, intent.topic)


def _read(original: str, folded: str, today: date) -> Intent:
    # the reason's position is found on the text as typed; shorthand is expanded after
    words = expand_shorthand(folded)

    m = _CANCEL.match(folded)
    if m or _CANCEL.match(words):
        # what follows "thôi," may be a new answer ("thôi, xin gia hạn đến 20/12")
        rest = _read(original[m.end():], folded[m.end():], today) if m else UNKNOWN
        if (rest.kind in ("extension", "leave") and rest.new_due is not None) or rest.kind == "done" or (
                rest.kind == "progress" and rest.progress is not None):
            return rest
        return Intent("cancel")

    m = _LEAVE.search(folded) or _LEAVE_MARKED.search(original)  # positions of the text as typed
    if m:
        return Intent("leave", new_due=_due_after(original, folded, m.end(), None, today))
    if _LEAVE.search(words):
        return Intent("leave", new_due=parse_deadline(original, today))

    m = _EXTENSION.search(folded)
    if m:
        reason, at = _reason(original, folded, m.end())
        due = _due_after(original, folded, m.end(), at, today) or _due_after(original, folded, m.start(), at, today)
        return Intent("extension", new_due=due, reason=reason)
    m = _EXTENSION.search(words)
    if m:
        reason, at = _reason(original, folded, 0)
        return Intent("extension", new_due=parse_deadline(original[:at] if at is not None else original, today),
                      reason=reason)

    topic = _question(words)
    if topic:
        return Intent("question", topic=topic)

    reason, at = _reason(original, folded, 0)
    before = words if at is None else expand_shorthand(folded[:at])
    pct = _percent(before, original if at is None else original[:at])
    not_done = _NOT_DONE.search(words)
    m = _BLOCKED.search(words)
    if m and not (pct is not None and _PROGRESS.search(before) and at is None and not _BUT.search(words)):
        return Intent("blocked", progress=pct, reason=reason or _clean(original))

    if not_done and at is not None:
        return Intent("blocked", progress=pct, reason=reason or _clean(original))
    if pct is not None:
        if pct == 100 and not not_done:
            return Intent("done", progress=100)
        return Intent("progress", progress=min(pct, 99))
    if not_done:
        return Intent("progress")
    if _DONE.search(words):
        return Intent("done", progress=100)
    if _PROGRESS.search(words) and re.search(r"\b(dang|progress|working|ongoing|underway|on track|started|bat dau)\b", words):
        return Intent("progress", new_due=parse_deadline(original, today))
    due = parse_deadline(original, today)
    if due is not None and _PROMISE.search(words):
        return Intent("progress", new_due=due)
    if _GREETING.search(words):
        return Intent("unknown", topic="greeting")
    if _THANKS.search(words):
        return Intent("unknown", topic="thanks")
    return UNKNOWN


def _question(words: str) -> str | None:
    """What a question asks about, or None when the text is not a question."""
    s = words.strip()
    asked = ("?" in s or _ASK_STATUS_END.search(s) or _ASK_END.search(s) or _ASK_YES_NO.search(s)
             or (_ASK_START.search(s) and not _STATEMENT.search(s)))
    if not asked:
        return None
    if _TOPIC_TASKS.search(s):
        return "tasks"
    if _TOPIC_DUE.search(s):
        return "due"
    if _TOPIC_HOW.search(s):
        return "how"
    if _TOPIC_STATUS.search(s):
        return "status"
    return "other"


def extension_details(text: str, today: date) -> tuple[date | None, str]:
    """An answer to "đến ngày nào, vì sao?": the date asked for and the reason."""
    intent = classify("xin gia hạn " + text, today)
    reason = intent.reason
    if not reason and intent.new_due is not None:
        rest = re.sub(r"\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{2,4})?", " ", text)
        rest = re.sub(r"(?i)\b(đến|tới|den|toi|ngày|ngay|to|until)\b", " ", rest)
        reason = _clean(rest)
    return intent.new_due, reason


def answer_lines(lines: Iterable[str], today: date) -> Iterator[str]:
    """For the CLI: per input line, tab-separated kind, progress, ISO date and task code
    ("-" for none), then the topic of a question."""
    for line in lines:
        i = classify(line, today)
        cells = [i.kind, "-" if i.progress is None else str(i.progress), i.new_due.isoformat() if i.new_due else "-",
                 i.task_code or "-"]
        if i.topic:
            cells.append(i.topic)
        yield "\t".join(cells)
