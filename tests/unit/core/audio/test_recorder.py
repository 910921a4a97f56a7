"""The recorder on the fake backend: spool, meters, pause, overflows, drops, lost device, repair."""

from __future__ import annotations

import itertools
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from audio_studio.core.audio import spool as spool_module
from audio_studio.core.audio.backend import choose_rate
from audio_studio.core.audio.codec import AudioData, decode
from audio_studio.core.audio.fake import FakeBackend
from audio_studio.core.audio.recorder import Recorder, RecorderState
from audio_studio.core.audio.spool import HEADER_BYTES, read_sidecar, repair_take, sidecar_path
from audio_studio.core.errors import DeviceUnavailableError
from tests.support.audio import SHARED_DATA, dominant_frequency, tone


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_records_the_input_to_a_wav_with_meters(tmp_path: Path) -> None:
    backend = FakeBackend(tone(1000, 1.0, 48000, 0.5), speed=20)
    recorder = Recorder(backend, tmp_path / "take.wav", info={"title": "Hello"})
    recorder.start()
    wait_for(lambda: recorder.levels().seconds >= 2.0)
    levels = recorder.levels()
    assert levels.state is RecorderState.RECORDING
    assert levels.peak == pytest.approx(0.5, abs=0.01)
    assert levels.rms == pytest.approx(0.5 / np.sqrt(2), abs=0.01)
    assert levels.peak_db == pytest.approx(-6.0, abs=0.2) and not levels.clipped
    take = recorder.stop()
    assert recorder.state is RecorderState.STOPPED and take.error is None
    audio = decode(take.path)
    assert audio.frames == take.frames and audio.sample_rate == 48000 and audio.channels == 1
    assert dominant_frequency(audio.samples, 48000) == pytest.approx(1000, abs=1)
    meta = read_sidecar(take.path)
    assert meta["title"] == "Hello" and meta["sample_rate"] == 48000


def test_the_spool_plays_while_it_grows(tmp_path: Path) -> None:
    recorder = Recorder(FakeBackend(speed=10), tmp_path / "take.wav")
    recorder.start()
    try:
        wait_for(lambda: recorder.levels().seconds >= 3.0)
        time.sleep(0.6)  # one header refresh
        growing = decode(tmp_path / "take.wav")
        # Everything up to the last header refresh (0.5 s, i.e. 5 s of audio at 10x) is there.
        assert growing.duration_s >= 3.0
        assert growing.duration_s <= recorder.levels().seconds
    finally:
        recorder.stop()


def test_pause_resume_stays_one_take(tmp_path: Path) -> None:
    recorder = Recorder(FakeBackend(speed=10), tmp_path / "take.wav")
    recorder.start()
    wait_for(lambda: recorder.levels().seconds >= 1.0)
    recorder.pause()
    paused_at = recorder.levels().seconds
    time.sleep(0.3)  # 3 s of input at 10x, not recorded
    assert recorder.levels().seconds == pytest.approx(paused_at, abs=0.05)
    assert recorder.levels().state is RecorderState.PAUSED
    assert recorder.levels().peak > 0.4  # the meter keeps moving while paused
    recorder.resume()
    wait_for(lambda: recorder.levels().seconds >= paused_at + 1.0)
    take = recorder.stop()
    assert take.pauses == (pytest.approx(paused_at, abs=0.05),)
    assert decode(take.path).duration_s == pytest.approx(take.duration_s)
    assert take.duration_s < paused_at + 2.5


def test_a_time_limit_gives_a_take_of_exactly_that_length(tmp_path: Path) -> None:
    recorder = Recorder(FakeBackend(speed=20), tmp_path / "take.wav", limit_s=1.234)
    recorder.start()
    wait_for(lambda: recorder.levels().seconds >= 1.234)
    time.sleep(0.1)  # more audio arrives; it is not part of the take
    take = recorder.stop()
    assert take.frames == int(1.234 * 48000)


def test_clipping_is_latched_and_counted(tmp_path: Path) -> None:
    loud = AudioData(np.clip(tone(500, 1.0, 48000, 1.4).samples, -1, 1), 48000)
    recorder = Recorder(FakeBackend(loud, speed=20), tmp_path / "take.wav")
    recorder.start()
    wait_for(lambda: recorder.levels().seconds >= 0.5)
    assert recorder.levels().clipped
    recorder.reset_clip()
    take = recorder.stop()
    assert take.clipped_samples > 1000


def test_overflows_are_counted_and_drops_become_counted_silence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = FakeBackend(speed=0, overflow_blocks=frozenset({3, 7}), input_seconds=4.0)
    slow_append = spool_module.WavSpool.append

    def slow(self: spool_module.WavSpool, block: np.ndarray) -> bool:  # type: ignore[type-arg]
        time.sleep(0.002)  # a disk slower than the device: the queue fills up
        return slow_append(self, block)

    monkeypatch.setattr(spool_module.WavSpool, "append", slow)
    recorder = Recorder(backend, tmp_path / "take.wav", max_queue_s=0.5)
    recorder.start()
    time.sleep(0.2)  # the fake delivers its 4 s at once, then idles
    wait_for(lambda: recorder._queue.qsize() == 0)
    levels = recorder.levels()
    take = recorder.stop()
    assert take.overflows == 2 and levels.overflows == 2
    assert take.dropped_frames > 0 and levels.dropped_s > 0
    # Dropped audio is replaced by silence so the take keeps its length: nothing vanishes.
    assert take.frames == 4 * 48000


