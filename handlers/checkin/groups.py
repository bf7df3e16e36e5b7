"""Media groups: their items come as separate messages. They are gathered in the
database and confirmed once, when no new item has come for MEDIA_GROUP_QUIET seconds; a
group a restart interrupted is confirmed with the member's next message."""

from __future__ import annotations

import asyncio

from handlers.checkin import conversation as conv
from handlers.checkin.answers import answer
from handlers.common import DondocContext
from storage.models import Member
from storage.state import clear_state, get_state, set_state, states_with_prefix

MEDIA_GROUP_QUIET = 1.0  # seconds without a new item before a media group is confirmed


async def collect(context: DondocContext, member: Member, chat_id: int, group_id: str, att_id: int | None,
                   refusal: str | None, caption: str, reply_to: int | None) -> None:
    """Items of a media group come as separate messages: gather them in the database and
    confirm once, when no new item has come for MEDIA_GROUP_QUIET seconds."""
    ctx = context.ctx
    key = conv.key(member, f"mg:{group_id}")
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
    await answer(context, member, st["chat_id"], st.get("caption") or "", list(st["items"]),
                  list(st["refusals"]), st.get("reply_to"))


async def flush_stale_groups(context: DondocContext, member: Member) -> None:
    """Media groups whose confirmation a restart interrupted: confirm them now."""
    marks: dict = context.application.bot_data.setdefault("media_groups", {})
    async with context.ctx.sessions() as s:
        keys = [r.key for r in await states_with_prefix(s, conv.key(member, "mg:"))]
    for key in keys:
        if key not in marks:
            await flush_group(context, member, key)
