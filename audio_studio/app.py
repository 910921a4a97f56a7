"""Composition root of the window: builds and injects every object, runs the loop, shuts down.

This and cli/ are the only places that wire things together. Order at start-up: check the
display, make the data folders, start logging, open History and settings, build the window,
show it, then do the slower work (History query, keyring probe) on the running loop.
"""

from __future__ import annotations

import logging
import os
import sys
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from audio_studio.core.studio import Studio
    from audio_studio.ui.main_window import MainWindow

log = logging.getLogger("audio_studio.app")

ASSETS = os.path.join(os.path.dirname(__file__), "ui", "assets")
NO_DISPLAY = (
    "audio-studio: no display found. Run it on a desktop, or start it with `xvfb-run -a "
    "audio-studio` (virtual screen), or `QT_QPA_PLATFORM=offscreen audio-studio` (no screen)."
)


def display_problem() -> str | None:
    """A one-line explanation when Qt would find no screen to open a window on, else None."""
    if os.environ.get("QT_QPA_PLATFORM") or not sys.platform.startswith("linux"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return NO_DISPLAY


def run_gui(home: str | None = None) -> int:
    """Open the studio window and run until it closes; returns the process exit code.

    The window frame is put on screen first, before asyncio, qasync and the core are imported,
    so the studio appears about as fast as a bare Qt window; then the Studio is opened and
    attached (bench/startup.py measures both moments).
    """
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    sys.excepthook = _log_uncaught

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from audio_studio.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Audio Studio")
    app.setApplicationDisplayName("Audio Studio")
    app.setDesktopFileName("io.github.audiostudio.AudioStudio")
    app.setWindowIcon(QIcon(os.path.join(ASSETS, "audio-studio.svg")))
    # The window's close runs the async shutdown first; Qt must not stop the loop on its own.
    app.setQuitOnLastWindowClosed(False)
    window = MainWindow()
    window.show()
    _announce("AUDIO_STUDIO_SHOWN")

    from audio_studio.core.errors import StudioError
    from audio_studio.core.logs import setup_logging
    from audio_studio.core.store.paths import resolve_paths
    from audio_studio.core.studio import open_studio

    try:
        paths = resolve_paths(home)
        paths.ensure()
        setup_logging(paths.log_path)
        log.info("starting Audio Studio; data in %s", paths.data_dir)
        studio = open_studio(paths)
    except StudioError as exc:
        return _fatal(exc.message)
    return _run_window(app, window, studio)


def _announce(line: str) -> None:
    # For bench/startup.py and the Xvfb test: moments of start-up, on stdout.
    if os.environ.get("AUDIO_STUDIO_ANNOUNCE_SHOWN"):
        print(line, flush=True)


def _run_window(app: QApplication, window: MainWindow, studio: Studio) -> int:
    import asyncio

    from audio_studio.ui.bridge import JobController
    from audio_studio.ui.event_loop import gui_event_loop
    from audio_studio.ui.excepthook import ExceptHook

    loop = gui_event_loop(app)
    asyncio.set_event_loop(loop)
    controller = JobController(studio.runner)
    window.attach(studio, controller)
    hook = ExceptHook(studio.paths.log_path)
    hook.install()
    studio.runner.bug_handler = hook.report

    async def lifecycle() -> None:
        done = asyncio.Event()
        window.closed.connect(done.set)
        _route_signals(window)
        _announce("AUDIO_STUDIO_READY")
        log.info("studio ready")
        await window.start()
        await done.wait()
        log.info("shutting down")
        try:
            await window.save_pending()
        finally:
            await studio.aclose()

    try:
        with loop:
            loop.run_until_complete(lifecycle())
    finally:
        controller.detach()
        hook.uninstall()
        logging.shutdown()
    return 0


def _route_signals(window: MainWindow) -> None:
    """SIGINT/SIGTERM close the window the orderly way, even while Qt sleeps in C++."""
    import signal
    import socket

    from PySide6.QtCore import QSocketNotifier

    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, window)

    def drain() -> None:
        try:
            reader.recv(64)
        except OSError:
            pass

    notifier.activated.connect(drain)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: window.force_close())
    # Keep the sockets alive as long as the window.
    window.keep_alive.append((reader, writer, notifier))


def _log_uncaught(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    log.critical("uncaught exception during start-up", exc_info=(exc_type, exc, tb))
    sys.__excepthook__(exc_type, exc, tb)


def _fatal(message: str) -> int:
    """Start-up failed before the window: say so on stderr and, if possible, in a dialog."""
    print(f"audio-studio: {message}", file=sys.stderr)
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        return 1  # nobody would see a dialog, and a modal one would never close
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox

        app = QApplication.instance() or QApplication(sys.argv[:1])
        QMessageBox.critical(QApplication.activeWindow(), "Audio Studio cannot start", message)
        del app
    except Exception:  # no display or Qt trouble: the stderr line is enough
        pass
    return 1