def test_a_device_that_vanishes_keeps_the_take_and_says_so(tmp_path: Path) -> None:
    recorder = Recorder(FakeBackend(speed=20, fail_after_s=2.0), tmp_path / "take.wav")
    recorder.start()
    wait_for(lambda: recorder.state is RecorderState.FAILED)
    assert isinstance(recorder.error, DeviceUnavailableError)
    assert "stopped after 2.0 s" in recorder.error.message
    assert "recorded so far were kept" in recorder.error.message
    take = recorder.stop()
    assert take.duration_s == pytest.approx(2.0) and take.error is recorder.error
    assert decode(take.path).duration_s == pytest.approx(2.0)


def test_a_silent_stall_counts_as_a_lost_device(tmp_path: Path) -> None:
    backend = FakeBackend(speed=20, input_seconds=1.0)  # then nothing more ever arrives
    recorder = Recorder(backend, tmp_path / "take.wav", stall_s=0.3)
    recorder.start()
    wait_for(lambda: recorder.state is RecorderState.FAILED)
    assert "no audio arrived" in str(recorder.error)
    assert recorder.stop().duration_s == pytest.approx(1.0)


def test_an_unsupported_rate_falls_back_to_a_supported_one(tmp_path: Path) -> None:
    backend = FakeBackend(rates=(44100,), speed=20)
    device = backend.devices().find(None, "input")
    assert choose_rate(backend, device, "input", 96000, 1) == 44100
    recorder = Recorder(backend, tmp_path / "take.wav", sample_rate=96000)
    recorder.start()
    assert recorder.sample_rate == 44100
    assert recorder.notices == (
        "Fake Microphone does not record at 96000 Hz; recording at 44100 Hz instead.",
    )
    wait_for(lambda: recorder.levels().seconds > 0.2)
    assert recorder.stop().sample_rate == 44100


def test_missing_device_and_missing_portaudio_are_clear(tmp_path: Path) -> None:
    with pytest.raises(DeviceUnavailableError, match="'USB Mic' is not connected"):
        Recorder(FakeBackend(), tmp_path / "a.wav", device="USB Mic").start()
    broken = FakeBackend(problem="The PortAudio library is missing (apt install libportaudio2).")
    with pytest.raises(DeviceUnavailableError, match="libportaudio2"):
        Recorder(broken, tmp_path / "b.wav").start()
    assert not list(tmp_path.iterdir())  # nothing half-made is left behind


def test_repair_restores_a_spool_cut_off_by_a_crash(tmp_path: Path) -> None:
    recorder = Recorder(FakeBackend(speed=20), tmp_path / "live.wav", info={"item_id": 7})
    recorder.start()
    try:
        wait_for(lambda: recorder.levels().seconds >= 3.0)
        # The file is locked while it records: start-up repair leaves a live take alone.
        assert repair_take(tmp_path / "live.wav") is None
        crashed = tmp_path / "crashed.wav"
        shutil.copyfile(tmp_path / "live.wav", crashed)
        shutil.copyfile(sidecar_path(tmp_path / "live.wav"), sidecar_path(crashed))
    finally:
        recorder.stop()
    # What a crash leaves: stale sizes in the header, data beyond them, a torn last sample.
    with crashed.open("r+b") as fh:
        fh.seek(4)
        fh.write((36).to_bytes(4, "little"))
        fh.seek(40)
        fh.write((0).to_bytes(4, "little"))
        fh.seek(0, 2)
        fh.write(b"\x01")
    size = crashed.stat().st_size
    repaired = repair_take(crashed)
    assert repaired is not None and repaired.sidecar["item_id"] == 7
    assert repaired.frames == (size - 1 - HEADER_BYTES) // 2
    audio = decode(crashed)
    assert audio.frames == repaired.frames and audio.duration_s >= 3.0


def test_repair_ignores_files_that_are_not_takes(tmp_path: Path) -> None:
    stray = tmp_path / "stray.wav"
    stray.write_bytes(b"not a wave file at all")
    assert repair_take(stray) is None
    shutil.copyfile(SHARED_DATA / "stereo_diarization.wav", tmp_path / "real.wav")
    fixed = repair_take(tmp_path / "real.wav")  # a finished WAV stays as it was
    assert fixed is not None and fixed.frames == 80000


def test_no_more_than_half_a_second_of_audio_is_ever_unsynced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's promise (a crash or a pulled plug loses at most the last half second),
    measured in audio, not in time: at 20x speed the writer must sync every 0.5 s of audio,
    not only every 0.5 s of the clock."""
    synced: list[tuple[int, int]] = []  # (frames written, frames on disk at the header)
    real_sync = spool_module.WavSpool.sync

    def sync(self: spool_module.WavSpool) -> None:
        real_sync(self)
        on_disk = (tmp_path / "take.wav").stat().st_size - HEADER_BYTES
        synced.append((self.frames, on_disk // (2 * self.channels)))

    monkeypatch.setattr(spool_module.WavSpool, "sync", sync)
    recorder = Recorder(FakeBackend(speed=20), tmp_path / "take.wav")
    recorder.start()
    wait_for(lambda: recorder.levels().seconds >= 6.0)
    take = recorder.stop()
    rate = take.sample_rate
    block = rate // 10  # the fake backend's largest block (100 ms) may land after a sync
    frames = [0, *(f for f, _ in synced)]
    gaps = [b - a for a, b in itertools.pairwise(frames)]
    assert len(synced) >= 10 and max(gaps) <= rate // 2 + block
    assert all(on_disk == f for f, on_disk in synced)  # what was synced is the whole data
