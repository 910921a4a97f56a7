"""Audio test helpers: tones, frequency checks, and the studio pointed at a private PulseAudio.

``pulse_audio`` (function scope) points PortAudio at the session's private PulseAudio (the
``pulse`` fixture) and re-initialises it, since PortAudio only enumerates devices when it
starts. ``keep_sink_busy`` plays silence into the null sink with a short latency: an idle null
sink sleeps up to two seconds between renders, so new streams on it (and on its monitor, our
microphone) would only start at its next wake-up, and the monitor would deliver in bursts.
Real sound cards do not do this. ``spare_pulse`` starts a second, throw-away PulseAudio that a test
may kill to make a device disappear.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from audio_studio.core.audio import devices
from audio_studio.core.audio.codec import AudioData
from tests.support.data import DATA
from tests.support.desktop import PulseServer, environ, need_programs

REPO = Path(__file__).resolve().parents[2]


SHARED_DATA = DATA


def tone(
    freq: float = 1000.0,
    seconds: float = 1.0,
    rate: int = 48000,
    amplitude: float = 0.5,
    channels: int = 1,
) -> AudioData:
    t = np.arange(int(seconds * rate), dtype=np.float64) / rate
    wave = (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return AudioData(np.tile(wave[:, None], (1, channels)), rate)


def dominant_frequency(samples: npt.NDArray[np.float32], rate: int) -> float:
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    window = np.hanning(len(mono))
    spectrum = np.abs(np.fft.rfft(mono * window))
    spectrum[0] = 0
    peak = int(np.argmax(spectrum))
    # Parabolic interpolation between bins for sub-bin accuracy.
    if 0 < peak < len(spectrum) - 1:
        a, b, c = np.log(spectrum[peak - 1 : peak + 2] + 1e-12)
        peak += 0.5 * (a - c) / (a - 2 * b + c)
    return float(peak * rate / len(mono))


def rms(samples: npt.NDArray[np.float32]) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))


@pytest.fixture
def pulse_audio(pulse: PulseServer) -> Iterator[PulseServer]:
    """The private PulseAudio as the studio's sound server, PortAudio re-initialised for it."""
    with environ(pulse.env()):
        devices.refresh()
        yield pulse
    devices.refresh()


@contextlib.contextmanager
def keep_sink_busy(pulse: PulseServer, seconds: float = 60.0) -> Iterator[None]:
    """Silence into the null sink with 20 ms latency, so it renders (and its monitor flows)."""
    need_programs("paplay")
    folder = Path(tempfile.mkdtemp(prefix="studio-busy-"))
    try:
        path = folder / "busy.wav"
        import soundfile as sf

        sf.write(path, np.zeros(int(seconds * 48000), np.float32), 48000)
        proc = subprocess.Popen(
            ["paplay", "--latency-msec=20", str(path)],
            env={**os.environ, **pulse.env()},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(0.2)
            yield
        finally:
            proc.terminate()
            proc.wait(5)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def spare_pulse() -> Iterator[tuple[PulseServer, subprocess.Popen[bytes]]]:
    """A second private PulseAudio (null sink + remapped mic); the test may kill the process."""
    need_programs("pulseaudio", "pactl")
    runtime = Path(tempfile.mkdtemp(prefix="studio-spare-pulse-"))
    runtime.chmod(0o700)
    sock = runtime / "pulse.sock"
    proc = subprocess.Popen(
        [
            "pulseaudio", "-n", "--daemonize=no", "--use-pid-file=no", "--exit-idle-time=-1",
            "--disallow-exit", "--disable-shm=yes",
            f"--load=module-native-protocol-unix socket={sock} auth-anonymous=1",
            "--load=module-null-sink sink_name=spare_sink rate=48000",
            "--load=module-remap-source master=spare_sink.monitor source_name=spare_mic",
        ],
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime), "HOME": str(runtime)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    server = PulseServer(f"unix:{sock}", runtime, sink="spare_sink", source="spare_mic")
    try:
        deadline = time.monotonic() + 10
        while True:
            if proc.poll() is not None:
                raise RuntimeError("the spare PulseAudio exited at start")
            try:
                server.pactl("info")
                break
            except subprocess.CalledProcessError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        server.pactl("set-default-sink", server.sink)
        server.pactl("set-default-source", server.source)
        yield server, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(5)
        shutil.rmtree(runtime, ignore_errors=True)


async def poll_until(check: Callable[[], bool], seconds: float = 10.0) -> None:
    """Await until ``check()`` is true: recorder and player state changes on audio threads."""
    import asyncio

    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the audio thread")
        await asyncio.sleep(0.01)
