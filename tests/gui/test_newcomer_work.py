"""The window as a newcomer meets it: nothing a user made is lost by an edit or an undo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from audio_studio.core.audio.fake import FakeBackend
from audio_studio.core.studio import Studio
from audio_studio.ui.bridge import JobController
from audio_studio.ui.main_window import MainWindow
from tests.support.qt import run

pytestmark = pytest.mark.slow

SCRIPT = "The ferry leaves at nine. The harbour is calm. Gulls follow the boat."


def make_window(qtbot, service: Studio) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(service, JobController(service.runner))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def idle(tab) -> bool:  # type: ignore[no-untyped-def]
    return not tab.vm.busy and tab.generate_button.isEnabled()


def test_undo_and_redo_in_the_script_keep_takes_choices_and_locks(qtbot, qloop, service) -> None:  # type: ignore[no-untyped-def]
    service.audio_backend = FakeBackend(speed=50)
    window = make_window(qtbot, service)
    tab = window.narration
    qtbot.waitUntil(lambda: tab.voice_panel.voice.count() > 0, timeout=10_000)
    tab.live.setChecked(False)
    tab.proof.setChecked(False)  # about undo: proof-listening's rare remake would add a take
    tab.editor.setFocus()
    qtbot.keyClicks(tab.editor, SCRIPT)
    run(qloop, tab.generate(), timeout=120)
    project = tab.vm.project
    assert len(project.chunks) == 3 and all(c.take for c in project.chunks)
    # Sentence 2 on its second take, locked.
    tab.chunks.table.selectRow(1)
    qtbot.mouseClick(tab.chunks.regenerate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(project.chunks[1].takes) == 2 and idle(tab), timeout=60_000)
    tab.chunks.refresh()
    qtbot.mouseClick(tab.chunks.lock_button, Qt.MouseButton.LeftButton)
    second = project.chunks[1]
    assert second.locked and second.current == 1
    # Ctrl+Z until the script is empty, the list following each step.
    tab.editor.setFocus()
    for _ in range(40):
        if not tab.editor.toPlainText():
            break
        qtbot.keyClick(tab.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        run(qloop, tab.sync_script())
    assert tab.editor.toPlainText() == "" and tab.chunks.model.rowCount() == 0
    assert tab.chunks.clear_removed_button.isVisible()
    # Ctrl+Shift+Z until the same text is back: every sentence finds its takes again.
    redo = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    for _ in range(40):
        if tab.editor.toPlainText() == SCRIPT:
            break
        qtbot.keyClick(tab.editor, Qt.Key.Key_Z, redo)
        run(qloop, tab.sync_script())
    assert tab.editor.toPlainText() == SCRIPT
    model = tab.chunks.model
    assert all(model.data(model.index(r, 3)).endswith("done") for r in range(3))
    assert model.data(model.index(1, 2)) == "2 of 2"
    assert project.chunks[1] is second and second.locked and second.current == 1
    assert not any(c.needs_audio for c in project.chunks)
    assert not tab.chunks.clear_removed_button.isVisible()
    # Generate has nothing to make: the second take is still the one in use.
    run(qloop, tab.generate(), timeout=60)
    assert "already has a take" in tab.status.text() and len(second.takes) == 2
    # A sentence deleted for good keeps its takes until the user clears them.
    cursor = tab.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    tab.editor.setTextCursor(cursor)
    for _ in range(len(" Gulls follow the boat.")):
        qtbot.keyClick(tab.editor, Qt.Key.Key_Backspace)
    run(qloop, tab.sync_script())
    assert len(project.chunks) == 2 and len(project.removed) == 1
    button = tab.chunks.clear_removed_button
    assert button.isVisible() and button.text() == "Clear removed (1)"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert project.removed == [] and not button.isVisible()
    assert "Cleared the takes of 1 sentence" in tab.status.text()
