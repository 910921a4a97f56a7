"""Correcting as transcribers work (pytest-qt, the real window): speed, keys while typing, edges
dragged on the waveform, split and merge, find and replace, undo, all saved to History."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPlainTextEdit

from audio_studio.core.audio.player import PlayerState
from audio_studio.core.models import Segment, Transcript
from audio_studio.core.studio import Studio
from audio_studio.core.subtitles import read_srt
from audio_studio.ui.transcription.tab import TranscriptionTab
from tests.gui.test_transcription_tab import open_tab
from tests.support.offline import JFK
from tests.support.qt import run
from tests.support.transcription import store_transcript

SPOKEN = Transcript(
    segments=(
        Segment("And so my fellow Americans,", 0.0, 2.4, "A"),
        Segment("ask not what your country can do for you,", 2.4, 6.0, "B"),
        Segment("ask what you can do for your country.", 6.5, 10.5, "A"),
    ),
    language="en",
    duration_s=11.0,
    provider="openai",
    model="whisper-1",
)


def opened(qtbot, qloop, studio: Studio) -> TranscriptionTab:  # type: ignore[no-untyped-def]
    _, tab = open_tab(qtbot, studio)
    item = run(qloop, store_transcript(studio, JFK, SPOKEN))
    run(qloop, tab.open_item(item))
    assert tab.view.model.rowCount() == 3
    return tab


def edit_row(qtbot, tab: TranscriptionTab, row: int) -> QPlainTextEdit:  # type: ignore[no-untyped-def]
    view = tab.view
    rect = view.list.visualRect(view.model.index(row))
    qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    editor = view.list.findChild(QPlainTextEdit, "segmentEditor")
    assert editor is not None
    qtbot.waitUntil(editor.isVisible)
    return editor


def test_speed_plays_faster_and_is_remembered(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio
) -> None:
    tab = opened(qtbot, qloop, transcription_gui_studio)
    player = tab.player.player

    def advance(speed: float) -> float:
        tab.corrections.speed.setValue(speed)
        assert player.speed == speed
        run(qloop, tab.player.stop())
        tab.player.seek(0.5)
        run(qloop, tab.player.toggle())
        qtbot.waitUntil(lambda: player.position > 0.7, timeout=5000)
        start_pos, start = player.position, time.monotonic()
        qtbot.wait(1200)
        moved = (player.position - start_pos) / (time.monotonic() - start)
        run(qloop, tab.player.stop())
        return moved

    normal, fast = advance(1.0), advance(2.0)
    assert fast / normal == pytest.approx(2.0, rel=0.3)
    slow = advance(0.5)
    assert slow / normal == pytest.approx(0.5, rel=0.3)
    tab.corrections.speed.setValue(1.5)
    qtbot.waitUntil(lambda: transcription_gui_studio.settings.playback_speed == 1.5)
    saved = Path(transcription_gui_studio.paths.settings_path).read_text()
    assert '"playback_speed": 1.5' in saved


def test_keys_work_while_typing_in_a_line(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio
) -> None:
    tab = opened(qtbot, qloop, transcription_gui_studio)
    player = tab.player.player
    editor = edit_row(qtbot, tab, 1)
    text = editor.toPlainText()
    qtbot.keyClick(editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: player.state is PlayerState.PLAYING and player.position > 2.2)
    qtbot.keyClick(editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: player.state is PlayerState.PAUSED)
    paused_at = player.position
    qtbot.keyClick(editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: player.state is PlayerState.PLAYING)
    # A resume goes back 1.5 s, so the last words are heard again.
    assert player.position < paused_at - 1.0
    qtbot.keyClick(editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: player.state is PlayerState.PAUSED)
    at = player.position
    qtbot.keyClick(editor, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert player.position == pytest.approx(at + 5.0, abs=0.05)
    qtbot.keyClick(editor, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert player.position == pytest.approx(at, abs=0.05)
    qtbot.keyClick(editor, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert player.speed == pytest.approx(tab.corrections.speed.value()) and player.speed > 1.0
    assert editor.toPlainText() == text  # the keys typed nothing into the line
    run(qloop, tab.player.stop())


def test_drag_an_edge_and_the_srt_shows_the_new_time(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio, tmp_path: Path
) -> None:
    tab = opened(qtbot, qloop, transcription_gui_studio)
    view, edges = tab.view, tab.edges
    assert edges is not None
    rect = view.list.visualRect(view.model.index(1))
    qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert (edges.row, edges.start, edges.end) == (1, 2.4, 6.0)
    wave = tab.player.waveform
    assert wave is not None
    y = wave.height() // 2
    before = tab.player.player.position  # the click on the line seeked there
    grab = QPoint(round(wave.x_for(2.4)), y)
    drop = QPoint(round(wave.x_for(3.1)), y)
    qtbot.mousePress(wave, Qt.MouseButton.LeftButton, pos=grab)
    qtbot.mouseMove(wave, QPoint((grab.x() + drop.x()) // 2, y))
    qtbot.mouseMove(wave, drop)
    qtbot.mouseRelease(wave, Qt.MouseButton.LeftButton, pos=drop)
    moved = view.transcript().segments[1]
    assert moved.start == pytest.approx(3.1, abs=0.05) and moved.end == 6.0
    assert tab.player.player.position == before  # the drag moved the edge, not the playhead
    path = run(qloop, tab.flow.outputs.export("srt", tmp_path / "moved.srt"))
    assert path is not None
    starts = [round(s.start, 3) for s in read_srt(path.read_text()).segments]
    assert round(moved.start, 3) in starts and 2.4 not in starts
    # Nudging by 0.1 s and undo
    qtbot.mouseClick(tab.corrections.end_later, Qt.MouseButton.LeftButton)
    assert view.transcript().segments[1].end == pytest.approx(6.1)
    qtbot.mouseClick(tab.corrections.end_later, Qt.MouseButton.LeftButton)
    assert view.transcript().segments[1].end == pytest.approx(6.2)
    for _ in range(3):
        view.undo_action.trigger()
    assert view.transcript().segments[1] == SPOKEN.segments[1]
    assert (edges.start, edges.end) == (2.4, 6.0)


def test_split_and_merge_round_trip_and_undo_restores(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio
) -> None:
    tab = opened(qtbot, qloop, transcription_gui_studio)
    view, tools = tab.view, tab.corrections
    editor = edit_row(qtbot, tab, 0)
    editor.setPlainText("And so, my fellow Americans,")
    cursor = editor.textCursor()
    cursor.setPosition(len("And so,"))
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)  # split at the caret
    assert [s.text for s in view.transcript().segments[:2]] == ["And so,", "my fellow Americans,"]
    assert view.model.rowCount() == 4
    first, second = view.transcript().segments[:2]
    assert first.start == 0.0 and first.end == second.start and second.end == 2.4
    # merge them again: the text as corrected, the times as they were
    view.list.setCurrentIndex(view.model.index(0))
    qtbot.mouseClick(tools.merge_button, Qt.MouseButton.LeftButton)
    merged = view.transcript().segments[0]
    assert (merged.text, merged.start, merged.end) == ("And so, my fellow Americans,", 0.0, 2.4)
    view.undo_action.trigger()
    assert view.model.rowCount() == 4
    view.undo_action.trigger()
    assert view.transcript().segments == SPOKEN.segments  # the correction and the split, undone
    # a split at the playhead, from the button
    view.list.setCurrentIndex(view.model.index(2))
    tab.player.seek(8.0)
    qtbot.mouseClick(tools.split_button, Qt.MouseButton.LeftButton)
    third, fourth = view.transcript().segments[2:]
    assert third.end == 8.0 == fourth.start
    assert f"{third.text} {fourth.text}" == SPOKEN.segments[2].text
    # find and replace everywhere, one step
    assert tools.replace_all("country", "nation", whole_words=True) == 2
    assert "nation" in view.transcript().segments[1].text
    view.undo_action.trigger()
    assert "country" in view.transcript().segments[1].text
    view.redo_action.trigger()
    # every change is saved to History as a new version; the provider's is kept
    qtbot.waitUntil(lambda: "Corrections saved" in tab.status.text(), timeout=8000)
    item = tab.flow.item
    assert item is not None
    saved = run(qloop, transcription_gui_studio.transcription.load(item))
    assert saved == view.transcript() and len(saved.segments) == 4
    assert {f.role for f in transcription_gui_studio.history.get(item.id).files} >= {  # type: ignore[union-attr]
        "transcript-original", "transcript"
    }  # fmt: skip


def test_find_replace_dialog(qtbot, qloop, transcription_gui_studio: Studio) -> None:  # type: ignore[no-untyped-def]
    from audio_studio.ui.transcription.find_replace import FindReplaceDialog

    tab = opened(qtbot, qloop, transcription_gui_studio)
    qtbot.mouseClick(tab.corrections.replace_button, Qt.MouseButton.LeftButton)
    dialog = tab.corrections.findChild(FindReplaceDialog)
    assert dialog is not None
    dialog.find.setText("ASK")
    dialog.replace.setText("Ask")
    dialog.match_case.setChecked(False)
    qtbot.mouseClick(dialog.replace_all_button, Qt.MouseButton.LeftButton)
    assert [s.text.split()[0] for s in tab.view.transcript().segments[1:]] == ["Ask", "Ask"]
    assert "Replaced 2" in tab.status.text()
    dialog.close()


def test_translate_opens_the_translation_as_another_version(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio, tmp_path: Path
) -> None:
    tab = opened(qtbot, qloop, transcription_gui_studio)
    saved = run(qloop, tab.flow.outputs.translate("German"))
    assert saved is not None and tab.flow.item is not None and tab.flow.item.id == saved.id
    assert tab.versions.count() == 2
    texts = [s.text for s in tab.view.transcript().segments]
    assert texts[0] == "«xx» AND SO MY FELLOW AMERICANS,"
    assert "Translated into German" in tab.status.text()
    path = run(qloop, tab.flow.outputs.export("srt", tmp_path / "de.srt"))
    assert path is not None
    cues = read_srt(path.read_text()).segments
    assert cues[0].start == 0.0 and cues[-1].end <= 11.0
    assert "AMERICANS" in " ".join(c.text for c in cues)
