"""Plain text and Markdown: bytes in any usual encoding -> NFC text -> the text parser."""

from __future__ import annotations

import codecs
import unicodedata
from datetime import date

from bot import texts
from bot.plan_import.model import ParsedPlan
from bot.plan_import.parser import parse_plan_text
from bot.plan_import.readers.errors import MAX_TEXT_CHARS, PlanReadError


def decode_text(data: bytes, name: str = "") -> str:
    """Bytes of a text file -> NFC text: UTF-8 (with or without BOM), UTF-16 (BOM or
    obviously so), else the Vietnamese Windows code page, else Latin-1. Binary junk is a
    PlanReadError."""
    text = None
    if data.startswith(codecs.BOM_UTF8):
        text = data[3:].decode("utf-8", errors="replace")
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) and len(data) % 4 == 0:
        text = data.decode("utf-32", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data[:4000]:
        head = data[:4000]
        even, odd = head[0::2].count(0), head[1::2].count(0)
        half = max(1, len(head) // 2)
        if odd / half > 0.3 and even / half < 0.05:
            text = data.decode("utf-16-le", errors="replace")
        elif even / half > 0.3 and odd / half < 0.05:
            text = data.decode("utf-16-be", errors="replace")
    if text is None:
        for enc in ("utf-8", "cp1258", "latin-1"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
    assert text is not None
    if _looks_binary(text):
        raise PlanReadError(texts.READ_NOT_TEXT, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return unicodedata.normalize("NFC", text)


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    sample = text[:20000]
    bad = sum(1 for c in sample if c == "\ufffd" or (unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v"))
    return "\x00" in sample or bad / len(sample) > 0.02


def read_text(data: bytes, *, name: str = "", stem: str = "", today: date | None = None) -> ParsedPlan:
    text = decode_text(data, name)
    if not text.strip():
        raise PlanReadError(texts.READ_EMPTY, name)
    return parse_text(text, stem, today, name)


def parse_text(text: str, stem: str, today: date | None, name: str = "") -> ParsedPlan:
    """The text parser on a document's text; the file's name stands in for a missing title."""
    if len(text) > MAX_TEXT_CHARS:
        raise PlanReadError(texts.READ_TOO_LONG.format(chars=len(text), limit=MAX_TEXT_CHARS).replace(",", "."), name)
    plan = parse_plan_text(text, today=today)
    if not plan.title and stem:
        plan.title = stem
    return plan
