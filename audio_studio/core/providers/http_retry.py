"""How often and how long the HTTP boundary retries (the policy; http.py decides when)."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from audio_studio.core.settings import Settings

__all__ = ["MAX_RETRIES", "RetryPolicy", "SleepFn"]

SleepFn = Callable[[float], Awaitable[None]]


MAX_RETRIES = 2  # so one request is sent at most 3 times, whatever Settings say


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry. ``limit`` comes from Settings.retry_limit, at most
    ``MAX_RETRIES``: the HTTP boundary is the only layer that sends a request again, so this
    bounds the attempts per request across the whole studio (README "Retries").

    A server hint (``retry-after-ms`` / ``Retry-After``) up to ``max_hint_s`` is waited out;
    a longer one is reported to the user at once with the time to wait.
    """

    limit: int = 2
    base_s: float = 0.5
    cap_s: float = 8.0
    max_hint_s: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(limit=max(0, min(MAX_RETRIES, settings.retry_limit)))

    def backoff(self, retry: int) -> float:
        """Exponential backoff with jitter (the OpenAI SDK's shape): base·2ⁿ capped, minus ≤25%."""
        delay = min(self.cap_s, self.base_s * 2.0**retry)
        return float(delay * (1.0 - 0.25 * random.random()))
