"""Lint of the Flatpak manifest: it parses, names the app as the desktop files do, asks for what the
studio needs (sound server, keyring, network), and every file it installs exists."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "packaging" / "flatpak" / "io.github.audiostudio.AudioStudio.yml"


def test_manifest_is_consistent_with_the_project() -> None:
    data = yaml.safe_load(MANIFEST.read_text())
    app_id = data["app-id"]
    assert (ROOT / "resources" / f"{app_id}.desktop").is_file()
    assert (ROOT / "resources" / f"{app_id}.metainfo.xml").is_file()
    assert data["runtime"].startswith("org.kde.") and data["sdk"].startswith("org.kde.")
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert data["command"] in scripts
    args = set(data["finish-args"])
    for needed in (
        "--socket=pulseaudio",
        "--talk-name=org.freedesktop.secrets",
        "--share=network",
        "--socket=wayland",
        "--share=ipc",
    ):
        assert needed in args, needed
    studio = next(m for m in data["modules"] if isinstance(m, dict) and m["name"] == "audio-studio")
    for command in studio["build-commands"]:
        for path in re.findall(r"\bresources/\S+", command):
            if "${s}" in path:
                for size in (16, 24, 32, 48, 64, 128, 256, 512):
                    assert (ROOT / path.replace("${s}", str(size))).is_file(), path
            else:
                assert (ROOT / path).is_file(), path
    for module in data["modules"]:
        for source in module.get("sources", []) if isinstance(module, dict) else []:
            if source["type"] == "archive":
                assert source["url"].startswith("https://") and len(source["sha256"]) == 64
