"""A local Telegram Bot API sandbox: the unchanged python-telegram-bot stack talks to it, tests and the
demo page act as users through its control API. See docs/sandbox.md."""

from bot.sandbox.server import (
    ApiError,
    BotApiSandbox,
    ControlError,
    SandboxFaults,
    SandboxLimits,
    faults_from_dict,
    limits_from_dict,
)

__all__ = ["ApiError", "BotApiSandbox", "ControlError", "SandboxFaults", "SandboxLimits", "faults_from_dict",
           "limits_from_dict"]
