"""Desktop integration: the .desktop entry and AppStream metainfo validate; icons are complete."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.desktop import need_programs

ROOT = Path(__file__).resolve().parents[1]
APP_ID = "io.github.audiostudio.AudioStudio"
RESOURCES = ROOT / "resources"


def test_desktop_entry_validates() -> None:
    need_programs("desktop-file-validate")
    out = subprocess.run(
        ["desktop-file-validate", str(RESOURCES / f"{APP_ID}.desktop")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 and out.stdout.strip() == "", out.stdout + out.stderr


def test_metainfo_validates() -> None:
    need_programs("appstreamcli")
    out = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(RESOURCES / f"{APP_ID}.metainfo.xml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_icons_exist_in_every_size_and_the_app_copy_matches() -> None:
    svg = RESOURCES / "icons" / f"{APP_ID}.svg"
    assert (
        svg.read_bytes()
        == (ROOT / "audio_studio" / "ui" / "assets" / "audio-studio.svg").read_bytes()
    )
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        png = RESOURCES / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (RESOURCES / "icons" / "audio-studio.ico").stat().st_size > 1000
    assert (RESOURCES / "icons" / "audio-studio.icns").read_bytes()[:4] == b"icns"
