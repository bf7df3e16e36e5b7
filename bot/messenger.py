"""The channel-neutral way the domain sends messages. Telegram's adapter lives in
`handlers/messenger.py`; Zalo's will sit beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Button:
    text: str
    action: str  # opaque action string (≤ 64 bytes), e.g. "ci:done:42"


@dataclass(frozen=True)
class SentMessage:
    chat_id: int
    message_id: int


class DeliveryError(Exception):
    """A message could not be delivered."""


class RecipientUnreachable(DeliveryError):
    """The recipient blocked the bot or the chat does not exist: do not retry."""


class RetryLater(DeliveryError):
    def __init__(self, retry_after: float, msg: str = "") -> None:
        super().__init__(msg or f"retry after {retry_after}s")
        self.retry_after = retry_after


class TransientError(DeliveryError):
    """Network error or server-side failure: retry with backoff. The message may have
    been delivered (the connection was lost after the request went out, or the answer
    came too late): Telegram has no idempotency key, so a retry may show it twice."""


class NotDelivered(TransientError):
    """A failure after which the message surely was not delivered (the server answered
    with an error, or the request never left): safe to retry, and it used no send slot."""


Keyboard = list[list[Button]]


class Messenger(Protocol):
    async def send_text(
        self, chat_id: int, text: str, buttons: Keyboard | None = None, reply_to: int | None = None
    ) -> SentMessage: ...

    async def send_file(
        self, chat_id: int, filename: str, content: bytes, caption: str | None = None
    ) -> SentMessage: ...

    async def set_buttons(self, chat_id: int, message_id: int, buttons: Keyboard | None) -> bool:
        """Replace (None: remove) the buttons of a message sent earlier; False when the
        channel no longer lets it change (too old, deleted, unchanged)."""
        ...
