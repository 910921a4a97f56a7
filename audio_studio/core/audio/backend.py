"""What the recorder and player need from an audio system: devices, rates, streams.

``devices.PortAudioBackend`` is the real implementation and ``fake.FakeBackend`` the one for
unit tests and benchmarks; both follow ``AudioBackend``. Stream callbacks run on the audio
thread: they must not log, block or touch Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from audio_studio.core.errors import DeviceUnavailableError

__all__ = [
    "LOST_DEVICE",
    "NO_DEVICES_HINT",
    "STANDARD_RATES",
    "AudioBackend",
    "AudioStream",
    "DeviceInfo",
    "DeviceList",
    "FinishedCallback",
    "InputCallback",
    "Kind",
    "OutputCallback",
    "Samples",
    "choose_rate",
    "supported_rates",
]

Kind = Literal["input", "output"]
Samples = npt.NDArray[np.float32]
# block (frames, channels), a copy the receiver may keep; True when the device overflowed.
InputCallback = Callable[[Samples, bool], None]
# fill the (frames, channels) buffer in place; return False once there is nothing more to play.
OutputCallback = Callable[[Samples], bool]
# None after a normal stop, else why the stream ended on its own (device gone, server died).
FinishedCallback = Callable[[str | None], None]

LOST_DEVICE = "the device stopped delivering audio (unplugged, or the sound server stopped)"
STANDARD_RATES = (8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000, 192000)

NO_DEVICES_HINT = (
    "No audio devices were found. Check that a sound server (PulseAudio or PipeWire) is running "
    "and, on Linux, that libasound2-plugins is installed; then open Tools → Device doctor."
)


@dataclass(frozen=True)
class DeviceInfo:
    index: int
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool = False
    is_default_output: bool = False

    @property
    def label(self) -> str:
        return f"{self.name} ({self.host_api})"


@dataclass(frozen=True)
class DeviceList:
    devices: tuple[DeviceInfo, ...]
    problem: str | None = None  # why recording/playback cannot work, for the user

    @property
    def inputs(self) -> tuple[DeviceInfo, ...]:
        return tuple(d for d in self.devices if d.max_input_channels > 0)

    @property
    def outputs(self) -> tuple[DeviceInfo, ...]:
        return tuple(d for d in self.devices if d.max_output_channels > 0)

    def default(self, kind: Kind) -> DeviceInfo | None:
        flag = "is_default_input" if kind == "input" else "is_default_output"
        pool = self.inputs if kind == "input" else self.outputs
        return next((d for d in pool if getattr(d, flag)), pool[0] if pool else None)

    def find(self, name: str | None, kind: Kind) -> DeviceInfo:
        """The device Settings or ``--device`` names: exact name, then a part of it, or an index.

        None means the system default.

        Raises:
            DeviceUnavailableError: no such device (unplugged?) or no device at all.
        """
        what = "microphone" if kind == "input" else "output device"
        pool = self.inputs if kind == "input" else self.outputs
        if name is None or name == "":
            chosen = self.default(kind)
            if chosen is None:
                raise DeviceUnavailableError(self.problem or NO_DEVICES_HINT)
            return chosen
        wanted = name.strip()
        for test in (
            lambda d: d.name == wanted,
            lambda d: d.name.lower() == wanted.lower(),
            lambda d: wanted.isdigit() and d.index == int(wanted),
            lambda d: wanted.lower() in d.name.lower(),
        ):
            match = next((d for d in pool if test(d)), None)
            if match is not None:
                return match
        names = ", ".join(repr(d.name) for d in pool) or "none"
        raise DeviceUnavailableError(
            f"The {what} {wanted!r} is not connected (found: {names}). Plug it in, or choose "
            "another one in Settings → Audio; Tools → Device doctor tests each device."
        )


class AudioStream(Protocol):
    """An open input or output stream; ``close`` is idempotent and never raises."""

    sample_rate: int
    channels: int
    device: DeviceInfo

    def start(self) -> None: ...

    def close(self) -> None: ...

    @property
    def active(self) -> bool: ...


class AudioBackend(Protocol):
    """What the recorder, the player and the Device doctor need from an audio system."""

    name: str

    @property
    def problem(self) -> str | None: ...

    def devices(self) -> DeviceList: ...

    def refresh(self) -> DeviceList: ...

    def supports(self, device: DeviceInfo, kind: Kind, rate: int, channels: int) -> bool: ...

    def open_input(
        self,
        device: DeviceInfo,
        *,
        sample_rate: int,
        channels: int,
        callback: InputCallback,
        finished: FinishedCallback,
        blocksize: int = 0,
    ) -> AudioStream: ...

    def open_output(
        self,
        device: DeviceInfo,
        *,
        sample_rate: int,
        channels: int,
        callback: OutputCallback,
        finished: FinishedCallback,
        blocksize: int = 0,
    ) -> AudioStream: ...


def choose_rate(
    backend: AudioBackend, device: DeviceInfo, kind: Kind, wanted: int | None, channels: int
) -> int:
    """``wanted`` if the device takes it, else its default rate, 48 kHz, 44.1 kHz, the nearest.

    Raises:
        DeviceUnavailableError: the device accepts none of the usual rates.
    """
    native = int(device.default_samplerate) or 48000
    first = [wanted] if wanted else []
    rest = sorted(STANDARD_RATES, key=lambda r: abs(r - (wanted or native)))
    for rate in dict.fromkeys([*first, native, 48000, 44100, *rest]):
        if backend.supports(device, kind, rate, channels):
            return rate
    raise DeviceUnavailableError(
        f"{device.name} accepts none of the usual sample rates with {channels} channel(s). "
        "Another program may be using it exclusively; close it, or pick another device."
    )


def supported_rates(
    backend: AudioBackend, device: DeviceInfo, kind: Kind, channels: int = 1
) -> tuple[int, ...]:
    """The standard rates the device accepts (the Device doctor's rate probe)."""
    return tuple(r for r in STANDARD_RATES if backend.supports(device, kind, r, channels))
