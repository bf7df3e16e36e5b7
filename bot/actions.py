"""Action strings carried by buttons (Telegram callback_data, ≤ 64 bytes).

Form: ``<domain>:<verb>[:<arg>...]``. Handlers must never trust them: every action is
re-checked against the member's unit before it changes anything."""

from __future__ import annotations

# check-in on an assignment (arg: assignment id)
CI_DONE = "ci:done"
CI_PROGRESS = "ci:prog"
CI_FILE = "ci:file"
CI_EXTEND = "ci:ext"
CI_SNOOZE = "ci:snz"  # extra arg: days (1 or 3)
CI_PICK = "ci:pick"  # pick which task a pending answer/file belongs to
CI_SELECT = "ci:sel"  # a combined reminder: show the actions for this task


def make(*parts: object) -> str:
    s = ":".join(str(p) for p in parts)
    if len(s.encode()) > 64:
        raise ValueError(f"action too long: {s!r}")
    return s


def parse(data: str) -> list[str]:
    return (data or "").split(":")
