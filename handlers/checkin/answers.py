"""Answers in chat: free text (and captions with the files they came with) becomes a
check-in on the right task — the task a pending question is about, the replied-to
reminder, the unit's only open task — or a question with buttons. An edited message
corrects the answer it made instead of adding one.

Every action goes through `bot.services.checkins`, which re-checks the assignment belongs
to the member's unit — callback data and replied-to messages are never trusted."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot import actions, texts
from bot.intents import Intent, classify, extension_details
from bot.reminders.policy import ReminderPolicy
from bot.services import checkins as svc
from bot.services.checkins import CheckinRefused, Pending
from handlers.checkin import conversation as conv
from handlers.checkin.tidy import tidy_reminders
from handlers.checkin.questions import answer_chatter, answer_question
from handlers.checkin.wording import cut, pick_markup, receipt_text, refusal, send, with_refusals
from handlers.common import STAFF, DondocContext
from storage.models import Assignment, ExtensionRequest, Member
from storage.queries import audit, members_with_role

log = logging.getLogger(__name__)

EXT_APPROVE = "ext:ok"  # arg: extension request id
EXT_REFUSE = "ext:no"


def policy(context: DondocContext) -> ReminderPolicy:
    return ReminderPolicy.from_settings(context.ctx.settings)


class Reply:
    """What to send back: text, optional buttons, and follow-ups for other people."""

    def __init__(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        self.text = text
        self.markup = markup
        self.extension_id: int | None = None
        self.assignment_id: int | None = None  # an answer was recorded on it


async def apply(s, context: DondocContext, member: Member, aid: int, p: Pending) -> Reply:
    """Apply a pending answer to one assignment (unit re-checked inside the service)."""
    ctx = context.ctx
    now, today = ctx.clock.now(), ctx.clock.today()
    try:
        if p.kind == "extension":
            if p.new_due is None:
                a = await svc.member_assignment(s, member, aid)
                await conv.save(s, member, now, **{"await": "extension", "aid": a.id, "code": a.task.code,
                                                   "reason": p.reason, "attachment_ids": p.attachment_ids})
                return Reply(conv.ask(texts.CI_ASK_EXTENSION.format(code=a.task.code, title=cut(a.task.title, 200),
                                                                    due=texts.fmt_date(a.due_date))))
            r = await svc.request_extension(s, member, aid, new_due=p.new_due, reason=p.reason, now=now, today=today,
                                            message_id=p.message_id)
            if p.attachment_ids:
                await svc.record_checkin(s, member, aid, kind="file", now=now, attachment_ids=p.attachment_ids,
                                         text=p.text)
            reply = Reply(receipt_text(r, context))
            reply.extension_id, reply.assignment_id = r.extension_id, aid
            return reply
        kind = p.kind if p.kind in ("done", "progress", "blocked", "file", "note") else (
            "file" if p.attachment_ids else "note")
        r = await svc.record_checkin(s, member, aid, kind=kind, now=now, progress=p.progress,
                                     text=p.reason if kind == "blocked" and p.reason else p.text,
                                     attachment_ids=p.attachment_ids, message_id=p.message_id)
        audit(s, "checkin", member=member, assignment_id=aid, kind=r.kind, progress=r.progress,
              files=len(r.files))
        reply = Reply(receipt_text(r, context))
        reply.assignment_id = aid
        return reply
    except CheckinRefused as exc:
        if exc.code == "bad_date":
            a = await svc.member_assignment(s, member, aid)
            await conv.save(s, member, now, **{"await": "extension", "aid": a.id, "code": a.task.code,
                                               "reason": p.reason, "attachment_ids": p.attachment_ids})
            return Reply(conv.ask(texts.CI_BAD_EXTENSION_DATE.format(due=texts.fmt_date(a.due_date))))
        if exc.code in ("not_yours", "not_found"):
            audit(s, "checkin_refused", member=member, assignment_id=aid, reason=exc.code)
        return Reply(refusal(exc.code))


async def replayed(s, context: DondocContext, member: Member, aid: int) -> Reply | None:
    """The update being handled answered on ``aid`` before a kill cut its handling short:
    the same receipt again (and the staff told of its extension request), nothing recorded."""
    r = await svc.receipt_of_update(s, member, aid)
    if r is None:
        return None
    reply = Reply(receipt_text(r, context))
    reply.extension_id, reply.assignment_id = r.extension_id, aid
    return reply


async def route(context: DondocContext, member: Member, chat_id: int, p: Pending, *,
                reply_to: int | None = None, forced_aid: int | None = None, refusals: list[str] | None = None) -> None:
    """Find the task an answer is about — the state's task, the replied-to reminder, the
    unit's only open task — or ask with buttons, keeping the answer in the database."""
    ctx = context.ctx
    refusals = refusals or []
    now = ctx.clock.now()
    async with ctx.sessions() as s:
        member = await s.get(Member, member.id)
        if p.kind == "unknown" and not p.attachment_ids:
            # a refused file with no words: its one-line reason is the whole answer
            await send(context, chat_id, "\n".join(refusals) if refusals else texts.CI_DIDNT_UNDERSTAND)
            return
        candidates: list[svc.TaskRef] = []
        aid = forced_aid or await svc.assignment_answered_by_update(s, member)  # a replay: where it went
        if aid is None and reply_to:
            ids = await svc.assignments_of_message(s, member.id, reply_to)
            if len(ids) == 1:
                aid = ids[0]
            elif ids:  # a combined reminder: ask among its tasks still open
                candidates = [svc.task_ref(a) for a in await svc.open_assignments(s, member.unit_id)
                              if a.id in ids]
        if aid is None and not candidates:
            candidates = await svc.open_tasks(s, member)
            if not candidates:
                text = texts.CI_FILES_KEPT_NO_TASK if p.attachment_ids else texts.CI_NO_OPEN_TASKS
                await s.commit()
                await send(context, chat_id, with_refusals(refusals, text))
                return
            if len(candidates) == 1:
                aid = candidates[0].assignment_id
        if aid is not None:
            reply = await apply(s, context, member, aid, p)
            await s.commit()
            await deliver(context, member, chat_id, reply, refusals)
            return
        await conv.save(s, member, now, **{"await": "pick", "pending": p.to_json(),
                                           "candidates": [t.assignment_id for t in candidates]})
        await s.commit()
    question = (texts.CI_ASK_WHICH_FILE if p.kind in ("file", "unknown", "note") and p.attachment_ids
                else texts.CI_ASK_WHICH.format(n=len(candidates)))
    await send(context, chat_id, with_refusals(refusals, conv.ask(question)), pick_markup(candidates))


