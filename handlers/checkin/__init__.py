"""Check-ins in chat: unit contacts answer reminders with buttons, free text, files and
photos; /huy takes the last answer back; /viec lists the unit's open tasks; the
secretariat decides extension requests.

One module per concern: `answers` (what an answer means and where it goes, edits),
`text` and `files` (the messages), `groups` (media groups), `buttons` and `decisions`
(callback queries), `conversation` (pending questions and their exits), `undo`, `tasks`
(/viec), `tidy` (buttons of answered reminders), `wording`."""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.checkin.answers import on_edited
from handlers.checkin.buttons import on_button
from handlers.checkin.decisions import on_extension_decision
from handlers.checkin.files import on_file
from handlers.checkin.tasks import my_tasks
from handlers.checkin.text import on_text
from handlers.checkin.undo import undo
from handlers.common import EVERYONE, command

command("viec", "tasks", description="Nhiệm vụ đang mở của đơn vị", roles=EVERYONE)
command("huy", "undo", description="Hủy câu trả lời vừa gửi (trong 10 phút)", roles=EVERYONE)

NEW = filters.UpdateType.MESSAGE  # an edited message is not a second answer


def register(app: Application) -> None:
    app.add_handler(CommandHandler(["viec", "tasks"], my_tasks, filters=NEW))
    app.add_handler(CommandHandler(["huy", "undo"], undo, filters=NEW))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^ci:"))
    app.add_handler(CallbackQueryHandler(on_extension_decision, pattern=r"^ext:"))
    # group 1: plan import (group 0) and commands run first
    app.add_handler(MessageHandler(NEW & filters.TEXT & ~filters.COMMAND, on_text), group=1)
    app.add_handler(MessageHandler(NEW & (filters.Document.ALL | filters.PHOTO), on_file), group=1)
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & (filters.TEXT | filters.CAPTION) &
                                   ~filters.COMMAND, on_edited), group=1)
