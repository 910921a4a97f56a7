"""Audio devices through PortAudio; the only module that imports sounddevice.

If the PortAudio library is missing (``import sounddevice`` raises OSError) or no audio server
answers, the studio still starts: recording and playback are disabled with a message that
names what to install or start.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

__all__ = ["DeviceInfo", "DeviceList", "list_devices"]

log = logging.getLogger(__name__)

PORTAUDIO_HINT = (
    "The PortAudio library is missing, so recording and playback are off. Install it "
    "(Debian/Ubuntu: apt install libportaudio2; Fedora: dnf install portaudio; "
    "macOS and Windows: reinstall the studio) and restart."
)
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


def _sounddevice() -> Any:
    import sounddevice

    return sounddevice


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
