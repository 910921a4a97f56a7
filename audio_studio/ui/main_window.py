"""The main window: four tabs, menus, status bar and the Jobs dock. No business logic here."""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QSize, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from audio_studio.core.studio import Studio
    from audio_studio.core.transcription.watch import WatchEvent, WatchFolders
    from audio_studio.ui.bridge import JobController
    from audio_studio.ui.dialogs.device_doctor import DeviceDoctor
    from audio_studio.ui.dialogs.settings import SettingsDialog
    from audio_studio.ui.history.tab import HistoryTab
    from audio_studio.ui.narration.tab import NarrationTab
    from audio_studio.ui.sound.tab import SoundTab
    from audio_studio.ui.transcription.tab import TranscriptionTab

log = logging.getLogger(__name__)

# A focus ring a keyboard user can follow, unlike the default button's darker frame.
FOCUS_RING = """
QPushButton:focus, QToolButton:focus {
    border: 2px solid palette(highlight); border-radius: 4px;
    background: palette(button); padding: 3px 10px;
}
QCheckBox:focus, QRadioButton:focus { outline: none; border: 2px solid palette(highlight);
    border-radius: 3px; }
QAbstractItemView:focus, QPlainTextEdit:focus, QTextEdit:focus {
    border: 2px solid palette(highlight);
}
"""

# (title, "module:class", what the tab is given). A tab is built the first time it is shown or
# used, so the window appears without importing every tab's module. Each tab gets the studio's
# context and its own feature service(s), never the Studio.
TABS: tuple[tuple[str, str, Callable[[Studio], tuple[Any, ...]]], ...] = (
    (
        "Narration",
        "audio_studio.ui.narration.tab:NarrationTab",
        lambda s: (s.context, s.narration, s.recordings),
    ),
    (
        "Transcription",
        "audio_studio.ui.transcription.tab:TranscriptionTab",
        lambda s: (s.context, s.transcription, s.recordings),
    ),
    # "&&": a single ampersand would make a mnemonic of the next letter.
    (
        "Sound (effects && music)",
        "audio_studio.ui.sound.tab:SoundTab",
        lambda s: (s.context, s.sound, s.music),
    ),
    ("History", "audio_studio.ui.history.tab:HistoryTab", lambda s: (s.context, s.library)),
)


# Which tab an item of each History kind opens in, to be changed and made again.
TAB_FOR_KIND = {
    "narration": 0, "take": 0, "speech": 0, "voice": 0,
    "recording": 1, "transcript": 1, "summary": 1,
    "sfx": 2, "music": 2,
}  # fmt: skip


class _TabFit(QWidget):
    """A tab in its scroll area: it fills the view and scrolls only below the tab's minimum
    size (QScrollArea alone goes by the preferred height when text wraps, which a tab with
    wrapped labels always exceeds)."""

    def __init__(self, tab: QWidget, scroll: QScrollArea) -> None:
        super().__init__()
        self.tab, self.scroll = tab, scroll
        tab.setParent(self)

    def minimumSizeHint(self) -> QSize:
        return self.tab.minimumSizeHint().expandedTo(self.tab.minimumSize())

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.tab.setGeometry(self.rect())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # the tab's minimum may have changed
            self.updateGeometry()
            QApplication.postEvent(self.scroll, QEvent(QEvent.Type.LayoutRequest))
        return super().event(event)


