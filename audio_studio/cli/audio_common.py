"""Pieces the audio commands share: Ctrl+C as "stop", and a level line on the terminal."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def stop_on_signals(stop: Callable[[], None]) -> Iterator[None]:
    """While inside, Ctrl+C (and SIGTERM) call ``stop`` instead of interrupting the command.

    asyncio.run would otherwise cancel the whole command on Ctrl+C; a recording must instead
    stop cleanly and keep its take.
    """
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop)
            installed.append(sig)
        except (NotImplementedError, RuntimeError):  # Windows: Ctrl+C cancels instead
            pass
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def meter_bar(db: float, width: int = 24) -> str:
    """A text bar for a level in dBFS, -60 dB (empty) to 0 dB (full)."""
    share = 0.0 if db == float("-inf") else max(0.0, min(1.0, (db + 60.0) / 60.0))
    filled = round(share * width)
    return "#" * filled + "-" * (width - filled)


def clock(seconds: float) -> str:
    minutes, secs = divmod(max(0.0, seconds), 60)
    return f"{int(minutes):02d}:{secs:04.1f}"


def status_line(text: str) -> None:
    """Rewrite one line on a terminal; say nothing when stderr is a file or a pipe."""
    if sys.stderr.isatty():
        sys.stderr.write(f"\r\033[K{text}")
        sys.stderr.flush()


def end_status_line() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\n")
        sys.stderr.flush()
