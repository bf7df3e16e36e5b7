"""Unfinished conversations ("bao nhiêu %?", "gửi tệp", "đến ngày nào?", "nhiệm vụ nào?",
"nghỉ đến ngày nào?") wait in the database (`storage.state`), so a restart loses none.

Every such question tells how to leave it; "thôi"/"hủy", /huy or a new request leaves it,
and a question answered twice with something unreadable is dropped rather than asked a
third time — nobody is trapped in one."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import texts
from storage.models import Member
from storage.state import get_state, set_state, state_key, take_state

STATE = "checkin"
STATE_TTL = timedelta(days=2)
MAX_MISSES = 2  # unreadable answers to one question before it is dropped


def key(member: Member, name: str = STATE) -> str:
    return state_key(member.channel, member.user_id or 0, name)


def ask(question: str) -> str:
    """A question that waits for an answer, with the way out."""
    return f"{question}\n{texts.CI_EXIT_HINT}"


async def load(s, member: Member, now: datetime) -> dict | None:
    st = await get_state(s, key(member))
    if st is None:
        return None
    try:
        at = datetime.fromisoformat(st.get("at", ""))
    except ValueError:
        at = None
    if at is None or now - at > STATE_TTL:
        await drop(s, member)
        return None
    return st


async def save(s, member: Member, now: datetime, **data) -> None:
    await set_state(s, key(member), {**data, "at": now.isoformat()})


async def drop(s, member: Member) -> bool:
    """Forget the pending question; True if there was one (and this call removed it, so of
    two simultaneous presses only one goes on)."""
    return await take_state(s, key(member)) is not None


def describe(st: dict) -> str:
    """What the pending question is about, for "đã bỏ câu hỏi về …"."""
    what = texts.CI_QUESTION_WHAT.get(st.get("await", ""), texts.CI_QUESTION_WHAT["pick"])
    return what.format(code=st.get("code") or "")

