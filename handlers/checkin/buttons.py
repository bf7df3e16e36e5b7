"""Check-in buttons: ✅ 📊 📎 🕒 🔁 on reminders, the task row of a combined reminder,
the percent and "which task?" buttons of a question.

Real Telegram rules shape this module: the work is saved before the press is answered,
and an answer that comes too late ("query is too old") is logged, never an error; a press
on an old message may arrive without the message's content (only chat and id), so
everything is decided from the database; a double tap finds its work already done (a
one-time claim, or a compare-and-set in the service) and is told so."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Update
from telegram.error import TelegramError

from bot import actions, texts
from bot.reminders.compose import checkin_buttons, compose_single, ReminderItem, task_keyboard
from bot.services import checkins as svc
from bot.services.checkins import CheckinRefused, Pending
from handlers.checkin import conversation as conv
from handlers.checkin.answers import apply, deliver, policy, replayed
from handlers.checkin.tidy import strip_buttons
from handlers.checkin.wording import cut, limit_mb, percent_markup, refusal, send, types
from handlers.common import DondocContext
from handlers.messenger import to_markup
from storage.models import Member
from storage.queries import audit

log = logging.getLogger(__name__)


async def ack(query: CallbackQuery, text: str | None = None, alert: bool = False) -> None:
    """Answer a button press. Telegram refuses answers after about 15 seconds ("query is
    too old"): by then the work is saved and the member has the reply message, so a late
    answer is only logged."""
    try:
        await query.answer(text[:200] if text else None, show_alert=alert)
    except TelegramError as exc:
        log.info("button press %s answered too late or refused: %s", query.id, exc)


def where(query: CallbackQuery, member: Member) -> tuple[int | None, int | None]:
    """Chat and message id of the pressed message. An inaccessible (old) message still
    carries both; only its content is missing."""
    if query.message is None:
        return member.chat_id, None
    return query.message.chat.id, query.message.message_id


async def on_button(update: Update, context: DondocContext) -> None:
    query, member = update.callback_query, context.member
    parts = actions.parse(query.data)
    verb = ":".join(parts[:2])
    arg = parts[2] if len(parts) > 2 else ""
    extra = parts[3] if len(parts) > 3 else ""
    if member is None or member.unit_id is None:
        await ack(query, texts.CI_NOT_YOURS, alert=True)
        return
    ctx = context.ctx
    now, today = ctx.clock.now(), ctx.clock.today()
    chat_id, message_id = where(query, member)
    async with ctx.sessions() as s:
        m = await s.get(Member, member.id)
        try:
            a = await svc.member_assignment(s, m, arg)
        except CheckinRefused as exc:
            audit(s, "checkin_refused", member=m, data=query.data[:64], reason=exc.code)
            await s.commit()
            await ack(query, refusal(exc.code), alert=True)
            return
        aid, code, title = a.id, a.task.code, cut(a.task.title, 200)
        if verb == actions.CI_DONE:
            reply = await apply(s, context, m, aid, Pending("done", progress=100, text=texts.BTN_DONE))
            await s.commit()
            if reply.assignment_id is None:  # refused: already done (a double tap), closed
                await ack(query, reply.text, alert=True)
                return
            await ack(query)
            await deliver(context, m, chat_id, reply, [])
            return
        if verb == actions.CI_PROGRESS and extra:
            try:
                pct = max(0, min(100, int(extra)))
            except ValueError:
                pct = None
            reply = await replayed(s, context, m, aid)
            if reply is None:
                if message_id is not None and not await svc.claim_press(s, chat_id, message_id, now):
                    await s.commit()
                    await ack(query, texts.CI_PRESS_AGAIN)
                    return
                await conv.drop(s, m)
                reply = await apply(s, context, m, aid, Pending("progress", progress=pct))
            await s.commit()
            await ack(query)
            await strip_buttons(context, chat_id, message_id)
            await deliver(context, m, chat_id, reply, [])
            return
        if verb == actions.CI_PICK:
            reply = await replayed(s, context, m, aid)
            if reply is None:
                st = await conv.load(s, m, now)
                if not st or st.get("await") != "pick" or aid not in st.get("candidates", []) \
                        or not await conv.drop(s, m):
                    await s.commit()
                    await ack(query, texts.CI_PICK_EXPIRED, alert=True)
                    await strip_buttons(context, chat_id, message_id)
                    return
                reply = await apply(s, context, m, aid, Pending.from_json(st["pending"]))
            await s.commit()
            await ack(query)
            await strip_buttons(context, chat_id, message_id)
            await deliver(context, m, chat_id, reply, [])
            return
        if a.status not in svc.OPEN_STATUSES and verb != actions.CI_FILE:
            await ack(query, texts.CI_ALREADY_DONE if a.status == "done" else texts.CI_CLOSED, alert=True)
            return
        if verb == actions.CI_SELECT:
            items = await svc.open_items_of_message(s, m, message_id) if message_id is not None else []
            if aid not in [i for i, _ in items]:
                items = [(aid, code)]
            item = ReminderItem(assignment_id=aid, kind="select", code=code, title=a.task.title, due=a.due_date)
            await s.commit()
            try:
                await context.bot.edit_message_reply_markup(chat_id, message_id,
                                                            reply_markup=to_markup(task_keyboard(items, aid)))
            except TelegramError:  # an old message cannot change: the task's actions come in a new one
                text, _ = compose_single(item, today)
                await send(context, chat_id, text, to_markup(checkin_buttons(aid)))
            await ack(query)
            return
        if verb == actions.CI_PROGRESS:
            await conv.save(s, m, now, **{"await": "progress", "aid": aid, "code": code})
            await s.commit()
            await ack(query)
            await send(context, chat_id, conv.ask(texts.CI_ASK_PERCENT.format(code=code, title=title)),
                       percent_markup(aid))
        elif verb == actions.CI_FILE:
            await conv.save(s, m, now, **{"await": "file", "aid": aid, "code": code})
            await s.commit()
            await ack(query)
            await send(context, chat_id, conv.ask(texts.CI_ASK_FILE.format(
                code=code, title=title, types=types(context), limit=limit_mb(context))))
        elif verb == actions.CI_EXTEND:
            await conv.save(s, m, now, **{"await": "extension", "aid": aid, "code": code})
            await s.commit()
            await ack(query)
            await send(context, chat_id, conv.ask(texts.CI_ASK_EXTENSION.format(
                code=code, title=title, due=texts.fmt_date(a.due_date))))
        elif verb == actions.CI_SNOOZE:
            try:
                days = int(extra or 1)
            except ValueError:
                days = 1
            until = await svc.snooze_assignment(s, m, aid, days=days, today=today, policy=policy(context))
            audit(s, "snooze", member=m, assignment_id=aid, until=until.isoformat())
            await s.commit()
            await ack(query)
            await send(context, chat_id, texts.CI_SNOOZED.format(
                code=code, time=texts.fmt_datetime(until.astimezone(ctx.settings.tz))))
        else:
            await ack(query)
