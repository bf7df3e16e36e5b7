"""Telegram-like flood limits (token buckets) and injected faults."""

from __future__ import annotations

import math
import random
import time
from dataclasses import asdict, dataclass


from bot.sandbox.model import ApiError

@dataclass
class SandboxLimits:
    """Telegram-like flood limits (token buckets; a call that would exceed one gets 429).

    overall: `overall_per_second` refill, `overall_burst` capacity, across all chats.
    private chat: 1 message/s with a burst of `private_burst` (Telegram tolerates short bursts).
    group chat: `group_per_minute` per minute with a burst of `group_burst`.
    """

    enabled: bool = True
    overall_per_second: float = 30.0
    overall_burst: int = 30
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: float = 20.0
    group_burst: int = 20


@dataclass
class SandboxFaults:
    """Probabilities (0..1) of faults on bot sending methods; deterministic with `seed`."""

    http_5xx: float = 0.0
    http_429: float = 0.0
    drop: float = 0.0
    slow: float = 0.0
    slow_seconds: float = 2.0
    seed: int | None = None

    @property
    def active(self) -> bool:
        return any(x > 0 for x in (self.http_5xx, self.http_429, self.drop, self.slow))


@dataclass
class TokenBucket:
    rate: float
    capacity: float
    tokens: float
    last: float

    def wait(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        self.last = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


def limits_from_dict(d: dict) -> SandboxLimits:
    return SandboxLimits(**{k: v for k, v in d.items() if k in asdict(SandboxLimits())})


def faults_from_dict(d: dict) -> SandboxFaults:
    return SandboxFaults(**{k: v for k, v in d.items() if k in asdict(SandboxFaults())})


class FloodLimited(ApiError):
    """A 429 from the flood limits; ``buckets`` names the ones that refused: ``"overall"`` (all chats)
    and/or ``"chat"`` (the per-chat limit). Telegram's answer is the same either way: only the
    sandbox's call log and stats tell them apart."""

    def __init__(self, retry_after: int, buckets: tuple[str, ...]) -> None:
        super().__init__(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})
        self.buckets = buckets


class LimitsMixin:
    """Rate limiting of the bot's sending methods; run-time swaps of limits and faults."""

    def set_faults(self, faults: SandboxFaults) -> None:
        """Swap the fault configuration at run time (re-seeds the fault generator)."""
        self.faults = faults
        self._rng = random.Random(faults.seed)

    def set_limits(self, limits: SandboxLimits) -> None:
        """Swap the rate limits at run time (buckets start full)."""
        self.limits = limits
        self._buckets.clear()

    def _rate_limit(self, chat: dict) -> None:
        lim = self.limits
        if not lim.enabled:
            return
        now = time.monotonic()
        if chat["type"] == "private":
            key, rate, cap = ("chat", chat["id"]), lim.private_per_second, lim.private_burst
        else:
            key, rate, cap = ("chat", chat["id"]), lim.group_per_minute / 60.0, lim.group_burst
        buckets = []
        for name, k, rt, cp in (("overall", ("overall",), lim.overall_per_second, lim.overall_burst),
                                ("chat", key, rate, cap)):
            b = self._buckets.get(k)
            if b is None or b.rate != rt or b.capacity != cp:
                b = self._buckets[k] = TokenBucket(rt, max(1, cp), max(1, cp), now)
            buckets.append((name, b))
        waits = [(name, b.wait(now)) for name, b in buckets]
        refused = tuple(name for name, w in waits if w > 0)
        if refused:
            for name in refused:
                self._counters[f"flood_{name}"] += 1
            raise FloodLimited(max(1, math.ceil(max(w for _, w in waits))), refused)
        for _, b in buckets:
            b.tokens -= 1
