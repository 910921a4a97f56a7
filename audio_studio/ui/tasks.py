"""Start a coroutine from a plain Qt slot and keep it alive until it ends (a lazy asyncSlot).

The window's own slots use this so that the window module can be imported, and the window
shown, before asyncio and qasync are loaded.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from typing import Any

_running: set[asyncio.Task[Any]] = set()


def spawn(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """Schedule ``coro`` on the running loop; an exception it raises goes to sys.excepthook."""
    task = asyncio.get_event_loop().create_task(coro)
    _running.add(task)
    task.add_done_callback(_finished)
    return task


def _finished(task: asyncio.Task[Any]) -> None:
    _running.discard(task)
    if not task.cancelled() and (exc := task.exception()) is not None:
        sys.excepthook(type(exc), exc, exc.__traceback__)
