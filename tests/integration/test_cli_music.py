"""`audio-studio music` and `audio-studio jobs` as a user runs them, against the loopback server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.servers.audio import mp3_bytes
from tests.servers.base import Fault
from tests.servers.studio_wire import base_urls
from tests.support.wire import KEYS

JSON = {"Content-Type": "application/json"}


def cli(home: Path, *args: str, key: str = KEYS["gateway"]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AUDIO_STUDIO_API_KEY": key}
    return subprocess.run(
        [sys.executable, "-m", "audio_studio", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_music_waits_writes_the_file_and_history(tmp_path, wire):
    wire.state["polls_to_finish"] = 1
    out = tmp_path / "bed.mp3"
    url = base_urls(wire)["gateway"]
    run = cli(tmp_path / "h", "music", "synthwave", "-o", str(out), "--provider", "gateway",
              "--base-url", url, "--duration", "5")  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert out.read_bytes() == mp3_bytes()
    assert "music:" in run.stderr and f"Wrote {out}" in run.stderr and run.stdout == ""
    history = cli(tmp_path / "h", "history", "--json")
    (item,) = json.loads(history.stdout)
    assert item["kind"] == "music" and item["status"] == "done" and item["provider"] == "gateway"


def test_no_wait_then_jobs_list_resume_and_cancel(tmp_path, wire):
    wire.state["polls_to_finish"] = 1
    home, url = tmp_path / "h", base_urls(wire)["gateway"]
    later = tmp_path / "later.wav"
    run = cli(home, "music", "lofi", "-o", str(later), "--provider", "gateway", "--base-url", url,
              "--no-wait")  # fmt: skip
    assert run.returncode == 0, run.stderr
    job_id = run.stdout.strip()
    assert job_id.startswith("music-") and not later.exists()
    listed = cli(home, "jobs")
    assert job_id in listed.stdout and "gateway" in listed.stdout
    # No --base-url now: the job remembers its server; the key comes from the environment.
    resumed = cli(home, "jobs", "resume", job_id)
    assert resumed.returncode == 0, resumed.stderr
    assert later.read_bytes()[:4] == b"RIFF"  # converted to the file's format
    assert cli(home, "jobs").stdout.strip() == "No unfinished jobs."
    run = cli(home, "music", "lofi", "-o", str(later), "--provider", "gateway", "--base-url", url,
              "--no-wait")  # fmt: skip
    cancelled = cli(home, "jobs", "cancel", run.stdout.strip())
    assert cancelled.returncode == 0 and "canceled" in cancelled.stderr
    assert len(wire.requests("POST", "/gateway/v1/audio/generate/async/")) == 1


def test_music_errors_are_one_clear_line(tmp_path, wire):
    home, url = tmp_path / "h", base_urls(wire)["gateway"]
    no_provider = cli(home, "music", "x", "-o", str(tmp_path / "x.mp3"))
    assert no_provider.returncode == 2 and "--provider" in no_provider.stderr
    refusal = Fault("status", 401, b'{"error": {"message": "bad key"}}', JSON)
    wire.fail("POST", "/gateway/v1/audio/generate/async", refusal)
    refused = cli(home, "music", "x", "-o", str(tmp_path / "x.mp3"), "--provider", "gateway",
                  "--base-url", url, key="wrong-key-123")  # fmt: skip
    assert refused.returncode == 1
    (line,) = refused.stderr.strip().splitlines()
    assert "refused the API key" in line and "wrong-key-123" not in line
