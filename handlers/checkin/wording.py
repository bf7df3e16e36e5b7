"""How check-in replies look and go out: receipts, the "which task?" and "how many %?"
buttons, `send`."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot import actions, texts
from bot.services import checkins as svc
from handlers.common import DondocContext

PERCENT_CHOICES = (25, 50, 75, 100)


def cut(s: str, n: int) -> str:
    s = " ".join((s or "").split())
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


def refusal(code: str) -> str:
    return {"not_yours": texts.CI_NOT_YOURS, "not_found": texts.CI_NOT_YOURS, "closed": texts.CI_CLOSED,
            "already_done": texts.CI_ALREADY_DONE, "not_staff": texts.NOT_ALLOWED}.get(code, texts.CI_CLOSED)


def types(context: DondocContext) -> str:
    return ", ".join(sorted(context.ctx.settings.allowed_extensions))


def limit_mb(context: DondocContext) -> str:
    mb = context.ctx.settings.max_file_mb
    return str(int(mb)) if mb == int(mb) else str(mb).replace(".", ",")


def receipt_text(r: svc.Receipt, context: DondocContext) -> str:
    tz = context.ctx.settings.tz
    lines = [texts.CI_RECEIPT_HEAD, texts.CI_RECEIPT_TASK.format(code=r.task.code, title=cut(r.task.title, 300)),
             texts.CI_RECEIPT_STATUS.format(status=texts.CI_STATUS.get(r.kind, r.kind))]
    if r.progress is not None and r.kind != "extension":
        lines.append(texts.CI_RECEIPT_PROGRESS.format(progress=r.progress))
    if r.kind == "blocked" and r.reason:
        lines.append(texts.CI_RECEIPT_REASON.format(reason=cut(r.reason, 500)))
    if r.kind == "extension":
        lines.append(texts.CI_RECEIPT_EXT.format(date=texts.fmt_date(r.requested_due),
                                                 old=texts.fmt_date(r.task.due)))
        lines.append(texts.CI_RECEIPT_REASON.format(reason=cut(r.reason, 500) or texts.EXT_NO_REASON))
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


def pick_markup(tasks: list[svc.TaskRef]) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(
        cut(texts.CI_PICK_BUTTON.format(code=t.code, title=cut(t.title, 40), due=texts.fmt_date(t.due)), 64),
        callback_data=actions.make(actions.CI_PICK, t.assignment_id))] for t in tasks[:20]]
    return InlineKeyboardMarkup(rows)


def percent_markup(aid: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(f"{p}%", callback_data=actions.make(actions.CI_PROGRESS, aid, p))
                                  for p in PERCENT_CHOICES]])


def with_refusals(refusals: list[str], text: str) -> str:
    return "\n".join([*refusals, text]) if refusals else text


async def send(context: DondocContext, chat_id: int, text: str, markup=None) -> Message:
    return await context.bot.send_message(chat_id, text[:4096], reply_markup=markup)
