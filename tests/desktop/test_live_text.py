"""Live text while recording, on the private PulseAudio: jfk.flac played into the null sink is
recorded from its monitor, and its words appear before the recording is stopped."""

from __future__ import annotations

import select
import signal
import time
from pathlib import Path

from PySide6.QtCore import Qt

from audio_studio.core.audio.codec import decode
from audio_studio.core.audio.devices import PortAudioBackend
from audio_studio.core.audio.player import Player, PlayerState
from audio_studio.core.studio import Studio
from audio_studio.ui.bridge import JobController
from audio_studio.ui.main_window import MainWindow
from tests.desktop.test_audio_cli import studio, wait_for_line
from tests.support.audio import keep_sink_busy
from tests.support.desktop import PulseServer
from tests.support.offline import JFK, JFK_REFERENCE, wer
from tests.support.qt import run


def test_record_live_prints_words_before_the_recording_ends(
    pulse: PulseServer, tmp_path: Path
) -> None:
    home = tmp_path / "h"
    take = tmp_path / "memo.flac"
    with keep_sink_busy(pulse):
        rec = studio("record", "-o", str(take), "--live", pulse=pulse, home=home)
        player = None
        try:
            wait_for_line(rec, "Press Ctrl+C to stop")
            player = studio("play", str(JFK), pulse=pulse, home=home)
            assert rec.stdout is not None
            heard: list[str] = []
            deadline = time.monotonic() + 90
            # Words printed while the recording still runs (it is stopped only afterwards).
            while time.monotonic() < deadline and len(" ".join(heard).split()) < 6:
                ready, _, _ = select.select([rec.stdout], [], [], 0.2)
                if ready:
                    line = rec.stdout.readline()
                    if not line:
                        break
                    heard.append(line.strip())
            assert rec.poll() is None and len(" ".join(heard).split()) >= 6, heard
            player.communicate(timeout=60)
            time.sleep(3)  # the last words reach the take
            rec.send_signal(signal.SIGINT)
            out, err = rec.communicate(timeout=90)
        finally:
            for proc in (rec, player):
                if proc is not None and proc.poll() is None:
                    proc.kill()
                    proc.communicate()
    heard += [line for line in out.splitlines() if line.strip()]
    assert rec.returncode == 0, err
    assert heard, err
    assert wer(JFK_REFERENCE, " ".join(heard)) <= 0.35, heard
    assert decode(take).duration_s >= 11.0  # the take is whole


def test_the_live_checkbox_shows_words_under_the_meter(  # type: ignore[no-untyped-def]
    qtbot, qloop, pulse_audio: PulseServer, service: Studio
) -> None:
    service.audio_backend = PortAudioBackend()
    window = MainWindow(service, JobController(service.runner))
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(1)
    tab = window.transcription
    recorder = tab.recorder
    recorder.live.toggle.setChecked(True)
    speaker = Player(PortAudioBackend())
    speaker.load(decode(JFK))
    with keep_sink_busy(pulse_audio):
        try:
            qtbot.mouseClick(recorder.record_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: recorder.recording, timeout=10_000)
            speaker.play()
            qtbot.waitUntil(lambda: len(recorder.live.text.split()) >= 4, timeout=90_000)
            assert recorder.recording and recorder.live.words.isVisible()
            qtbot.waitUntil(lambda: speaker.state is PlayerState.STOPPED, timeout=30_000)
            qtbot.wait(2000)
            with qtbot.waitSignal(recorder.recorded, timeout=90_000) as taken:
                qtbot.mouseClick(recorder.record_button, Qt.MouseButton.LeftButton)
        finally:
            speaker.close()
            if recorder.recording:
                run(qloop, recorder.stop(), timeout=90)
    assert taken.args[0].duration_s >= 11.0
    assert wer(JFK_REFERENCE, recorder.live.text) <= 0.35, recorder.live.text
    outcome = run(qloop, tab.flow.last_job.result(), timeout=180)  # type: ignore[union-attr]
    assert wer(JFK_REFERENCE, outcome.transcript.text) <= 0.15
    # The full transcription replaces the live words.
    qtbot.waitUntil(lambda: not recorder.live.words.isVisible(), timeout=10_000)
    window.close()
