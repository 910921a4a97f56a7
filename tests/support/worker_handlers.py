"""Handlers the worker tests run inside a real engine worker process."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from audio_studio.core.errors import InputError, RateLimitedError


def echo(payload: Any, emit: Callable[[Any], None], cache: dict[str, Any]) -> Any:
    for i in range(payload.get("events", 0)):
        emit(i)
    cache["calls"] = cache.get("calls", 0) + 1
    return {"payload": payload, "pid": os.getpid(), "calls": cache["calls"]}


def refuse(payload: Any, emit: Callable[[Any], None], cache: dict[str, Any]) -> Any:
    raise InputError("That input cannot be used.")


def limited(payload: Any, emit: Callable[[Any], None], cache: dict[str, Any]) -> Any:
    raise RateLimitedError("Slow down.", retry_after=3)


def buggy(payload: Any, emit: Callable[[Any], None], cache: dict[str, Any]) -> Any:
    return {}["missing"]


def crash(payload: Any, emit: Callable[[Any], None], cache: dict[str, Any]) -> Any:
    os._exit(3)


def slow(payload: Any, emit: Callable[[Any], None], cache: dict[str, Any]) -> Any:
    for i in range(1000):
        emit(i)
        time.sleep(0.01)
    return None
