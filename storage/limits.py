"""Every value checked against its column before it reaches the database, so that SQLite
(which stores any length and any integer) and PostgreSQL (which refuses) behave the same:
a string longer than its ``String(n)`` column, or an integer outside its column's range,
raises `ValueOutOfRange` at flush time, on both, naming the column. Handlers turn it into
one Vietnamese line; nothing is half written (the flush fails before any SQL runs)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, SmallInteger, String, event
from sqlalchemy.orm import Session

INT_RANGES = {SmallInteger: 2**15, BigInteger: 2**63, Integer: 2**31}


class ValueOutOfRange(ValueError):
    def __init__(self, table: str, column: str, *, length: int | None = None, limit: int | None = None,
                 value: int | None = None) -> None:
        self.table, self.column, self.length, self.limit, self.value = table, column, length, limit, value
        what = f"{length} characters, at most {limit}" if length is not None else f"{value} out of range"
        super().__init__(f"{table}.{column}: {what}")

    @property
    def key(self) -> str:
        return f"{self.table}.{self.column}"


def int_bound(col_type) -> int | None:
    for t, bound in INT_RANGES.items():  # BigInteger/SmallInteger are Integers: test them first
        if isinstance(col_type, t):
            return bound
    return None


def check_row(obj) -> None:
    """Raise ValueOutOfRange for the first column value ``obj`` may not store."""
    table = getattr(obj, "__table__", None)
    if table is None:
        return
    for attr in obj.__mapper__.column_attrs:
        col = attr.columns[0]
        if col.table is not table:
            continue
        value = obj.__dict__.get(attr.key)
        if value is None:
            continue
        impl = getattr(col.type, "impl", col.type)
        if isinstance(impl, String) and impl.length and isinstance(value, str) and len(value) > impl.length:
            raise ValueOutOfRange(table.name, col.name, length=len(value), limit=impl.length)
        bound = int_bound(impl)
        if bound and isinstance(value, int) and not isinstance(value, bool) and not -bound <= value < bound:
            raise ValueOutOfRange(table.name, col.name, value=value)


def fits(column, value) -> bool:
    """Whether ``value`` fits ``column`` (e.g. ``Attachment.__table__.c.mime_type``)."""
    impl = getattr(column.type, "impl", column.type)
    if isinstance(value, str) and isinstance(impl, String) and impl.length:
        return len(value) <= impl.length
    bound = int_bound(impl)
    return not (bound and isinstance(value, int) and not -bound <= value < bound)


def _before_flush(session: Session, _context, _instances) -> None:
    for obj in (*session.new, *session.dirty):
        check_row(obj)


def install() -> None:
    """Check every flush of every session (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
