"""Every transcription request's upload time and time to first byte, kept in History: summed
on the transcript's row and per part for a long file, and printed by `history --json`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from audio_studio.core.models import TranscriptionRequest
from audio_studio.core.studio import Studio
from audio_studio.core.transcription.long import ChunkedTranscription
from tests.servers.base import WireServer
from tests.support.transcription import clip_file


async def test_a_long_file_keeps_each_parts_times_and_their_sum(
    bursts_studio: Studio, wire: WireServer, tmp_path: Path
) -> None:
    made = clip_file(tmp_path / "talk.wav", 60)
    wire.state["latency_s"] = 0.05  # the server thinks before its first byte
    request = TranscriptionRequest(audio=made.path, model="whisper-1")
    run = ChunkedTranscription(bursts_studio.context, request, max_bytes=600_000, concurrency=2)
    outcome = await bursts_studio.transcription.transcribe(request, provider_id="openai", run=run)
    run.close()
    parts = outcome.item.params["parts"]
    assert outcome.parts == len(parts) >= 2
    for part in parts:
        assert part["upload_ms"] is not None and part["upload_ms"] >= 0
        assert part["ttfb_ms"] >= 50  # includes the server's think time
    latency = outcome.item.latency
    assert latency.ttfb_ms == pytest.approx(sum(p["ttfb_ms"] for p in parts), abs=0.01)
    assert latency.upload_ms == pytest.approx(sum(p["upload_ms"] for p in parts), abs=0.01)
    assert latency.total_ms is not None and latency.queue_ms is None


async def test_a_one_part_file_has_its_upload_and_first_byte(
    bursts_studio: Studio, wire: WireServer, tmp_path: Path
) -> None:
    made = clip_file(tmp_path / "note.wav", 5)
    outcome = await bursts_studio.transcription.transcribe(
        TranscriptionRequest(audio=made.path, model="whisper-1"), provider_id="openai"
    )
    latency = outcome.item.latency
    assert outcome.parts == 1 and "parts" not in outcome.item.params
    assert latency.upload_ms is not None and latency.ttfb_ms is not None
    assert latency.ttfb_ms >= latency.upload_ms  # the first byte comes after the upload


async def test_the_offline_engine_has_no_upload_or_first_byte(
    bursts_studio: Studio, tmp_path: Path
) -> None:
    from tests.support.offline import JFK

    outcome = await bursts_studio.transcription.transcribe(
        TranscriptionRequest(audio=JFK), provider_id="local"
    )
    latency = outcome.item.latency
    assert latency.upload_ms is None and latency.ttfb_ms is None and latency.total_ms


def test_history_json_prints_all_four(tmp_path: Path, wire: WireServer) -> None:
    from tests.servers.studio_wire import base_urls

    made = clip_file(tmp_path / "memo.wav", 3)
    home = tmp_path / "home"
    env_key = {"CRAZYROUTER_API_KEY": "cr-env-latency-123456789"}
    run = subprocess.run(
        [sys.executable, "-m", "audio_studio", "--home", str(home), "transcribe",
         str(made.path), "--provider", "crazyrouter", "--base-url",
         base_urls(wire)["crazyrouter"]],
        capture_output=True, text=True, timeout=120, env={**os.environ, **env_key},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "audio_studio", "--home", str(home), "history", "--json",
         "--kind", "transcript"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    (item,) = json.loads(listed.stdout)
    assert set(item["latency"]) == {"ttfb_ms", "total_ms", "upload_ms", "queue_ms"}
    assert all(item["latency"][k] is not None for k in ("ttfb_ms", "total_ms", "upload_ms"))
