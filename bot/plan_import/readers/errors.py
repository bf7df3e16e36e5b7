"""What a file may cost, and the error that says in Vietnamese why a file cannot be read."""

from __future__ import annotations

from bot import texts

ACCEPTED = (".docx", ".pdf", ".xlsx", ".csv", ".txt", ".md")
MAX_BYTES = 20 * 1024 * 1024  # what a Telegram bot can download
MAX_UNZIPPED = 40 * 1024 * 1024  # a real programme's parts unzip to a few MB
MAX_ZIP_RATIO = 200  # one part may not unzip to more than this many times its packed size
MAX_ROWS = 20_000
MAX_COLS = 60
MAX_EMPTY_RUN = 1_000
MAX_PDF_PAGES = 300
MAX_TEXT_CHARS = 2_000_000  # ~650 pages: more is not a programme
READ_SECONDS = 5.0  # CPU time to read one file from a user (bot.plan_import.safe)
READ_MEMORY_MB = 500  # address space of the process reading it


UNREAD_PREFIX = texts.READ_PART_PREFIX  # a plan warning naming a part of the document not read


class PlanReadError(Exception):
    """The file cannot be read as a plan; ``str(exc)`` is the message for the user."""

    def __init__(self, reason: str, filename: str | None = None) -> None:
        self.reason = reason
        self.filename = filename or ""
        super().__init__(texts.READ_FAILED.format(name=f" {self.filename}" if self.filename else "", reason=reason))

    def __reduce__(self):  # crosses the worker-process boundary intact
        return PlanReadError, (self.reason, self.filename)


def too_big(size: int) -> str:
    return texts.READ_TOO_BIG.format(size=size / 1024 / 1024, limit=MAX_BYTES // 1024 // 1024)


def not_real_office(ext: str) -> str:
    return texts.READ_NOT_REAL_OFFICE.format(what="Word (.docx)" if ext == "docx" else "Excel (.xlsx)")
