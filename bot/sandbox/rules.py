"""How strictly the sandbox behaves like Telegram: one switch per rule (docs/sandbox.md names each rule's source).

Every switch is on by default and in the test harness; turn one off only where a test explains why.
The limits themselves are Telegram's documented or observed values.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

MB = 1024 * 1024

# Bot API reference, "getFile": "bots can download files of up to 20MB in size".
DOWNLOAD_LIMIT = 20 * MB
# Bot API reference, "Sending files": "50 MB max size for other files", "5 MB max size for photos" by URL,
# photos uploaded: "The photo must be at most 10 MB in size" (sendPhoto).
UPLOAD_DOCUMENT_LIMIT = 50 * MB
UPLOAD_PHOTO_LIMIT = 10 * MB
# sendPhoto: "The photo's width and height must not exceed 10000 in total. Width and height ratio must be at most 20."
PHOTO_SIDES_SUM = 10000
PHOTO_RATIO = 20
# tdlib td/telegram/ReplyMarkup.cpp get_reply_markup(): at most 12 buttons in a row and 300 in all; the
# rest are dropped without an error. The sandbox drops them too and records a violation.
BUTTONS_PER_ROW = 12
BUTTONS_TOTAL = 300
# setWebhook: "Ports currently supported for webhooks: 443, 80, 88, 8443"; secret_token "1-256 characters.
# Only characters A-Z, a-z, 0-9, _ and - are allowed".
WEBHOOK_PORTS = (443, 80, 88, 8443)
SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# sendMessage parse_mode: "Formatting options"; tdlib/telegram-bot-api Client.cpp answers "unsupported parse_mode".
PARSE_MODES = ("html", "markdown", "markdownv2")
# Leading and trailing white space is cut from text and captions before they are stored or compared
# (tdlib MessageEntity.cpp fix_formatted_text), so "abc" edited to "abc\n" is "message is not modified".
TRIMMED = " \t\n\r\v\f"


@dataclass
class SandboxRules:
    """Switches for Telegram's behaviours the bot depends on (all on: as strict as Telegram).

    callback_expiry: a callback query unanswered for `callback_timeout` seconds (or made old with
        `expire_callback_queries()`) is answered "query is too old and response timeout expired or query ID
        is invalid".
    inaccessible_messages: a press on a message the Bot API server no longer has (deleted, older than
        `message_cache_seconds`, or forgotten with `forget_messages()`) arrives with an InaccessibleMessage
        (chat, message_id, date 0).
    require_start: users who never wrote to the bot get "Forbidden: bot can't initiate conversation with a user".
    file_limits: getFile over 20 MB, document uploads over 50 MB, photo uploads over 10 MB are refused.
    webhook_checks: setWebhook wants HTTPS, ports 443/80/88/8443 and a secret of 1-256 [A-Za-z0-9_-].
    parse_mode_check: parse_mode must be HTML, Markdown or MarkdownV2 (any case) or empty.
    trim_text: text and captions are trimmed before they are stored and before "not modified" is judged.
    keyboard_limits: at most 12 buttons a row and 300 in all; the rest are dropped (and recorded).
    group_privacy: in groups the bot (privacy mode on, the default) gets only commands, replies to its own
        messages and messages that mention it.
    update_retention: pending updates older than `update_retention_seconds` (24 h) by the sandbox clock are
        discarded, as Telegram keeps them no longer.
    record_violations: requests that break a documented limit are recorded (`violations()`), for the
        test suite's request checker.
    """

    callback_expiry: bool = True
    callback_timeout: float = 15.0
    inaccessible_messages: bool = True
    message_cache_seconds: float = 2 * 24 * 3600.0
    require_start: bool = True
    file_limits: bool = True
    webhook_checks: bool = True
    parse_mode_check: bool = True
    trim_text: bool = True
    keyboard_limits: bool = True
    group_privacy: bool = True
    update_retention: bool = True
    update_retention_seconds: float = 24 * 3600.0
    record_violations: bool = True

    @classmethod
    def lenient(cls) -> SandboxRules:
        """Every rule off (the sandbox as it was before the rules)."""
        return cls(**{k: (False if isinstance(v, bool) else v) for k, v in asdict(cls()).items()})


def rules_from_dict(d: dict) -> SandboxRules:
    return SandboxRules(**{k: v for k, v in d.items() if k in asdict(SandboxRules())})
