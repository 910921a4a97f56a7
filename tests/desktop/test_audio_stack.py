"""The real audio stack: PortAudio → ALSA pulse plugin → a private PulseAudio with a null sink.

The studio's Player plays into the null sink while its Recorder records the sink's monitor (as
the microphone ``studio_mic``); a second PulseAudio is killed mid-take to lose a device.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from audio_studio.core.audio import devices
from audio_studio.core.audio.backend import supported_rates
from audio_studio.core.audio.codec import decode
from audio_studio.core.audio.devices import PortAudioBackend
from audio_studio.core.audio.player import Player, PlayerState
from audio_studio.core.audio.recorder import Recorder, RecorderState
from audio_studio.core.errors import DeviceUnavailableError
from audio_studio.core.models import HistoryStatus
from audio_studio.core.recordings import RecordingRequest
from audio_studio.core.studio import Studio
from tests.support.audio import (
    dominant_frequency,
    keep_sink_busy,
    poll_until,
    rms,
    spare_pulse,
    tone,
)
from tests.support.desktop import PulseServer, environ


def wait_for(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_devices_rates_and_refresh(pulse_audio: PulseServer) -> None:
    backend = PortAudioBackend()
    listing = backend.devices()
    assert listing.problem is None
    assert {"pulse", "default"} <= {d.name for d in listing.devices}
    mic = listing.find(None, "input")
    assert mic.is_default_input and mic.host_api == "ALSA"
    rates = supported_rates(backend, mic, "input")
    assert {16000, 44100, 48000} <= set(rates)
    assert not backend.supports(mic, "input", 1_000_000, 1)
    # No sound server: PortAudio sees nothing after a refresh, and says what to check.
    with environ({"PULSE_SERVER": "unix:/nonexistent/pulse.sock"}):
        empty = devices.refresh()
        assert empty.devices == () and "sound server" in (empty.problem or "")
    assert devices.refresh().problem is None


def test_a_tone_played_by_the_player_is_recorded_by_the_recorder(
    pulse_audio: PulseServer, tmp_path: Path
) -> None:
    backend = PortAudioBackend()
    recorder = Recorder(backend, tmp_path / "loop.wav", sample_rate=48000, channels=1)
    player = Player(backend)
    buffer = player.open_stream(48000, 1)  # streamed, as TTS arrives: it must not stutter
    source = tone(1000, 2.5, 48000, 0.5).samples

    def produce() -> None:
        for start in range(0, len(source), 2400):
            buffer.append(source[start : start + 2400])
            # 50 ms of audio every 15 ms: ahead of playback like streamed speech, with enough
            # lead that a loaded CI machine's scheduling hiccup does not starve the player.
            time.sleep(0.015)
        buffer.end()

    with keep_sink_busy(pulse_audio):
        recorder.start()
        wait_for(lambda: recorder.levels().seconds > 0.2)  # the microphone is live
        producer = threading.Thread(target=produce)
        producer.start()
        player.play()
        wait_for(lambda: player.state is PlayerState.STOPPED)
        producer.join()
        time.sleep(0.3)  # the tail through the server
        take = recorder.stop()
    assert take.error is None and player.error is None and player.underruns == 0
    audio = decode(take.path)
    x = audio.samples[:, 0]
    window = 480  # 10 ms
    levels = np.sqrt((x[: len(x) // window * window].reshape(-1, window) ** 2).mean(axis=1))
    loud = np.flatnonzero(levels > 0.1)
    assert len(loud), "the tone never reached the recording"
    body = x[(loud[0] + 2) * window : (loud[-1] - 1) * window]
    assert len(body) / 48000 == pytest.approx(2.5, abs=0.1)
    assert dominant_frequency(body, 48000) == pytest.approx(1000, abs=2)
    assert 20 * np.log10(rms(body) / (0.5 / np.sqrt(2))) == pytest.approx(0, abs=1.0)
    inner = levels[loud[0] + 2 : loud[-1] - 1]
    assert inner.min() > 0.25, "a gap in the played stream"


def test_an_unsupported_rate_is_replaced_by_a_supported_one(
    pulse_audio: PulseServer, tmp_path: Path
) -> None:
    backend = PortAudioBackend()
    recorder = Recorder(backend, tmp_path / "rate.wav", sample_rate=1_000_000)
    with keep_sink_busy(pulse_audio):
        recorder.start()
        wait_for(lambda: recorder.levels().seconds > 0.3)
        take = recorder.stop()
    assert take.sample_rate == 44100  # the device's own default rate
    assert "does not record at 1000000 Hz; recording at 44100 Hz" in take.notices[0]
    assert decode(take.path).sample_rate == 44100


async def test_a_microphone_that_disappears_keeps_the_take_and_tells(
    service: Studio, expect_warnings: None
) -> None:
    with spare_pulse() as (server, process), environ(server.env()):
        devices.refresh()
        service.audio_backend = PortAudioBackend()
        try:
            with keep_sink_busy(server):
                session = await service.recordings.start(RecordingRequest(title="Lost"))
                await poll_until(lambda: session.levels().seconds >= 1.5)
                process.kill()  # the sound server (and with it the microphone) is gone
                await poll_until(lambda: session.recorder.state is RecorderState.FAILED)
            assert isinstance(session.error, DeviceUnavailableError)
            assert "recorded so far were kept" in session.error.message
            item = await service.recordings.finish(session)
        finally:
            server_env_gone = True
    assert server_env_gone
    devices.refresh()
    assert item.status is HistoryStatus.DONE and item.error == session.error.message
    audio_file = item.file("audio")
    assert audio_file is not None and decode(audio_file.path).duration_s >= 1.5


def test_device_doctor_on_the_real_stack(  # type: ignore[no-untyped-def]
    qtbot, qloop, pulse_audio: PulseServer, service: Studio, tmp_path: Path
) -> None:
    from audio_studio.ui.dialogs.device_doctor import DeviceDoctor
    from tests.support.qt import run

    service.audio_backend = PortAudioBackend()
    dialog = DeviceDoctor(service)
    qtbot.addWidget(dialog)
    dialog.show()
    run(qloop, dialog.load())
    assert dialog.table.rowCount() >= 2 and not dialog.problem.isVisible()
    assert "48000" in run(qloop, dialog.probe_rates())
    # Something audible on the sink, so the monitor "microphone" hears it.
    loud = tmp_path / "tone.wav"
    import soundfile as sf

    sf.write(loud, tone(700, 10.0, 48000, 0.3).samples, 48000)
    player = subprocess.Popen(
        ["paplay", "--latency-msec=20", str(loud)],
        env={**os.environ, **pulse_audio.env()},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        verdict = run(qloop, dialog.meter_test(seconds=1.0))
    finally:
        player.terminate()
        player.wait(5)
    assert " works: peak " in verdict, verdict
    with keep_sink_busy(pulse_audio):
        verdict = run(qloop, dialog.record_then_play(seconds=0.5))
    assert "played it back" in verdict, verdict
