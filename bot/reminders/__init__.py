"""The reminder engine: policy (pure), scheduling into the database, the scanner that
claims and sends, message composition and the secretariat's digest."""

from bot.reminders.policy import ReminderPolicy, reminder_times
from bot.reminders.schedule import cancel_assignment_reminders, reschedule_assignment, snooze

__all__ = ["ReminderPolicy", "cancel_assignment_reminders", "reminder_times", "reschedule_assignment", "snooze"]
