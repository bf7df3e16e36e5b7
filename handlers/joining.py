"""Joining: invite links (/moi → https://t.me/<bot>?start=<code> → /start <code>) and
strangers who write to the bot (a request the secretariat approves or refuses)."""

from __future__ import annotations

import logging

from sqlalchemy import select
from telegram import BotCommand, BotCommandScopeChat, ChatMember, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ChatMemberHandler, CommandHandler

from bot import actions, texts
from bot.intents import fold
from bot.plan_import.units import unit_key
from bot.services.directory import create_invite, decide_join_request, find_units, redeem_invite
from bot.reminders.newcomer import brief_newcomer
from handlers.common import STAFF, DondocContext, command, commands_for_role, staff_button
from handlers.messenger import TelegramMessenger
from storage.models import JoinRequest, Member, Unit
from storage.queries import all_units, audit, member_by_user, members_with_role, set_reachable
from storage.state import clear_state, get_state, set_state, state_key

log = logging.getLogger(__name__)

JN_APPROVE = "jn:ok"  # arg: join request id
JN_REFUSE = "jn:no"
JN_UNIT = "jn:unit"  # args: request id, unit id
JN_INVITE = "jn:inv"  # args: unit id, role
STATE = "join_unit"  # a staff member is choosing the unit for a request
MAX_UNIT_BUTTONS = 30

command("moi", "invite", description="Tạo link mời cho một đơn vị", roles=STAFF)

# written role → role; checked at the end of "/moi <đơn vị> [vai trò]"
ROLE_WORDS = {
    "dau moi": "member", "thanh vien": "member", "can bo": "member", "member": "member",
    "lanh dao": "unit_head", "truong don vi": "unit_head", "lanh dao don vi": "unit_head", "unit_head": "unit_head",
    "head": "unit_head", "thuong truc": "secretariat", "thu ky": "secretariat", "secretariat": "secretariat",
    "quan tri": "admin", "admin": "admin",
}


def split_unit_and_role(args: str) -> tuple[str, str]:
    """"/moi Sở Tài chính lãnh đạo" → ("Sở Tài chính", "unit_head")."""
    words = args.split()
    for n in (3, 2, 1):
        if len(words) > n:
            tail = fold(" ".join(words[-n:])).strip("[]()")
            if tail in ROLE_WORDS:
                return " ".join(words[:-n]), ROLE_WORDS[tail]
    return args.strip(), "member"


async def units_mentioned(s, text: str) -> list[Unit]:
    """Units whose name or alias appears in what a stranger wrote."""
    said = f" {unit_key(text)} "
    return [u for u in await all_units(s)
            if f" {u.key} " in said or any(f" {a.key} " in said for a in u.aliases)]


