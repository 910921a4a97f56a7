"""A fake audio system for unit tests and benchmarks: replays a file or a sine in blocks.

Like Buzz's mock sounddevice, input streams feed a real signal from a thread, paced at
``speed`` times real time (0 = as fast as the receiver takes it); output streams pull blocks
from the player's callback the same way and can keep what was "played" for assertions.
It can also pretend the device vanished after some seconds, or overflowed on given blocks.
The user never meets this backend: the real one is devices.PortAudioBackend.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

from audio_studio.core.audio.backend import (
    LOST_DEVICE,
    DeviceInfo,
    DeviceList,
    FinishedCallback,
    InputCallback,
    Kind,
    OutputCallback,
    Samples,
)
from audio_studio.core.audio.codec import AudioData, resample
from audio_studio.core.errors import DeviceUnavailableError

__all__ = ["FakeBackend", "sine"]


def sine(
    freq: float = 1000.0, seconds: float = 1.0, rate: int = 48000, amplitude: float = 0.5
) -> AudioData:
    """A mono sine; 1 s of 1 kHz holds whole cycles, so it loops without a click."""
    t = np.arange(int(seconds * rate), dtype=np.float64) / rate
    wave = (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return AudioData(wave.reshape(-1, 1), rate)


class FakeBackend:
    """An AudioBackend with one fake microphone and one fake speaker."""

    name = "fake"

    def __init__(
        self,
        source: AudioData | None = None,
        *,
        speed: float = 1.0,
        block_frames: int = 1024,
        rates: tuple[int, ...] = (16000, 22050, 44100, 48000),
        default_rate: int = 48000,
        channels: int = 2,
        input_seconds: float | None = None,
        fail_after_s: float | None = None,
        overflow_blocks: frozenset[int] = frozenset(),
        keep_output: bool = False,
        problem: str | None = None,
    ) -> None:
        self.source = source or sine()
        self.speed = speed
        self.block_frames = block_frames
        self.rates = rates
        self.channels = channels
        self.input_seconds = input_seconds
        self.fail_after_s = fail_after_s
        self.overflow_blocks = overflow_blocks
        self.keep_output = keep_output
        self._problem = problem
        self.played: list[Samples] = []  # output blocks, when keep_output
        self.opened: list[tuple[Kind, int, int]] = []  # (kind, rate, channels) per stream
        self._list = DeviceList(
            (
                DeviceInfo(0, "Fake Microphone", "Fake", channels, 0, default_rate, True, False),
                DeviceInfo(1, "Fake Speakers", "Fake", 0, channels, default_rate, False, True),
            )
        )

    @property
    def problem(self) -> str | None:
        return self._problem

    def devices(self) -> DeviceList:
        return DeviceList((), self._problem) if self._problem else self._list

    def refresh(self) -> DeviceList:
        return self.devices()

    def supports(self, device: DeviceInfo, kind: Kind, rate: int, channels: int) -> bool:
        limit = device.max_input_channels if kind == "input" else device.max_output_channels
        return rate in self.rates and 1 <= channels <= limit

    def open_input(
        self,
        device: DeviceInfo,
        *,
        sample_rate: int,
        channels: int,
        callback: InputCallback,
        finished: FinishedCallback,
        blocksize: int = 0,
    ) -> _FakeStream:
        self._check(device, "input", sample_rate, channels)
        signal = resample(self.source, sample_rate).samples
        signal = np.ascontiguousarray(
            signal[:, :channels] if signal.shape[1] >= channels else np.tile(signal, (1, channels))
        )
        limit = None if self.input_seconds is None else int(self.input_seconds * sample_rate)
        fail = None if self.fail_after_s is None else int(self.fail_after_s * sample_rate)
        position = 0
        count = 0

        def step(frames: int) -> str | None:
            nonlocal position, count
            if fail is not None and position >= fail:
                return LOST_DEVICE
            if limit is not None and position >= limit:
                return "idle"
            take = frames if limit is None else min(frames, limit - position)
            start = position % len(signal)
            idx = (
                (np.arange(start, start + take) % len(signal))
                if start + take > len(signal)
                else None
            )
            block = signal[idx] if idx is not None else signal[start : start + take].copy()
            callback(block, count in self.overflow_blocks)
            position += take
            count += 1
            return None

        return self._stream(device, sample_rate, channels, blocksize, step, finished)

    def open_output(
        self,
        device: DeviceInfo,
        *,
        sample_rate: int,
        channels: int,
        callback: OutputCallback,
        finished: FinishedCallback,
        blocksize: int = 0,
    ) -> _FakeStream:
        self._check(device, "output", sample_rate, channels)
        fail = None if self.fail_after_s is None else int(self.fail_after_s * sample_rate)
        position = 0

        def step(frames: int) -> str | None:
            nonlocal position
            if fail is not None and position >= fail:
                return LOST_DEVICE
            position += frames
            buffer = np.zeros((frames, channels), np.float32)
            more = callback(buffer)
            if self.keep_output:
                self.played.append(buffer)
            return None if more else "done"

        return self._stream(device, sample_rate, channels, blocksize, step, finished)

    def played_audio(self, rate: int) -> AudioData:
        """Everything played so far, joined (keep_output=True)."""
        if not self.played:
            return AudioData(np.zeros((0, 1), np.float32), rate)
        return AudioData(np.concatenate(self.played), rate)

    def _check(self, device: DeviceInfo, kind: Kind, rate: int, channels: int) -> None:
        if self._problem:
            raise DeviceUnavailableError(self._problem)
        if not self.supports(device, kind, rate, channels):
            raise DeviceUnavailableError(f"{device.name} refused {rate} Hz, {channels} channel(s).")
        self.opened.append((kind, rate, channels))

    def _stream(
        self,
        device: DeviceInfo,
        rate: int,
        channels: int,
        blocksize: int,
        step: Callable[[int], str | None],
        finished: FinishedCallback,
    ) -> _FakeStream:
        frames = blocksize or self.block_frames
        return _FakeStream(device, rate, channels, frames, self.speed, step, finished)


class _FakeStream:
    def __init__(
        self,
        device: DeviceInfo,
        rate: int,
        channels: int,
        frames: int,
        speed: float,
        step: Callable[[int], str | None],
        finished: FinishedCallback,
    ) -> None:
        self.device = device
        self.sample_rate = rate
        self.channels = channels
        self._frames = frames
        self._speed = speed
        self._step = step
        self._finished = finished
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def active(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="fake-audio", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)

    def _run(self) -> None:
        began = time.monotonic()
        delivered = 0
        reason: str | None = None
        while not self._stop.is_set():
            outcome = self._step(self._frames)
            if outcome == "idle":
                self._stop.wait(0.01)
                continue
            if outcome is not None:
                reason = None if outcome == "done" else outcome
                break
            delivered += self._frames
            if self._speed > 0:
                due = began + delivered / (self.sample_rate * self._speed)
                delay = due - time.monotonic()
                if delay > 0:
                    self._stop.wait(delay)
        self._finished(None if self._stop.is_set() else reason)
