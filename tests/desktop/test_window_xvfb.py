"""The studio for real: a subprocess on Xvfb, driven with xdotool like a person at the keyboard."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.desktop import SecretService, XServer, need_programs

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def xdo(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, f"xdotool {' '.join(args)}: {out.stderr}"
    return out.stdout.strip()


def wait_for(check, what: str, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    return proc.stdout.readline().strip() if ready else ""


@pytest.mark.slow
def test_window_tabs_settings_key_and_screenshot(
    xvfb: XServer, secret_service: SecretService, tmp_path: Path
) -> None:
    need_programs("xdotool", "import")
    home = tmp_path / "home"
    log = home / "logs" / "audio-studio.log"
    env = {k: v for k, v in os.environ.items() if k != "AUDIO_STUDIO_KEYRING"}
    env.update(
        **xvfb.env(),
        **secret_service.env(),
        AUDIO_STUDIO_HOME=str(home),
        AUDIO_STUDIO_ANNOUNCE_SHOWN="1",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "audio_studio"],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        shown = read_line(proc, 30)
        assert shown == "AUDIO_STUDIO_SHOWN", proc.stderr.read() if proc.poll() else shown
        assert read_line(proc, 30) == "AUDIO_STUDIO_READY"
        window = xdo(env, "search", "--sync", "--name", "^Audio Studio$").splitlines()[0]
        xdo(env, "windowfocus", "--sync", window)
        for keys, tab in (
            ("ctrl+2", "Transcription"),
            ("ctrl+3", "Sound (effects & music)"),
            ("ctrl+4", "History"),
            ("ctrl+1", "Narration"),
        ):
            xdo(env, "key", keys)
            wait_for(lambda t=tab: f"tab changed to {t}\n" in log.read_text(), f"tab {tab}")
        xdo(env, "key", "ctrl+comma")
        # Ready = the key state was read from the keyring and the key field has the focus.
        wait_for(lambda: "settings dialog ready" in log.read_text(), "the Settings dialog")
        dialog = xdo(env, "search", "--sync", "--name", "^Settings").splitlines()[0]
        xdo(env, "windowfocus", "--sync", dialog)
        xdo(env, "type", "--delay", "5", "sk-xvfb-test-0123456789")
        xdo(env, "key", "Return")
        wait_for(lambda: "API key saved for openai (keyring)" in log.read_text(), "the key saved")
        assert secret_service.lookup("openai") == "sk-xvfb-test-0123456789"
        time.sleep(0.3)  # let the page repaint its "A key is stored." line for the screenshot
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / "xvfb-settings.png"
        subprocess.run(["import", "-window", "root", str(shot)], env=env, check=True, timeout=30)
        assert shot.stat().st_size > 10_000
        xdo(env, "key", "Escape")
        wait_for(lambda: "settings dialog closed" in log.read_text(), "the dialog to close")
        xdo(env, "key", "ctrl+4")
        subprocess.run(
            ["import", "-window", "root", str(ARTIFACTS / "xvfb-history.png")],
            env=env,
            check=True,
            timeout=30,
        )
        xdo(env, "windowfocus", "--sync", window)
        xdo(env, "key", "ctrl+q")
        assert proc.wait(20) == 0
        text = log.read_text()
        assert "shutting down" in text and "sk-xvfb-test" not in text
        assert "Traceback" not in text
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
