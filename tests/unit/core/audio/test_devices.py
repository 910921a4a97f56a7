"""Without PortAudio the studio starts and says what to install; device lookup by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from audio_studio.core.audio import devices
from audio_studio.core.audio.backend import DeviceInfo, DeviceList
from audio_studio.core.audio.player import Player
from audio_studio.core.audio.recorder import Recorder
from audio_studio.core.errors import DeviceUnavailableError
from tests.support.audio import tone


def test_missing_portaudio_disables_audio_with_the_package_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def no_library() -> None:
        raise OSError("PortAudio library not found")  # what `import sounddevice` raises

    monkeypatch.setattr(devices, "_sounddevice", no_library)
    assert "libportaudio2" in (devices.backend_problem() or "")
    listing = devices.list_devices()
    assert listing.devices == () and "libportaudio2" in (listing.problem or "")
    assert devices.refresh().problem == listing.problem
    backend = devices.default_backend()
    assert "libportaudio2" in (backend.problem or "")
    with pytest.raises(DeviceUnavailableError, match="libportaudio2"):
        Recorder(backend, tmp_path / "take.wav").start()
    player = Player(backend)
    player.load(tone())
    with pytest.raises(DeviceUnavailableError, match="libportaudio2"):
        player.play()


def test_devices_are_found_by_name_part_or_index() -> None:
    listing = DeviceList(
        (
            DeviceInfo(0, "HDA Intel PCH: ALC257 Analog (hw:0,0)", "ALSA", 2, 2, 48000.0),
            DeviceInfo(1, "Blue Yeti", "ALSA", 2, 0, 48000.0, is_default_input=True),
            DeviceInfo(2, "default", "ALSA", 32, 32, 44100.0, False, True),
        )
    )
    assert listing.find(None, "input").name == "Blue Yeti"
    assert listing.find(None, "output").name == "default"
    assert listing.find("blue yeti", "input").index == 1
    assert listing.find("ALC257", "output").index == 0
    assert listing.find("2", "output").name == "default"
    with pytest.raises(DeviceUnavailableError, match="'Blue Yeti' is not connected"):
        listing.find("Blue Yeti", "output")  # it has no outputs
    with pytest.raises(DeviceUnavailableError, match="sound server"):
        DeviceList(()).find(None, "input")
