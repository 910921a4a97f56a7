"""Helpers for driving the studio's coroutines from pytest-qt tests."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
    """Run ``coro`` on the qasync loop of the ``qloop`` fixture, pumping Qt events meanwhile."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    future = asyncio.ensure_future(asyncio.wait_for(coro, timeout), loop=loop)
    while not future.done():
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    return future.result()