async def deliver(context: DondocContext, member: Member, chat_id: int, reply: Reply, refusals: list[str]) -> Message:
    sent = await send(context, chat_id, with_refusals(refusals, reply.text), reply.markup)
    if reply.extension_id is not None:
        await notify_staff_extension(context, reply.extension_id)
    if reply.assignment_id is not None:
        await tidy_reminders(context, reply.assignment_id)
    return sent


def decision_markup(request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(texts.EXT_BTN_APPROVE, callback_data=actions.make(EXT_APPROVE, request_id)),
        InlineKeyboardButton(texts.EXT_BTN_REFUSE, callback_data=actions.make(EXT_REFUSE, request_id))]])


def staff_request_text(req: ExtensionRequest, a: Assignment, asker: Member | None) -> str:
    """The staff's view of a request, made from the database alone (an old message may come
    back without its text)."""
    return texts.EXT_TO_STAFF.format(unit=a.unit.name, name=asker.full_name if asker else "", code=a.task.code,
                                     title=cut(a.task.title, 300), old=texts.fmt_date(req.old_due),
                                     new=texts.fmt_date(req.requested_due),
                                     reason=cut(req.reason, 500) or texts.EXT_NO_REASON)


async def notify_staff_extension(context: DondocContext, request_id: int) -> None:
    async with context.ctx.sessions() as s:
        req, a, asker = await svc.request_details(s, request_id)
        staff = await members_with_role(s, "secretariat", "admin")
        text = staff_request_text(req, a, asker)
    for m in staff:
        if m.chat_id and m.reachable:
            try:
                await context.bot.send_message(m.chat_id, text[:4096], reply_markup=decision_markup(request_id))
            except Exception as exc:  # noqa: BLE001 - one unreachable staff member must not stop the others
                log.warning("extension request %s to %s failed: %s", request_id, m.id, exc)


