"""The PyInstaller bundle: it builds, the bundled window starts on Xvfb, the bundled CLI speaks."""

from __future__ import annotations

import os
import select
import subprocess
from pathlib import Path

import pytest

from audio_studio.core.audio.codec import decode
from tests.support.desktop import XServer

ROOT = Path(__file__).resolve().parents[2]


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_bundle_builds_starts_and_speaks_offline(
    xvfb: XServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {
        **os.environ,
        "AUDIO_STUDIO_DIST": str(tmp_path / "dist"),
        "AUDIO_STUDIO_BUILD": str(tmp_path / "build"),
    }
    built = subprocess.run(
        [str(ROOT / "packaging" / "build"), "--with-models"],
        env=env,
        capture_output=True,
        text=True,
        timeout=800,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    bundle = tmp_path / "dist" / "audio-studio"
    size = folder_size(bundle)
    with capsys.disabled():
        print(f"\nbundle: {bundle} is {size / 1e6:.0f} MB with the offline models")
    assert size > 100e6

    home = tmp_path / "home"
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("AUDIO_STUDIO_HOME")}
    run_env.update(
        **xvfb.env(),
        AUDIO_STUDIO_HOME=str(home),
        AUDIO_STUDIO_ANNOUNCE_SHOWN="1",
        AUDIO_STUDIO_KEYRING="memory",
        DBUS_SESSION_BUS_ADDRESS="disabled:",
    )
    window = subprocess.Popen(
        [str(bundle / "audio-studio")],
        env=run_env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert window.stdout is not None
        lines = []
        for _ in range(2):
            ready, _, _ = select.select([window.stdout], [], [], 60)
            lines.append(window.stdout.readline().strip() if ready else "")
        assert lines == ["AUDIO_STUDIO_SHOWN", "AUDIO_STUDIO_READY"], window.stderr.read()
        window.terminate()  # SIGTERM closes the window the orderly way
        assert window.wait(30) == 0
    finally:
        if window.poll() is None:
            window.kill()
            window.wait(10)
        for stream in (window.stdout, window.stderr):
            if stream:
                stream.close()
    assert "shutting down" in (home / "logs" / "audio-studio.log").read_text()

    out = tmp_path / "hello.wav"
    spoken = subprocess.run(
        [
            str(bundle / "audio-studio-cli"),
            "speak",
            "The bundled studio speaks offline.",
            "-o",
            str(out),
        ],
        env=run_env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert spoken.returncode == 0, spoken.stderr
    audio = decode(out)
    assert 1.0 < audio.duration_s < 6.0
    history = subprocess.run(
        [str(bundle / "audio-studio-cli"), "history", "--json"],
        env=run_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert '"kind": "speech"' in history.stdout
