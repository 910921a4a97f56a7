"""Audio devices through PortAudio; the only module that imports sounddevice.

``PortAudioBackend`` is the real ``backend.AudioBackend`` the recorder and the player use
(``fake.FakeBackend`` stands in for unit tests and benchmarks). If the PortAudio library is
missing (``import sounddevice`` raises OSError) or no audio server answers, the studio still
starts: ``backend_problem`` and ``DeviceList.problem`` say what to install or start, and
opening a stream raises DeviceUnavailableError with that message.

Threads: stream callbacks run on PortAudio's audio thread. They must not log, block or touch
Qt; the callbacks the recorder and player hand in only copy or enqueue. Everything else here
is blocking (device queries take milliseconds to seconds): call it via asyncio.to_thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from audio_studio.core.audio.backend import (
    LOST_DEVICE,
    NO_DEVICES_HINT,
    AudioBackend,
    AudioStream,
    DeviceInfo,
    DeviceList,
    FinishedCallback,
    InputCallback,
    Kind,
    OutputCallback,
)
from audio_studio.core.errors import DeviceUnavailableError

__all__ = [
    "PORTAUDIO_HINT",
    "DeviceInfo",
    "DeviceList",
    "PortAudioBackend",
    "backend_problem",
    "default_backend",
    "list_devices",
    "refresh",
]

log = logging.getLogger(__name__)

PORTAUDIO_HINT = (
    "The PortAudio library is missing, so recording and playback are off. Install it "
    "(Debian/Ubuntu: apt install libportaudio2; Fedora: dnf install portaudio; "
    "macOS and Windows: reinstall the studio) and restart."
)


def _sounddevice() -> Any:
    import sounddevice

    return sounddevice


def backend_problem() -> str | None:
    """Why PortAudio cannot be used at all (library missing), or None."""
    try:
        _sounddevice()
    except OSError:
        return PORTAUDIO_HINT
    return None


def list_devices() -> DeviceList:
    """Every input and output device PortAudio sees. Blocking: call via asyncio.to_thread."""
    try:
        sd = _sounddevice()
    except OSError:
        return DeviceList((), PORTAUDIO_HINT)
    try:
        raw = sd.query_devices()
        apis = sd.query_hostapis()
        default_in, default_out = sd.default.device
    except Exception as exc:  # PortAudioError when no server answers
        log.warning("querying audio devices failed: %s", exc)
        return DeviceList((), NO_DEVICES_HINT)
    devices = tuple(
        DeviceInfo(
            index=i,
            name=str(d["name"]),
            host_api=str(apis[d["hostapi"]]["name"]),
            max_input_channels=int(d["max_input_channels"]),
            max_output_channels=int(d["max_output_channels"]),
            default_samplerate=float(d["default_samplerate"]),
            is_default_input=i == default_in,
            is_default_output=i == default_out,
        )
        for i, d in enumerate(raw)
    )
    return DeviceList(devices, None if devices else NO_DEVICES_HINT)


_open_streams = 0
_streams_lock = threading.Lock()
_generation = 0  # bumped by every re-initialisation: device indexes may have changed


def refresh() -> DeviceList:
    """Re-initialise PortAudio so devices plugged in (or a sound server started) since are seen.

    PortAudio enumerates devices only when it initialises. Re-initialising closes every stream,
    so it is skipped while one is open. Blocking.
    """
    global _generation
    try:
        sd = _sounddevice()
    except OSError:
        return DeviceList((), PORTAUDIO_HINT)
    with _streams_lock:
        if _open_streams == 0:
            _generation += 1
            try:
                sd._terminate()
                sd._initialize()
            except Exception as exc:
                log.warning("re-initialising PortAudio failed: %s", exc)
    return list_devices()


class _PortAudioStream:
    def __init__(self, stream: Any, device: DeviceInfo, rate: int, channels: int) -> None:
        self._stream = stream
        self.device = device
        self.sample_rate = rate
        self.channels = channels
        self._closed = False
        self.stopped = False  # the callback said it had nothing more to play

    @property
    def active(self) -> bool:
        return not self._closed and bool(self._stream.active)

    def start(self) -> None:
        try:
            self._stream.start()
        except Exception as exc:
            self.close()
            raise _device_error(self.device, exc) from exc

    def close(self) -> None:
        global _open_streams
        if self._closed:
            return
        self._closed = True
        try:
            self._stream.close(ignore_errors=True)
        except Exception:  # a stream whose device vanished may fail to close; it is gone anyway
            pass
        with _streams_lock:
            _open_streams -= 1


class PortAudioBackend:
    """The real audio system through sounddevice/PortAudio."""

    name = "PortAudio"

    def __init__(self) -> None:
        self._devices: DeviceList | None = None
        self._generation = -1

    @property
    def problem(self) -> str | None:
        return backend_problem() or self.devices().problem

    def devices(self) -> DeviceList:
        if self._devices is None or self._generation != _generation:
            self._generation = _generation
            self._devices = list_devices()
        return self._devices

    def refresh(self) -> DeviceList:
        self._devices = refresh()
        self._generation = _generation
        return self._devices

    def supports(self, device: DeviceInfo, kind: Kind, rate: int, channels: int) -> bool:
        try:
            sd = _sounddevice()
            check = sd.check_input_settings if kind == "input" else sd.check_output_settings
            check(device=device.index, samplerate=rate, channels=channels, dtype="float32")
        except Exception:
            return False
        return True

    def open_input(
        self,
        device: DeviceInfo,
        *,
        sample_rate: int,
        channels: int,
        callback: InputCallback,
        finished: FinishedCallback,
        blocksize: int = 0,
    ) -> AudioStream:
        def on_block(indata: Any, _frames: int, _time: Any, status: Any) -> None:
            # PortAudio reuses indata after we return: hand over a copy, nothing else.
            callback(indata.copy(), bool(status.input_overflow))

        return self._open("input", device, sample_rate, channels, blocksize, on_block, finished)

    def open_output(
        self,
        device: DeviceInfo,
        *,
        sample_rate: int,
        channels: int,
        callback: OutputCallback,
        finished: FinishedCallback,
        blocksize: int = 0,
    ) -> AudioStream:
        sd = _sounddevice()

        def on_block(outdata: Any, _frames: int, _time: Any, _status: Any) -> None:
            if not callback(outdata):
                raise sd.CallbackStop

        return self._open("output", device, sample_rate, channels, blocksize, on_block, finished)

    def _open(
        self,
        kind: Kind,
        device: DeviceInfo,
        rate: int,
        channels: int,
        blocksize: int,
        on_block: Callable[..., None],
        finished: FinishedCallback,
    ) -> AudioStream:
        global _open_streams
        problem = backend_problem()
        if problem:
            raise DeviceUnavailableError(problem)
        sd = _sounddevice()
        handle: list[_PortAudioStream] = []

        def on_finished() -> None:
            # Called once when the stream ends: by close(), by CallbackStop (stopped flag set by
            # the stream wrapper's callback), or because the device or sound server went away.
            ours = handle[0] if handle else None
            normal = ours is None or ours._closed or ours.stopped
            finished(None if normal else LOST_DEVICE)

        def guarded(*args: Any) -> None:
            try:
                on_block(*args)
            except sd.CallbackStop:
                handle[0].stopped = True
                raise

        cls = sd.InputStream if kind == "input" else sd.OutputStream
        try:
            stream = cls(
                device=device.index,
                samplerate=rate,
                channels=channels,
                dtype="float32",
                blocksize=blocksize,
                callback=guarded,
                finished_callback=on_finished,
            )
        except Exception as exc:
            raise _device_error(device, exc) from exc
        with _streams_lock:
            _open_streams += 1
        wrapped = _PortAudioStream(stream, device, rate, channels)
        handle.append(wrapped)
        return wrapped


def _device_error(device: DeviceInfo, exc: BaseException) -> DeviceUnavailableError:
    text = str(exc)
    if "Invalid sample rate" in text:
        hint = "It refused the sample rate; pick another device or rate."
    elif "busy" in text.lower() or "Unanticipated host error" in text:
        hint = "Another program may be using it exclusively; close that program and try again."
    else:
        hint = "Check that it is connected and allowed (Tools → Device doctor explains how)."
    return DeviceUnavailableError(f"{device.name} could not be opened ({text}). {hint}")


def default_backend() -> AudioBackend:
    """The real backend; its ``problem`` says when PortAudio or devices are missing."""
    return PortAudioBackend()
