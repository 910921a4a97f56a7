"""Quitting right after typing keeps what was typed: a script edit and a transcript correction
made a moment before the window closes are saved before the studio closes (as app.py does),
and no save timer fires once the window is closed."""

from __future__ import annotations

from PySide6.QtCore import Qt

from audio_studio.core.studio import Studio
from tests.gui.test_main_window import make_window
from tests.gui.test_transcription_corrections import SPOKEN, edit_row
from tests.gui.test_transcription_tab import open_tab
from tests.support.offline import JFK
from tests.support.qt import run
from tests.support.transcription import store_transcript

SCRIPT = "Typed a moment before quitting. It must still be here tomorrow."


def test_a_script_typed_just_before_quitting_is_saved(  # type: ignore[no-untyped-def]
    qtbot, qloop, narration_gui_studio: Studio
) -> None:
    window = make_window(qtbot, narration_gui_studio)
    tab = window.narration
    tab.editor.setPlainText(SCRIPT)  # the project follows the editor 300 ms later
    window.close()
    qtbot.wait(1200)  # long past every save timer: none fired after the window closed
    assert run(qloop, narration_gui_studio.narration.latest()) is None
    run(qloop, window.save_pending())
    latest = run(qloop, narration_gui_studio.narration.latest())
    assert latest is not None and latest.script == SCRIPT


def test_a_correction_made_just_before_quitting_is_saved(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio
) -> None:
    window, tab = open_tab(qtbot, transcription_gui_studio)
    item = run(qloop, store_transcript(transcription_gui_studio, JFK, SPOKEN))
    run(qloop, tab.open_item(item))
    editor = edit_row(qtbot, tab, 0)
    editor.setPlainText("And so, my fellow citizens,")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "not saved yet" in tab.status.text())
    window.close()
    qtbot.wait(2000)  # past the 1.5 s save timer: it no longer fires
    kept = transcription_gui_studio.history.get(item.id)
    assert kept is not None and "fellow citizens" not in kept.transcript
    run(qloop, window.save_pending())
    saved = transcription_gui_studio.history.get(item.id)
    assert saved is not None and "my fellow citizens," in saved.transcript
