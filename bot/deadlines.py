"""Vietnamese deadline phrases -> dates: the one entry point for chat and programmes.

One reader for dates as people write them, with or without diacritics, in chat
shorthand or English: "15/3", "trước ngày 20/11/2023", "cuối quý II", "hết quý 1" (next
year's when said in December), "3 hôm nữa", "5 bữa nữa", "thêm 2 tuần", "t6 tuần sau",
"mốt", "mùng 8 tháng giêng", "trước Tết", "xin gia hạn đến 15/4". Text with no date, or
only a vague one ("sau Tết"), gives None, never a guess. The rules live in
`bot.language.dates`; programme sentences in `bot.language.programme`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime

import dateparser

from bot.language.calendar import period_end
from bot.language.dates import Found, prepare_chat, prepare_keep_positions, read, scan
from bot.language.programme import find_deadline, is_cited_date, is_open_ended, parse_recurrence
from bot.language.text import fold_keep as fold, none_on_error

__all__ = ["fold", "parse_deadline", "parse_deadline_lines", "find_all", "find_deadline", "is_cited_date",
           "period_end", "parse_recurrence", "is_open_ended", "Found"]

_MAX_CHARS = 2000


def find_all(text: str, today: date) -> list[Found]:
    """Every date expression in `text`; positions are those of the NFC text."""
    return scan(prepare_keep_positions(text), today)


@none_on_error
def parse_deadline(text: str, today: date) -> date | None:
    """The deadline a phrase names, or None. Never raises on odd text."""
    return _parse_deadline(text, today)


def _parse_deadline(text: str, today: date) -> date | None:
    s = prepare_chat((text or "")[:_MAX_CHARS])
    return read(s, today) or _dateparser(s, today)


_ENGLISH = re.compile(
    r"\b(?:tomorrow|today|next|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|week|month|day|days|weeks|months)\b")
_VAGUE_EN = re.compile(r"\b(?:soon|later|sometime|asap)\b")


def _dateparser(s: str, today: date) -> date | None:
    """English phrases our rules do not know ("by March 15", "next friday")."""
    if not s or not _ENGLISH.search(s) or _VAGUE_EN.search(s):
        return None
    cleaned = re.sub(r"^(?:by|before|until|due|deadline|extend(?: to)?|extension to|on)\s+", "", s)
    if re.fullmatch(r"\d{1,2}", cleaned):
        return None  # a bare number dateparser would read as a day of this month is a guess
    settings = {"RELATIVE_BASE": datetime(today.year, today.month, today.day), "PREFER_DATES_FROM": "future",
                "DATE_ORDER": "DMY", "STRICT_PARSING": False, "RETURN_AS_TIMEZONE_AWARE": False}
    try:
        got = dateparser.parse(cleaned, languages=["en"], settings=settings)
    except Exception:  # noqa: BLE001
        return None
    return got.date() if got is not None else None


def parse_deadline_lines(lines: Iterable[str], today: date) -> Iterator[str]:
    """For the CLI: one ISO date or "-" per input line."""
    for line in lines:
        d = parse_deadline(line, today)
        yield d.isoformat() if d else "-"
