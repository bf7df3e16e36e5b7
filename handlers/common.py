"""The layer every update passes first: who is writing, may they do this, and the
error handler. Handlers read `context.ctx` (AppContext) and `context.member`."""

from __future__ import annotations

import logging
import re
import traceback
from dataclasses import dataclass

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ExtBot,
    TypeHandler,
)

from bot import texts
from bot.context import AppContext
from bot.logs import mask
from storage.limits import ValueOutOfRange
from storage.models import Member
from storage.queries import audit, member_by_user, members_with_role, set_reachable

log = logging.getLogger(__name__)

STAFF = frozenset({"secretariat", "admin"})
EVERYONE = frozenset({"member", "unit_head", "secretariat", "admin"})
UNIT_PEOPLE = frozenset({"member", "unit_head"})


@dataclass(frozen=True)
class CommandSpec:
    names: tuple[str, ...]  # Vietnamese first, then English aliases
    description: str  # Vietnamese, shown in the command menu
    roles: frozenset[str]


# Every command the bot knows, with who may use it. Handler modules add theirs on import
# through `command()`; the gate and the per-role menus (setMyCommands) read this registry.
COMMANDS: dict[str, CommandSpec] = {}


def command(*names: str, description: str, roles: frozenset[str]) -> tuple[str, ...]:
    spec = CommandSpec(tuple(names), description, roles)
    for n in names:
        COMMANDS[n] = spec
    return tuple(names)


command("start", description="Bắt đầu / tham gia bằng mã mời", roles=EVERYONE)
command("help", "trogiup", description="Các lệnh bạn dùng được", roles=EVERYONE)


class DondocContext(CallbackContext[ExtBot, dict, dict, dict]):
    """CallbackContext with the app's services and the member behind the update."""

    member: Member | None = None

    @property
    def ctx(self) -> AppContext:
        return self.application.bot_data["ctx"]


def command_name(update: Update) -> str | None:
    msg = update.effective_message
    if not msg or not msg.text or not msg.text.startswith("/"):
        return None
    name = msg.text.split()[0][1:].split("@")[0].lower()
    return name or None


async def staff_button(update: Update, context: DondocContext) -> bool:
    """Whether the presser of a staff-only button may use it: the role decides, not the
    button (an old message can be forwarded). Otherwise: a refusal, and an audit row."""
    member = context.member
    if member is not None and member.role in STAFF:
        return True
    query = update.callback_query
    async with context.ctx.sessions() as s:
        audit(s, "permission_refused", member=member, data=(query.data or "")[:64])
        await s.commit()
    await query.answer(texts.NOT_ALLOWED, show_alert=True)
    return False


async def gate(update: Update, context: DondocContext) -> None:
    """Group -1: load the member; refuse commands a role may not use; route strangers."""
    user = update.effective_user
    if user is None:
        raise ApplicationHandlerStop
    ctx = context.ctx
    async with ctx.sessions() as s:
        member = await member_by_user(s, user.id)
        if member is None and user.id in ctx.settings.admin_user_ids:
            from bot.services.directory import add_member

            member = await add_member(s, user_id=user.id, chat_id=update.effective_chat.id,
                                      full_name=user.full_name, role="admin")
            await s.commit()
        context.member = member
        name = command_name(update)
        if member is None:
            if name == "start" or (update.callback_query is None and update.effective_message is None):
                return  # joining flow handles /start <code>
            if name is not None:  # a command from someone not in the directory: refused, and logged
                audit(s, "permission_refused", user_id=user.id, command=name)
                await s.commit()
            from handlers.joining import handle_stranger

            await handle_stranger(update, context)
            raise ApplicationHandlerStop
        if update.effective_chat.type == "private" and update.my_chat_member is None:
            # writing to the bot (also /start after being reminded before ever starting it) makes
            # a member reachable again; a block or unblock is the joining journey's my_chat_member
            if await set_reachable(s, member, chat_id=update.effective_chat.id):
                audit(s, "reachable_again", member=member, via="message")
                await s.commit()
        if name is None:
            return
        spec = COMMANDS.get(name)
        if spec is None:
            await update.effective_message.reply_text(texts.UNKNOWN_COMMAND)
            raise ApplicationHandlerStop
        if member.role not in spec.roles:
            audit(s, "permission_refused", member=member, command=name)
            await s.commit()
            await update.effective_message.reply_text(texts.NOT_ALLOWED)
            raise ApplicationHandlerStop


