"""Reminder messages: text and check-in buttons, for one task or a combined catch-up.
Wording lives in `bot.texts`; this module only arranges it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot import actions, texts
from bot.messenger import Button, Keyboard
from bot.reminders.policy import (
    KIND_OPENED,
    KIND_SNOOZE,
    KIND_SUPPORT_BEFORE,
    overdue_level,
)

MAX_TEXT = 4096
MAX_TASKS_PER_MESSAGE = 6  # keeps a message readable
TITLE_SINGLE = 400
TITLE_COMBINED = 160


@dataclass(frozen=True)
class ReminderItem:
    """What a reminder says about one assignment."""

    assignment_id: int
    kind: str  # base kind: before_3d, due_today, overdue_2, opened, support_before, snooze
    code: str
    title: str
    due: date | None
    lead_units: tuple[str, ...] = field(default_factory=tuple)
    support_units: tuple[str, ...] = field(default_factory=tuple)


def _units(names) -> str:
    return "; ".join(names) if names else texts.NO_UNITS


def _cut(s: str, n: int) -> str:
    s = " ".join((s or "").split())
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


def header(item: ReminderItem, today: date) -> str:
    phrase = texts.days_phrase(item.due, today)
    if item.kind == KIND_OPENED:
        return texts.REMIND_OPENED
    if item.kind == KIND_SUPPORT_BEFORE:
        return texts.REMIND_SUPPORT_BEFORE.format(phrase=phrase)
    if item.kind == KIND_SNOOZE:
        return texts.REMIND_SNOOZE.format(phrase=phrase)
    if item.due is not None and item.due < today:
        return texts.REMIND_OVERDUE.format(phrase=phrase)
    if item.due == today:
        return texts.REMIND_DUE_TODAY
    return texts.REMIND_BEFORE.format(phrase=phrase)


def label(item: ReminderItem) -> str:
    """What a combined line adds to its "còn N ngày / hôm nay là hạn / quá hạn N ngày":
    only what that phrase does not already say (the dates decide, not the reminder's kind,
    so a due-today reminder moved before a weekend never reads "còn 1 ngày · hạn hôm nay")."""
    return {
        KIND_OPENED: texts.REMIND_LABEL_OPENED,
        KIND_SUPPORT_BEFORE: texts.REMIND_LABEL_SUPPORT,
        KIND_SNOOZE: texts.REMIND_LABEL_SNOOZE,
    }.get(item.kind, "")


def escalated(item: ReminderItem, recipient_role: str) -> bool:
    """The unit head receives this because the task is late (level 2 on), not as a contact."""
    return recipient_role == "unit_head" and (overdue_level(item.kind) or 0) >= 2


def checkin_buttons(assignment_id: int) -> Keyboard:
    a = assignment_id
    return [
        [Button(texts.BTN_DONE, actions.make(actions.CI_DONE, a)),
         Button(texts.BTN_PROGRESS, actions.make(actions.CI_PROGRESS, a))],
        [Button(texts.BTN_FILE, actions.make(actions.CI_FILE, a)),
         Button(texts.BTN_EXTEND, actions.make(actions.CI_EXTEND, a))],
        [Button(texts.BTN_SNOOZE_1, actions.make(actions.CI_SNOOZE, a, 1)),
         Button(texts.BTN_SNOOZE_3, actions.make(actions.CI_SNOOZE, a, 3))],
    ]


TASKS_PER_ROW = 4


def task_keyboard(tasks: list[tuple[int, str]], selected: int | None = None) -> Keyboard:
    """A combined reminder's keyboard: the task codes in a row (or two), then — once the
    member picked one — that task's actions. Never five buttons per task."""
    buttons = [Button((texts.BTN_TASK_SELECTED if aid == selected else texts.BTN_TASK).format(code=_cut(code, 20)),
                      actions.make(actions.CI_SELECT, aid)) for aid, code in tasks]
    rows = [buttons[i:i + TASKS_PER_ROW] for i in range(0, len(buttons), TASKS_PER_ROW)]
    return rows + (checkin_buttons(selected) if selected is not None else [])


def compose_single(item: ReminderItem, today: date, recipient_role: str = "member") -> tuple[str, Keyboard]:
    head = escalated(item, recipient_role)
    lines = [
        texts.REMIND_ESCALATION.format(phrase=texts.days_phrase(item.due, today)) if head else header(item, today),
        "",
        texts.REMIND_TASK.format(code=item.code, title=_cut(item.title, TITLE_SINGLE)),
        texts.REMIND_DUE.format(date=texts.fmt_date(item.due), phrase=texts.days_phrase(item.due, today)),
        texts.REMIND_LEAD.format(units=_units(item.lead_units)),
    ]
    if item.support_units:
        lines.append(texts.REMIND_SUPPORT.format(units=_units(item.support_units)))
    if head:
        lines.append(texts.REMIND_ESCALATION_WHY)
    elif (overdue_level(item.kind) or 0) >= 2:
        lines.append(texts.REMIND_OVERDUE_HEAD_NOTE)
    lines += ["", texts.REMIND_FOOTER]
    return "\n".join(lines)[:MAX_TEXT], checkin_buttons(item.assignment_id)


def _combined_block(i: int, item: ReminderItem, today: date) -> str:
    block = texts.REMIND_COMBINED_ITEM.format(
        i=i, code=item.code, title=_cut(item.title, TITLE_COMBINED), date=texts.fmt_date(item.due),
        phrase=texts.days_phrase(item.due, today),
        label=texts.REMIND_COMBINED_LABEL.format(label=label(item)) if label(item) else "")
    units = texts.REMIND_COMBINED_UNITS.format(lead=_cut(_units(item.lead_units), 200))
    if item.support_units:
        units += texts.REMIND_COMBINED_SUPPORT.format(support=_cut(_units(item.support_units), 200))
    return block + "\n" + units


def compose(items: list[ReminderItem], today: date, recipient_role: str = "member") -> list[tuple[str, Keyboard]]:
    """One message for one task; for several, combined messages of at most
    `MAX_TASKS_PER_MESSAGE` tasks each (always under 4096 characters), most urgent first,
    whose buttons pick a task first (`task_keyboard`). A unit head escalated to is told why."""
    if not items:
        return []
    if len(items) == 1:
        return [compose_single(items[0], today, recipient_role)]
    head = any(escalated(it, recipient_role) for it in items)
    items = sorted(items, key=lambda it: (it.due or date.max, it.code))
    chunks = [items[i:i + MAX_TASKS_PER_MESSAGE] for i in range(0, len(items), MAX_TASKS_PER_MESSAGE)]
    out = []
    n = 0
    for part, chunk in enumerate(chunks, 1):
        top = (texts.REMIND_ESCALATION_COMBINED if head else texts.REMIND_COMBINED_HEADER).format(n=len(items))
        if len(chunks) > 1:
            top += " " + texts.REMIND_COMBINED_PART.format(i=part, n=len(chunks))
        blocks = [top]
        for item in chunk:
            n += 1
            blocks.append(_combined_block(n, item, today))
        keyboard = task_keyboard([(item.assignment_id, item.code) for item in chunk])
        blocks.append(texts.REMIND_COMBINED_FOOTER)
        out.append(("\n\n".join(blocks)[:MAX_TEXT], keyboard))
    return out
