"""The player on the fake backend: exact samples, volume, seek, loop, pause, streams, errors."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np
import pytest

from audio_studio.core.audio.codec import AudioData
from audio_studio.core.audio.fake import FakeBackend
from audio_studio.core.audio.player import Player, PlayerState
from audio_studio.core.errors import DeviceUnavailableError
from tests.support.audio import dominant_frequency, tone


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def ramp(seconds: float = 1.0, rate: int = 48000) -> AudioData:
    n = int(seconds * rate)
    return AudioData((np.arange(n, dtype=np.float32) / n).reshape(-1, 1), rate)


def played(backend: FakeBackend) -> np.ndarray:  # type: ignore[type-arg]
    return backend.played_audio(48000).samples[:, 0]


def test_plays_every_sample_once_at_the_volume_then_stops() -> None:
    backend = FakeBackend(speed=50, keep_output=True)
    player = Player(backend)
    audio = ramp()
    player.load(audio)
    player.volume = 0.5
    player.play()
    wait_for(lambda: player.state is PlayerState.STOPPED)
    out = played(backend)
    assert np.array_equal(out[: audio.frames], audio.samples[:, 0] * 0.5)
    assert not out[audio.frames :].any()
    assert player.position == 0.0  # rewound at the end, ready to play again
    assert backend.opened == [("output", 48000, 1)]


def test_seek_pause_and_position() -> None:
    backend = FakeBackend(speed=5, keep_output=True)
    player = Player(backend)
    player.load(ramp(4.0))
    player.seek(3.0)
    assert player.position == pytest.approx(3.0)
    player.play()
    wait_for(lambda: player.position > 3.2)
    player.pause()
    time.sleep(0.05)
    held = player.position
    time.sleep(0.1)
    assert player.state is PlayerState.PAUSED and player.position == pytest.approx(held)
    player.play()
    wait_for(lambda: player.state is PlayerState.STOPPED)
    out = played(backend)
    audible = out[np.abs(out) > 0]
    assert audible[0] == pytest.approx(0.75, abs=1e-4)  # started at 3 s of 4 s
    assert np.all(np.diff(audible) > 0)  # nothing skipped back, nothing repeated


def test_loop_region_repeats_until_stopped() -> None:
    backend = FakeBackend(speed=20, keep_output=True)
    player = Player(backend)
    audio = ramp(2.0)
    player.load(audio)
    player.set_loop(1.0, 0.5)  # given backwards: it is sorted
    assert player.loop_region == (0.5, 1.0)
    player.looping = True
    player.seek(0.5)
    player.play()
    wait_for(lambda: len(backend.played) * 960 > 48000 * 2)
    player.stop()
    out = played(backend)
    out = out[np.abs(out) > 0]
    assert out.min() >= 0.25 - 1e-6 and out.max() < 0.5  # only the 0.5..1.0 s region
    wraps = np.flatnonzero(np.diff(out) < 0)
    assert len(wraps) >= 3
    assert player.state is PlayerState.STOPPED and player.position == pytest.approx(0.5)


def test_whole_file_loops_without_a_gap() -> None:
    backend = FakeBackend(speed=50, keep_output=True)
    player = Player(backend)
    player.load(tone(1000, 0.25, 48000, 0.5))
    player.looping = True
    player.play()
    wait_for(lambda: len(backend.played) > 60)
    player.stop()
    out = played(backend)[:48000]
    assert np.abs(out).max() == pytest.approx(0.5, abs=0.01)
    assert np.abs(np.diff(out)).max() < 0.1  # 1 kHz at 48 kHz never jumps more than 0.066


def test_a_growing_stream_plays_without_gaps_and_is_resampled() -> None:
    backend = FakeBackend(speed=4, keep_output=True, rates=(44100, 48000))
    player = Player(backend)
    buffer = player.open_stream(24000, 1)  # the device cannot do 24 kHz
    assert buffer.sample_rate == 48000
    source = tone(440, 2.0, 24000, 0.5).samples

    def produce() -> None:
        for start in range(0, len(source), 1200):  # 50 ms chunks, a bit faster than playback
            buffer.append(source[start : start + 1200])
            time.sleep(0.008)
        buffer.end()

    producer = threading.Thread(target=produce)
    producer.start()
    player.play()
    wait_for(lambda: player.state is PlayerState.STOPPED, timeout=20)
    producer.join()
    out = played(backend)
    audible = np.flatnonzero(np.abs(out) > 1e-3)
    body = out[audible[0] : audible[-1]]
    assert len(body) == pytest.approx(2.0 * 48000, abs=200)
    # No hole anywhere: a 440 Hz tone is never quiet for 2 ms on end.
    quiet = np.abs(body) < 0.02
    runs = np.diff(np.flatnonzero(np.diff(np.concatenate([[0], quiet.astype(int), [0]]))))[::2]
    assert runs.max(initial=0) < 96
    assert dominant_frequency(body, 48000) == pytest.approx(440, abs=1)


def test_a_slow_stream_waits_and_counts_underruns() -> None:
    backend = FakeBackend(speed=1, keep_output=True)
    player = Player(backend, preroll_s=0.1)
    buffer = player.open_stream(48000)
    buffer.append(tone(500, 0.2).samples)
    player.play()
    wait_for(lambda: player.waiting and player.underruns >= 1)
    buffer.append(tone(500, 0.2).samples)
    buffer.end()
    wait_for(lambda: player.state is PlayerState.STOPPED)
    audible = np.abs(played(backend)) > 1e-3
    assert audible.sum() == pytest.approx(0.4 * 48000, rel=0.03)


def test_a_lost_output_device_is_reported() -> None:
    player = Player(FakeBackend(speed=20, fail_after_s=0.5))
    player.load(tone(440, 2.0))
    player.play()
    wait_for(lambda: player.state is PlayerState.STOPPED)
    assert isinstance(player.error, DeviceUnavailableError)
    assert "unplugged" in player.error.message
    assert "Settings → Audio" in player.error.message
    assert player.state is PlayerState.STOPPED
    player.stop()


def test_no_output_device_says_what_to_do() -> None:
    player = Player(FakeBackend(), device="HDMI")
    player.load(tone())
    with pytest.raises(DeviceUnavailableError, match="'HDMI' is not connected"):
        player.play()
