"""The bot's notion of now. Domain functions take dates as arguments; only jobs and
handlers read a clock, so tests and the demo can move time forward."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo


class Clock:
    def __init__(self, tz: ZoneInfo, offset: timedelta = timedelta(0)) -> None:
        self.tz = tz
        self.offset = offset

    def now(self) -> datetime:
        """Aware UTC now (shifted by the offset)."""
        return datetime.now(timezone.utc) + self.offset

    def local_now(self) -> datetime:
        return self.now().astimezone(self.tz)

    def today(self) -> date:
        return self.local_now().date()

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    def set(self, when: datetime) -> None:
        """Jump so that now() == when (aware)."""
        self.offset = when - datetime.now(timezone.utc)


def local_datetime(day: date, hour: int, tz: ZoneInfo, minute: int = 0) -> datetime:
    """A local wall-clock time as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).astimezone(timezone.utc)
