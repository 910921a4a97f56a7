"""Guard against Qt bindings that drop references to None/True/False (PySide6 6.12.0, Py 3.11).

Such a binding aborts the studio after a few thousand widget updates ("none_dealloc"), so
an upgrade of PySide6 must keep these counts steady on the Python we support.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QWidget


def test_qt_calls_keep_none_and_bool_alive(qapp) -> None:  # type: ignore[no-untyped-def]
    label, bar, widget, timer = QLabel(), QProgressBar(), QWidget(), QTimer()
    calls = {
        "setText": lambda: label.setText("x"),
        "setValue": lambda: bar.setValue(3),
        "update": widget.update,
        "isVisible": widget.isVisible,
        "timer": lambda: (timer.start(1000), timer.stop()),
        "processEvents": QCoreApplication.processEvents,
    }
    for name, call in calls.items():
        before = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
        for _ in range(500):
            call()
        after = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
        # A few references may come and go with caches; a leak would show -500 or worse.
        assert all(a - b > -50 for a, b in zip(after, before, strict=True)), (name, before, after)
