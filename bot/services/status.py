"""One truth per task: where an assignment (or a task nobody leads yet) stands, in the
words every view uses — the secretariat's commands, the workbook, the chart and the
digest all call this module, so "đã xong", "đang làm 60%", "quá hạn 3 ngày",
"chưa báo cáo", "đã báo cáo", "chưa giao đơn vị" mean the same thing everywhere.

No Telegram types here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot import texts

ACTIVE = ("open", "in_progress", "blocked")

# states, in the order a reader cares about them
DONE = "done"
IN_PROGRESS = "in_progress"
BLOCKED = "blocked"
REPORTED = "reported"
NOT_REPORTED = "not_reported"
CANCELLED = "cancelled"
UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class Standing:
    state: str
    progress: int = 0
    days_late: int = 0  # > 0 only while not done and past the due date

    @property
    def late(self) -> bool:
        return self.days_late > 0

    def state_words(self) -> str:
        if self.state == IN_PROGRESS:
            return (texts.STANDING["in_progress"].format(progress=self.progress) if self.progress
                    else texts.STANDING["started"])
        return texts.STANDING[self.state]

    def words(self) -> str:
        """The state, and the lateness when there is one: "đang làm 60% · quá hạn 3 ngày"."""
        parts = [self.state_words()]
        if self.late:
            parts.append(texts.STANDING_LATE.format(days=self.days_late))
        return texts.STANDING_SEP.join(parts)


def days_late(due: date | None, today: date) -> int:
    return max(0, (today - due).days) if due is not None else 0


def assignment_standing(status: str, progress: int | None, due: date | None, today: date, *,
                        reported: bool) -> Standing:
    """``status`` is the assignment's; ``reported``: a check-in not undone exists for it."""
    progress = progress or 0
    if status == "done":
        return Standing(DONE, 100)
    if status == "cancelled":
        return Standing(CANCELLED, progress)
    late = days_late(due, today)
    if status == "blocked":
        return Standing(BLOCKED, progress, late)
    if status == "in_progress" or progress:
        return Standing(IN_PROGRESS, progress, late)
    return Standing(REPORTED if reported else NOT_REPORTED, progress, late)


def unassigned_standing(task_status: str, due: date | None, today: date) -> Standing:
    """A task without a lead unit: nobody can answer for it until one is given."""
    if task_status == "done":
        return Standing(DONE, 100)
    if task_status == "cancelled":
        return Standing(CANCELLED)
    return Standing(UNASSIGNED, 0, days_late(due, today))


def task_standing(task_status: str, due: date | None, today: date, leads: list[Standing]) -> Standing:
    """A whole task: its own end state, else "chưa giao đơn vị" without a lead, else the
    lead assignment furthest behind (most days late, then least progress)."""
    if task_status in ("done", "cancelled") or not leads:
        return unassigned_standing(task_status, due, today)
    open_leads = [x for x in leads if x.state not in (DONE, CANCELLED)]
    if not open_leads:
        return Standing(DONE, 100) if any(x.state == DONE for x in leads) else Standing(CANCELLED)
    return max(open_leads, key=lambda x: (x.days_late, -x.progress))
