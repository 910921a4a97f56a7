"""Record → transcribe → correct → export, as a user does it, through the real audio stack.

The studio's Player plays jfk.flac into the private PulseAudio null sink; the Transcription
tab's Record button records the sink's monitor (the "microphone" studio_mic) through
PortAudio; the offline Whisper engine transcribes the take.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit

from audio_studio.core.audio.codec import decode
from audio_studio.core.audio.devices import PortAudioBackend
from audio_studio.core.audio.player import Player, PlayerState
from audio_studio.core.models import HistoryKind
from audio_studio.core.studio import Studio
from audio_studio.core.subtitles import read_json, read_markdown, read_srt, read_vtt
from audio_studio.ui.bridge import JobController
from audio_studio.ui.main_window import MainWindow
from tests.support.audio import keep_sink_busy
from tests.support.desktop import PulseServer
from tests.support.offline import JFK, JFK_REFERENCE, wer
from tests.support.qt import run


def test_record_the_speaker_loop_transcribe_correct_and_export(  # type: ignore[no-untyped-def]
    qtbot, qloop, pulse_audio: PulseServer, service: Studio, tmp_path: Path
) -> None:
    service.audio_backend = PortAudioBackend()
    window = MainWindow(service, JobController(service.runner))
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(1)
    tab = window.transcription
    recorder = tab.recorder
    speaker = Player(PortAudioBackend())
    speaker.load(decode(JFK))
    with keep_sink_busy(pulse_audio):
        qtbot.mouseClick(recorder.record_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: recorder.recording, timeout=10_000)
        speaker.play()
        qtbot.waitUntil(lambda: speaker.state is PlayerState.STOPPED, timeout=30_000)
        qtbot.wait(400)  # the tail through the sound server
        assert recorder.meter.hold_db > -30 or recorder.meter.peak_db > -60
        with qtbot.waitSignal(recorder.recorded, timeout=10_000) as taken:
            qtbot.mouseClick(recorder.record_button, Qt.MouseButton.LeftButton)
    speaker.close()
    take = taken.args[0]
    assert take.kind is HistoryKind.RECORDING and take.duration_s >= 11.0
    outcome = run(qloop, tab.flow.last_job.result(), timeout=180)  # type: ignore[union-attr]
    assert outcome.recording.id == take.id
    assert wer(JFK_REFERENCE, outcome.transcript.text) <= 0.15, outcome.transcript.text
    qtbot.waitUntil(lambda: tab.flow.item is not None and tab.flow.item.id == outcome.item.id)
    # Correct the first line the way a user does: double-click, type, Enter.
    view = tab.view
    rect = view.list.visualRect(view.model.index(0))
    qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    editor = view.list.findChild(QPlainTextEdit, "segmentEditor")
    assert editor is not None
    first = view.model.segment(0).text
    editor.setPlainText(f"{first} (checked)")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Corrections saved" in tab.status.text(), timeout=10_000)
    row = service.history.get(outcome.item.id)
    assert row is not None and f"{first} (checked)" in row.transcript
    readers = {"srt": read_srt, "vtt": read_vtt, "json": read_json, "md": read_markdown}
    for fmt, reader in readers.items():
        path = run(qloop, tab.flow.outputs.export(fmt, tmp_path / f"memo.{fmt}"))
        assert path is not None
        back = reader(path.read_text(encoding="utf-8"))
        text = " ".join(s.text for s in back.segments)
        assert "(checked)" in text
        assert wer(JFK_REFERENCE, text.replace("(checked)", "")) <= 0.15
    window.close()
