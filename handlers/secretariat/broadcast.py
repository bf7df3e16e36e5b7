"""/thongbao: an announcement to every unit or to the units named before ":".

Each announcement waits for its own confirmation under its own token (state
``broadcast:<token>``, the token in the buttons' data), so an older confirmation button
sends the older text, never a newer one. Confirming takes the pending announcement with a
conditional delete: a double tap sends once. A unit name that matches several units is
asked back with one button per unit."""

from __future__ import annotations

import secrets

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import actions, texts
from bot.services import reports as svc
from bot.services.announce import (
    MAX_PARTS,
    announcement_parts,
    broadcast_audience,
    broadcast as send_all,
    split_broadcast,
)
from handlers.common import DondocContext
from handlers.messenger import TelegramMessenger
from handlers.secretariat.views import MAX_PICK, arg_text
from storage.models import Member, Unit
from storage.queries import all_units, audit
from storage.state import get_state, set_state, state_key, take_state

BROADCAST_OK = "sc:bc:ok"  # arg: token
BROADCAST_NO = "sc:bc:no"  # arg: token
BROADCAST_UNIT = "sc:bu"  # args: token, unit id
STATE = "broadcast"
PREVIEW_CHARS = 3000


def _key(member: Member, token: str) -> str:
    return state_key(member.channel, member.user_id or 0, f"{STATE}:{token}")


def _confirm_markup(token: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(texts.SC_BTN_SEND, callback_data=actions.make(BROADCAST_OK, token)),
        InlineKeyboardButton(texts.SC_BTN_CANCEL, callback_data=actions.make(BROADCAST_NO, token))]])


def _ask_markup(token: str, units: list[Unit]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(u.name[:60], callback_data=actions.make(BROADCAST_UNIT, token, u.id))]
                                 for u in units[:MAX_PICK]])


async def _confirmation(s, context: DondocContext, body: str, unit_ids: list[int] | None) -> str | None:
    """The question shown before sending, or None when nobody would receive it."""
    people, _ = await broadcast_audience(s, unit_ids, context.ctx.clock.today())
    if not people:
        return None
    if unit_ids is None:
        where = texts.SC_BROADCAST_ALL_UNITS.format(n=len(await all_units(s)))
    else:
        names = [(await s.get(Unit, uid)).name for uid in unit_ids]
        where = texts.SC_BROADCAST_SOME_UNITS.format(names=svc.cut("; ".join(names), 500))
    parts = announcement_parts(body)
    shown = body
    if len(parts) > 1:
        shown = body[:PREVIEW_CHARS].rstrip() + texts.SC_BROADCAST_LONG.format(chars=len(body), parts=len(parts))
    return texts.SC_BROADCAST_CONFIRM.format(people=len(people), units=where, text=shown)


async def broadcast(update: Update, context: DondocContext) -> None:
    arg = arg_text(update)
    msg, ctx, member = update.effective_message, context.ctx, context.member
    if not arg:
        await msg.reply_text(texts.SC_BROADCAST_USAGE)
        return
    names, body = split_broadcast(arg)
    token = secrets.token_hex(4)
    async with ctx.sessions() as s:
        unit_ids: list[int] | None = None
        asks: list[tuple[str, list[int]]] = []
        if names:
            matches = [(n, await svc.match_units(s, n)) for n in names]
            if all(found for _, found in matches):  # every name before ":" is a unit: a targeted announcement
                unit_ids = []
                for n, found in matches:
                    if len(found) > 1:
                        asks.append((n, [u.id for u in found]))
                    elif found[0].id not in unit_ids:
                        unit_ids.append(found[0].id)
            else:  # "Lưu ý: …" is text, not units
                body = arg
        if len(announcement_parts(body)) > MAX_PARTS:
            await msg.reply_text(texts.SC_BROADCAST_TOO_LONG.format(chars=len(body), parts=MAX_PARTS))
            return
        await set_state(s, _key(member, token), {"text": body, "units": unit_ids, "ask": asks})
        if asks:
            name, ids = asks[0]
            units = [await s.get(Unit, uid) for uid in ids]
            await s.commit()
            await msg.reply_text(texts.SC_BROADCAST_AMBIGUOUS.format(query=svc.cut(name, 100), n=len(units)),
                                 reply_markup=_ask_markup(token, units))
            return
        question = await _confirmation(s, context, body, unit_ids)
        if question is None:
            await msg.reply_text(texts.SC_BROADCAST_NOBODY)
            return
        await s.commit()
    await msg.reply_text(question, reply_markup=_confirm_markup(token))


async def unit_chosen(update: Update, context: DondocContext, token: str, unit_id: int) -> None:
    """A button under "… khớp với n đơn vị": that unit joins the announcement; then the next
    question, or the confirmation."""
    query, ctx, member = update.callback_query, context.ctx, context.member
    key = _key(member, token)
    async with ctx.sessions() as s:
        st = await get_state(s, key)
        asks = st.get("ask") if st else None
        if not asks or unit_id not in asks[0][1]:
            await query.answer(texts.SC_EXPIRED, show_alert=True)
            return
        units = [*st["units"], *([unit_id] if unit_id not in st["units"] else [])]
        asks = asks[1:]
        await set_state(s, key, {**st, "units": units, "ask": asks})
        if asks:
            name, ids = asks[0]
            choices = [await s.get(Unit, uid) for uid in ids]
            await s.commit()
            await query.answer()
            await query.edit_message_text(texts.SC_BROADCAST_AMBIGUOUS.format(query=svc.cut(name, 100), n=len(choices)),
                                          reply_markup=_ask_markup(token, choices))
            return
        question = await _confirmation(s, context, st["text"], units)
        await s.commit()
    await query.answer()
    if question is None:
        await query.edit_message_text(texts.SC_BROADCAST_NOBODY)
        return
    await query.edit_message_text(question, reply_markup=_confirm_markup(token))


async def decided(update: Update, context: DondocContext, token: str, send: bool) -> None:
    query, ctx, member = update.callback_query, context.ctx, context.member
    async with ctx.sessions() as s:
        st = await take_state(s, _key(member, token))
        await s.commit()
    if st is None or st.get("ask"):
        await query.answer(texts.SC_BROADCAST_ALREADY, show_alert=True)
        await _strip_buttons(query)
        return
    await query.answer()
    if not send:
        await query.edit_message_text(texts.SC_BROADCAST_CANCELLED)
        return
    await _strip_buttons(query)
    res = await send_all(ctx, TelegramMessenger(context.bot), st["text"], st.get("units"))
    async with ctx.sessions() as s:
        audit(s, "broadcast", member=member, units=st.get("units"), sent=res.sent, failed=res.failed,
              skipped=res.skipped)
        await s.commit()
    text = texts.SC_BROADCAST_DONE.format(
        sent=res.sent, total=res.sent + res.failed,
        failed=texts.SC_BROADCAST_FAILED.format(n=res.failed) if res.failed else "",
        skipped=texts.SC_BROADCAST_SKIPPED.format(n=res.skipped) if res.skipped else "")
    await context.bot.send_message(update.effective_chat.id, text)


async def _strip_buttons(query) -> None:
    """Remove the buttons; already removed (a second tap) is fine."""
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
