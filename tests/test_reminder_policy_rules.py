"""The reminder policy's small rules, one row per case: the keys that make a delivery
unique, the overdue levels, the offsets as configured, and what a coordinating unit gets.
Written from the mutants `dondoc bench mutants bot/reminders/policy.py` left alive."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.reminders.policy import (
    ReminderPolicy,
    audience,
    base_kind,
    claim_key,
    next_overdue,
    overdue_level,
    reminder_times,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def test_offsets_are_deduplicated_and_nearest_last():
    assert ReminderPolicy(offsets=(0, 7, 3, 3, 1)).offsets == (7, 3, 1, 0)


def test_policy_from_settings_takes_every_setting():
    settings = Settings(_env_file=None, reminder_hour=14, reminder_offsets="10,2,0", overdue_every_days=5,
                        timezone="Asia/Bangkok", bot_token="1:x")
    p = ReminderPolicy.from_settings(settings)
    assert p.offsets == (10, 2, 0)
    assert p.hour == 14
    assert p.overdue_every == 5
    assert str(p.tz) == "Asia/Bangkok"
    # 14:00 in Bangkok (UTC+7) is 07:00 UTC
    assert p.at(date(2025, 3, 10)) == datetime(2025, 3, 10, 7, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("kind,level", [
    ("overdue_1", 1), ("overdue_12", 12), ("overdue_", None), ("overdue_x", None), ("due_today", None),
    ("before_3d", None), ("xoverdue_2", None),
])
def test_overdue_level(kind, level):
    assert overdue_level(kind) == level


@pytest.mark.parametrize("kind,due,fire_at,key", [
    ("opened", date(2025, 3, 31), None, "opened"),
    ("before_7d", date(2025, 3, 31), None, "before_7d@2025-03-31"),
    ("before_7d", None, None, "before_7d"),
    ("snooze", date(2025, 3, 31), datetime(2025, 3, 12, 1, 5), "snooze@2025-03-12T01:05"),
    ("snooze", date(2025, 3, 31), None, "snooze@2025-03-31"),
    ("overdue_2", date(2025, 3, 31), datetime(2025, 4, 4, 1, 0), "overdue_2@2025-03-31"),
])
def test_claim_key(kind, due, fire_at, key):
    assert claim_key(kind, due, fire_at) == key


@pytest.mark.parametrize("key,kind", [
    ("before_7d@2025-03-31", "before_7d"), ("opened", "opened"), ("snooze@2025-03-12T01:05", "snooze"),
    ("a@b@c", "a"),
])
def test_base_kind(key, kind):
    assert base_kind(key) == kind


@pytest.mark.parametrize("kind,who", [
    ("overdue_1", "contacts"), ("overdue_2", "contacts+head"), ("overdue_7", "contacts+head"),
    ("due_today", "contacts"), ("before_1d", "contacts"),
])
def test_audience(kind, who):
    assert audience(kind) == who


def test_next_overdue_respects_min_level():
    p = ReminderPolicy(overdue_every=3)
    due = date(2025, 3, 14)  # a Friday
    # level 1 is Monday 17/3; asking from the due date itself with min_level 2 skips level 1
    assert next_overdue(due, due, p) == (1, date(2025, 3, 17))
    assert next_overdue(due, due, p, min_level=2) == (2, date(2025, 3, 20))
    assert next_overdue(due, due, p, min_level=0) == (1, date(2025, 3, 17))
    # a level that falls on the day asked for is that day's level
    assert next_overdue(due, date(2025, 3, 17), p) == (1, date(2025, 3, 17))
    # from the day after level 2, level 3 three working days later
    assert next_overdue(due, date(2025, 3, 21), p) == (3, date(2025, 3, 25))


def test_support_unit_without_due_date_gets_only_the_notice():
    p = ReminderPolicy(tz=HCM)
    today = date(2025, 3, 10)
    assert [k for k, _ in reminder_times(None, "support", today, p)] == ["opened"]


def test_support_reminder_only_after_the_notice_day():
    p = ReminderPolicy(tz=HCM, support_before=3)
    today = date(2025, 3, 10)  # Monday
    # due Thursday: three days before is Monday = the notice day, so no second reminder
    assert [k for k, _ in reminder_times(date(2025, 3, 13), "support", today, p)] == ["opened"]
    # due Friday: Tuesday is after the notice day
    times = reminder_times(date(2025, 3, 14), "support", today, p)
    assert [(k, t.astimezone(HCM).date()) for k, t in times] == [
        ("opened", date(2025, 3, 10)), ("support_before", date(2025, 3, 11))]


def test_lead_without_due_date_gets_nothing():
    assert reminder_times(None, "lead", date(2025, 3, 10), ReminderPolicy()) == []


def test_lead_reminders_from_today_on_with_next_overdue_level():
    p = ReminderPolicy(tz=HCM, offsets=(7, 3, 1, 0), hour=8)
    due = date(2025, 3, 21)  # Friday
    times = reminder_times(due, "lead", date(2025, 3, 17), p)  # Monday: the 7-day one is past
    assert [(k, t.astimezone(HCM).date()) for k, t in times] == [
        ("before_3d", date(2025, 3, 18)), ("before_1d", date(2025, 3, 20)), ("due_today", date(2025, 3, 21)),
        ("overdue_1", date(2025, 3, 24))]
    assert all(t.astimezone(HCM).hour == 8 for _, t in times)
    # on the reminder day itself the reminder is still to come
    assert [k for k, _ in reminder_times(due, "lead", date(2025, 3, 18), p)][0] == "before_3d"