async def help_command(update: Update, context: DondocContext) -> None:
    role = context.member.role if context.member else "member"
    seen, lines = set(), []
    for spec in COMMANDS.values():
        if spec in seen or role not in spec.roles:
            continue
        seen.add(spec)
        aliases = " ".join(f"/{n}" for n in spec.names)
        lines.append(f"{aliases} — {spec.description}")
    intro = texts.HELP_INTRO.get(role, "")  # the two or three things this person does, first
    await update.effective_message.reply_text((intro + "\n\n" if intro else "") + texts.HELP_HEADER + "\n"
                                              + "\n".join(lines))


def refusal_for(error: BaseException) -> str | None:
    """The Vietnamese line for an error the user caused and can fix (None: our fault)."""
    return texts.refusal_line(error) if isinstance(error, ValueOutOfRange) else None


def error_kind(error: BaseException) -> str:
    """What went wrong, without the message: SQL errors carry the statement and its
    parameters (members' words), other messages may carry URLs with the token."""
    orig = getattr(error, "orig", None)
    return type(orig).__name__ if orig is not None else type(error).__name__


async def error_handler(update: object, context: DondocContext) -> None:
    error = context.error
    refusal = refusal_for(error)
    if refusal is not None:
        log.info("update %s refused: %s", getattr(update, "update_id", "?"), error)
    else:
        log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=error)
    if isinstance(update, Update):
        await _tell_user(update, context, refusal or texts.ERROR_GENERIC)
    try:
        tb = mask("".join(traceback.format_exception(error)))[-1500:]
        async with context.ctx.sessions() as s:
            row = audit(s, "refused" if refusal else "error", detail_text=tb if not refusal else str(error)[:300])
            admins = [] if refusal else await members_with_role(s, "admin")
            await s.commit()
        alert = texts.ADMIN_ERROR_ALERT.format(kind=error_kind(error), audit_id=row.id)
        for a in admins:
            if a.chat_id and a.reachable:
                await context.bot.send_message(a.chat_id, alert)
    except Exception:  # noqa: BLE001
        log.exception("error handler failed")


async def _tell_user(update: Update, context: DondocContext, line: str) -> None:
    """A button press gets an alert; when that fails (the press is too old to answer) or
    for anything else, a message in the chat."""
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(line[:200], show_alert=True)
            return
        except Exception:  # noqa: BLE001 - "query is too old": say it in the chat instead
            pass
    if update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, line)
        except Exception:  # noqa: BLE001 - best effort
            log.warning("could not tell update %s's sender about an error", update.update_id)


# --- buttons -----------------------------------------------------------------------------------------

INT_LIMIT = 2**31  # every number a button carries is a row id, a page or a percentage
_PART = re.compile(r"[A-Za-z0-9_.@-]{0,64}")  # ASCII only: "²" is a digit to str.isdigit, not to int()
_NUMBER = re.compile(r"-?[0-9]+")


def callback_data_ok(data: str | None) -> bool:
    """Whether button data has the shape the bot makes: ``prefix:verb[:arg…]``, at most 64
    bytes, ASCII words and numbers only, numbers within what a database id can be."""
    if not data or len(data.encode()) > 64:
        return False
    for part in data.split(":"):
        if not _PART.fullmatch(part):
            return False
        if _NUMBER.fullmatch(part) and not -INT_LIMIT < int(part) < INT_LIMIT:
            return False
    return True


def _handled_by_someone(update: Update, app: Application) -> bool:
    for handlers in app.handlers.values():
        for h in handlers:
            if isinstance(h, CallbackQueryHandler) and h.callback is not button_guard and h.check_update(update):
                return True
    return False


async def button_guard(update: Update, context: DondocContext) -> None:
    """A button press whose data the bot could not have made, or that no journey takes
    (an old keyboard after an upgrade, a forged client): answered, and handled no further."""
    query = update.callback_query
    if callback_data_ok(query.data) and _handled_by_someone(update, context.application):
        return
    await query.answer(texts.BUTTON_STALE, show_alert=True)
    raise ApplicationHandlerStop


def commands_for_role(role: str) -> list[CommandSpec]:
    out: list[CommandSpec] = []
    for spec in COMMANDS.values():
        if role in spec.roles and spec not in out:
            out.append(spec)
    return out


def register_common(app: Application) -> None:
    app.add_handler(TypeHandler(Update, gate), group=-1)
    app.add_handler(CallbackQueryHandler(button_guard), group=-2)  # before the gate
    app.add_handler(CommandHandler(["help", "trogiup"], help_command))
    app.add_error_handler(error_handler)
