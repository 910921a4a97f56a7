"""`record`, `play` and `devices` as a user runs them, on the private PulseAudio; and a kill -9.

A recording process killed with SIGKILL after N seconds must leave a take that the next start
of the studio repairs and files in History, with at least N - 1 seconds of audio.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audio_studio.core.audio.codec import decode
from audio_studio.core.models import HistoryKind, HistoryStatus
from audio_studio.core.store.history import HistoryQuery
from audio_studio.core.store.paths import resolve_paths
from audio_studio.core.store.secrets import MemorySecretStore
from audio_studio.core.studio import open_studio
from tests.support.audio import keep_sink_busy
from tests.support.desktop import PulseServer


def studio(
    *args: str, pulse: PulseServer | None, home: Path, **popen: object
) -> subprocess.Popen[str]:
    env = {**os.environ, **(pulse.env() if pulse else {})}
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "audio_studio", "--home", str(home), *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **popen,
    )


def run(*args: str, pulse: PulseServer | None, home: Path) -> subprocess.CompletedProcess[str]:
    proc = studio(*args, pulse=pulse, home=home)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def wait_for_line(proc: subprocess.Popen[str], text: str, timeout: float = 30.0) -> str:
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], 0.1)
        if ready:
            line = proc.stderr.readline()
            seen += line
            if text in line:
                return line
            if not line and proc.poll() is not None:
                break
    pytest.fail(f"never saw {text!r}; stderr so far:\n{seen}")


def recordings(home: Path) -> list:  # type: ignore[type-arg]
    service = open_studio(resolve_paths(home), secrets=MemorySecretStore())
    try:
        return service.history.query(HistoryQuery(kinds=(HistoryKind.RECORDING,)))
    finally:
        service.db.close()


def test_devices_json_and_table(pulse: PulseServer, tmp_path: Path) -> None:
    listed = run("devices", "--json", pulse=pulse, home=tmp_path / "h")
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert data["problem"] is None and data["input_device"] is None
    names = {d["name"] for d in data["devices"]}
    assert {"pulse", "default"} <= names
    table = run("devices", pulse=pulse, home=tmp_path / "h")
    assert "default input" in table.stdout and "ALSA" in table.stdout


def test_devices_without_a_sound_server_say_what_to_check(tmp_path: Path) -> None:
    gone = PulseServer("unix:/nonexistent/pulse.sock", tmp_path)
    out = run("devices", pulse=gone, home=tmp_path / "h")
    assert out.returncode == 1 and "sound server" in out.stderr and "Traceback" not in out.stderr


def test_record_for_seconds_then_play(pulse: PulseServer, tmp_path: Path) -> None:
    home = tmp_path / "h"
    take = tmp_path / "note.flac"
    with keep_sink_busy(pulse):
        out = run("record", "-o", str(take), "--seconds", "1.5", pulse=pulse, home=home)
        assert out.returncode == 0, out.stderr
        assert "Saved 1.5 s" in out.stderr and "History #1" in out.stderr
        assert decode(take).duration_s == pytest.approx(1.5, abs=0.05)
        [item] = recordings(home)
        assert item.title == "note" and item.status is HistoryStatus.DONE
        started = time.monotonic()
        played = run("play", str(take), pulse=pulse, home=home)
        assert played.returncode == 0, played.stderr
        assert time.monotonic() - started >= 1.5  # it really played, in real time
        assert "Playing note.flac" in played.stderr


def test_ctrl_c_stops_and_keeps_the_take(pulse: PulseServer, tmp_path: Path) -> None:
    home = tmp_path / "h"
    take = tmp_path / "memo.wav"
    with keep_sink_busy(pulse):
        proc = studio("record", "-o", str(take), pulse=pulse, home=home)
        wait_for_line(proc, "Press Ctrl+C to stop")
        time.sleep(1.5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Saved" in err and decode(take).duration_s >= 1.0
    assert [i.status for i in recordings(home)] == [HistoryStatus.DONE]


@pytest.mark.slow
def test_a_killed_recording_is_repaired_at_the_next_start(
    pulse: PulseServer, tmp_path: Path
) -> None:
    seconds = 3
    home = tmp_path / "h"
    with keep_sink_busy(pulse):
        proc = studio("record", "-o", str(tmp_path / "never.wav"), pulse=pulse, home=home)
        wait_for_line(proc, "Press Ctrl+C to stop")
        time.sleep(seconds)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert not (tmp_path / "never.wav").exists()
    spools = list((home / "data" / "recordings").glob("*.wav"))
    assert len(spools) == 1  # the take is on disk, unfinished
    # The next start (here the CLI listing History) repairs it and files it in History.
    listed = run("history", "--json", pulse=None, home=home)
    assert listed.returncode == 0, listed.stderr
    [item] = json.loads(listed.stdout)
    assert item["kind"] == "recording" and item["status"] == "done"
    assert "recovered" in item["tags"]
    assert item["duration_s"] >= seconds - 1
    audio = decode(Path(item["files"][0]["path"]))
    assert audio.duration_s >= seconds - 1
    assert not list((home / "data" / "recordings").iterdir())


def test_usage_and_file_errors(tmp_path: Path) -> None:
    home = tmp_path / "h"
    bad = run("record", "-o", str(tmp_path / "x.doc"), pulse=None, home=home)
    assert bad.returncode == 2 and "x.doc" in bad.stderr
    missing = run("play", str(tmp_path / "nothing.mp3"), pulse=None, home=home)
    assert missing.returncode == 1 and "nothing.mp3" in missing.stderr
    (tmp_path / "notes.wav").write_text("not audio")
    corrupt = run("play", str(tmp_path / "notes.wav"), pulse=None, home=home)
    assert corrupt.returncode == 1 and "notes.wav could not be decoded" in corrupt.stderr
