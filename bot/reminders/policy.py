"""The reminder policy: when each kind of reminder fires for an assignment.

Pure functions of their inputs (the due date, the assignment's role, *today*): nothing
here reads the clock or the database.

Kinds
-----
- ``before_7d``, ``before_3d``, ``before_1d`` … and ``due_today`` (offset 0): lead units,
  at ``hour`` local time, ``offset`` days before the due date; a day off (weekend or
  Vietnamese public holiday, Tết included) moves the reminder to the previous working day.
- ``overdue_1``, ``overdue_2`` …: lead units, the first working day after the due date,
  then every ``overdue_every`` working days. Level 1 goes to the unit's contacts, from
  level 2 on to the unit's head too. Only the next level is materialised at a time.
- ``opened`` (once, when the task is given) and ``support_before`` (``support_before``
  days before the due date): coordinating (support) units.
- ``snooze``: one extra reminder for one member ("Nhắc lại sau").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from bot.clock import local_datetime

DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

KIND_DUE_TODAY = "due_today"
KIND_OPENED = "opened"
KIND_SUPPORT_BEFORE = "support_before"
KIND_SNOOZE = "snooze"
OVERDUE_PREFIX = "overdue_"
ACTIVE_STATUSES = ("open", "in_progress", "blocked")


@dataclass(frozen=True)
class ReminderPolicy:
    offsets: tuple[int, ...] = (7, 3, 1, 0)
    hour: int = 8
    tz: ZoneInfo = field(default=DEFAULT_TZ)
    overdue_every: int = 3
    support_before: int = 3

    def __post_init__(self) -> None:
        object.__setattr__(self, "offsets", tuple(sorted(set(self.offsets), reverse=True)))

    @classmethod
    def from_settings(cls, settings) -> ReminderPolicy:
        return cls(offsets=tuple(settings.offsets), hour=settings.reminder_hour, tz=settings.tz,
                   overdue_every=settings.overdue_every_days)

    def at(self, day: date) -> datetime:
        """The reminder hour on ``day`` as an aware UTC datetime."""
        return local_datetime(day, self.hour, self.tz)


# --- working days ----------------------------------------------------------------------


@lru_cache(maxsize=64)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=[year - 1, year, year + 1])


@lru_cache(maxsize=8192)
def is_working_day(day: date) -> bool:
    """Monday–Friday, not a Vietnamese public holiday (Tết and the lunar holidays
    included); a Saturday the government swapped in as a working day counts."""
    return _calendar(day.year).is_working_day(day)


def previous_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the last working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def next_working_day_after(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(day: date, n: int) -> date:
    for _ in range(n):
        day = next_working_day_after(day)
    return day


# --- kinds -----------------------------------------------------------------------------


def before_kind(offset: int) -> str:
    return KIND_DUE_TODAY if offset == 0 else f"before_{offset}d"


def overdue_kind(level: int) -> str:
    return f"{OVERDUE_PREFIX}{level}"


def overdue_level(kind: str) -> int | None:
    """``overdue_3`` → 3; any other kind → None."""
    if kind.startswith(OVERDUE_PREFIX) and kind[len(OVERDUE_PREFIX):].isdigit():
        return int(kind[len(OVERDUE_PREFIX):])
    return None


def claim_key(kind: str, due: date | None, fire_at: datetime | None = None) -> str:
    """The ``ReminderLog.kind`` that makes a delivery unique per member: the kind plus the
    due date it was about, so an approved extension reminds again for the new date, and
    a snooze is unique per time it fires. ``opened`` is once per assignment, ever."""
    if kind == KIND_OPENED:
        return kind
    if kind == KIND_SNOOZE and fire_at is not None:
        return f"{kind}@{fire_at:%Y-%m-%dT%H:%M}"
    return f"{kind}@{due.isoformat()}" if due else kind


def base_kind(key: str) -> str:
    """Inverse of `claim_key` for the kind part."""
    return key.split("@", 1)[0]  # pragma: no mutate - the maxsplit never changes part [0]


# --- times -----------------------------------------------------------------------------


def overdue_day(due: date, level: int, policy: ReminderPolicy) -> date:
    """Level 1: the first working day after ``due``; then every ``overdue_every`` working days."""
    first = next_working_day_after(due)
    return add_working_days(first, (level - 1) * policy.overdue_every)


def next_overdue(due: date, on_or_after: date, policy: ReminderPolicy, *, min_level: int = 1) -> tuple[int, date]:
    """The first overdue level (≥ ``min_level``) falling on or after ``on_or_after``."""
    level = max(1, min_level)
    day = overdue_day(due, level, policy)
    while day < on_or_after:
        level += 1
        day = add_working_days(day, policy.overdue_every)
    return level, day


def opened_day(today: date) -> date:
    """The notice to a coordinating unit goes out today, or the next working day."""
    return today if is_working_day(today) else next_working_day_after(today)


def reminder_times(due: date | None, role: str, today: date, policy: ReminderPolicy) -> list[tuple[str, datetime]]:
    """The reminders an assignment of ``role`` (lead/support) due on ``due`` should have
    from ``today`` on, as ``(kind, fire_at UTC)`` sorted by time. Days already past are
    left out; when two offsets land on the same working day only the nearer one stays.
    For a lead, the list ends with the next overdue level (further levels are added
    as each one is sent)."""
    out: list[tuple[str, date]] = []
    if role == "support":
        opened = opened_day(today)
        out.append((KIND_OPENED, opened))
        if due is not None:
            day = previous_working_day(due - timedelta(days=policy.support_before))
            if day > opened:
                out.append((KIND_SUPPORT_BEFORE, day))
        return [(k, policy.at(d)) for k, d in out]
    if due is None:
        return []
    by_day: dict[date, str] = {}
    for offset in policy.offsets:  # descending: a nearer offset overwrites a farther one
        day = previous_working_day(due - timedelta(days=offset))
        if day >= today:
            by_day[day] = before_kind(offset)
    out = sorted(((k, d) for d, k in by_day.items()), key=lambda x: x[1])
    level, day = next_overdue(due, today, policy)
    out.append((overdue_kind(level), day))
    return [(k, policy.at(d)) for k, d in out]


def audience(kind: str) -> str:
    """Who in the unit gets a reminder of this kind: ``contacts`` or ``contacts+head``."""
    level = overdue_level(kind)
    return "contacts+head" if level is not None and level >= 2 else "contacts"


def on_leave(on_leave_until: date | None, today: date) -> bool:
    """A member on leave gets nothing up to and including ``on_leave_until``."""
    return on_leave_until is not None and today <= on_leave_until
