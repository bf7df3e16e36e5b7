"""Check-ins in chat: unit contacts answer reminders with buttons, free text, files and
photos; /huy takes the last answer back; /viec lists the unit's open tasks; the
secretariat decides extension requests.

Unfinished conversations ("bao nhiêu %?", "gửi tệp", "đến ngày nào?", "nhiệm vụ nào?")
wait in the database (`storage.state`), so a restart loses none. Every action goes
through `bot.services.checkins`, which re-checks the assignment belongs to the member's
unit — callback data and replied-to messages are never trusted."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import actions, texts
from bot.intents import Intent, classify, extension_details
from bot.services import checkins as svc
from bot.services.checkins import CheckinRefused, Pending
from handlers.common import EVERYONE, STAFF, DondocContext, command
from storage.models import Member
from storage.queries import audit, members_with_role
from storage.state import clear_state, get_state, set_state, state_key, states_with_prefix

log = logging.getLogger(__name__)

EXT_APPROVE = "ext:ok"  # arg: extension request id
EXT_REFUSE = "ext:no"
STATE = "checkin"
STATE_TTL = timedelta(days=2)
MEDIA_GROUP_QUIET = 1.0  # seconds without a new item before a media group is confirmed
PERCENT_CHOICES = (25, 50, 75, 100)

command("viec", "tasks", description="Nhiệm vụ đang mở của đơn vị", roles=EVERYONE)
command("huy", "undo", description="Hủy câu trả lời vừa gửi (trong 10 phút)", roles=EVERYONE)

def _refusal(code: str) -> str:
    return {"not_yours": texts.CI_NOT_YOURS, "not_found": texts.CI_NOT_YOURS, "closed": texts.CI_CLOSED,
            "already_done": texts.CI_ALREADY_DONE, "not_staff": texts.NOT_ALLOWED}.get(code, texts.CI_CLOSED)


def _key(member: Member, name: str = STATE) -> str:
    return state_key(member.channel, member.user_id or 0, name)


def _policy(context: DondocContext):
    from bot.reminders.policy import ReminderPolicy

    return ReminderPolicy.from_settings(context.ctx.settings)


def _types(context: DondocContext) -> str:
    return ", ".join(sorted(context.ctx.settings.allowed_extensions))


def _limit_mb(context: DondocContext) -> str:
    mb = context.ctx.settings.max_file_mb
    return str(int(mb)) if mb == int(mb) else str(mb).replace(".", ",")


# --- wording --------------------------------------------------------------------------------


def receipt_text(r: svc.Receipt, context: DondocContext) -> str:
    tz = context.ctx.settings.tz
    lines = [texts.CI_RECEIPT_HEAD, texts.CI_RECEIPT_TASK.format(code=r.task.code, title=_cut(r.task.title, 300)),
             texts.CI_RECEIPT_STATUS.format(status=texts.CI_STATUS.get(r.kind, r.kind))]
    if r.progress is not None and r.kind != "extension":
        lines.append(texts.CI_RECEIPT_PROGRESS.format(progress=r.progress))
    if r.kind == "blocked" and r.reason:
        lines.append(texts.CI_RECEIPT_REASON.format(reason=_cut(r.reason, 500)))
    if r.kind == "extension":
        lines.append(texts.CI_RECEIPT_EXT.format(date=texts.fmt_date(r.requested_due),
                                                 old=texts.fmt_date(r.task.due)))
        lines.append(texts.CI_RECEIPT_REASON.format(reason=_cut(r.reason, 500) or texts.EXT_NO_REASON))
    if r.files:
        lines.append(texts.CI_RECEIPT_FILES)
        lines += [texts.CI_RECEIPT_FILE.format(name=f.name, size=texts.fmt_size(f.size)) for f in r.files]
    lines.append(texts.CI_RECEIPT_TIME.format(time=texts.fmt_datetime(r.at.astimezone(tz))))
    if r.task_closed:
        lines.append(texts.CI_RECEIPT_TASK_CLOSED)
    elif r.kind == "done" and r.task.role == "support":
        lines.append(texts.CI_RECEIPT_SUPPORT)
    lines.append(texts.CI_RECEIPT_UNDO)
    return "\n".join(lines)


def _cut(s: str, n: int) -> str:
    s = " ".join((s or "").split())
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


def _pick_markup(tasks: list[svc.TaskRef]) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(
        _cut(texts.CI_PICK_BUTTON.format(code=t.code, title=_cut(t.title, 40), due=texts.fmt_date(t.due)), 64),
        callback_data=actions.make(actions.CI_PICK, t.assignment_id))] for t in tasks[:20]]
    return InlineKeyboardMarkup(rows)


def _percent_markup(aid: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(f"{p}%", callback_data=actions.make(actions.CI_PROGRESS, aid, p))
                                  for p in PERCENT_CHOICES]])


def _with_refusals(refusals: list[str], text: str) -> str:
    return "\n".join([*refusals, text]) if refusals else text


# --- state ---------------------------------------------------------------------------------


async def _load_state(s, member: Member, now: datetime) -> dict | None:
    st = await get_state(s, _key(member))
    if st is None:
        return None
    try:
        at = datetime.fromisoformat(st.get("at", ""))
    except ValueError:
        at = None
    if at is None or now - at > STATE_TTL:
        await clear_state(s, _key(member))
        return None
    return st


async def _save_state(s, member: Member, now: datetime, **data) -> None:
    await set_state(s, _key(member), {**data, "at": now.isoformat()})


# --- applying an answer ----------------------------------------------------------------------


class Reply:
    """What to send back: text, optional buttons, and follow-ups for other people."""

    def __init__(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        self.text = text
        self.markup = markup
        self.extension_id: int | None = None


async def _apply(s, context: DondocContext, member: Member, aid: int, p: Pending) -> Reply:
    """Apply a pending answer to one assignment (unit re-checked inside the service)."""
    ctx = context.ctx
    now, today = ctx.clock.now(), ctx.clock.today()
    try:
        if p.kind == "extension":
            if p.new_due is None:
                a = await svc.member_assignment(s, member, aid)
                await _save_state(s, member, now, **{"await": "extension", "aid": a.id, "reason": p.reason,
                                                     "attachment_ids": p.attachment_ids})
                return Reply(texts.CI_ASK_EXTENSION.format(code=a.task.code, title=_cut(a.task.title, 200),
                                                           due=texts.fmt_date(a.due_date)))
            r = await svc.request_extension(s, member, aid, new_due=p.new_due, reason=p.reason, now=now, today=today)
            if p.attachment_ids:
                await svc.record_checkin(s, member, aid, kind="file", now=now, attachment_ids=p.attachment_ids,
                                         text=p.text)
            reply = Reply(receipt_text(r, context))
            reply.extension_id = r.extension_id
            return reply
        kind = p.kind if p.kind in ("done", "progress", "blocked", "file", "note") else (
            "file" if p.attachment_ids else "note")
        r = await svc.record_checkin(s, member, aid, kind=kind, now=now, progress=p.progress,
                                     text=p.reason if kind == "blocked" and p.reason else p.text,
                                     attachment_ids=p.attachment_ids)
        audit(s, "checkin", member=member, assignment_id=aid, kind=r.kind, progress=r.progress,
              files=len(r.files))
        return Reply(receipt_text(r, context))
    except CheckinRefused as exc:
        if exc.code == "bad_date":
            a = await svc.member_assignment(s, member, aid)
            await _save_state(s, member, now, **{"await": "extension", "aid": a.id, "reason": p.reason,
                                                 "attachment_ids": p.attachment_ids})
            return Reply(texts.CI_BAD_EXTENSION_DATE.format(due=texts.fmt_date(a.due_date)))
        if exc.code in ("not_yours", "not_found"):
            audit(s, "checkin_refused", member=member, assignment_id=aid, reason=exc.code)
        return Reply(_refusal(exc.code))


async def _route(context: DondocContext, member: Member, chat_id: int, p: Pending, *,
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
            await _send(context, chat_id, "\n".join(refusals) if refusals else texts.CI_DIDNT_UNDERSTAND)
            return
        candidates: list[svc.TaskRef] = []
        if forced_aid is not None:
            reply = await _apply(s, context, member, forced_aid, p)
            await s.commit()
            await _deliver(context, member, chat_id, reply, refusals)
            return
        if reply_to:
            ids = await svc.assignments_of_message(s, member.id, reply_to)
            if len(ids) == 1:
                reply = await _apply(s, context, member, ids[0], p)
                await s.commit()
                await _deliver(context, member, chat_id, reply, refusals)
                return
            if ids:  # a combined reminder: ask among its tasks still open
                candidates = [svc.task_ref(a) for a in await svc.open_assignments(s, member.unit_id)
                              if a.id in ids]
        if not candidates:
            candidates = await svc.open_tasks(s, member)
        if not candidates:
            text = texts.CI_FILES_KEPT_NO_TASK if p.attachment_ids else texts.CI_NO_OPEN_TASKS
            await s.commit()
            await _send(context, chat_id, _with_refusals(refusals, text))
            return
        if len(candidates) == 1:
            reply = await _apply(s, context, member, candidates[0].assignment_id, p)
            await s.commit()
            await _deliver(context, member, chat_id, reply, refusals)
            return
        await _save_state(s, member, now, **{"await": "pick", "pending": p.to_json(),
                                             "candidates": [t.assignment_id for t in candidates]})
        await s.commit()
    question = (texts.CI_ASK_WHICH_FILE if p.kind in ("file", "unknown", "note") and p.attachment_ids
                else texts.CI_ASK_WHICH.format(n=len(candidates)))
    await _send(context, chat_id, _with_refusals(refusals, question), _pick_markup(candidates))


async def _send(context: DondocContext, chat_id: int, text: str, markup=None) -> Message:
    return await context.bot.send_message(chat_id, text[:4096], reply_markup=markup)


async def _deliver(context: DondocContext, member: Member, chat_id: int, reply: Reply, refusals: list[str]) -> None:
    await _send(context, chat_id, _with_refusals(refusals, reply.text), reply.markup)
    if reply.extension_id is not None:
        await _notify_staff_extension(context, reply.extension_id)


async def _notify_staff_extension(context: DondocContext, request_id: int) -> None:
    from storage.models import Assignment, ExtensionRequest

    async with context.ctx.sessions() as s:
        req = await s.get(ExtensionRequest, request_id)
        a = await s.get(Assignment, req.assignment_id)
        asker = await s.get(Member, req.member_id)
        staff = await members_with_role(s, "secretariat", "admin")
        text = texts.EXT_TO_STAFF.format(unit=a.unit.name, name=asker.full_name, code=a.task.code,
                                         title=_cut(a.task.title, 300), old=texts.fmt_date(req.old_due),
                                         new=texts.fmt_date(req.requested_due),
                                         reason=_cut(req.reason, 500) or texts.EXT_NO_REASON)
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton(texts.EXT_BTN_APPROVE, callback_data=actions.make(EXT_APPROVE, request_id)),
        InlineKeyboardButton(texts.EXT_BTN_REFUSE, callback_data=actions.make(EXT_REFUSE, request_id))]])
    for m in staff:
        if m.chat_id and m.reachable:
            try:
                await context.bot.send_message(m.chat_id, text[:4096], reply_markup=markup)
            except Exception as exc:  # noqa: BLE001 - one unreachable staff member must not stop the others
                log.warning("extension request %s to %s failed: %s", request_id, m.id, exc)


def _pending(intent: Intent, text: str, attachment_ids: list[int] | None = None) -> Pending:
    return Pending(kind=intent.kind, progress=intent.progress, new_due=intent.new_due, reason=intent.reason,
                   text=text or "", attachment_ids=list(attachment_ids or []))


# --- text -------------------------------------------------------------------------------------


async def on_text(update: Update, context: DondocContext) -> None:
    member, msg = context.member, update.effective_message
    if member is None or msg is None or update.effective_chat.type != "private":
        return
    from handlers.joining import on_staff_text

    if await on_staff_text(update, context):
        return
    await _flush_stale_groups(context, member)
    await _answer(context, member, msg.chat_id, msg.text or "", [], [],
                  msg.reply_to_message.message_id if msg.reply_to_message else None)


async def _answer(context: DondocContext, member: Member, chat_id: int, text: str, attachment_ids: list[int],
                  refusals: list[str], reply_to: int | None) -> None:
    """One answer from a member: text (or a caption) and the files that came with it."""
    ctx = context.ctx
    now, today = ctx.clock.now(), ctx.clock.today()
    intent = classify(text, today) if text.strip() else Intent("unknown")
    async with ctx.sessions() as s:
        st = await _load_state(s, member, now)
        waiting = st.get("await") if st else None
        if waiting == "leave" and not attachment_ids:
            due = intent.new_due or extension_details(text, today)[0]
            if due is None:
                await _send(context, chat_id, texts.CI_LEAVE_ASK)
                return
            intent = Intent("leave", new_due=due)
        if intent.kind == "leave":
            if waiting == "leave":
                await clear_state(s, _key(member))
            if intent.new_due is None:
                await _save_state(s, member, now, **{"await": "leave"})
                await s.commit()
                await _send(context, chat_id, texts.CI_LEAVE_ASK)
                return
            await svc.set_leave(s, member, intent.new_due)
            audit(s, "leave", member=member, until=intent.new_due.isoformat())
            await s.commit()
            await _send(context, chat_id, _with_refusals(refusals, texts.CI_LEAVE_SET.format(
                date=texts.fmt_date(intent.new_due))))
            return
        if member.unit_id is None:
            if member.role in STAFF and not attachment_ids and not st:
                return  # the secretariat's own chat: not a check-in
            await _send(context, chat_id, _with_refusals(refusals, texts.CI_NO_UNIT))
            return
        forced = None
        if st and st.get("aid") is not None and waiting in ("progress", "file", "extension"):
            forced = int(st["aid"])
            if waiting == "progress" and not attachment_ids:
                if intent.kind not in ("done", "progress", "blocked", "extension") or (
                        intent.kind == "progress" and intent.progress is None):
                    await _send(context, chat_id, texts.CI_ASK_PERCENT_AGAIN)
                    return
            if waiting == "extension" and not attachment_ids:
                due, reason = extension_details(text, today)
                if due is None:
                    await _send(context, chat_id, texts.CI_ASK_EXTENSION_AGAIN)
                    return
                intent = Intent("extension", new_due=due, reason=reason or st.get("reason", ""))
                attachment_ids = [*st.get("attachment_ids", []), *attachment_ids]
            if waiting == "file" and intent.kind == "unknown":
                intent = Intent("file" if attachment_ids else "note")
            await clear_state(s, _key(member))
            await s.commit()
        elif st and waiting == "pick":
            await clear_state(s, _key(member))
            await s.commit()
    p = _pending(intent, text, attachment_ids)
    if p.kind == "unknown" and attachment_ids:
        p.kind = "file"
    await _route(context, member, chat_id, p, reply_to=reply_to, forced_aid=forced, refusals=refusals)


# --- files --------------------------------------------------------------------------------------


async def on_file(update: Update, context: DondocContext) -> None:
    member, msg = context.member, update.effective_message
    if member is None or msg is None or update.effective_chat.type != "private":
        return
    if member.unit_id is None:
        if member.role not in STAFF:  # the secretariat's other files are not check-ins
            await msg.reply_text(texts.CI_NO_UNIT)
        return
    ctx = context.ctx
    now = ctx.clock.now()
    if not msg.media_group_id:
        await _flush_stale_groups(context, member)
    if msg.document is not None:
        doc = msg.document
        name, size, mime, tg = doc.file_name or f"tep_{msg.message_id}", doc.file_size, doc.mime_type, doc
    else:
        ph = msg.photo[-1]
        stamp = now.astimezone(ctx.settings.tz).strftime("%Y%m%d_%H%M%S")
        name, size, mime, tg = f"anh_{stamp}_{msg.message_id}.jpg", ph.file_size, "image/jpeg", ph
    check = svc.check_file(name, size, max_bytes=ctx.settings.max_file_bytes, allowed=ctx.settings.allowed_extensions)
    refusal: str | None = None
    att_id: int | None = None
    if not check.ok:
        refusal = (texts.CI_FILE_TOO_BIG.format(name=name, limit=_limit_mb(context)) if check.reason == "too_big"
                   else texts.CI_FILE_BAD_TYPE.format(name=name, ext=check.ext or "?", types=_types(context)))
    else:
        try:
            content = bytes(await (await tg.get_file()).download_as_bytearray())
        except Exception as exc:  # noqa: BLE001 - tell the member, keep the rest of the answer
            log.warning("download of %s failed: %s", name, exc)
            refusal = texts.CI_FILE_FAILED.format(name=name)
        else:
            if len(content) > ctx.settings.max_file_bytes:
                refusal = texts.CI_FILE_TOO_BIG.format(name=name, limit=_limit_mb(context))
            else:
                async with ctx.sessions() as s:
                    att = await svc.keep_file(s, ctx.attachments, member, content=content, name=name,
                                              mime_type=mime, file_id=tg.file_id, now=now,
                                              media_group_id=msg.media_group_id)
                    await s.commit()
                    att_id = att.id
    reply_to = msg.reply_to_message.message_id if msg.reply_to_message else None
    caption = msg.caption or ""
    if msg.media_group_id:
        await _collect(context, member, msg.chat_id, msg.media_group_id, att_id, refusal, caption, reply_to)
        return
    if att_id is None and not caption.strip():
        await _send(context, msg.chat_id, refusal or texts.CI_FILE_FAILED.format(name=name))
        return
    await _answer(context, member, msg.chat_id, caption, [att_id] if att_id else [], [refusal] if refusal else [],
                  reply_to)


async def _collect(context: DondocContext, member: Member, chat_id: int, group_id: str, att_id: int | None,
                   refusal: str | None, caption: str, reply_to: int | None) -> None:
    """Items of a media group come as separate messages: gather them in the database and
    confirm once, when no new item has come for MEDIA_GROUP_QUIET seconds."""
    ctx = context.ctx
    key = _key(member, f"mg:{group_id}")
    async with ctx.sessions() as s:
        st = await get_state(s, key) or {"items": [], "refusals": [], "caption": "", "reply_to": None,
                                         "chat_id": chat_id}
        if att_id:
            st["items"].append(att_id)
        if refusal:
            st["refusals"].append(refusal)
        if caption and not st["caption"]:
            st["caption"] = caption
        st["reply_to"] = st["reply_to"] or reply_to
        await set_state(s, key, st)
        await s.commit()
    loop = asyncio.get_running_loop()
    marks: dict = context.application.bot_data.setdefault("media_groups", {})
    first = key not in marks
    marks[key] = loop.time()
    if first:
        context.application.create_task(_finish_group(context, member, key), name=f"media-group-{group_id}")


async def _finish_group(context: DondocContext, member: Member, key: str) -> None:
    loop = asyncio.get_running_loop()
    marks: dict = context.application.bot_data.setdefault("media_groups", {})
    while True:
        wait = marks.get(key, 0) + MEDIA_GROUP_QUIET - loop.time()
        if wait <= 0:
            break
        await asyncio.sleep(wait)
    marks.pop(key, None)
    await flush_group(context, member, key)


async def flush_group(context: DondocContext, member: Member, key: str) -> None:
    async with context.ctx.sessions() as s:
        st = await get_state(s, key)
        if st is None:
            return
        await clear_state(s, key)
        await s.commit()
    await _answer(context, member, st["chat_id"], st.get("caption") or "", list(st["items"]),
                  list(st["refusals"]), st.get("reply_to"))


async def _flush_stale_groups(context: DondocContext, member: Member) -> None:
    """Media groups whose confirmation a restart interrupted: confirm them now."""
    marks: dict = context.application.bot_data.setdefault("media_groups", {})
    async with context.ctx.sessions() as s:
        keys = [r.key for r in await states_with_prefix(s, _key(member, "mg:"))]
    for key in keys:
        if key not in marks:
            await flush_group(context, member, key)


# --- buttons ----------------------------------------------------------------------------------------


async def on_button(update: Update, context: DondocContext) -> None:
    query, member = update.callback_query, context.member
    parts = actions.parse(query.data)
    verb = ":".join(parts[:2])
    arg = parts[2] if len(parts) > 2 else ""
    extra = parts[3] if len(parts) > 3 else ""
    if member is None or member.unit_id is None:
        await query.answer(texts.CI_NOT_YOURS, show_alert=True)
        return
    ctx = context.ctx
    now, today = ctx.clock.now(), ctx.clock.today()
    chat_id = query.message.chat.id if query.message else member.chat_id
    async with ctx.sessions() as s:
        m = await s.get(Member, member.id)
        try:
            a = await svc.member_assignment(s, m, arg)
        except CheckinRefused as exc:
            audit(s, "checkin_refused", member=m, data=query.data[:64], reason=exc.code)
            await s.commit()
            await query.answer(_refusal(exc.code), show_alert=True)
            return
        aid = a.id
        if verb == actions.CI_DONE:
            await query.answer()
            reply = await _apply(s, context, m, aid, Pending("done", progress=100, text=texts.BTN_DONE))
            await s.commit()
            await _deliver(context, m, chat_id, reply, [])
            return
        if verb == actions.CI_PROGRESS and extra:
            try:
                pct = max(0, min(100, int(extra)))
            except ValueError:
                pct = None
            await clear_state(s, _key(m))
            reply = await _apply(s, context, m, aid, Pending("progress", progress=pct))
            await s.commit()
            await query.answer()
            await _deliver(context, m, chat_id, reply, [])
            return
        if a.status not in svc.OPEN_STATUSES and verb != actions.CI_FILE:
            await query.answer(texts.CI_ALREADY_DONE if a.status == "done" else texts.CI_CLOSED, show_alert=True)
            return
        title = _cut(a.task.title, 200)
        if verb == actions.CI_PROGRESS:
            await _save_state(s, m, now, **{"await": "progress", "aid": aid})
            await s.commit()
            await query.answer()
            await _send(context, chat_id, texts.CI_ASK_PERCENT.format(code=a.task.code, title=title),
                        _percent_markup(aid))
        elif verb == actions.CI_FILE:
            await _save_state(s, m, now, **{"await": "file", "aid": aid})
            await s.commit()
            await query.answer()
            await _send(context, chat_id, texts.CI_ASK_FILE.format(code=a.task.code, title=title,
                                                                   types=_types(context), limit=_limit_mb(context)))
        elif verb == actions.CI_EXTEND:
            await _save_state(s, m, now, **{"await": "extension", "aid": aid})
            await s.commit()
            await query.answer()
            await _send(context, chat_id, texts.CI_ASK_EXTENSION.format(code=a.task.code, title=title,
                                                                        due=texts.fmt_date(a.due_date)))
        elif verb == actions.CI_SNOOZE:
            try:
                days = int(extra or 1)
            except ValueError:
                days = 1
            until = await svc.snooze_assignment(s, m, aid, days=days, today=today, policy=_policy(context))
            audit(s, "snooze", member=m, assignment_id=aid, until=until.isoformat())
            await s.commit()
            await query.answer()
            await _send(context, chat_id, texts.CI_SNOOZED.format(
                code=a.task.code, time=texts.fmt_datetime(until.astimezone(ctx.settings.tz))))
        elif verb == actions.CI_PICK:
            st = await _load_state(s, m, now)
            if not st or st.get("await") != "pick":
                await query.answer()
                await _send(context, chat_id, texts.CI_PICK_EXPIRED)
                return
            await clear_state(s, _key(m))
            reply = await _apply(s, context, m, aid, Pending.from_json(st["pending"]))
            await s.commit()
            await query.answer()
            await _deliver(context, m, chat_id, reply, [])
        else:
            await query.answer()


async def on_extension_decision(update: Update, context: DondocContext) -> None:
    query, member = update.callback_query, context.member
    if member is None or member.role not in STAFF:  # the role, not the button, decides
        async with context.ctx.sessions() as s:
            audit(s, "permission_refused", member=member, data=query.data[:64])
            await s.commit()
        await query.answer(texts.NOT_ALLOWED, show_alert=True)
        return
    parts = actions.parse(query.data)
    approve = ":".join(parts[:2]) == EXT_APPROVE
    ctx = context.ctx
    async with ctx.sessions() as s:
        decider = await s.get(Member, member.id)
        try:
            d = await svc.decide_extension(s, int(parts[2]), decider, approve=approve, now=ctx.clock.now(),
                                           today=ctx.clock.today(), policy=_policy(context))
        except (CheckinRefused, ValueError, IndexError):
            await query.answer(texts.EXT_ALREADY_DECIDED, show_alert=True)
            return
        if d is not None:
            audit(s, "extension_decided", member=decider, request_id=d.request_id, approved=approve)
        await s.commit()
    if d is None:
        await query.answer(texts.EXT_ALREADY_DECIDED, show_alert=True)
        await _strip_buttons(query)
        return
    await query.answer()
    outcome = texts.EXT_DECIDED_STAFF.format(outcome=texts.EXT_OUTCOME[approve], by=d.decided_by)
    try:
        await query.edit_message_text(f"{query.message.text}\n\n{outcome}"[:4096], reply_markup=None)
    except Exception:  # noqa: BLE001 - the decision stands even if the old message cannot change
        await query.message.reply_text(outcome)
    if d.member_chat_id:
        text = (texts.EXT_APPROVED if approve else texts.EXT_REFUSED).format(
            code=d.task.code, title=_cut(d.task.title, 200), new=texts.fmt_date(d.new_due),
            old=texts.fmt_date(d.old_due))
        try:
            await context.bot.send_message(d.member_chat_id, text)
        except Exception as exc:  # noqa: BLE001
            log.warning("telling member about extension %s failed: %s", d.request_id, exc)


async def _strip_buttons(query) -> None:
    try:
        await query.edit_message_reply_markup(None)
    except Exception:  # noqa: BLE001
        pass


# --- commands -------------------------------------------------------------------------------------


async def undo(update: Update, context: DondocContext) -> None:
    member, ctx = context.member, context.ctx
    async with ctx.sessions() as s:
        m = await s.get(Member, member.id)
        await clear_state(s, _key(m))
        res = await svc.undo_last(s, m, now=ctx.clock.now(), today=ctx.clock.today(), policy=_policy(context))
        if res is not None:
            audit(s, "checkin_undone", member=m, assignment_id=res.task.assignment_id, kind=res.kind)
        await s.commit()
    if res is None:
        await update.effective_message.reply_text(texts.CI_NOTHING_TO_UNDO)
        return
    text = texts.CI_UNDONE.format(time=texts.fmt_datetime(res.at.astimezone(ctx.settings.tz)), code=res.task.code,
                                  title=_cut(res.task.title, 200),
                                  status=texts.ASSIGNMENT_STATUS.get(res.task.status, res.task.status),
                                  progress=res.task.progress)
    if res.files:
        text += "\n" + texts.CI_UNDONE_FILES.format(files=", ".join(f.name for f in res.files))
    await update.effective_message.reply_text(text)


async def my_tasks(update: Update, context: DondocContext) -> None:
    member, ctx = context.member, context.ctx
    if member.unit_id is None:
        await update.effective_message.reply_text(texts.CI_NO_UNIT)
        return
    today = ctx.clock.today()
    async with ctx.sessions() as s:
        m = await s.get(Member, member.id)
        tasks = await svc.open_tasks(s, m)
        unit = m.unit.name if m.unit else ""
    if not tasks:
        await update.effective_message.reply_text(texts.TASKS_NONE.format(unit=unit))
        return
    lines = [texts.TASKS_HEADER.format(unit=unit, n=len(tasks))]
    for t in tasks:
        status = f" — {texts.ASSIGNMENT_STATUS[t.status]}" + (f" {t.progress}%" if t.progress else "") \
            if t.status != "open" else ""
        lines.append(texts.TASKS_ITEM.format(code=t.code, title=_cut(t.title, 160), due=texts.fmt_date(t.due),
                                             phrase=texts.days_phrase(t.due, today), status=status)
                     + (texts.TASKS_SUPPORT if t.role == "support" else ""))
    out, chunk = [], ""
    for line in lines:
        if len(chunk) + len(line) + 1 > 4000:
            out.append(chunk)
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    out.append(chunk)
    for c in out:
        await update.effective_message.reply_text(c)


def register(app: Application) -> None:
    app.add_handler(CommandHandler(["viec", "tasks"], my_tasks))
    app.add_handler(CommandHandler(["huy", "undo"], undo))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^ci:"))
    app.add_handler(CallbackQueryHandler(on_extension_decision, pattern=r"^ext:"))
    # group 1: plan import (group 0) and commands run first
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text), group=1)
    app.add_handler(MessageHandler(filters.Document.ALL | filters.PHOTO, on_file), group=1)
