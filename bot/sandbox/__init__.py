"""A local Telegram Bot API sandbox: the unchanged python-telegram-bot stack talks to it, tests and the
demo page act as users through its control API. See docs/sandbox.md.

Modules by concern: model (errors, stored messages), store (state and observing), users (acting as users),
methods (Bot API methods on messages and commands), updates (getUpdates and webhooks), files, limits (flood
limits and faults), botapi (HTTP dispatch of Bot API requests), control (the control API), server (lifecycle,
routes and the demo page).
"""

from bot.sandbox.limits import SandboxFaults, SandboxLimits, faults_from_dict, limits_from_dict
from bot.sandbox.model import ApiError, ControlError
from bot.sandbox.rules import SandboxRules, rules_from_dict
from bot.sandbox.server import BotApiSandbox

__all__ = ["ApiError", "BotApiSandbox", "ControlError", "SandboxFaults", "SandboxLimits", "SandboxRules",
           "faults_from_dict", "limits_from_dict", "rules_from_dict"]
