"""Check-ins: a unit contact says where a task stands (done, progress, blocked), sends the
report files, asks for more time, or takes it back within ten minutes.

Plain values in, dataclasses out: no Telegram types here. Every function that acts on an
assignment takes the member and checks the assignment belongs to the member's unit —
the handlers never decide that on their own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.inbox import current_update_key
from bot.reminders.policy import add_working_days
from bot.texts import fmt_date
from bot.reminders.schedule import cancel_assignment_reminders, reschedule_assignment, snooze
from storage.attachments import AttachmentStore
from storage.claims import claim
from storage.limits import fits
from storage.models import (
    Assignment,
    Attachment,
    CheckIn,
    ConversationState,
    ExtensionRequest,
    Member,
    ReminderLog,
    Task,
)

OPEN_STATUSES = ("open", "in_progress", "blocked")
UNDO_WINDOW = timedelta(minutes=10)
# check-in kinds that change the assignment's status; "file" and "note" only add to it,
# except that a report file on a task nobody had reported on yet counts as reported
STATUS_KINDS = {"done": "done", "progress": "in_progress", "blocked": "blocked"}
PRESS_PREFIX = "press:"  # one-time claims of a pressed button (conversation_state keys)
PRESS_TTL = timedelta(days=2)


class CheckinRefused(Exception):
    """The member may not do this: ``code`` is not_yours | closed | not_found | bad_date |
    already_done | not_staff | superseded (an undo someone's later answer would contradict)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class TaskRef:
    assignment_id: int
    code: str
    title: str
    due: date | None
    role: str  # lead | support
    status: str
    progress: int


@dataclass(frozen=True)
class FileLine:
    name: str
    size: int


@dataclass(frozen=True)
class Receipt:
    checkin_id: int
    task: TaskRef  # as it stands after the check-in
    kind: str  # done | progress | blocked | extension | file | note
    progress: int | None
    files: tuple[FileLine, ...]
    at: datetime  # aware UTC
    task_closed: bool = False  # this answer completed the whole task
    reason: str = ""
    requested_due: date | None = None
    extension_id: int | None = None


@dataclass(frozen=True)
class UndoResult:
    task: TaskRef
    kind: str
    at: datetime  # when the undone check-in was made
    files: tuple[FileLine, ...]
    progress: int | None = None  # what the undone answer said
    requested_due: date | None = None  # an undone extension request: the date it asked for


@dataclass(frozen=True)
class ExtensionDecision:
    request_id: int
    approved: bool
    task: TaskRef
    old_due: date | None
    new_due: date
    member_chat_id: int | None
    member_name: str
    decided_by: str
    unit_name: str = ""
    reason: str = ""
    moved: int = 1  # assignments of the task whose due date moved


@dataclass
class FileCheck:
    """Why a file cannot be taken, before anything is downloaded."""

    ok: bool
    reason: str = ""  # too_big | type
    ext: str = ""


def task_ref(a: Assignment) -> TaskRef:
    return TaskRef(a.id, a.task.code, a.task.title, a.due_date, a.role, a.status, a.progress or 0)


# --- finding the assignment ------------------------------------------------------------


async def open_assignments(session: AsyncSession, unit_id: int | None) -> list[Assignment]:
    """The unit's assignments still to do, earliest due first (no due date last)."""
    if unit_id is None:
        return []
    rows = await session.execute(
        select(Assignment).join(Task, Task.id == Assignment.task_id)  # pragma: no mutate - the foreign key's join
        .where(Assignment.unit_id == unit_id, Assignment.status.in_(OPEN_STATUSES), Task.status == "open")
        .order_by(Assignment.due_date.is_(None), Assignment.due_date, Task.code, Assignment.id)
    )
    return list(rows.scalars())


async def member_assignment(session: AsyncSession, member: Member, assignment_id: int | str | None) -> Assignment:
    """The assignment, if it belongs to the member's unit; otherwise `CheckinRefused`."""
    try:
        aid = int(assignment_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CheckinRefused("not_found") from None
    a = await session.get(Assignment, aid)
    if a is None:
        raise CheckinRefused("not_found")
    if member.unit_id is None or a.unit_id != member.unit_id or not member.active:
        raise CheckinRefused("not_yours")
    return a


async def unit_assignment_by_code(session: AsyncSession, member: Member, code: str) -> Assignment | None:
    """The member's unit's assignment of the task with this code (typed in any case), the
    open one first when the unit has that code in several programmes."""
    if member.unit_id is None or not code:
        return None
    rows = (await session.execute(
        select(Assignment).join(Task, Task.id == Assignment.task_id)  # pragma: no mutate - the foreign key's join
        .where(Assignment.unit_id == member.unit_id, func.upper(Task.code) == code.upper())
        .order_by(Assignment.status.not_in(OPEN_STATUSES), Assignment.id.desc()))).scalars().all()
    return rows[0] if rows else None


async def pending_extension(session: AsyncSession, assignment_id: int) -> ExtensionRequest | None:
    return (await session.execute(select(ExtensionRequest).where(
        ExtensionRequest.assignment_id == assignment_id, ExtensionRequest.status == "pending")
        .order_by(ExtensionRequest.id.desc()).limit(1))).scalar_one_or_none()


async def assignments_of_message(session: AsyncSession, member_id: int, message_id: int) -> list[int]:
    """Assignments a reminder message sent to this member was about (a combined reminder
    lists several)."""
    rows = await session.execute(
        select(ReminderLog.assignment_id)
        .where(ReminderLog.member_id == member_id, ReminderLog.message_id == message_id)
        .order_by(ReminderLog.id)
    )
    return list(dict.fromkeys(rows.scalars()))


async def open_items_of_message(session: AsyncSession, member: Member, message_id: int) -> list[tuple[int, str]]:
    """(assignment id, task code) of a reminder's tasks still open, in the reminder's order
    (most urgent first, as `bot.reminders.compose` lists them)."""
    ids = set(await assignments_of_message(session, member.id, message_id))
    if not ids:
        return []
    return [(a.id, a.task.code) for a in await open_assignments(session, member.unit_id) if a.id in ids]


# --- recording ---------------------------------------------------------------------------


async def record_checkin(
    session: AsyncSession,
    member: Member,
    assignment_id: int,
    *,
    kind: str,
    now: datetime,
    progress: int | None = None,
    text: str = "",
    attachment_ids: list[int] | tuple[int, ...] = (),
    message_id: int | None = None,
) -> Receipt:
    """Record one answer on one assignment and move the assignment accordingly.

    ``kind``: done | progress | blocked | file | note. A unit's "done" closes its
    assignment and cancels its pending reminders; the task is done when all its lead
    units are; a coordinating (support) unit's "done" closes only its own part.
    An update handled again after a kill gets the receipt of what it recorded the first time."""
    a = await member_assignment(session, member, assignment_id)
    if (done_before := await _recorded(session, CheckIn.assignment_id == a.id, CheckIn.status != "extension")):
        return _receipt_again(done_before, a)
    if a.status == "cancelled" or a.task.status == "cancelled":
        raise CheckinRefused("closed")
    if a.status == "done" and kind in STATUS_KINDS:
        if kind == "done" and not attachment_ids:
            raise CheckinRefused("already_done")
        kind = "file" if attachment_ids else "note"
    if progress is not None:
        progress = max(0, min(100, int(progress)))
    if kind == "progress" and progress == 100:
        kind = "done"
    previous_status = a.status  # before the claim: a won claim shows "done" on the loaded copy
    if kind == "done" and not await _claim_done(session, a):
        raise CheckinRefused("already_done")  # another tap or process closed it a moment ago

    ci = CheckIn(assignment_id=a.id, member_id=member.id, status=kind, text=(text or "")[:4000],
                 previous_status=previous_status, previous_progress=a.progress, created_at=now,
                 message_id=message_id, update_key=current_update_key.get())
    if kind in STATUS_KINDS:  # a report file leaves the status: "đã báo cáo" comes from the check-in
        a.status = STATUS_KINDS[kind]
    if kind == "done":
        a.progress, a.done_at = 100, now
    elif progress is not None:
        a.progress = progress
    ci.progress = a.progress
    a.last_checkin_at = now
    session.add(ci)
    await session.flush()
    files = await _link(session, member, ci, attachment_ids)

    closed = False
    if kind == "done":
        await cancel_assignment_reminders(session, a.id)
        closed = await _close_task_if_done(session, a.task, now)
    await session.flush()
    return Receipt(ci.id, task_ref(a), kind, ci.progress, files, now, task_closed=closed, reason=text)


async def _recorded(session: AsyncSession, *where) -> CheckIn | None:
    """The first check-in (matching ``where``) that the update being handled recorded the first
    time it was handled, before a kill; None when it recorded none, or no update is handled."""
    key = current_update_key.get()
    if not key:
        return None
    return (await session.execute(select(CheckIn).where(CheckIn.update_key == key, *where)
                                  .order_by(CheckIn.id))).scalars().first()


async def assignment_answered_by_update(session: AsyncSession, member: Member) -> int | None:
    """The assignment the update being handled recorded an answer on, the first time it was
    handled (None: it recorded none, or no update is being handled). Its replay goes to the
    same task, even though that task is no longer open after a "done"."""
    ci = await _recorded(session, CheckIn.member_id == member.id)
    return ci.assignment_id if ci else None


async def receipt_of_update(session: AsyncSession, member: Member, assignment_id: int) -> Receipt | None:
    """The receipt of what the update being handled recorded on an assignment the first time
    it was handled (None: nothing, or no update is being handled): a button press replayed
    after a kill finds its claim or its question gone, and answers with this instead."""
    ci = await _recorded(session, CheckIn.assignment_id == assignment_id, CheckIn.member_id == member.id)
    if ci is None:
        return None
    a = await member_assignment(session, member, assignment_id)
    return await _extension_again(session, ci, a) if ci.status == "extension" else _receipt_again(ci, a)


def _receipt_again(ci: CheckIn, a: Assignment) -> Receipt:
    """The receipt of a check-in recorded before: nothing is recorded or moved again."""
    files = tuple(FileLine(att.file_name, att.size) for att in ci.attachments)
    closed = ci.status == "done" and a.task.done_at == ci.created_at
    return Receipt(ci.id, task_ref(a), ci.status, ci.progress, files, ci.created_at, task_closed=closed, reason=ci.text)


async def _claim_done(session: AsyncSession, a: Assignment) -> bool:
    """Compare-and-set: only one of two simultaneous "done" answers moves the assignment
    (the loser's copy is reloaded, so it sees who closed it)."""
    if await claim(session, Assignment, a.id, Assignment.status.in_(OPEN_STATUSES), status=STATUS_KINDS["done"]):
        return True
    await session.refresh(a)
    return False


async def _link(session: AsyncSession, member: Member, ci: CheckIn, ids) -> tuple[FileLine, ...]:
    if not ids:
        return ()
    rows = (await session.execute(
        select(Attachment).where(Attachment.id.in_(list(ids)), Attachment.member_id == member.id)
        .order_by(Attachment.id))).scalars().all()
    for att in rows:
        att.checkin_id = ci.id
    await session.flush()
    return tuple(FileLine(att.file_name, att.size) for att in rows)


async def _close_task_if_done(session: AsyncSession, task: Task, now: datetime) -> bool:
    rows = (await session.execute(select(Assignment).where(Assignment.task_id == task.id))).scalars().all()
    live = [r for r in rows if r.status != "cancelled"]
    leads = [r for r in live if r.role == "lead"] or live
    if task.status == "open" and leads and all(r.status == "done" for r in leads):
        task.status, task.done_at = "done", now
        return True
    return False


# --- extensions --------------------------------------------------------------------------


async def request_extension(session: AsyncSession, member: Member, assignment_id: int, *, new_due: date,
                            reason: str, now: datetime, today: date, message_id: int | None = None) -> Receipt:
    a = await member_assignment(session, member, assignment_id)
    if (asked_before := await _recorded(session, CheckIn.assignment_id == a.id, CheckIn.status == "extension")):
        return await _extension_again(session, asked_before, a)
    if a.status not in OPEN_STATUSES or a.task.status != "open":
        raise CheckinRefused("closed")
    if new_due <= today or (a.due_date is not None and new_due <= a.due_date):
        raise CheckinRefused("bad_date", a.due_date.isoformat() if a.due_date else "")
    # a newer request replaces a pending one from the same unit
    for old in (await session.execute(select(ExtensionRequest).where(
            ExtensionRequest.assignment_id == a.id, ExtensionRequest.status == "pending"))).scalars():
        old.status = "superseded"
    req = ExtensionRequest(assignment_id=a.id, member_id=member.id, old_due=a.due_date, requested_due=new_due,
                           reason=(reason or "")[:2000], created_at=now)
    session.add(req)
    ci = CheckIn(assignment_id=a.id, member_id=member.id, status="extension", progress=a.progress,
                 text=f"{fmt_date(new_due)} {reason or ''}".strip()[:4000], previous_status=a.status,
                 previous_progress=a.progress, created_at=now, message_id=message_id,
                 update_key=current_update_key.get())
    a.last_checkin_at = now
    session.add(ci)
    await session.flush()
    return Receipt(ci.id, task_ref(a), "extension", a.progress, (), now, reason=reason or "",
                   requested_due=new_due, extension_id=req.id)


async def _extension_again(session: AsyncSession, ci: CheckIn, a: Assignment) -> Receipt:
    """The receipt of an extension request made before (written with its check-in, same instant)."""
    req = (await session.execute(select(ExtensionRequest).where(
        ExtensionRequest.assignment_id == a.id, ExtensionRequest.member_id == ci.member_id,
        ExtensionRequest.created_at == ci.created_at))).scalars().one()
    return Receipt(ci.id, task_ref(a), "extension", ci.progress, (), ci.created_at, reason=req.reason,
                   requested_due=req.requested_due, extension_id=req.id)


async def decide_extension(session: AsyncSession, request_id: int, decider: Member, *, approve: bool,
                           now: datetime, today: date, policy) -> ExtensionDecision | None:
    """Only the secretariat decides; None when the request was already decided (or withdrawn)."""
    if decider.role not in ("secretariat", "admin"):
        raise CheckinRefused("not_staff")
    req = await session.get(ExtensionRequest, int(request_id))
    if req is None:
        raise CheckinRefused("not_found")
    # compare-and-set: of two taps (or two staff members) only the first decides
    if not await claim(session, ExtensionRequest, req.id, ExtensionRequest.status == "pending",
                       status="approved" if approve else "refused", decided_by_id=decider.id, decided_at=now):
        return None
    a = await session.get(Assignment, req.assignment_id)
    moved = 0
    if approve:
        moved = await _move_task_due(session, a, req.requested_due, policy, today)
    member = await session.get(Member, req.member_id)
    await session.flush()
    return ExtensionDecision(req.id, approve, task_ref(a), req.old_due, req.requested_due,
                             member.chat_id if member and member.active else None,
                             member.full_name if member else "",  # pragma: no mutate - members are never deleted
                             decider.full_name,
                             unit_name=a.unit.name if a.unit else "",  # pragma: no mutate - units: a foreign key
                             reason=req.reason or "",  # pragma: no mutate - reason is NOT NULL
                             moved=moved)


async def _move_task_due(session: AsyncSession, a: Assignment, new_due: date, policy, today: date) -> int:
    """An approved extension is the task's new deadline: every assignment of the task due
    before it (the coordinating units' too) moves with it, and so does the task's own date."""
    task = a.task
    rows = (await session.execute(select(Assignment).where(Assignment.task_id == task.id))).scalars().all()
    moved = 0
    for r in rows:
        if r.id == a.id or (r.status != "cancelled" and (r.due_date is None or r.due_date < new_due)):
            r.due_date = new_due
            await reschedule_assignment(session, r, policy, today)
            moved += 1
    if task.due_date is None or task.due_date < new_due:
        task.due_date = new_due
    return moved


async def request_details(session: AsyncSession, request_id: int) -> tuple[ExtensionRequest, Assignment, Member]:
    """The request, its assignment and who asked — what the staff message is made from."""
    req = await session.get(ExtensionRequest, int(request_id))
    if req is None:
        raise CheckinRefused("not_found")
    return req, await session.get(Assignment, req.assignment_id), await session.get(Member, req.member_id)


# --- undo ---------------------------------------------------------------------------------


async def last_checkin(session: AsyncSession, member: Member) -> CheckIn | None:
    return (await session.execute(
        select(CheckIn).where(CheckIn.member_id == member.id, CheckIn.undone_at.is_(None),
                              CheckIn.assignment_id.is_not(None))
        .order_by(CheckIn.created_at.desc(), CheckIn.id.desc()).limit(1))).scalar_one_or_none()


async def checkin_of_message(session: AsyncSession, member: Member, message_id: int) -> CheckIn | None:
    """The check-in a chat message of this member made (None: it made none)."""
    return (await session.execute(
        select(CheckIn).where(CheckIn.member_id == member.id, CheckIn.message_id == message_id)
        .order_by(CheckIn.id.desc()).limit(1))).scalar_one_or_none()


async def newer_answer_on(session: AsyncSession, ci: CheckIn) -> CheckIn | None:
    """A later answer on the same assignment (by anyone) that undoing ``ci`` would contradict."""
    return (await session.execute(
        select(CheckIn).where(CheckIn.assignment_id == ci.assignment_id, CheckIn.undone_at.is_(None),
                              CheckIn.id != ci.id, CheckIn.created_at >= ci.created_at, CheckIn.id > ci.id)
        .limit(1))).scalar_one_or_none()


def undoable(ci: CheckIn | None, now: datetime, window: timedelta = UNDO_WINDOW) -> bool:
    return ci is not None and ci.undone_at is None and now - ci.created_at <= window


async def undo_last(session: AsyncSession, member: Member, *, now: datetime, today: date, policy,
                    window: timedelta = UNDO_WINDOW) -> UndoResult | None:
    """Take back the member's last check-in if it is younger than ``window``: the
    assignment's status and progress come back, files are detached but kept. Raises
    `CheckinRefused("superseded")` when someone answered on that task since."""
    ci = await last_checkin(session, member)
    if not undoable(ci, now, window):
        return None
    return await undo_checkin(session, member, ci, now=now, today=today, policy=policy)


async def undo_checkin(session: AsyncSession, member: Member, ci: CheckIn, *, now: datetime, today: date,
                       policy) -> UndoResult:
    """Take back one check-in of this member (see `undo_last`)."""
    if await newer_answer_on(session, ci) is not None:
        raise CheckinRefused("superseded")
    a = await member_assignment(session, member, ci.assignment_id)
    was_done = a.status == "done"
    requested = None
    if ci.status == "extension":
        pending = (await session.execute(select(ExtensionRequest).where(
            ExtensionRequest.assignment_id == a.id, ExtensionRequest.member_id == member.id,
            ExtensionRequest.status == "pending").order_by(ExtensionRequest.id.desc()))).scalars().first()
        if pending is not None:
            pending.status = "withdrawn"
            requested = pending.requested_due
    if ci.status in STATUS_KINDS or ci.previous_status is not None:
        a.status = ci.previous_status or a.status
        a.progress = ci.previous_progress if ci.previous_progress is not None else a.progress
    if was_done and a.status != "done":
        a.done_at = None
        if a.task.status == "done":
            a.task.status, a.task.done_at = "open", None
        await reschedule_assignment(session, a, policy, today)
    files = tuple(FileLine(att.file_name, att.size) for att in ci.attachments)
    for att in list(ci.attachments):
        att.checkin_id = None
    ci.undone_at = now
    await session.flush()
    # "last report" everywhere (/quahan, /donvi, the export) is the last answer still standing
    a.last_checkin_at = await session.scalar(
        select(CheckIn.created_at).where(CheckIn.assignment_id == a.id, CheckIn.undone_at.is_(None))
        .order_by(CheckIn.created_at.desc(),
                  CheckIn.id.desc()).limit(1)  # pragma: no mutate - one created_at is read
    )
    await session.flush()
    return UndoResult(task_ref(a), ci.status, ci.created_at, files, progress=ci.progress, requested_due=requested)


# --- files ----------------------------------------------------------------------------------


def check_file(name: str | None, size: int | None, *, max_bytes: int, allowed: set[str]) -> FileCheck:
    """Decide on a file from what Telegram tells before the download: name and size."""
    ext = Path(name or "").suffix.lower().lstrip(".")
    if size is not None and size > max_bytes:
        return FileCheck(False, "too_big", ext)
    if ext not in allowed:
        return FileCheck(False, "type", ext)
    return FileCheck(True, "", ext)


async def keep_file(session: AsyncSession, store: AttachmentStore, member: Member, *, content: bytes, name: str,
                    mime_type: str | None, file_id: str, now: datetime,
                    media_group_id: str | None = None) -> Attachment:
    """Store the bytes by content hash (original name kept, sanitised) and record them,
    not yet tied to a check-in. A file handled again after a kill (the update replayed
    from the inbox) reuses the row its first handling left unlinked."""
    stored = store.save(content, name)
    key = current_update_key.get()
    kept_before = Attachment.checkin_id.is_(None)
    if key:  # or linked already, to the check-in this update recorded the first time
        kept_before |= Attachment.checkin_id.in_(select(CheckIn.id).where(CheckIn.update_key == key))
    left = (await session.execute(select(Attachment).where(
        Attachment.member_id == member.id, Attachment.file_id == file_id[:300], Attachment.sha256 == stored.sha256,
        kept_before).order_by(Attachment.id.desc()))).scalars().first()
    if left is not None:
        return left
    if mime_type is not None and not fits(Attachment.__table__.c.mime_type, mime_type):
        mime_type = None  # a client's odd MIME type must not cost the member the file
    att = Attachment(member_id=member.id, file_id=file_id[:300], file_name=stored.name[:300], mime_type=mime_type,
                     size=stored.size, sha256=stored.sha256, stored_path=str(stored.path),
                     media_group_id=media_group_id, created_at=now)
    session.add(att)
    await session.flush()
    return att


async def attachment_lines(session: AsyncSession, member: Member, ids) -> tuple[FileLine, ...]:
    if not ids:
        return ()
    rows = (await session.execute(select(Attachment).where(
        Attachment.id.in_(list(ids)), Attachment.member_id == member.id).order_by(Attachment.id))).scalars()
    return tuple(FileLine(a.file_name, a.size) for a in rows)


# --- the member ------------------------------------------------------------------------------


async def set_leave(session: AsyncSession, member: Member, until: date | None) -> None:
    """Reminders skip a member on leave until (and including) ``until``."""
    m = await session.get(Member, member.id)
    m.on_leave_until = until
    member.on_leave_until = until
    await session.flush()


async def snooze_assignment(session: AsyncSession, member: Member, assignment_id: int, *, days: int,
                            today: date, policy) -> datetime:
    """"Nhắc lại sau": one more reminder for this member only, ``days`` working days from
    today (Saturdays, Sundays and public holidays are skipped, as every reminder does)."""
    a = await member_assignment(session, member, assignment_id)
    if a.status not in OPEN_STATUSES:
        raise CheckinRefused("closed")
    until = policy.at(add_working_days(today, max(1, min(int(days), 14))))
    await snooze(session, a.id, member.id, until)
    return until


# --- one-time button presses ------------------------------------------------------------------


async def claim_press(session: AsyncSession, chat_id: int, message_id: int, now: datetime) -> bool:
    """True for the first press of a one-shot question's buttons (a percent, a pick), False
    for a double tap or a second process: the claim is a row with a unique key."""
    key = f"{PRESS_PREFIX}{chat_id}:{message_id}"
    await session.execute(delete(ConversationState).where(
        ConversationState.key.startswith(PRESS_PREFIX), ConversationState.updated_at < now - PRESS_TTL))
    try:
        async with session.begin_nested():
            session.add(ConversationState(key=key, updated_at=now,
                                          data={},  # pragma: no mutate - a press claim's data is never read
                                          ))
    except IntegrityError:
        return False
    return True


async def open_tasks(session: AsyncSession, member: Member) -> list[TaskRef]:
    return [task_ref(a) for a in await open_assignments(session, member.unit_id)]


@dataclass
class Pending:
    """An answer waiting for the member to say which task it is about."""

    kind: str
    progress: int | None = None
    new_due: date | None = None
    reason: str = ""
    text: str = ""
    attachment_ids: list[int] = field(default_factory=list)
    message_id: int | None = None  # the member's chat message, so an edit can correct it

    def to_json(self) -> dict:
        return {"kind": self.kind, "progress": self.progress,
                "new_due": self.new_due.isoformat() if self.new_due else None, "reason": self.reason,
                "text": self.text, "attachment_ids": list(self.attachment_ids), "message_id": self.message_id}

    @classmethod
    def from_json(cls, d: dict) -> Pending:
        return cls(kind=d.get("kind", "note"), progress=d.get("progress"),
                   new_due=date.fromisoformat(d["new_due"]) if d.get("new_due") else None,
                   reason=d.get("reason", ""), text=d.get("text", ""),
                   attachment_ids=[int(x) for x in d.get("attachment_ids", [])], message_id=d.get("message_id"))
