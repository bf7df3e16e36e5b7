"""No message to the bot goes unanswered: 30 everyday messages (questions, thanks, stickers,
files, wrong commands, another role's commands) from each role — a stranger, a member, a
unit head, the secretariat, an admin — each get an answer in Vietnamese, through the
sandbox on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime

import pytest

from bot.plan_import.model import ParsedTask
from tests.harness import Person

MONDAY = datetime(2026, 3, 16, 9, 0)
VIETNAMESE = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

# (kind, payload): text as typed, or a sticker / location / voice note
EVERYDAY = [
    ("text", "quá hạn"), ("text", "cho tôi xem các nhiệm vụ quá hạn"), ("text", "xuat excel"),
    ("text", "tiến độ"), ("text", "sap den han"), ("text", "cảm ơn"), ("text", "Chào bot"), ("text", "alo"),
    ("text", "hôm nay có việc gì không?"), ("text", "???"), ("text", "ok"), ("text", "👍"),
    ("text", "nhiệm vụ của tôi là gì"), ("text", "bot ơi giúp mình với"), ("text", "thanks"),
    ("text", "/abc"), ("text", "/quahann"), ("text", "/help"), ("text", "/start"), ("text", "/viec"),
    ("text", "/xuat"), ("text", "/thongbao"), ("text", "/nhiemvu 99"), ("text", "/tiendo quy"),
    ("text", "/moi"), ("text", "Q9 xong chưa?"), ("sticker", "👍"), ("location", ""), ("voice", ""),
    ("text", "thôi"),
]
# files: kept apart because who answers a file from staff belongs to the plan-import journey
FILES = [("document", "ghi_chu.pdf"), ("photo", ""), ("document", "anh.zip")]
assert len(EVERYDAY) == 30 and len({p for _, p in EVERYDAY}) == 28  # two payload-less kinds


async def world(harness, ctx) -> dict[str, Person]:
    ctx.clock.set(MONDAY.replace(tzinfo=ctx.settings.tz))
    people = {
        "member": await harness.person(2001, "Anh Minh", role="member", unit="Sở Tài chính"),
        "unit_head": await harness.person(2002, "Bà Thu", role="unit_head", unit="Sở Nội vụ"),
        "secretariat": await harness.person(1001, "Chị Lan", role="secretariat"),
        "admin": await harness.person(1002, "Ông Hải", role="admin"),
    }
    await harness.plan([
        ParsedTask(code="1", title="Báo cáo quyết toán ngân sách", due=date(2026, 3, 6), lead=["Sở Tài chính"]),
        ParsedTask(code="2", title="Rà soát biên chế công chức", due=date(2026, 3, 25), lead=["Sở Nội vụ"]),
    ], year=2026, today=date(2026, 3, 2))
    harness.sandbox.add_user(9001, "Người lạ")
    people["stranger"] = Person(9001, "Người lạ", "stranger", None, 0)
    return people


async def _send(harness, who: Person, kind: str, payload: str) -> None:
    sb = harness.sandbox
    if kind == "text":
        await sb.send_text(who.user_id, payload)
    elif kind == "document":
        await sb.send_document(who.user_id, payload, PDF if payload.endswith(".pdf") else b"PK\x03\x04" + b"\0" * 60)
    elif kind == "photo":
        await sb.send_photo(who.user_id, PNG)
    else:  # what the sandbox has no helper for, sent as Telegram shapes it
        msg = sb._user_message(who.user_id, None, None)  # noqa: SLF001 - a message kind of its own
        msg[kind] = {
            "sticker": {"file_id": "stk1", "file_unique_id": "stk1u", "type": "regular", "width": 512,
                        "height": 512, "is_animated": False, "is_video": False, "emoji": payload},
            "location": {"latitude": 21.0285, "longitude": 105.8542},
            "voice": {"file_id": "voc1", "file_unique_id": "voc1u", "duration": 3, "mime_type": "audio/ogg"},
        }[kind]
        sb._store_user_message(msg, "")  # noqa: SLF001


async def silent_ones(harness, who: Person, messages, enough: int = 3) -> list[tuple[str, str, str]]:
    """(kind, payload, what came back) for the messages not answered in Vietnamese (the
    first ``enough`` of them: each silence costs a wait)."""
    bad = []
    for kind, payload in messages:
        if len(bad) >= enough:
            break
        after = harness.last_id(who)
        await _send(harness, who, kind, payload)
        try:
            reply = await harness.sandbox.wait_for_message(who.user_id, after_message_id=after, timeout=8)
        except Exception:  # noqa: BLE001 - a timeout is what this test looks for
            bad.append((kind, payload, "(nothing)"))
            continue
        said = reply.get("text") or reply.get("caption") or ""
        if not VIETNAMESE.search(said):
            bad.append((kind, payload, said[:80]))
    return bad




async def test_thirty_everyday_messages_from_every_role_at_once_each_get_a_vietnamese_answer(harness, ctx):
    """The five roles write at the same time, as a committee does: each chat is held to
    Telegram's one message a second, so the 150 answers take about as long as one role's 30."""
    people = await world(harness, ctx)
    roles = ["stranger", "member", "unit_head", "secretariat", "admin"]
    found = await asyncio.gather(*(silent_ones(harness, people[r], EVERYDAY) for r in roles))
    assert dict(zip(roles, found)) == {r: [] for r in roles}
    assert all(len(harness.sandbox.messages(people[r].user_id)) >= len(EVERYDAY) for r in roles)


@pytest.mark.parametrize("role", ["member", "unit_head", "secretariat", "admin"])
async def test_files_and_photos_each_get_a_vietnamese_answer(harness, ctx, role):
    people = await world(harness, ctx)
    assert await silent_ones(harness, people[role], FILES) == []
