"""Waveform view, level meter, player bar and Device doctor, driven like a user (pytest-qt)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from audio_studio.core.audio.codec import AudioData, write
from audio_studio.core.audio.fake import FakeBackend
from audio_studio.core.audio.player import PlayerState
from audio_studio.core.audio.recorder import Levels, RecorderState
from audio_studio.core.audio.waveform import summarize
from audio_studio.core.errors import DeviceUnavailableError, UnsupportedFormatError
from audio_studio.core.studio import Studio
from audio_studio.ui.bridge import JobController
from audio_studio.ui.dialogs.device_doctor import DeviceDoctor, hints_html
from audio_studio.ui.main_window import MainWindow
from audio_studio.ui.widgets.level_meter import LevelMeter
from audio_studio.ui.widgets.player_bar import PlayerBar
from audio_studio.ui.widgets.waveform import WaveformView
from tests.support.audio import tone
from tests.support.qt import run


def show(qtbot, widget, width: int = 500, height: int = 120):  # type: ignore[no-untyped-def]
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_waveform_click_seeks_and_drag_selects(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = show(qtbot, WaveformView())
    view.set_summary(summarize(tone(200, 10.0, 8000)))
    assert view.duration == pytest.approx(10.0)
    y = view.height() // 2
    with qtbot.waitSignal(view.seek_requested) as seek:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(250, y))
    assert seek.args[0] == pytest.approx(5.0, abs=0.03)
    assert view.position == pytest.approx(5.0, abs=0.03)
    with qtbot.waitSignal(view.region_selected) as selected:
        qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=QPoint(300, y))
        qtbot.mouseMove(view, QPoint(200, y))
        qtbot.mouseMove(view, QPoint(100, y))
        qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=QPoint(100, y))
    start, end = selected.args
    assert (start, end) == (pytest.approx(2.0, abs=0.03), pytest.approx(6.0, abs=0.03))
    assert view.region == (start, end)
    with qtbot.waitSignal(view.region_cleared):
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(400, y))
    assert view.region is None
    with qtbot.waitSignal(view.seek_requested) as key_seek:
        qtbot.keyClick(view, Qt.Key.Key_Left)
    assert key_seek.args[0] == pytest.approx(3.0, abs=0.05)
    view.grab()  # paints without errors, empty or not
    view.set_summary(None)
    view.grab()


def test_level_meter_polls_and_latches_clipping(qtbot) -> None:  # type: ignore[no-untyped-def]
    levels = [Levels(0.5, 0.35, False, 1.0, 0, 0.0, RecorderState.RECORDING)]
    meter = show(qtbot, LevelMeter(lambda: levels[-1]), 300, 18)
    meter.start()
    qtbot.waitUntil(lambda: meter.peak_db > -7)
    assert meter.peak_db == pytest.approx(-6.02, abs=0.1)
    assert meter.rms_db == pytest.approx(-9.1, abs=0.1) and not meter.clipped
    levels.append(Levels(1.0, 0.7, True, 2.0, 3, 0.0, RecorderState.RECORDING))
    qtbot.waitUntil(lambda: meter.clipped)
    assert meter.overflows == 3 and "clipped" in meter.toolTip()
    levels.append(Levels(0.0, 0.0, False, 3.0, 3, 0.0, RecorderState.RECORDING))
    qtbot.wait(100)
    assert meter.clipped  # latched until the user clears it
    assert meter.peak_db < 0 and meter.hold_db == pytest.approx(0.0, abs=0.01)
    with qtbot.waitSignal(meter.clip_reset):
        qtbot.mouseClick(meter, Qt.MouseButton.LeftButton, pos=QPoint(meter.width() - 8, 9))
    assert not meter.clipped
    meter.stop()
    meter.set_source(lambda: None)
    meter.poll()
    meter.grab()
    assert meter.rms_db < -3.1  # the bars fall back after the source went quiet


def test_player_bar_plays_seeks_loops_and_sets_volume(qtbot, qloop) -> None:  # type: ignore[no-untyped-def]
    backend = FakeBackend(speed=8, keep_output=True)
    bar = show(qtbot, PlayerBar(backend), 600, 160)
    assert not bar.play_button.isEnabled()  # nothing loaded yet
    run(qloop, bar.load_audio(tone(440, 4.0, 48000, 0.5)))
    assert bar.position_label.text() == "0:00.0 / 0:04.0"
    bar.volume.setValue(50)
    assert bar.player.volume == 0.5
    with qtbot.waitSignal(bar.state_changed) as changed:
        qtbot.mouseClick(bar.play_button, Qt.MouseButton.LeftButton)
    assert changed.args == ["playing"]
    qtbot.waitUntil(lambda: bar.player.position > 0.5)
    assert bar.play_button.accessibleName() == "Pause"
    # Click on the waveform at 3/4: playback jumps there.
    assert bar.waveform is not None
    wave = bar.waveform
    qtbot.mouseClick(wave, Qt.MouseButton.LeftButton, pos=QPoint(wave.width() * 3 // 4, 20))
    assert bar.player.position == pytest.approx(3.0, abs=0.2)
    qtbot.waitUntil(lambda: bar.player.state is PlayerState.STOPPED, timeout=5000)
    out = backend.played_audio(48000).samples
    assert np.abs(out).max() == pytest.approx(0.25, abs=0.01)  # volume 50 %
    # Drag a region and loop it.
    qtbot.mousePress(wave, Qt.MouseButton.LeftButton, pos=QPoint(0, 20))
    qtbot.mouseMove(wave, QPoint(wave.width() // 8, 20))
    qtbot.mouseRelease(wave, Qt.MouseButton.LeftButton, pos=QPoint(wave.width() // 4, 20))
    assert bar.player.loop_region == (pytest.approx(0.0), pytest.approx(1.0, abs=0.02))
    qtbot.mouseClick(bar.loop_button, Qt.MouseButton.LeftButton)
    assert bar.player.looping
    qtbot.mouseClick(bar.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(backend.played) * 960 > 48000 * 6, timeout=5000)
    assert bar.player.state is PlayerState.PLAYING and bar.player.position < 1.05
    with qtbot.waitSignal(bar.state_changed):
        qtbot.mouseClick(bar.stop_button, Qt.MouseButton.LeftButton)
    assert bar.player.position == 0.0
    bar.close_player()


def test_player_bar_file_stream_and_errors(qtbot, qloop, tmp_path) -> None:  # type: ignore[no-untyped-def]
    backend = FakeBackend(speed=10)
    bar = show(qtbot, PlayerBar(backend, cache_dir=tmp_path / "cache"), 600, 160)
    path = tmp_path / "clip.flac"
    write(tone(330, 2.0), path)
    run(qloop, bar.load_file(path))
    assert bar.waveform is not None and bar.waveform.duration == pytest.approx(2.0)
    assert list((tmp_path / "cache" / "peaks").glob("*.npz"))
    (tmp_path / "junk.mp3").write_text("no")
    with qtbot.waitSignal(bar.error), pytest.raises(UnsupportedFormatError):
        run(qloop, bar.load_file(tmp_path / "junk.mp3"))
    assert bar.message.isVisible() and "junk.mp3" in bar.message.text()
    # A stream: the waveform grows as audio arrives.
    buffer = bar.player.open_stream(48000)
    bar.show_stream(buffer)
    buffer.append(tone(500, 1.5).samples)
    qtbot.waitUntil(lambda: bar.waveform is not None and bar.waveform.duration > 1.4)
    buffer.append(tone(500, 0.5).samples)
    buffer.end()
    qtbot.waitUntil(lambda: bar.waveform is not None and bar.waveform.duration == 2.0)
    # No output device: the user is told, inline and by signal.
    broken = show(qtbot, PlayerBar(FakeBackend(), device="Studio Monitors"), 600, 160)
    run(qloop, broken.load_audio(tone()))
    with qtbot.waitSignal(broken.error) as failed:
        qtbot.mouseClick(broken.play_button, Qt.MouseButton.LeftButton)
    assert isinstance(failed.args[0], DeviceUnavailableError)
    assert "Studio Monitors" in broken.message.text()
    bar.close_player()
    broken.close_player()


def doctor_for(qtbot, qloop, service: Studio, backend: FakeBackend) -> DeviceDoctor:  # type: ignore[no-untyped-def]
    service.audio_backend = backend
    dialog = show(qtbot, DeviceDoctor(service), 760, 620)
    run(qloop, dialog.load())
    return dialog


def test_device_doctor_lists_probes_and_tests(qtbot, qloop, service) -> None:  # type: ignore[no-untyped-def]
    backend = FakeBackend(speed=1, keep_output=True, rates=(16000, 44100, 48000))
    dialog = doctor_for(qtbot, qloop, service, backend)
    assert dialog.table.rowCount() == 2 and not dialog.problem.isVisible()
    assert dialog.table.item(0, 0).text() == "Fake Microphone (default in)"
    assert dialog.table.item(0, 4).text() == "48000 Hz"
    assert "16000, 44100, 48000" in run(qloop, dialog.probe_rates())
    verdict = run(qloop, dialog.meter_test(seconds=0.4))
    assert verdict.startswith("Fake Microphone works: peak -6.0 dBFS")
    assert dialog.result.text() == verdict
    verdict = run(qloop, dialog.record_then_play(seconds=0.4))
    assert "played it back" in verdict
    assert np.abs(backend.played_audio(48000).samples).max() == pytest.approx(0.5, abs=0.01)
    assert "this computer" in dialog.hints.toPlainText()


def test_device_doctor_explains_silence_loss_and_missing_portaudio(qtbot, qloop, service) -> None:  # type: ignore[no-untyped-def]
    silent = FakeBackend(AudioData(np.zeros((4800, 1), np.float32), 48000), speed=1)
    dialog = doctor_for(qtbot, qloop, service, silent)
    assert "delivered only silence" in run(qloop, dialog.meter_test(seconds=0.3))
    lost = FakeBackend(speed=1, fail_after_s=0.1)
    dialog = doctor_for(qtbot, qloop, service, lost)
    verdict = run(qloop, dialog.meter_test(seconds=0.6))
    assert "recorded so far were kept" in verdict and "What to check" in verdict
    missing = FakeBackend(problem="The PortAudio library is missing; install libportaudio2.")
    dialog = doctor_for(qtbot, qloop, service, missing)
    assert dialog.problem.isVisible() and "libportaudio2" in dialog.problem.text()
    assert not dialog.meter_button.isEnabled() and not dialog.loop_button.isEnabled()
    for platform, word in (("darwin", "Privacy"), ("win32", "exclusive mode")):
        assert word in hints_html(platform).split("</ul>")[0]


def test_tools_menu_and_settings_open_the_device_doctor(qtbot, qloop, service) -> None:  # type: ignore[no-untyped-def]
    service.audio_backend = FakeBackend()
    window = MainWindow(service, JobController(service.runner))
    qtbot.addWidget(window)
    window.show()
    assert window.doctor_action.isEnabled()
    window.doctor_action.trigger()
    qtbot.waitUntil(lambda: window.device_doctor is not None and window.device_doctor.isVisible())
    doctor = window.device_doctor
    assert doctor is not None
    qtbot.waitUntil(lambda: doctor.table.rowCount() == 2)
    doctor.reject()
    settings = run(qloop, window.open_settings())
    page = settings.audio
    assert [page.input.itemData(i) for i in range(page.input.count())] == [
        None,
        "Fake Microphone",
    ]
    page.output.setCurrentIndex(1)
    assert run(qloop, settings.save())
    assert service.settings.output_device == "Fake Speakers"
    opened = run(qloop, page.open_doctor())
    assert opened.isVisible() and opened.output.currentData() == "Fake Speakers"
    opened.reject()
    settings.reject()
