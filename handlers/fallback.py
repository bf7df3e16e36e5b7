"""The last word: a message no journey reads (a sticker, a voice note, a location, a
contact…) from someone in the directory gets one line saying what the bot does read,
instead of silence. Strangers are answered by the gate; text, files and photos by the
journeys themselves."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from bot import texts
from handlers.common import STAFF, DondocContext

# neither text, a command, a file nor a photo
OTHER_MESSAGES = (filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.COMMAND & ~filters.Document.ALL
                  & ~filters.PHOTO & ~filters.StatusUpdate.ALL)
GROUP = 2  # after the check-in handlers (group 1)


async def on_other(update: Update, context: DondocContext) -> None:
    member, msg = context.member, update.effective_message
    if member is None or msg is None:
        return
    hint = texts.SC_CHAT_HELP if member.role in STAFF else texts.HELP_MEMBER
    await msg.reply_text(texts.NOT_READABLE + "\n" + hint)


def register(app: Application) -> None:
    app.add_handler(MessageHandler(OTHER_MESSAGES, on_other), group=GROUP)