def _unit_buttons(units, data) -> InlineKeyboardMarkup:
    """One button per unit (at most MAX_UNIT_BUTTONS); ``data(unit)`` is its action."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(u.name[:60], callback_data=data(u))]
                                 for u in units[:MAX_UNIT_BUTTONS]])


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


# --- invites ------------------------------------------------------------------------------


async def invite(update: Update, context: DondocContext) -> None:
    msg = update.effective_message
    query, role = split_unit_and_role(" ".join(context.args or []))
    if not query:
        await msg.reply_text(texts.INVITE_USAGE)
        return
    async with context.ctx.sessions() as s:
        units = await find_units(s, query)
        if len(units) == 1:
            text = await _make_invite(s, context, units[0], role)
            await s.commit()
            await msg.reply_text(text)
            return
    if not units:
        await msg.reply_text(texts.INVITE_NO_UNIT.format(query=query))
        return
    await msg.reply_text(texts.INVITE_PICK.format(query=query),
                         reply_markup=_unit_buttons(units, lambda u: actions.make(JN_INVITE, u.id, role)))


async def _make_invite(s, context: DondocContext, unit: Unit, role: str) -> str:
    ctx = context.ctx
    creator = await s.get(Member, context.member.id)
    link = await create_invite(s, unit=unit, role=role, now=ctx.clock.now(), created_by=creator)
    audit(s, "invite_created", member=creator, unit_id=unit.id, role=role)
    return texts.INVITE_LINK.format(role=texts.ROLE_NAMES.get(role, role), unit=unit.name,
                                    expires=texts.fmt_datetime(link.expires_at.astimezone(ctx.settings.tz)),
                                    link=invite_link(context.bot.username, link.code))


async def start(update: Update, context: DondocContext) -> None:
    msg, user, ctx = update.effective_message, update.effective_user, context.ctx
    code = (context.args or [""])[0].strip()
    if not code:
        m = context.member
        if m is None:
            await handle_stranger(update, context)
        elif m.unit is not None:
            await msg.reply_text(texts.JOIN_HELLO_AGAIN.format(name=m.full_name, unit=m.unit.name,
                                                               role=texts.ROLE_NAMES.get(m.role, m.role)))
        else:
            await msg.reply_text(texts.JOIN_WELCOME_STAFF.format(name=m.full_name,
                                                                 role=texts.ROLE_NAMES.get(m.role, m.role)))
        return
    now = ctx.clock.now()
    async with ctx.sessions() as s:
        got = await redeem_invite(s, code, user_id=user.id, chat_id=msg.chat_id, full_name=user.full_name,
                                  username=user.username, now=now)
        await s.commit()
    if got.outcome == "unknown":
        await msg.reply_text(texts.JOIN_CODE_UNKNOWN)
        return
    if got.outcome == "used":
        await msg.reply_text(texts.JOIN_CODE_USED)
        return
    if got.outcome == "expired":
        await msg.reply_text(texts.JOIN_CODE_EXPIRED.format(
            date=texts.fmt_date(got.expires_at.astimezone(ctx.settings.tz).date())))
        return
    unit, role, member_id = got.unit, got.role, got.member.id
    name = texts.ROLE_NAMES.get(role, role)
    if unit is not None:
        await msg.reply_text(texts.JOIN_WELCOME.format(name=user.full_name, role=name, unit=unit.name))
        await brief_newcomer(ctx, TelegramMessenger(context.bot), member_id)  # what the unit missed
    else:
        await msg.reply_text(texts.JOIN_WELCOME_STAFF.format(name=user.full_name, role=name))
    if role != "member":
        await _set_menu(context, msg.chat_id, role)


async def _set_menu(context: DondocContext, chat_id: int, role: str) -> None:
    try:
        await context.bot.set_my_commands([BotCommand(c.names[0], c.description[:256]) for c in commands_for_role(role)],
                                          scope=BotCommandScopeChat(chat_id))
    except Exception as exc:  # noqa: BLE001 - the menu is a convenience
        log.warning("setMyCommands for %s failed: %s", chat_id, exc)


# --- strangers ------------------------------------------------------------------------------


async def handle_stranger(update: Update, context: DondocContext) -> None:
    """Someone the bot does not know: one request to the secretariat per stranger; every
    message is answered (later ones are added to the pending request, and say so)."""
    if update.callback_query:
        await update.callback_query.answer(texts.STRANGER[:190], show_alert=True)
        return
    msg, user, ctx = update.effective_message, update.effective_user, context.ctx
    if msg is None or user is None or update.effective_chat.type != "private":
        return
    said = (msg.text or msg.caption or "").strip()
    async with ctx.sessions() as s:
        req = (await s.execute(select(JoinRequest).where(
            JoinRequest.channel == "telegram", JoinRequest.user_id == user.id)
            .order_by(JoinRequest.id.desc()))).scalars().first()
        if req is not None and req.status in ("pending", "refused"):
            if req.status == "pending" and said and len(req.text) < 2000:
                req.text = f"{req.text}\n{said}".strip()[:2000]
                await s.commit()
            await msg.reply_text(texts.JOIN_STILL_PENDING if req.status == "pending" else texts.JOIN_STILL_REFUSED)
            return
        req = JoinRequest(user_id=user.id, chat_id=msg.chat_id, full_name=user.full_name, text=said[:2000],
                          created_at=ctx.clock.now())
        s.add(req)
        await s.flush()
        audit(s, "join_requested", user_id=user.id, request_id=req.id)
        staff = await members_with_role(s, "secretariat", "admin")
        await s.commit()
        rid = req.id
    await msg.reply_text(texts.STRANGER)
    text = texts.JOIN_REQUEST_TO_STAFF.format(name=user.full_name, username=f" @{user.username}" if user.username else "",
                                              user_id=user.id, text=said[:500] or "—")
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton(texts.JOIN_BTN_APPROVE, callback_data=actions.make(JN_APPROVE, rid)),
        InlineKeyboardButton(texts.JOIN_BTN_REFUSE, callback_data=actions.make(JN_REFUSE, rid))]])
    for m in staff:
        if m.chat_id and m.reachable:
            try:
                await context.bot.send_message(m.chat_id, text, reply_markup=markup)
            except Exception as exc:  # noqa: BLE001
                log.warning("join request %s to %s failed: %s", rid, m.id, exc)


async def on_button(update: Update, context: DondocContext) -> None:
    query, member = update.callback_query, context.member
    if not await staff_button(update, context):
        return
    parts = actions.parse(query.data)
    verb = ":".join(parts[:2])
    try:
        args = [int(x) for x in parts[2:3]]
    except ValueError:
        await query.answer()
        return
    if verb == JN_INVITE:
        await _invite_button(update, context, parts)
        return
    if not args:
        await query.answer()
        return
    rid = args[0]
    ctx = context.ctx
    async with ctx.sessions() as s:
        req = await s.get(JoinRequest, rid)
        if req is None or req.status != "pending":
            await query.answer(texts.JOIN_ALREADY_DECIDED, show_alert=True)
            return
        if verb == JN_REFUSE:
            if not await _decide(s, context, req, None):
                await query.answer(texts.JOIN_ALREADY_DECIDED, show_alert=True)
                return
            await query.answer()
            await _done_with(query, texts.JOIN_REFUSED_STAFF.format(name=req.full_name))
            return
        if verb == JN_UNIT:
            try:
                unit = await s.get(Unit, int(parts[3]))
            except (IndexError, ValueError):
                unit = None
            if unit is None:
                await query.answer(texts.JOIN_ALREADY_DECIDED, show_alert=True)
                return
            if not await _decide(s, context, req, unit):
                await query.answer(texts.JOIN_ALREADY_DECIDED, show_alert=True)
                return
            await query.answer()
            await _done_with(query, texts.JOIN_APPROVED_STAFF.format(name=req.full_name, unit=unit.name))
            return
        # approve: choose the unit — those the stranger's words match first, else all
        units = await units_mentioned(s, req.text)
        for line in req.text.splitlines():
            if units:
                break
            units = await find_units(s, line) if line.strip() else []
        if not units:
            units = await all_units(s)
        await set_state(s, _staff_key(member), {"request_id": rid})
        await s.commit()
    await query.answer()
    if not units:
        await query.message.reply_text(texts.JOIN_PICK_UNIT_NONE)
        return
    await query.message.reply_text(texts.JOIN_PICK_UNIT.format(name=req.full_name),
                                   reply_markup=_unit_buttons(units, lambda u: actions.make(JN_UNIT, rid, u.id)))


async def _invite_button(update: Update, context: DondocContext, parts: list[str]) -> None:
    query = update.callback_query
    try:
        unit_id, role = int(parts[2]), parts[3] if len(parts) > 3 else "member"
    except (IndexError, ValueError):
        await query.answer()
        return
    if role not in ("member", "unit_head", "secretariat", "admin"):
        role = "member"
    async with context.ctx.sessions() as s:
        unit = await s.get(Unit, unit_id)
        if unit is None:
            await query.answer(texts.INVITE_NO_UNIT.format(query=unit_id), show_alert=True)
            return
        text = await _make_invite(s, context, unit, role)
        await s.commit()
    await query.answer()
    await query.message.reply_text(text)


def _staff_key(member: Member) -> str:
    return state_key(member.channel, member.user_id or 0, STATE)


async def _decide(s, context: DondocContext, req: JoinRequest, unit: Unit | None) -> bool:
    """Approve into ``unit`` (None: refuse) and tell the stranger; False when the request
    was decided meanwhile (a double press, two staff members at once): nothing done."""
    decider = await s.get(Member, context.member.id)
    decided = await decide_join_request(s, req.id, unit=unit, decider=decider, now=context.ctx.clock.now())
    await clear_state(s, _staff_key(decider))
    await s.commit()
    if decided is None:
        return False
    text = texts.JOIN_APPROVED.format(unit=unit.name) if unit is not None else texts.JOIN_REFUSED
    try:
        await context.bot.send_message(decided.chat_id, text)
    except Exception as exc:  # noqa: BLE001
        log.warning("telling %s about join request %s failed: %s", decided.user_id, decided.id, exc)
        return True
    if unit is not None:  # what the unit missed
        async with context.ctx.sessions() as s2:
            joined = await member_by_user(s2, decided.user_id, decided.channel)
        if joined is not None:
            await brief_newcomer(context.ctx, TelegramMessenger(context.bot), joined.id)
    return True


async def _done_with(query, line: str) -> None:
    try:
        await query.edit_message_reply_markup(None)
    except Exception:  # noqa: BLE001
        pass
    await query.message.reply_text(line)


async def on_staff_text(update: Update, context: DondocContext) -> bool:
    """A staff member choosing a unit for a join request by typing its name. True when
    the text was that (called first by the check-in text handler)."""
    member, msg = context.member, update.effective_message
    if member is None or member.role not in STAFF or not msg or not msg.text:
        return False
    async with context.ctx.sessions() as s:
        st = await get_state(s, _staff_key(member))
        if not st:
            return False
        req = await s.get(JoinRequest, int(st.get("request_id", 0)))
        if req is None or req.status != "pending":
            await clear_state(s, _staff_key(member))
            await s.commit()
            return False
        units = await find_units(s, msg.text)
        if len(units) == 1:
            if not await _decide(s, context, req, units[0]):
                await msg.reply_text(texts.JOIN_ALREADY_DECIDED)
                return True
            await msg.reply_text(texts.JOIN_APPROVED_STAFF.format(name=req.full_name, unit=units[0].name))
            return True
        rid = req.id
    if not units:
        await msg.reply_text(texts.JOIN_UNIT_NOT_FOUND.format(query=msg.text[:100]))
        return True
    await msg.reply_text(texts.JOIN_PICK_UNIT.format(name=req.full_name),
                         reply_markup=_unit_buttons(units, lambda u: actions.make(JN_UNIT, rid, u.id)))
    return True


# --- reachability ------------------------------------------------------------------------------------


async def on_my_chat_member(update: Update, context: DondocContext) -> None:
    """A member blocked the bot (kicked) or unblocked it (member again) in their private chat."""
    change, member = update.my_chat_member, context.member
    if member is None or change.chat.type != "private":
        return
    status = change.new_chat_member.status
    async with context.ctx.sessions() as s:
        if status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER):
            await set_reachable(s, member, chat_id=change.chat.id)
            audit(s, "reachable_again", member=member, via="unblock")
        elif status in (ChatMember.BANNED, ChatMember.LEFT):
            # flagged (and the secretariat told, once) by the first reminder that fails
            audit(s, "blocked_bot", member=member)
        await s.commit()


def register(app: Application) -> None:
    app.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler(["moi", "invite"], invite))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^jn:"))

