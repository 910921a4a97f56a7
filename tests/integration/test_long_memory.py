"""A two-hour stereo 48 kHz recording transcribes offline in bounded memory (studio + worker)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.support.memory import long_recording, peak_tree_rss_mb

pytestmark = pytest.mark.slow

LIMIT_MB = 700


def test_two_hours_transcribe_under_700_mb(tmp_path: Path) -> None:
    # Mostly digital silence (cheap to make and to skip), jfk.flac every 30 minutes.
    audio = long_recording(tmp_path / "meeting.flac", 2.0, speech_every_s=1800.0)
    out = tmp_path / "meeting.json"
    args = [sys.executable, "-m", "audio_studio", "--home", str(tmp_path / "home"),
            "transcribe", str(audio), "--provider", "local", "-o", str(out)]  # fmt: skip
    peak, run = peak_tree_rss_mb(args, timeout_s=600, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert run.returncode == 0, run.stderr[-2000:]
    assert 0 < peak < LIMIT_MB, f"peak {peak:.0f} MB"
    data = json.loads(out.read_text())
    assert data["text"].lower().count("ask not what your country") == 4
    assert round(data["duration_s"]) == 7200