class MainWindow(QMainWindow):
    """The studio's window.

    It is built in two steps so it can be on screen before the core is loaded: the constructor
    makes the frame (menus, tab bar, dock, status bar) and imports nothing of the core;
    ``attach(studio, controller)`` then builds the tabs and the job list.

    Signals:
        closed(): the user closed the window and agreed to stop running jobs.
    """

    closed = Signal()

    def __init__(
        self, studio: Studio | None = None, controller: JobController | None = None
    ) -> None:
        super().__init__()
        self.setWindowTitle("Audio Studio")
        self.setObjectName("mainWindow")
        self.resize(1180, 760)
        self.settings_dialog: SettingsDialog | None = None
        self.watch_folders: WatchFolders | None = None
        self.device_doctor: DeviceDoctor | None = None
        self.keep_alive: list[object] = []
        self._force_close = False
        self.attached = False

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self._built: dict[int, QWidget] = {}
        for title, *_ in TABS:
            holder = QWidget()
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(holder, title)
        self.setCentralWidget(self.tabs)
        self.setStyleSheet(FOCUS_RING)
        self.jobs_status = QLabel("Starting…")
        self.jobs_status.setObjectName("jobsStatus")
        # A rule and a margin, so a long message never runs into "Ready".
        self.jobs_status.setStyleSheet(
            "#jobsStatus { border-left: 1px solid palette(mid); padding: 0 6px 0 10px; }"
        )
        self.statusBar().addPermanentWidget(self.jobs_status)
        self._build_menus()
        self.settings_action.setEnabled(False)
        self.doctor_action.setEnabled(False)
        if studio is not None and controller is not None:
            self.attach(studio, controller)

    def attach(self, studio: Studio, controller: JobController) -> None:
        """Connect the window to the studio: job list, the first tab, status updates."""
        # Qt's namespace enums cost ~40 ms on first use; the dock (the first user) is added here,
        # after the frame is on screen.
        from PySide6.QtCore import Qt

        from audio_studio.ui.widgets.job_list import JobList

        self.studio = studio
        self.controller = controller
        self.attached = True
        self.jobs = JobList(controller)
        self.jobs_dock = QDockWidget("Jobs", self)
        self.jobs_dock.setObjectName("jobsDock")
        self.jobs_dock.setWidget(self.jobs)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.jobs_dock)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.jobs_dock.toggleViewAction())
        # Parsing key sequences costs ~20 ms the first time; nobody presses a key in the first
        # frame, so shortcuts are set here.
        for action, keys in self._shortcuts:
            action.setShortcut(QKeySequence(keys))
        controller.job_changed.connect(self._on_controller_job_changed)
        controller.job_failed.connect(self._on_controller_job_failed)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self._fill_actions_menu(self.tab(self.tabs.currentIndex()))
        self.settings_action.setEnabled(True)
        self.doctor_action.setEnabled(True)
        self._on_controller_job_changed(None)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.settings_action = QAction("&Settings…", self)
        self._shortcuts: list[tuple[QAction, str | QKeySequence.StandardKey]] = [
            (self.settings_action, "Ctrl+,")
        ]
        self.settings_action.triggered.connect(self._on_settings_action_triggered)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        self._shortcuts.append((quit_action, QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        # The shown tab's main actions with their keys (filled when the tab changes).
        self.actions_menu = bar.addMenu("&Actions")

        view_menu = self.view_menu = bar.addMenu("&View")
        for index, name in enumerate(("Narration", "Transcription", "Sound", "History")):
            action = QAction(name, self)
            self._shortcuts.append((action, f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _=False, i=index: self.tabs.setCurrentIndex(i))
            view_menu.addAction(action)

        tools_menu = bar.addMenu("&Tools")
        self.doctor_action = QAction("&Device doctor…", self)
        self.doctor_action.triggered.connect(self._on_doctor_action_triggered)
        tools_menu.addAction(self.doctor_action)

        help_menu = bar.addMenu("&Help")
        logs_action = QAction("Open the &log folder", self)
        logs_action.triggered.connect(self._on_logs_action_triggered)
        help_menu.addAction(logs_action)
        about_action = QAction("&About Audio Studio", self)
        about_action.triggered.connect(self._on_about_action_triggered)
        help_menu.addAction(about_action)

    # -- tabs --------------------------------------------------------------------------------

    def tab(self, index: int) -> Any:
        """The tab widget at ``index``, built on first use."""
        if index not in self._built:
            _, where, given = TABS[index]
            module_name, class_name = where.split(":")
            cls = getattr(importlib.import_module(module_name), class_name)
            widget = cls(*given(self.studio), self.controller)
            holder = self.tabs.widget(index)
            layout = holder.layout()
            assert layout is not None
            # In a scroll area: a small screen scrolls a tab rather than the tab's minimum
            # size pushing the window past the screen (or cutting what does not fit).
            scroll = QScrollArea()
            scroll.setObjectName("tabScroll")
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(_TabFit(widget, scroll))
            layout.addWidget(scroll)
            self._built[index] = widget
            # Tabs talk to each other only through the window: Transcription's "Read back"
            # emits send_to_narration(text, title), which lands in the Narration editor.
            send = getattr(widget, "send_to_narration", None)
            if send is not None:
                send.connect(self._on_tab_send_to_narration)
            # History's "Open in its tab" emits open_in_tab(item).
            opener = getattr(widget, "open_in_tab", None)
            if opener is not None:
                opener.connect(self._on_tab_open_in_tab)
            # History's "Make again" of a take asks the Narration tab (if built) to save first.
            if hasattr(widget, "narration_tab"):
                widget.narration_tab = lambda: self._built.get(0)
        return self._built[index]

    @Slot(object)
    def _on_tab_open_in_tab(self, item: object) -> None:
        kind = getattr(getattr(item, "kind", None), "value", "")
        index = TAB_FOR_KIND.get(kind)
        target = self.tab(index) if index is not None else None
        open_item = getattr(target, "open_item", None)
        if open_item is None:
            self.statusBar().showMessage(
                f"A {kind or 'this item'} cannot be opened in a tab.", 8000
            )
            return
        self.tabs.setCurrentIndex(index)  # type: ignore[arg-type]
        open_item(item)

    @Slot(str, str)
    def _on_tab_send_to_narration(self, text: str, title: str) -> None:
        narration = self.narration
        self.tabs.setCurrentIndex(0)
        narration.set_script(text, title=title or None)

    @property
    def narration(self) -> NarrationTab:
        return self.tab(0)  # type: ignore[no-any-return]

    @property
    def transcription(self) -> TranscriptionTab:
        return self.tab(1)  # type: ignore[no-any-return]

    @property
    def sound(self) -> SoundTab:
        return self.tab(2)  # type: ignore[no-any-return]

    @property
    def history(self) -> HistoryTab:
        return self.tab(3)  # type: ignore[no-any-return]

    def built_tabs(self) -> list[Any]:
        return list(self._built.values())

    # -- start-up ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Work after the window is shown: start-up notices, then unfinished music jobs."""
        report = self.studio.startup
        if report.recovered_rows:
            self.statusBar().showMessage(
                f"{report.recovered_rows} job(s) were interrupted when the studio last stopped; "
                "they are marked in History.",
                10_000,
            )
        if report.notices:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Audio Studio",
                "\n\n".join(report.notices),
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.setObjectName("startupNotices")
            box.open()
            report.notices.clear()
        await self.studio.warm_up()
        await self.resume_music_jobs()
        await self.serve_watch_folders()

    async def serve_watch_folders(self) -> None:
        """Start (or, after Settings changed, restart) the watch folders of Settings."""
        from audio_studio.core.transcription.watch import WatchFolders

        if self.watch_folders is None:
            self.watch_folders = WatchFolders(
                self.studio.context, self.studio.transcription, self._on_watch_event
            )
        await self.watch_folders.apply()

    def _on_watch_event(self, event: WatchEvent) -> None:
        from audio_studio.core.transcription.watch import WatchEventKind

        if event.kind is WatchEventKind.SEEN:
            return
        text = f"Watch folder: {event.path.name}: {event.kind.value}"
        if event.message:
            text += f" — {event.message}"
        self.show_status(text, 15_000)
        if event.kind in (WatchEventKind.DONE, WatchEventKind.FAILED):
            self.controller.history_changed.emit()

    async def resume_music_jobs(self) -> None:
        """Music jobs a previous run left on a provider: poll them again (Jobs dock, Music list)."""
        from audio_studio.core.errors import StudioError

        try:
            resumed = await self.studio.music.resume_all()
        except StudioError as exc:
            log.info("could not resume music jobs: %s", exc.message)
            self.statusBar().showMessage(f"Music jobs were not resumed: {exc.message}", 15_000)
            return
        if resumed:
            log.info("resumed %d music job(s)", len(resumed))
            self.statusBar().showMessage(
                f"Picking up {len(resumed)} music job(s) started earlier; see the Jobs list.",
                10_000,
            )

    # -- slots -------------------------------------------------------------------------------

    @Slot(int)
    def _on_tabs_current_changed(self, index: int) -> None:
        self._fill_actions_menu(self.tab(index))
        log.info("tab changed to %s", self.tabs.tabText(index).replace("&&", "&"))

    def _fill_actions_menu(self, tab: Any) -> None:
        self.actions_menu.clear()
        for action in getattr(getattr(tab, "tab_actions", None), "actions", ()):
            self.actions_menu.addAction(action)
        self.actions_menu.setEnabled(bool(self.actions_menu.actions()))

    @Slot(object)
    def _on_controller_job_changed(self, _snapshot: object) -> None:
        active = len(self.controller.runner.active())
        self.jobs_status.setText(
            f"{active} job{'s' if active != 1 else ''} running" if active else "Ready"
        )

    @Slot(str, object)
    def _on_controller_job_failed(self, job_id: str, error: object) -> None:
        from audio_studio.ui.messages import status_text

        if isinstance(error, BaseException):
            self.show_status(status_text(error), 15_000)

    def show_status(self, text: str, timeout_ms: int) -> None:
        """A status-bar message, shortened with "…" to the room left of the jobs count (the
        whole text on hover)."""
        from PySide6.QtCore import Qt

        bar = self.statusBar()
        room = bar.width() - self.jobs_status.sizeHint().width() - 40
        short = bar.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, max(80, room))
        bar.showMessage(short, timeout_ms)
        bar.setToolTip(text if short != text else "")

    @Slot()
    def _on_settings_action_triggered(self) -> None:
        from audio_studio.ui.tasks import spawn

        spawn(self.open_settings(), owner=self)

    async def open_settings(self) -> SettingsDialog:
        if self.settings_dialog is None:
            from audio_studio.ui.dialogs.settings import SettingsDialog

            self.settings_dialog = SettingsDialog(self.studio, self)
            self.settings_dialog.finished.connect(self._on_settings_dialog_finished)
            self.settings_dialog.show()
            log.info("settings dialog opened")
            await self.settings_dialog.load()
            log.info("settings dialog ready")
        else:
            self.settings_dialog.raise_()
        return self.settings_dialog

    @Slot(int)
    def _on_settings_dialog_finished(self, result: int) -> None:
        dialog, self.settings_dialog = self.settings_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        log.info("settings dialog closed (%s)", "saved" if result else "cancelled")
        for tab in self.built_tabs():
            refresh = getattr(tab, "refresh_availability", None)
            if refresh is not None:
                refresh()
        if result:
            from audio_studio.ui.tasks import spawn

            spawn(self.serve_watch_folders(), owner=self)

    @Slot()
    def _on_doctor_action_triggered(self) -> None:
        from audio_studio.ui.tasks import spawn

        spawn(self.open_device_doctor(), owner=self)

    async def open_device_doctor(self) -> DeviceDoctor:
        """Tools → Device doctor (one at a time; raised when already open)."""
        from audio_studio.ui.dialogs.device_doctor import DeviceDoctor

        doctor = self.device_doctor
        if doctor is None or not doctor.isVisible():
            doctor = self.device_doctor = DeviceDoctor(self.studio, self)
            doctor.show()
            await doctor.load()
        else:
            doctor.raise_()
        return doctor

    @Slot()
    def _on_logs_action_triggered(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.studio.paths.log_dir)))

    @Slot()
    def _on_about_action_triggered(self) -> None:
        from audio_studio.ui.tasks import spawn

        spawn(self.open_about(), owner=self)

    async def open_about(self) -> QWidget:
        from PySide6.QtCore import Qt

        from audio_studio.ui.dialogs.about import AboutDialog

        dialog = AboutDialog(self.studio, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        await dialog.load()
        return dialog

    def closeEvent(self, event: QCloseEvent) -> None:
        active = self.controller.runner.active() if self.attached else []
        if active and not self._force_close:
            answer = QMessageBox.question(
                self,
                "Quit Audio Studio?",
                f"{len(active)} job(s) are still running. Quit and cancel them? "
                "Finished parts are kept in History.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        event.accept()
        for tab in self._built.values():
            hold = getattr(tab, "hold_saves", None)
            if hold is not None:
                hold()
        if self.watch_folders is not None:
            from audio_studio.ui.tasks import spawn

            spawn(self.watch_folders.stop())
        self.closed.emit()

    async def save_pending(self) -> None:
        """Save what the tabs hold unsaved (script edits, transcript corrections): the app
        awaits this after the window closed and before the studio closes."""
        for tab in list(self._built.values()):
            save = getattr(tab, "save_pending", None)
            if save is not None:
                await save()

    def force_close(self) -> None:
        """Close without asking (SIGTERM, session end); running jobs are cancelled."""
        self._force_close = True
        self.close()
