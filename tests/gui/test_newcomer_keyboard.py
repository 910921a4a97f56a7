"""The studio by keyboard alone: open a script, generate with the offline voice, export; Tab
leaves the script and crosses the sentence table in one press; keys shown in menu and tips."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
)

from audio_studio.core.audio.fake import FakeBackend
from audio_studio.core.audio.player import PlayerState
from audio_studio.core.narration.project import ChunkStatus
from audio_studio.core.studio import Studio
from audio_studio.ui.bridge import JobController
from audio_studio.ui.main_window import MainWindow

pytestmark = pytest.mark.slow

CTRL = Qt.KeyboardModifier.ControlModifier
SCRIPT_TEXT = "The ferry leaves at nine. Gulls follow the boat."


def back_to(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """The window is active again once a dialog closes (the window manager's part; the
    offscreen platform has none)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def answer_file_dialog(path: Path, typed: list[str]) -> None:
    """Type ``path`` into the file dialog when it opens, then Enter (keys only)."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(50, poll)
            return
        field = dialog.findChild(QLineEdit, "fileNameEdit") or dialog.focusWidget()
        QTest.keyClick(field, Qt.Key.Key_A, CTRL)
        QTest.keyClicks(field, str(path))
        QTest.keyClick(field, Qt.Key.Key_Return)
        typed.append(str(path))

    QTimer.singleShot(50, poll)


@pytest.mark.qt_log_ignore("This plugin does not support")  # the file dialog, offscreen
def test_open_generate_and_export_with_the_keyboard_only(
    qtbot, qloop, service: Studio, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    service.audio_backend = FakeBackend(speed=50)
    window = MainWindow(service, JobController(service.runner))
    qtbot.addWidget(window)
    window.resize(1024, 640)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    tab = window.narration
    qtbot.waitUntil(lambda: tab.voice_panel.voice.count() > 0, timeout=10_000)
    # The Actions menu lists the tab's keys; the buttons' tooltips name them.
    shown = {a.text(): a.shortcut().toString() for a in window.actions_menu.actions()}
    assert shown["Open script…"] == "Ctrl+O" and shown["Generate"] == "Ctrl+Return"
    assert shown["Export…"] == "Ctrl+E" and shown["Stop"] == "Esc"
    assert shown["Play or pause"] == "Space"
    assert "Ctrl+Return" in tab.generate_button.toolTip()
    assert "Ctrl+O" in tab.open_button.toolTip() and "Ctrl+E" in tab.export_button.toolTip()
    for button in tab.findChildren(QPushButton) + tab.findChildren(QToolButton):
        if button.isVisibleTo(tab) and button.text():
            assert button.toolTip(), f"{button.text()!r} has no tooltip"
    # Ctrl+O, type the file's path, Enter.
    script = tmp_path / "Harbour tour.txt"
    script.write_text(SCRIPT_TEXT, encoding="utf-8")
    tab.editor.setFocus()
    typed: list[str] = []
    answer_file_dialog(script, typed)
    QTest.keyClick(tab.editor, Qt.Key.Key_O, CTRL)
    qtbot.waitUntil(lambda: len(tab.vm.project.chunks) == 2, timeout=15_000)
    assert typed and tab.vm.project.title == "Harbour tour"
    back_to(qtbot, window)
    # Tab leaves the script; the sentence table is one stop.
    tab.editor.setFocus()
    QTest.keyClick(tab.editor, Qt.Key.Key_Tab)
    assert window.focusWidget() is not tab.editor and "\t" not in tab.editor.toPlainText()
    tab.chunks.table.setFocus()
    QTest.keyClick(tab.chunks.table, Qt.Key.Key_Tab)
    assert window.focusWidget() is not tab.chunks.table
    # Ctrl+Enter generates with the offline voice.
    focus = window.focusWidget()
    QTest.keyClick(focus, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(
        lambda: (
            not tab.vm.busy and all(c.status is ChunkStatus.DONE for c in tab.vm.project.chunks)
        ),
        timeout=10_000,
    )
    # Ctrl+E, the name offered is the project's title; type a path, Enter.
    out = tmp_path / "tour.wav"
    answer_file_dialog(out, typed)
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_E, CTRL)
    qtbot.waitUntil(lambda: out.exists() and not tab.vm.busy, timeout=60_000)
    qtbot.waitUntil(lambda: "Exported" in tab.status.text(), timeout=10_000)
    # Space plays and pauses where no text has focus; in the script it is a space.
    player = tab.player_bar.player
    qtbot.waitUntil(lambda: player.buffer is not None, timeout=10_000)
    back_to(qtbot, window)
    QTest.keyClick(tab, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.state is PlayerState.PLAYING, timeout=5000)
    QTest.keyClick(tab, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.state is not PlayerState.PLAYING, timeout=5000)
    tab.editor.setFocus()
    QTest.keyClick(tab.editor, Qt.Key.Key_Space)
    assert tab.editor.toPlainText().count(" ") > SCRIPT_TEXT.count(" ")
    assert player.state is not PlayerState.PLAYING


def test_every_tab_every_action_button_has_a_tooltip_and_tab_moves_on(
    qtbot, qloop, service: Studio
) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(service, JobController(service.runner))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    missing, typing_tabs, cell_by_cell = [], [], []
    for index in range(4):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(100)
        tab = window.tab(index)
        name = window.tabs.tabText(index)
        for button in tab.findChildren(QPushButton) + tab.findChildren(QToolButton):
            if button.text() and not button.toolTip():
                missing.append(f"{name}: {button.text()!r}")
        for editor in tab.findChildren(QPlainTextEdit):
            if not editor.isReadOnly() and not editor.tabChangesFocus():
                typing_tabs.append(f"{name}: {type(editor.parentWidget()).__name__}")
        for view in tab.findChildren(QAbstractItemView):
            if view.tabKeyNavigation():
                cell_by_cell.append(f"{name}: {type(view).__name__}")
        # The Actions menu follows the tab shown.
        keys = {a.text() for a in window.actions_menu.actions()}
        assert keys == {a.text() for a in tab.tab_actions.actions}
    assert not missing, f"buttons without a tooltip: {missing}"
    assert not typing_tabs, f"Tab types a tab character in: {typing_tabs}"
    assert not cell_by_cell, f"Tab walks cell by cell in: {cell_by_cell}"
