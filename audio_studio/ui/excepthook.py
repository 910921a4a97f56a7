"""The last resort: an uncaught exception is logged with its traceback and shown with the log path.

Threads: sys.excepthook runs on the thread that raised; threading.excepthook on a worker.
Both only log and emit a signal; the dialog is shown on the GUI thread by a queued slot.
"""

from __future__ import annotations

import logging
import sys
import threading
import types
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

log = logging.getLogger("audio_studio.crash")


class ExceptHook(QObject):
    """Installs itself as sys.excepthook and threading.excepthook.

    Signals:
        caught(str): a one-line summary of an exception that reached the hook.
    """

    caught = Signal(str)

    def __init__(self, log_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_path = log_path
        self._showing = False
        self._previous = sys.excepthook
        self._previous_thread = threading.excepthook
        self.caught.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread

    def uninstall(self) -> None:
        sys.excepthook = self._previous
        threading.excepthook = self._previous_thread

    def handle(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: types.TracebackType | None,
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        self.caught.emit(f"{exc_type.__name__}: {exc}")

    def report(self, exc: BaseException) -> None:
        """For the job runner: a job died of something that is not a StudioError."""
        self.handle(type(exc), exc, exc.__traceback__)

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self.handle(args.exc_type, args.exc_value, args.exc_traceback)

    @Slot(str)
    def _show(self, summary: str) -> None:
        if self._showing:  # one dialog at a time; the rest are in the log
            return
        self._showing = True
        try:
            box = QMessageBox(
                QMessageBox.Icon.Critical,
                "Audio Studio hit a bug",
                "Something went wrong inside Audio Studio. Your work so far is saved.\n\n"
                f"{summary}\n\nThe full details are in the log file:\n{self.log_path}",
                QMessageBox.StandardButton.Ok,
                QApplication.activeWindow(),
            )
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.finished.connect(self._closed)
            box.open()
        except Exception:
            self._showing = False
            log.exception("could not show the crash dialog")

    @Slot()
    def _closed(self) -> None:
        self._showing = False
