"""Calendar arithmetic the readers share: ends of months, quarters and periods, and the
Vietnamese lunar calendar (through `lunar_vn`, computed for UTC+7, the Vietnamese time
zone: the new moon that starts a month can fall on different days in China and Vietnam,
as it did for Tết 1985)."""

from __future__ import annotations

import calendar
from datetime import date

from lunar_vn import convert_lunar_to_solar, convert_solar_to_lunar

VIETNAM_UTC_OFFSET = 7.0


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_end(year: int, quarter: int) -> date:
    return month_end(year, quarter * 3)


def add_months(d: date, n: int) -> date:
    y, m = shift_month(d, n)
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def shift_month(d: date, n: int) -> tuple[int, int]:
    """(year, month) n months after d's month."""
    m = d.month - 1 + n
    return d.year + m // 12, m % 12 + 1


def next_quarter_end(today: date) -> date:
    q = (today.month - 1) // 3 + 2
    return quarter_end(today.year + (q - 1) // 4, (q - 1) % 4 + 1)


def period_end(period: str | None, year: int | None) -> date | None:
    """End of a section's period: "Q1".."Q4", "H1", "H2", "9M", "M01".."M12", "Y"."""
    if not period or not year:
        return None
    p = period.upper()
    try:
        if p in ("Y", "H2"):
            return date(year, 12, 31)
        if p.startswith("Q"):
            return quarter_end(year, int(p[1:]))
        if p == "H1":
            return date(year, 6, 30)
        if p == "9M":
            return date(year, 9, 30)
        if p.startswith("M"):
            return month_end(year, int(p[1:]))
    except ValueError:
        return None
    return None


def not_over(end_in: "callable", today: date, year: int | None) -> date | None:
    """A period named without a year is the next one that is not over: `end_in(year)` for
    this year if it ends today or later, else next year's. With a year, that year's."""
    if year is not None:
        return end_in(year)
    this = end_in(today.year)
    if this is None or this >= today:
        return this
    return end_in(today.year + 1)


# --- the lunar calendar --------------------------------------------------------------------


def lunar_to_solar(day: int, month: int, lunar_year: int) -> date | None:
    """The solar date of a lunar day (non-leap month), None when it does not exist (the
    30th of a 29-day month reads back as another day: refused)."""
    try:
        got = convert_lunar_to_solar(day, month, lunar_year, 0, VIETNAM_UTC_OFFSET)
        back = convert_solar_to_lunar(got.day, got.month, got.year, VIETNAM_UTC_OFFSET)
    except ValueError:
        return None
    return got if (back.day, back.month, back.leap) == (day, month, False) else None


def lunar_year_of(d: date) -> int:
    return convert_solar_to_lunar(d.day, d.month, d.year, VIETNAM_UTC_OFFSET).year


def next_lunar(day: int, month: int, today: date) -> date | None:
    """The next lunar day/month that is not over: this lunar year's, else next one's."""
    year = lunar_year_of(today)
    for y in (year, year + 1):
        got = lunar_to_solar(day, month, y)
        if got is not None and got >= today:
            return got
    return None


def tet(lunar_year: int) -> date | None:
    """The first day of the lunar year (Tết Nguyên đán)."""
    return lunar_to_solar(1, 1, lunar_year)
