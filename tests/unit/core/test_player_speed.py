"""Playback speed: faster or slower in time, the same pitch, seeks and loops still right."""

from __future__ import annotations

import time

import numpy as np
import pytest

from audio_studio.core.audio.codec import AudioData
from audio_studio.core.audio.fake import FakeBackend, sine
from audio_studio.core.audio.player import Player, PlayerState
from audio_studio.core.audio.stretch import stretch

RATE = 48_000


def peak_hz(samples: np.ndarray, rate: int) -> float:
    mono = samples.mean(axis=1) if samples.ndim > 1 else samples
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    return float(np.fft.rfftfreq(len(mono), 1 / rate)[int(np.argmax(spectrum))])


def wait_until(condition: object, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


@pytest.mark.parametrize("speed", [0.5, 1.5, 2.0])
def test_stretch_changes_length_not_pitch(speed: float) -> None:
    tone = sine(440, 2.0, RATE).samples
    out = stretch(tone, RATE, speed)
    assert len(out) == pytest.approx(len(tone) / speed, rel=0.02)
    assert peak_hz(out[RATE // 4 : -RATE // 4], RATE) == pytest.approx(440, abs=3)


@pytest.mark.parametrize("speed", [0.5, 2.0])
def test_the_player_plays_the_whole_file_in_time_over_speed(speed: float) -> None:
    # The fake device pulls as fast as it can, faster than rendering: the silent blocks while
    # it waits are not counted (a real device, at real pace, never catches up like that).
    backend = FakeBackend(speed=0, keep_output=True, channels=1)
    player = Player(backend)
    player.load(sine(440, 3.0, RATE))
    player.speed = speed
    player.play()
    wait_until(lambda: player.state is PlayerState.STOPPED)
    played = backend.played_audio(RATE).samples
    sounding = played[np.abs(played[:, 0]) > 1e-4]
    assert len(sounding) / RATE == pytest.approx(3.0 / speed, rel=0.05)
    assert peak_hz(sounding[: RATE // 2], RATE) == pytest.approx(440, abs=3)
    assert player.position == 0.0  # rewound at the end, as at normal speed


def test_position_advances_faster_at_higher_speed() -> None:
    def advance(speed: float) -> float:
        backend = FakeBackend(speed=1.0, channels=1)  # paced like a real device
        player = Player(backend)
        player.load(sine(440, 20.0, RATE))
        player.speed = speed
        player.play()
        wait_until(lambda: player.position > 0.2)
        start_pos, start = player.position, time.monotonic()
        time.sleep(1.0)
        moved = (player.position - start_pos) / (time.monotonic() - start)
        player.close()
        return moved

    # Compared within one run, so a loaded machine slows both alike.
    normal, fast = advance(1.0), advance(2.0)
    assert fast / normal == pytest.approx(2.0, rel=0.25)


def test_seek_and_speed_changes_while_playing() -> None:
    backend = FakeBackend(speed=1.0, channels=1)
    player = Player(backend)
    ramp = np.linspace(0, 1, RATE * 20, dtype=np.float32).reshape(-1, 1) * 0.0
    player.load(AudioData(ramp + sine(300, 20.0, RATE).samples, RATE))
    player.speed = 1.5
    player.play()
    wait_until(lambda: player.position > 0.1)
    player.seek(12.0)
    wait_until(lambda: player.position > 12.05)
    assert player.position < 14.0
    player.speed = 1.0
    at = player.position
    wait_until(lambda: player.position > at + 0.1)
    player.speed = 0.5
    assert player.speed == 0.5
    player.speed = 7.0
    assert player.speed == 2.0  # kept in range
    player.close()
    assert player.state is PlayerState.STOPPED


def test_loop_region_at_speed() -> None:
    backend = FakeBackend(speed=0, channels=1)
    player = Player(backend)
    player.load(sine(440, 10.0, RATE))
    player.set_loop(2.0, 3.0)
    player.looping = True
    player.speed = 2.0
    player.seek(2.0)
    player.play()
    seen = []
    end = time.monotonic() + 3
    while time.monotonic() < end and len(seen) < 400:
        seen.append(player.position)
        time.sleep(0.005)
    player.close()
    inside = [p for p in seen if p > 0]
    assert inside and all(1.9 <= p <= 3.05 for p in inside)
