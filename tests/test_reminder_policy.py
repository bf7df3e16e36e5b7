"""The reminder policy on dates: offsets at 08:00 local, days off (weekends, Tết and the
other Vietnamese holidays) moving a reminder to the previous working day, the overdue
cadence, coordinating units, leave, snoozes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.reminders.compose import ReminderItem, compose
from bot.reminders.policy import (
    ReminderPolicy,
    add_working_days,
    audience,
    claim_key,
    is_working_day,
    next_overdue,
    on_leave,
    overdue_day,
    previous_working_day,
    reminder_times,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
P = ReminderPolicy(offsets=(7, 3, 1, 0), hour=8, tz=TZ, overdue_every=3)


def local(times):
    """[(kind, 'dd/mm')] in local time, checking each fires at 08:00."""
    out = []
    for kind, t in times:
        lt = t.astimezone(TZ)
        assert (lt.hour, lt.minute) == (8, 0)
        out.append((kind, lt.strftime("%d/%m/%Y")))
    return out


@pytest.mark.parametrize("day, working", [
    (date(2024, 2, 8), False),   # 29 Tết Giáp Thìn
    (date(2024, 2, 14), False),  # mùng 5 Tết
    (date(2024, 2, 15), True),   # back to work
    (date(2024, 2, 7), True),
    (date(2025, 1, 27), False),  # 28 Tết Ất Tỵ
    (date(2025, 1, 31), False),  # mùng 3 Tết
    (date(2025, 2, 3), True),    # first working day after Tết 2025
    (date(2025, 1, 24), True),   # last working day before Tết 2025
    (date(2025, 4, 7), False),   # Giỗ Tổ Hùng Vương
    (date(2025, 4, 30), False),
    (date(2025, 5, 2), False),   # swapped day off…
    (date(2025, 4, 26), True),   # …worked on Saturday 26/4
    (date(2025, 9, 1), False),
    (date(2025, 9, 2), False),
    (date(2025, 3, 8), False),   # a Saturday
    (date(2025, 3, 10), True),   # a Monday
])
def test_working_days_follow_the_vietnamese_calendar(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize("due, today, expected", [
    # an ordinary Friday deadline: 7, 3, 1 days before and the day itself, then overdue Monday
    (date(2025, 3, 14), date(2025, 3, 1),
     [("before_7d", "07/03/2025"), ("before_3d", "11/03/2025"), ("before_1d", "13/03/2025"),
      ("due_today", "14/03/2025"), ("overdue_1", "17/03/2025")]),
    # due Monday: 1 day before is Sunday → Friday, which is also 3 days before: only the nearer stays
    (date(2025, 3, 17), date(2025, 3, 1),
     [("before_7d", "10/03/2025"), ("before_1d", "14/03/2025"), ("due_today", "17/03/2025"),
      ("overdue_1", "18/03/2025")]),
    # due the Monday after Tết 2025: every reminder before lands in Tết → Friday 24/01
    (date(2025, 2, 3), date(2025, 1, 1),
     [("before_1d", "24/01/2025"), ("due_today", "03/02/2025"), ("overdue_1", "04/02/2025")]),
    # due on mùng 2 Tết 2024 (a holiday): due_today moves back to 07/02, overdue after the holiday
    (date(2024, 2, 11), date(2024, 1, 15),
     [("before_7d", "02/02/2024"), ("due_today", "07/02/2024"), ("overdue_1", "15/02/2024")]),
    # due Sunday: reminders Friday, overdue Monday
    (date(2025, 3, 16), date(2025, 3, 1),
     [("before_7d", "07/03/2025"), ("before_3d", "13/03/2025"), ("due_today", "14/03/2025"),
      ("overdue_1", "17/03/2025")]),
    # created 2 days before: the 7- and 3-day reminders are past and left out
    (date(2025, 3, 14), date(2025, 3, 12),
     [("before_1d", "13/03/2025"), ("due_today", "14/03/2025"), ("overdue_1", "17/03/2025")]),
    # already overdue when imported: the next overdue level on or after today
    (date(2025, 3, 3), date(2025, 3, 10),
     [("overdue_3", "12/03/2025")]),
    # no due date: no reminders for a lead
    (None, date(2025, 3, 1), []),
])
def test_lead_reminders(due, today, expected):
    assert local(reminder_times(due, "lead", today, P)) == expected


def test_offsets_and_hour_come_from_the_policy():
    p = ReminderPolicy(offsets=(5, 0), hour=14, tz=TZ)
    times = reminder_times(date(2025, 3, 14), "lead", date(2025, 3, 1), p)
    assert [(k, t.astimezone(TZ).strftime("%d/%m %H:%M")) for k, t in times] == [
        ("before_5d", "07/03 14:00"), ("due_today", "14/03 14:00"), ("overdue_1", "17/03 14:00")]


@pytest.mark.parametrize("due, level, expected", [
    (date(2025, 3, 14), 1, date(2025, 3, 17)),   # Friday → Monday
    (date(2025, 3, 14), 2, date(2025, 3, 20)),   # +3 working days
    (date(2025, 3, 14), 3, date(2025, 3, 25)),
    (date(2025, 1, 24), 1, date(2025, 2, 3)),    # across Tết 2025
    (date(2025, 1, 22), 2, date(2025, 2, 4)),    # 23/1, then 24/1, 3/2, 4/2
    (date(2025, 4, 29), 1, date(2025, 5, 5)),    # 30/4, 1/5, 2/5 off, then the weekend
])
def test_overdue_cadence_in_working_days(due, level, expected):
    assert overdue_day(due, level, P) == expected


def test_overdue_every_n_is_configurable():
    p = ReminderPolicy(overdue_every=1, tz=TZ)
    assert [overdue_day(date(2025, 3, 14), n, p) for n in (1, 2, 3)] == [
        date(2025, 3, 17), date(2025, 3, 18), date(2025, 3, 19)]


def test_after_downtime_the_next_overdue_level_skips_missed_ones():
    assert next_overdue(date(2025, 3, 14), date(2025, 3, 26), P, min_level=2) == (4, date(2025, 3, 28))


@pytest.mark.parametrize("kind, who", [
    ("before_7d", "contacts"), ("due_today", "contacts"), ("overdue_1", "contacts"),
    ("overdue_2", "contacts+head"), ("overdue_5", "contacts+head"), ("opened", "contacts"),
])
def test_escalation_to_the_unit_head_from_level_2(kind, who):
    assert audience(kind) == who


@pytest.mark.parametrize("due, today, expected", [
    (date(2025, 3, 14), date(2025, 3, 3), [("opened", "03/03/2025"), ("support_before", "11/03/2025")]),
    # given on a Saturday: the notice waits for Monday
    (date(2025, 3, 28), date(2025, 3, 8), [("opened", "10/03/2025"), ("support_before", "25/03/2025")]),
    # due too soon for a second notice
    (date(2025, 3, 14), date(2025, 3, 12), [("opened", "12/03/2025")]),
    (None, date(2025, 3, 12), [("opened", "12/03/2025")]),
])
def test_support_units_get_an_opening_notice_and_one_before_the_due_date(due, today, expected):
    assert local(reminder_times(due, "support", today, P)) == expected


def test_an_extension_moves_the_reminders():
    before = local(reminder_times(date(2025, 3, 14), "lead", date(2025, 3, 10), P))
    after = local(reminder_times(date(2025, 3, 28), "lead", date(2025, 3, 10), P))
    assert before[0] == ("before_3d", "11/03/2025")
    assert after == [("before_7d", "21/03/2025"), ("before_3d", "25/03/2025"), ("before_1d", "27/03/2025"),
                     ("due_today", "28/03/2025"), ("overdue_1", "31/03/2025")]
    # the claim key carries the due date, so the new date reminds again
    assert claim_key("before_3d", date(2025, 3, 14)) != claim_key("before_3d", date(2025, 3, 28))
    assert claim_key("opened", date(2025, 3, 14)) == claim_key("opened", date(2025, 3, 28)) == "opened"


@pytest.mark.parametrize("until, today, away", [
    (date(2025, 3, 14), date(2025, 3, 14), True),   # the last day of leave
    (date(2025, 3, 14), date(2025, 3, 15), False),  # back
    (None, date(2025, 3, 15), False),
])
def test_leave(until, today, away):
    assert on_leave(until, today) is away


def test_working_day_helpers():
    assert previous_working_day(date(2025, 2, 1)) == date(2025, 1, 24)
    assert add_working_days(date(2025, 1, 23), 2) == date(2025, 2, 3)


def test_reminder_text_names_task_due_date_units_and_buttons():
    item = ReminderItem(assignment_id=42, kind="before_3d", code="12", title="Báo cáo sơ kết 6 tháng",
                        due=date(2025, 3, 14), lead_units=("Sở Tư pháp",), support_units=("Sở Nội vụ", "Công an tỉnh"))
    [(text, buttons)] = compose([item], date(2025, 3, 11))
    assert "12. Báo cáo sơ kết 6 tháng" in text
    assert "14/03/2025 (còn 3 ngày)" in text
    assert "Chủ trì: Sở Tư pháp" in text and "Phối hợp: Sở Nội vụ; Công an tỉnh" in text
    flat = [(b.text, b.action) for row in buttons for b in row]
    assert ("✅ Đã hoàn thành", "ci:done:42") in flat
    assert ("📊 Cập nhật tiến độ", "ci:prog:42") in flat
    assert ("📎 Gửi báo cáo", "ci:file:42") in flat
    assert ("🕒 Xin gia hạn", "ci:ext:42") in flat
    assert ("🔁 Nhắc lại sau (ngày mai)", "ci:snz:42:1") in flat
    assert ("🔁 Nhắc lại sau 3 ngày", "ci:snz:42:3") in flat

    overdue = ReminderItem(42, "overdue_2", "12", "Báo cáo", date(2025, 3, 14), ("Sở Tư pháp",))
    [(text, _)] = compose([overdue], date(2025, 3, 20))
    assert "quá hạn 6 ngày" in text and "Lãnh đạo đơn vị" in text


def test_combined_message_stays_under_telegram_limits():
    items = [ReminderItem(i, "overdue_1", f"{i}.{i}", "Nhiệm vụ rất dài " * 40, date(2025, 3, 1), ("Đơn vị A" * 30,),
                          ("Đơn vị B" * 30,)) for i in range(1, 21)]
    parts = compose(items, date(2025, 3, 20))
    assert len(parts) == 4
    assert all(len(text) <= 4096 and sum(len(r) for r in kb) <= 100 for text, kb in parts)
    assert "(phần 1/4)" in parts[0][0] and "Bạn có 20 nhiệm vụ" in parts[0][0]
    actions = {b.action for _, kb in parts for row in kb for b in row}
    assert {f"ci:sel:{i}" for i in range(1, 21)} <= actions  # a task first, then its actions
