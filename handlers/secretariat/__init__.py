"""The secretariat's side of the chat (Vietnamese command names first, English aliases
after): reports (/quahan, /sapden, /tiendo, /nhiemvu, /donvi, /xuat, /bieudo), /nhac,
/thongbao, and the same reports asked in plain words.

Only staff (secretariat, admin) may use the commands: the gate in `handlers.common`
refuses them for everyone else and logs the refusal; the buttons (``sc:``) are re-checked
in `buttons`.

- `views`: a view recomputed from the database, its pages and ◀/▶ buttons;
- `commands`: the report commands and /nhac;
- `broadcast`: /thongbao and its confirmation;
- `chat`: plain questions, and a short help instead of silence;
- `buttons`: every ``sc:`` button."""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.common import STAFF, command
from handlers.secretariat import broadcast, chat, commands
from handlers.secretariat.buttons import on_button
from handlers.secretariat.views import PREFIX

command("quahan", "overdue", description="Nhiệm vụ quá hạn theo đơn vị [tên đơn vị]", roles=STAFF)
command("sapden", "upcoming", description="Nhiệm vụ sắp đến hạn [số ngày, mặc định 7]", roles=STAFF)
command("tiendo", "progress", description="Tiến độ theo quý, theo đơn vị [quý | đơn vị | tên]", roles=STAFF)
command("nhiemvu", "task", description="Lịch sử một nhiệm vụ: nhắc, báo cáo, tệp, gia hạn <mã>", roles=STAFF)
command("donvi", "unit", description="Thông tin một đơn vị: thành viên, nhiệm vụ <tên>", roles=STAFF)
command("xuat", "export", description="Xuất bảng tính Excel toàn bộ dữ liệu", roles=STAFF)
command("bieudo", "chart", description="Biểu đồ tiến độ theo quý và đơn vị", roles=STAFF)
command("nhac", "remind", description="Gửi tin nhắc một nhiệm vụ ngay <mã>", roles=STAFF)
command("thongbao", "broadcast", description="Gửi thông báo tới các đơn vị [đơn vị…:] nội dung", roles=STAFF)

def register(app: Application) -> None:
    app.add_handler(CommandHandler(["quahan", "overdue"], commands.overdue))
    app.add_handler(CommandHandler(["sapden", "upcoming"], commands.upcoming))
    app.add_handler(CommandHandler(["tiendo", "progress"], commands.progress))
    app.add_handler(CommandHandler(["nhiemvu", "task"], commands.task))
    app.add_handler(CommandHandler(["donvi", "unit"], commands.unit))
    app.add_handler(CommandHandler(["xuat", "export"], commands.export))
    app.add_handler(CommandHandler(["bieudo", "chart"], commands.chart))
    app.add_handler(CommandHandler(["nhac", "remind"], commands.remind))
    app.add_handler(CommandHandler(["thongbao", "broadcast"], broadcast.broadcast))
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"))
    # before the check-in handlers (group 1): a staff member's plain question is a report request
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, chat.on_text))
