"""Files -> `ParsedPlan`: .docx, .pdf, .xlsx, .csv, .txt/.md.

`read_plan` takes a path or the bytes of an upload (with its file name), finds what the
bytes really are (`sniff`: a zip holding word/document.xml is a .docx whatever its name
says) and hands them to the reader of that format: `text`, `word`, `pdf`, `sheets`. Each
turns its format into text lines and template-table tasks; `assemble` makes one plan.

Anything wrong with the file itself — wrong type, scanned, corrupt, empty, encrypted, too
big — is a `PlanReadError` whose message is the Vietnamese line shown to the user. Files
from users are read in a worker process with a time and memory budget: `bot.plan_import.safe`.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from bot import texts
from bot.plan_import.model import ParsedPlan
from bot.plan_import.readers.errors import (ACCEPTED, MAX_BYTES, READ_MEMORY_MB, UNREAD_PREFIX, PlanReadError,
                                            too_big)
from bot.plan_import.readers.pdf import read_pdf
from bot.plan_import.readers.sheets import csv_rows, read_csv, read_xlsx
from bot.plan_import.readers.sniff import sniff
from bot.plan_import.readers.text import decode_text, read_text
from bot.plan_import.readers.word import Numbering, read_docx

log = logging.getLogger(__name__)

_READERS = {"docx": read_docx, "xlsx": read_xlsx, "pdf": read_pdf, "csv": read_csv, "text": read_text}


def read_plan(source: Path | str | bytes | bytearray | memoryview, filename: str | None = None,
              today: date | None = None) -> ParsedPlan:
    """The plan in a file (a path, or an upload's bytes with its file name)."""
    if isinstance(source, (str, Path)):
        data, name = read_file(Path(source), filename)
    else:
        data, name = bytes(source), filename or ""
    if len(data) > MAX_BYTES:
        raise PlanReadError(too_big(len(data)), name)
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise PlanReadError(texts.READ_EMPTY, name)
    ext = Path(name).suffix.lower().lstrip(".") if name else ""
    kind = sniff(data, ext, name)
    return _guard(_READERS[kind], data, name, Path(name).stem if name else "", today)


def read_file(path: Path, filename: str | None = None) -> tuple[bytes, str]:
    name = filename or path.name
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise PlanReadError(too_big(size), name)
        return path.read_bytes(), name
    except FileNotFoundError:
        raise PlanReadError(texts.READ_NOT_FOUND, name) from None
    except IsADirectoryError:
        raise PlanReadError(texts.READ_IS_DIRECTORY, name) from None
    except OSError as exc:
        raise PlanReadError(texts.READ_OPEN_FAILED.format(error=exc.strerror or exc), name) from None


def _guard(reader, data: bytes, name: str, stem: str, today: date | None) -> ParsedPlan:
    """Library errors on a damaged file become a PlanReadError; our own stay visible in the log."""
    try:
        return reader(data, name=name, stem=stem, today=today)
    except PlanReadError:
        raise
    except (MemoryError, RecursionError):
        raise PlanReadError(texts.READ_TOO_MUCH_MEMORY.format(mb=READ_MEMORY_MB), name) from None
    except Exception as exc:  # noqa: BLE001 - a damaged upload must get an answer, not a crash
        if any(isinstance(a, MemoryError) for a in (*exc.args, exc.__cause__, exc.__context__)):
            raise PlanReadError(texts.READ_TOO_MUCH_MEMORY.format(mb=READ_MEMORY_MB), name) from None
        log.warning("plan file %r unreadable: %r", name, exc, exc_info=True)
        raise PlanReadError(texts.READ_DAMAGED, name) from None


__all__ = ["ACCEPTED", "MAX_BYTES", "UNREAD_PREFIX", "Numbering", "PlanReadError", "csv_rows", "decode_text",
           "read_file", "read_plan"]
