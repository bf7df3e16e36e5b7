"""Folding Vietnamese text for matching, and the chat shorthand people type.

`fold_keep` keeps one character per character of the NFC input, so a match position in
the folded text is the same position in the original. `expand_shorthand` rewrites the
abbreviations and common typos of chat ("dc", "ko", "xog", "t.sau") into the words the
rules know; it changes lengths, so it is used only where positions do not matter.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def none_on_error(parse: Callable[P, R]) -> Callable[P, R | None]:
    """A reader of arbitrary user or document text: None instead of any exception, so odd
    text never crashes a caller. (mutmut does not mutate decorated functions: keep the
    decorated one a thin call of the undecorated reader.)"""

    @functools.wraps(parse)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return parse(*args, **kwargs)
        except Exception:  # noqa: BLE001 - arbitrary text must never crash a caller
            return None

    return guarded


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    low = base.lower()
    if len(low) != 1:
        low = base[:1].lower()[:1] if base else " "
    return low or " "


def fold_keep(text: str) -> str:
    """Lower case without diacritics, one character per character of the NFC input."""
    return "".join(_fold_char(ch) for ch in unicodedata.normalize("NFC", text or ""))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


# Shorthand -> the word the rules know (whole tokens of folded text).
_SHORTHAND = {
    "dc": "duoc", "duco": "duoc", "duowc": "duoc",
    "ko": "khong", "k": "khong", "kh": "khong", "khg": "khong", "kg": "khong", "hok": "khong",
    "kpai": "khong phai",
    "chx": "chua", "cx": "cung", "chuaw": "chua",
    "r": "roi", "rui": "roi", "roai": "roi", "rooi": "roi",
    "xog": "xong", "xonq": "xong", "xongg": "xong", "xonh": "xong", "xng": "xong",
    "hthanh": "hoan thanh", "ht": "hoan thanh", "htat": "hoan tat",
    "bc": "bao cao", "bcao": "bao cao", "nv": "nhiem vu", "tg": "thoi gian",
    "bh": "bao gio", "bgio": "bao gio", "bjo": "bao gio", "bgjo": "bao gio",
    "j": "gi", "ji": "gi", "ntn": "nhu the nao",
    "hnay": "hom nay", "hnai": "hom nay", "hqua": "hom qua",
    "tsau": "tuan sau", "tuansau": "tuan sau", "tuantoi": "tuan toi",
    "thg": "thang", "thangs": "thang", "thag": "thang", "thnag": "thang",
    "gh": "gia han", "giahan": "gia han", "giahn": "gia han",
    "cuoithang": "cuoi thang", "cuoinam": "cuoi nam", "cuoituan": "cuoi tuan",
    "nx": "nua",
    "e": "em", "mik": "minh", "mk": "minh",
    "tuna": "tuan", "tuaan": "tuan",
    "ngya": "ngay", "ngayf": "ngay",
}
_TOKEN = re.compile(r"\b[a-z]+\b")


def expand_shorthand(folded: str) -> str:
    """Chat shorthand written out: "xog r" -> "xong roi", "t.sau" -> "tuan sau",
    "q1" -> "quy 1", "thu6" -> "thu 6". Input and output are folded text."""
    s = folded
    s = re.sub(r"\bt\.\s?sau\b", "tuan sau", s)
    s = re.sub(r"\bq\.?\s?([1-4])\b(?![.\-]\d)", r"quy \1", s)
    s = re.sub(r"\bt\.([2-7])\b", r"thu \1", s)
    s = re.sub(r"\b(thang|ngay|quy|tuan|mung)(\d)", r"\1 \2", s)
    s = re.sub(r"\bthu([2-7])\b", r"thu \1", s)
    s = re.sub(r"\bth([2-7])\b", r"thu \1", s)
    s = re.sub(r"\b(\d{1,2})\s?h(?:\d{1,2})?\b", r"\1 gio", s)  # "17h", "9h30": a time, not a day
    return _TOKEN.sub(lambda m: _SHORTHAND.get(m.group(0), m.group(0)), s)