def pending(intent: Intent, text: str, attachment_ids: list[int] | None = None,
            message_id: int | None = None) -> Pending:
    return Pending(kind=intent.kind, progress=intent.progress, new_due=intent.new_due, reason=intent.reason,
                   text=text or "", attachment_ids=list(attachment_ids or []), message_id=message_id)


# --- text -------------------------------------------------------------------------------------


async def _ask_again(context, s, member, chat_id, st: dict, question: str, now) -> None:
    """An unreadable answer to a pending question: ask once more, then let it go."""
    misses = int(st.get("misses", 0)) + 1
    if misses >= conv.MAX_MISSES:
        await conv.drop(s, member)
        await s.commit()
        await send(context, chat_id, texts.CI_QUESTION_DROPPED.format(what=conv.describe(st)))
        return
    await conv.save(s, member, now, **{**{k: v for k, v in st.items() if k != "at"}, "misses": misses})
    await s.commit()
    await send(context, chat_id, conv.ask(question))


async def answer(context: DondocContext, member: Member, chat_id: int, text: str, attachment_ids: list[int],
                 refusals: list[str], reply_to: int | None, *, message_id: int | None = None) -> None:
    """One answer from a member: text (or a caption) and the files that came with it."""
    ctx = context.ctx
    now, today = ctx.clock.now(), ctx.clock.today()
    intent = classify(text, today) if text.strip() else Intent("unknown")
    if not attachment_ids:
        if intent.kind == "question":  # answered, never recorded; a pending question stays
            await answer_question(context, member, chat_id, intent, reply_to)
            return
    forced = None
    async with ctx.sessions() as s:
        st = await conv.load(s, member, now)
        waiting = st.get("await") if st else None
        if intent.kind == "cancel" and not attachment_ids:
            if st is not None:
                await conv.drop(s, member)
                await s.commit()
            await send(context, chat_id, texts.CI_QUESTION_LEFT.format(what=conv.describe(st)) if st
                       else texts.CI_NO_QUESTION_PENDING)
            return
        if intent.kind == "unknown" and not intent.task_code and not attachment_ids and waiting in (None, "pick") \
                and await answer_chatter(context, member, chat_id, intent):
            return
        if waiting == "leave" and not attachment_ids:
            due = intent.new_due or extension_details(text, today)[0]
            if due is not None:
                intent = Intent("leave", new_due=due)
            elif intent.kind == "unknown":
                await _ask_again(context, s, member, chat_id, st, texts.CI_LEAVE_ASK, now)
                return
            else:  # something else entirely: the question is left behind
                await conv.drop(s, member)
                await s.commit()
                st = waiting = None
        if intent.kind == "leave":
            if waiting == "leave":
                await conv.drop(s, member)
            if intent.new_due is None:
                await conv.save(s, member, now, **{"await": "leave"})
                await s.commit()
                await send(context, chat_id, conv.ask(texts.CI_LEAVE_ASK))
                return
            await svc.set_leave(s, member, intent.new_due)
            audit(s, "leave", member=member, until=intent.new_due.isoformat())
            await s.commit()
            await send(context, chat_id, with_refusals(refusals, texts.CI_LEAVE_SET.format(
                date=texts.fmt_date(intent.new_due))))
            return
        if member.unit_id is None:
            if member.role in STAFF and not attachment_ids and not st:
                return  # the secretariat's own chat: not a check-in
            await send(context, chat_id, with_refusals(refusals, texts.CI_NO_UNIT))
            return
        typed = None  # the task whose code was typed picks the task, whatever else is pending
        if intent.task_code:
            typed = await svc.unit_assignment_by_code(s, member, intent.task_code)
            if typed is None:
                refusals = [*refusals, texts.CI_CODE_NOT_FOUND.format(code=intent.task_code)]
        if typed is not None and waiting == "pick" and intent.kind == "unknown" and not attachment_ids:
            # "Q2.1" typed as the answer to "nhiệm vụ nào?"
            p = Pending.from_json(st["pending"])
            await conv.drop(s, member)
            await s.commit()
            await route(context, member, chat_id, p, forced_aid=typed.id)
            return
        if typed is not None and intent.kind == "unknown" and not attachment_ids and waiting is None:
            await answer_question(context, member, chat_id, intent, reply_to)  # "Q2.1" alone: how it stands
            return
        if typed is not None and st and st.get("aid") not in (None, typed.id):
            await conv.drop(s, member)  # another task named: the question about this one is left
            await s.commit()
            st = waiting = None
        if st and st.get("aid") is not None and waiting in ("progress", "file", "extension"):
            forced = int(st["aid"])
            code = st.get("code") or ""
            answered = intent.kind in ("done", "progress", "blocked", "extension") and not (
                intent.kind == "progress" and intent.progress is None)
            if waiting == "progress" and not attachment_ids and not answered:
                await _ask_again(context, s, member, chat_id, st, texts.CI_ASK_PERCENT_AGAIN, now)
                return
            if waiting == "extension" and not attachment_ids:
                # a date answers the question ("đến 15/4 vì chờ số liệu"); without one, a new
                # request ("xong rồi", "chưa làm được vì …") is taken instead
                due, reason = (intent.new_due, intent.reason) if intent.kind == "extension" and intent.new_due \
                    else extension_details(text, today)
                if due is None and intent.kind not in ("done", "progress", "blocked"):
                    await _ask_again(context, s, member, chat_id, st, texts.CI_ASK_EXTENSION_AGAIN, now)
                    return
                if due is not None:
                    intent = Intent("extension", new_due=due, reason=reason or st.get("reason", ""))
                    attachment_ids = [*st.get("attachment_ids", []), *attachment_ids]
            if waiting == "file" and not attachment_ids and intent.kind == "unknown":
                await _ask_again(context, s, member, chat_id, st, texts.CI_ASK_FILE_AGAIN.format(code=code), now)
                return
            if waiting == "file" and intent.kind == "unknown":
                intent = Intent("file")
            await conv.drop(s, member)
            await s.commit()
        elif st and waiting == "pick":
            await conv.drop(s, member)
            await s.commit()
        if forced is None and typed is not None:
            forced = typed.id
    p = pending(intent, text, attachment_ids, message_id)
    if p.kind == "unknown" and attachment_ids:
        p.kind = "file"
    await route(context, member, chat_id, p, reply_to=reply_to, forced_aid=forced, refusals=refusals)


