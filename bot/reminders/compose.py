"""Reminder messages: text and check-in buttons, for one task or a combined catch-up.
Wording lives in `bot.texts`; this module only arranges it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot import actions, texts
from bot.messenger import Button, Keyboard
from bot.reminders.policy import (
    KIND_DUE_TODAY,
    KIND_OPENED,
    KIND_SNOOZE,
    KIND_SUPPORT_BEFORE,
    overdue_level,
)

MAX_TEXT = 4096
MAX_TASKS_PER_MESSAGE = 6  # 2 rows of buttons per task; keeps a message readable
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
    level = overdue_level(item.kind)
    if level is not None:
        return texts.REMIND_OVERDUE.format(phrase=phrase)
    if item.kind == KIND_DUE_TODAY:
        return texts.REMIND_DUE_TODAY if item.due == today else texts.REMIND_BEFORE.format(phrase=phrase)
    if item.kind == KIND_OPENED:
        return texts.REMIND_OPENED
    if item.kind == KIND_SUPPORT_BEFORE:
        return texts.REMIND_SUPPORT_BEFORE.format(phrase=phrase)
    if item.kind == KIND_SNOOZE:
        return texts.REMIND_SNOOZE.format(phrase=phrase)
    return texts.REMIND_BEFORE.format(phrase=phrase)


def label(item: ReminderItem) -> str:
    if overdue_level(item.kind) is not None:
        return texts.REMIND_LABEL_OVERDUE
    return {
        KIND_DUE_TODAY: texts.REMIND_LABEL_DUE_TODAY,
        KIND_OPENED: texts.REMIND_LABEL_OPENED,
        KIND_SUPPORT_BEFORE: texts.REMIND_LABEL_SUPPORT,
        KIND_SNOOZE: texts.REMIND_LABEL_SNOOZE,
    }.get(item.kind, texts.REMIND_LABEL_BEFORE)


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


def _code_buttons(item: ReminderItem) -> Keyboard:
    a, code = item.assignment_id, _cut(item.code, 12)
    return [
        [Button(texts.BTN_DONE_CODE.format(code=code), actions.make(actions.CI_DONE, a)),
         Button(texts.BTN_PROGRESS_CODE.format(code=code), actions.make(actions.CI_PROGRESS, a))],
        [Button(texts.BTN_FILE_CODE.format(code=code), actions.make(actions.CI_FILE, a)),
         Button(texts.BTN_EXTEND_CODE.format(code=code), actions.make(actions.CI_EXTEND, a)),
         Button(texts.BTN_SNOOZE_CODE.format(code=code), actions.make(actions.CI_SNOOZE, a, 1))],
    ]


def compose_single(item: ReminderItem, today: date) -> tuple[str, Keyboard]:
    lines = [
        header(item, today),
        "",
        texts.REMIND_TASK.format(code=item.code, title=_cut(item.title, TITLE_SINGLE)),
        texts.REMIND_DUE.format(date=texts.fmt_date(item.due), phrase=texts.days_phrase(item.due, today)),
        texts.REMIND_LEAD.format(units=_units(item.lead_units)),
    ]
    if item.support_units:
        lines.append(texts.REMIND_SUPPORT.format(units=_units(item.support_units)))
    if (overdue_level(item.kind) or 0) >= 2:
        lines.append(texts.REMIND_OVERDUE_HEAD_NOTE)
    lines += ["", texts.REMIND_FOOTER]
    return "\n".join(lines)[:MAX_TEXT], checkin_buttons(item.assignment_id)


def _combined_block(i: int, item: ReminderItem, today: date) -> str:
    block = texts.REMIND_COMBINED_ITEM.format(
        i=i, code=item.code, title=_cut(item.title, TITLE_COMBINED), date=texts.fmt_date(item.due),
        phrase=texts.days_phrase(item.due, today), label=label(item))
    units = texts.REMIND_COMBINED_UNITS.format(lead=_cut(_units(item.lead_units), 200))
    if item.support_units:
        units += texts.REMIND_COMBINED_SUPPORT.format(support=_cut(_units(item.support_units), 200))
    return block + "\n" + units


def compose(items: list[ReminderItem], today: date) -> list[tuple[str, Keyboard]]:
    """One message for one task; for several, combined messages of at most
    `MAX_TASKS_PER_MESSAGE` tasks each (always under 4096 characters), most urgent first."""
    if not items:
        return []
    if len(items) == 1:
        return [compose_single(items[0], today)]
    items = sorted(items, key=lambda it: (it.due or date.max, it.code))
    chunks = [items[i:i + MAX_TASKS_PER_MESSAGE] for i in range(0, len(items), MAX_TASKS_PER_MESSAGE)]
    out = []
    n = 0
    for part, chunk in enumerate(chunks, 1):
        head = texts.REMIND_COMBINED_HEADER.format(n=len(items))
        if len(chunks) > 1:
            head += " " + texts.REMIND_COMBINED_PART.format(i=part, n=len(chunks))
        blocks, keyboard = [head], []
        for item in chunk:
            n += 1
            blocks.append(_combined_block(n, item, today))
            keyboard += _code_buttons(item)
        blocks.append(texts.REMIND_COMBINED_FOOTER)
        out.append(("\n\n".join(blocks)[:MAX_TEXT], keyboard))
    return out
