"""Coroutines started from Qt: kept alive while they run, and cancelled when their widget dies.

A slot's coroutine can outlive the widget it updates (a dialog closed while it loads, a tab
closed while a search runs); touching the deleted C++ object afterwards raises RuntimeError.
So every task started here belongs to an owner QObject, and the owner's ``destroyed`` signal
cancels it. ``asyncSlot`` is a drop-in for qasync's decorator with that guarantee; ``spawn``
does the same for a plain coroutine.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import itertools
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Slot

__all__ = ["asyncSlot", "spawn"]

_running: set[asyncio.Task[Any]] = set()
_owned: dict[int, set[asyncio.Task[Any]]] = {}
_keys = itertools.count(1)
_KEY = "studioTaskOwnerKey"


def spawn(
    coro: Coroutine[Any, Any, Any], *, owner: QObject | None = None
) -> asyncio.Task[Any] | None:
    """Schedule ``coro`` on the running loop; cancel it if ``owner`` is destroyed first.

    An exception other than cancellation goes to sys.excepthook (a bug, or a StudioError
    nobody caught). Once the loop has ended (the window is closing: a widget's timer can still
    fire while Qt deletes it) there is nothing to run it on, and None is returned.
    """
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = None
    if loop is None or loop.is_closed():
        coro.close()
        return None
    task = loop.create_task(coro)
    _running.add(task)
    task.add_done_callback(_finished)
    if owner is not None:
        _own(owner, task)
    return task


def _own(owner: QObject, task: asyncio.Task[Any]) -> None:
    # A key stored on the object itself: id() is reused once an object is gone, and a dead
    # widget's late "destroyed" must not cancel the tasks of a new object at the same address.
    key = owner.property(_KEY)
    if key is None:
        key = next(_keys)
        owner.setProperty(_KEY, key)
        _owned[key] = set()
        # The lambda holds the key, not the object: destroyed fires while it is being deleted.
        owner.destroyed.connect(lambda *_: _cancel_owned(key))
    _owned.setdefault(key, set()).add(task)
    task.add_done_callback(lambda t: _owned.get(key, set()).discard(t))


def _cancel_owned(key: int) -> None:
    for task in _owned.pop(key, set()):
        task.cancel()


def _finished(task: asyncio.Task[Any]) -> None:
    _running.discard(task)
    if not task.cancelled() and (exc := task.exception()) is not None:
        sys.excepthook(type(exc), exc, exc.__traceback__)


def asyncSlot(*types: Any) -> Callable[[Callable[..., Coroutine[Any, Any, Any]]], Any]:
    """Like qasync.asyncSlot: a Qt slot that runs an ``async def`` method as a task.

    Extra signal arguments the coroutine does not take are dropped (as Qt does), and the task
    is cancelled if the method's object is destroyed while it runs.
    """

    def decorate(fn: Callable[..., Coroutine[Any, Any, Any]]) -> Any:
        params = list(inspect.signature(fn).parameters.values())
        takes_all = any(p.kind is p.VAR_POSITIONAL for p in params)
        accepted = len(params) - 1  # without self

        @Slot(*types)
        @functools.wraps(fn)
        def slot(self: QObject, *args: Any) -> asyncio.Task[Any] | None:
            return spawn(fn(self, *(args if takes_all else args[:accepted])), owner=self)

        return slot

    return decorate