# --- edits ------------------------------------------------------------------------------------


async def on_edited(update: Update, context: DondocContext) -> None:
    """Telegram sends an edited message as an update of its own. Within the undo window,
    the answer it made is corrected (taken back, the new text applied to the same task);
    otherwise the member is told why nothing changed — never a second check-in."""
    member, msg = context.member, update.edited_message
    if member is None or msg is None or update.effective_chat.type != "private" or member.unit_id is None:
        return
    ctx = context.ctx
    now, today = ctx.clock.now(), ctx.clock.today()
    text = msg.text or msg.caption or ""
    tz = ctx.settings.tz
    async with ctx.sessions() as s:
        m = await s.get(Member, member.id)
        ci = await svc.checkin_of_message(s, m, msg.message_id)
        if ci is None:
            await send(context, msg.chat_id, texts.CI_EDIT_NO_CHECKIN)
            return
        at = texts.fmt_datetime(ci.created_at.astimezone(tz))
        intent = classify(text, today)
        if not svc.undoable(ci, now) or await svc.newer_answer_on(s, ci) is not None:
            await send(context, msg.chat_id, texts.CI_EDIT_TOO_LATE.format(time=at))
            return
        if intent.kind in ("unknown", "leave") or (intent.kind == "extension" and intent.new_due is None):
            await send(context, msg.chat_id, texts.CI_EDIT_NOT_UNDERSTOOD.format(time=at))
            return
        aid = ci.assignment_id
        files = [att.id for att in ci.attachments]
        await svc.undo_checkin(s, m, ci, now=now, today=today, policy=policy(context))
        audit(s, "checkin_corrected", member=m, assignment_id=aid, checkin_id=ci.id)
        reply = await apply(s, context, m, aid, pending(intent, text, files, msg.message_id))
        await s.commit()
    reply.text = f"{texts.CI_EDIT_CORRECTED}\n{reply.text}"
    await deliver(context, member, msg.chat_id, reply, [])
