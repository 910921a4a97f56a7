"""The Transcription tab as a newcomer meets it: a failed file says so, and so does a click
on a line when nothing can be heard."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from audio_studio.core.audio.fake import FakeBackend
from audio_studio.core.models import JobStatus
from audio_studio.core.studio import Studio
from audio_studio.ui.bridge import JobController
from audio_studio.ui.main_window import MainWindow
from tests.servers.base import WireServer
from tests.support.qt import run
from tests.support.transcription import clip_file


def test_a_failed_file_reads_failed_and_a_silent_click_says_why(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio, wire: WireServer, tmp_path: Path
) -> None:
    transcription_gui_studio.audio_backend = FakeBackend(problem="No sound server is running.")
    window = MainWindow(transcription_gui_studio, JobController(transcription_gui_studio.runner))
    qtbot.addWidget(window)
    window.resize(1024, 640)
    window.show()
    qtbot.waitExposed(window)
    window.tabs.setCurrentIndex(1)
    tab = window.transcription
    tab.options.select("openai", "whisper-1")
    good = clip_file(tmp_path / "harbour memo.wav", 6)
    [job] = tab.flow.add_files([good.path])
    qtbot.waitUntil(lambda: tab.flow.item is not None, timeout=30_000)
    assert tab.title.text() == "harbour memo.wav"
    # A click on a line with no sound output: the playhead moves, and the player says why.
    index = tab.view.model.index(tab.view.model.rowCount() - 1, 0)
    tab.view.list.scrollTo(index)
    rect = tab.view.list.visualRect(index)
    qtbot.mouseClick(tab.view.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: tab.player.message.isVisible(), timeout=5000)
    assert "playhead moved" in tab.player.message.text()
    assert "No sound server" in tab.player.message.text()
    # A file that is not audio: the row says Failed (reason on hover), the pane is its own.
    bad = tmp_path / "notaudio.mp3"
    bad.write_bytes(b"this is not audio at all" * 40)
    [failing] = tab.flow.add_files([bad])
    qtbot.waitUntil(lambda: tab.queue.status(failing.id) is JobStatus.FAILED, timeout=30_000)
    item = next(
        tab.queue.tree.topLevelItem(i)
        for i in range(tab.queue.tree.topLevelItemCount())
        if tab.queue.tree.topLevelItem(i).text(0) == "notaudio.mp3"
    )
    assert item.text(3) == "Failed" and item.toolTip(3)
    assert tab.title.text() == "notaudio.mp3" and tab.flow.item is None
    qtbot.waitUntil(lambda: "could not be transcribed" in tab.view.placeholder.text())
    assert tab.view.placeholder.isVisible() and not tab.view.list.isVisible()
    # The status bar message ends before the jobs count ("Ready") begins.
    bar = window.statusBar()
    qtbot.waitUntil(lambda: bool(bar.currentMessage()), timeout=5000)
    used = bar.fontMetrics().horizontalAdvance(bar.currentMessage())
    assert used < window.jobs_status.geometry().left()
    assert window.jobs_status.text() == "Ready"
    del job


def test_a_missing_key_message_goes_once_settings_have_the_key(  # type: ignore[no-untyped-def]
    qtbot, qloop, transcription_gui_studio: Studio, wire: WireServer, tmp_path: Path
) -> None:
    window = MainWindow(transcription_gui_studio, JobController(transcription_gui_studio.runner))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.tabs.setCurrentIndex(1)
    tab = window.transcription
    run(qloop, transcription_gui_studio.delete_api_key("openai"))
    tab.options.select("openai", "whisper-1")
    clip = clip_file(tmp_path / "memo.wav", 4)
    [job] = tab.flow.add_files([clip.path])
    qtbot.waitUntil(lambda: tab.queue.status(job.id) is JobStatus.FAILED, timeout=30_000)
    qtbot.waitUntil(lambda: "API key" in tab.status.text(), timeout=5000)
    # The key is saved and Settings close: the line no longer claims a key is missing.
    run(qloop, transcription_gui_studio.set_api_key("openai", "sk-test-key-123456789"))
    window._on_settings_dialog_finished(1)
    assert "API key" not in tab.status.text()
