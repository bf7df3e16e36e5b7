"""Files and photos from a member: checked by name and size before any download (Telegram
tells both), stored by content hash, then recorded with the caption as one answer; the
items of a media group are confirmed once."""

from __future__ import annotations

import logging

from telegram import Update

from bot import texts
from bot.services import checkins as svc
from handlers.checkin.answers import answer
from handlers.checkin.groups import collect, flush_stale_groups
from handlers.checkin.wording import limit_mb, send, types
from handlers.common import STAFF, DondocContext

log = logging.getLogger(__name__)


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
        await flush_stale_groups(context, member)
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
        refusal = (texts.CI_FILE_TOO_BIG.format(name=name, limit=limit_mb(context)) if check.reason == "too_big"
                   else texts.CI_FILE_BAD_TYPE.format(name=name, ext=check.ext or "?", types=types(context)))
    else:
        try:
            content = bytes(await (await tg.get_file()).download_as_bytearray())
        except Exception as exc:  # noqa: BLE001 - tell the member, keep the rest of the answer
            log.warning("download of %s failed: %s", name, exc)
            refusal = texts.CI_FILE_FAILED.format(name=name)
        else:
            if len(content) > ctx.settings.max_file_bytes:
                refusal = texts.CI_FILE_TOO_BIG.format(name=name, limit=limit_mb(context))
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
        await collect(context, member, msg.chat_id, msg.media_group_id, att_id, refusal, caption, reply_to)
        return
    if att_id is None and not caption.strip():
        await send(context, msg.chat_id, refusal or texts.CI_FILE_FAILED.format(name=name))
        return
    await answer(context, member, msg.chat_id, caption, [att_id] if att_id else [], [refusal] if refusal else [],
                  reply_to)
