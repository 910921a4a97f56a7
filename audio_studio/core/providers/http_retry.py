"""How often and how long the HTTP boundary retries (the policy; http.py decides when)."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from audio_studio.core.settings import Settings

__all__ = ["RetryPolicy", "SleepFn"]

SleepFn = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry. ``limit`` comes from Settings.retry_limit.

    A server hint (``retry-after-ms`` / ``Retry-After``) up to ``max_hint_s`` is waited out;
    a longer one is reported to the user at once with the time to wait.
    """

    limit: int = 2
    base_s: float = 0.5
    cap_s: float = 8.0
    max_hint_s: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(limit=settings.retry_limit)

    def backoff(self, retry: int) -> float:
        """Exponential backoff with jitter (the OpenAI SDK's shape): base·2ⁿ capped, minus ≤25%."""
        delay = min(self.cap_s, self.base_s * 2.0**retry)
        return float(delay * (1.0 - 0.25 * random.random()))
