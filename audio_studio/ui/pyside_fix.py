"""Keep PySide6 6.12 from crashing the studio on Python 3.11 ("Fatal Python error: none_dealloc").

shiboken6 6.12.0 returns None from every void method (``label.setText``, ``painter.drawLine``,
``widget.update``...) without taking a reference to it, so each call whose result is dropped
takes one reference off None. Python 3.11 starts with about 5,000; a 30 Hz meter or a waveform
repaint uses them up within seconds to minutes and the process aborts. PySide6 6.11.3 does not
do this, and from Python 3.12 on None is immortal. Until the pin moves, None's count is raised
once by 2**40 at import: None is a static object that is never freed, so a higher count
changes nothing else. Verified with ``sys.getrefcount(None)`` around 20,000 ``drawLine`` calls.
"""

from __future__ import annotations

import sys

_applied = False


def apply() -> bool:
    """Raise None's reference count where the bug can bite; returns whether it did."""
    global _applied
    if _applied or sys.version_info >= (3, 12):
        return False
    import ctypes

    import shiboken6

    major, minor = (int(p) for p in shiboken6.__version__.split(".")[:2])
    if (major, minor) < (6, 12):
        return False
    # ob_refcnt is the first field of every CPython object.
    ctypes.c_ssize_t.from_address(id(None)).value += 1 << 40
    _applied = True
    return True


apply()
