"""The asyncio loop the window runs on, set up so worker threads cannot stall the GUI thread."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["GIL_SWITCH_S", "gui_event_loop"]

# Every call from Qt into Python (a model's data(), a slot, a timer) takes the GIL. While a
# worker thread runs Python (a book split and said as words, a project saved), the GUI thread
# waits up to the switch interval for each of those calls, and a repaint makes hundreds: at
# Python's default 5 ms, opening a 100,000-word book stalled the window ~100 ms at a time
# (bench/book_planning.py --gui: p99 lateness 40 ms, at 0.5 ms: 9 ms). Handing the GIL over
# more often costs the worker threads nothing measurable there.
GIL_SWITCH_S = 0.0005


def gui_event_loop(app: Any, *, already_running: bool = False) -> Any:
    """A qasync loop for ``app`` (a QApplication), with the GIL handed over often."""
    import qasync

    sys.setswitchinterval(GIL_SWITCH_S)
    return qasync.QEventLoop(app, already_running=already_running)
