"""What every part of the sandbox shares: Bot API errors, stored messages, parameter coercion."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any


class ApiError(Exception):
    """A Bot API error answer. `violation`: the request broke a documented limit the bot could have kept
    (text length, button data, parse_mode...), as opposed to a state of the world (blocked, not modified)."""

    def __init__(self, code: int, description: str, parameters: dict | None = None, *,
                 violation: bool = False) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters
        self.violation = violation

    def body(self) -> dict:
        out: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            out["parameters"] = self.parameters
        return out


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def over_limit(description: str, code: int = 400) -> ApiError:
    """A refusal for a request that breaks a documented limit: recorded as a violation."""
    return ApiError(code, f"Bad Request: {description}" if code == 400 else description, violation=True)


class ControlError(Exception):
    """A control-API misuse (unknown user, missing button...). HTTP 400/404."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class StoredMessage:
    chat_id: int
    message_id: int
    from_bot: bool
    data: dict  # the Telegram Message object
    html: str = ""  # safe HTML of text/caption for the page
    edited: bool = False
    deleted: bool = False
    forgotten: bool = False  # no longer in the Bot API server's cache: presses come as inaccessible


def as_int(v: Any, name: str) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        raise bad(f"invalid {name} specified") from None


def as_json(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def as_bool(v: Any) -> bool:
    if isinstance(v, str):
        return v.lower() in ("true", "1")
    return bool(v)


ControlAction = Callable[[dict], Awaitable[Any]]
