"""Long files through a real loopback server that listens: split under 25 MB, parallel, merged.

The server answers one word per burst of sound, timed in each upload's own clock, so the
merged transcript of a file made of clips at known times can be checked exactly.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest

from audio_studio.core.errors import NetworkError, QuotaExceededError
from audio_studio.core.models import HistoryKind, TranscriptionRequest
from audio_studio.core.store.history import HistoryQuery
from audio_studio.core.studio import Studio
from audio_studio.core.transcription.long import ChunkedTranscription
from tests.servers import stt_wire
from tests.servers.base import Fault, WireServer
from tests.support.audio import poll_until
from tests.support.offline import JFK
from tests.support.transcription import ClipFile, clip_file

POST = f"{stt_wire.PREFIX}/audio/transcriptions"


def assert_exact(words: list[tuple[float, float]], clips: list[tuple[float, float]]) -> None:
    """Every clip once, at its own time (a window or two of detection), in order."""
    assert len(words) == len(clips), f"{len(words)} words for {len(clips)} clips"
    starts = [w[0] for w in words]
    assert starts == sorted(starts)
    worst = max(max(abs(a - c), abs(b - d)) for (a, b), (c, d) in zip(words, clips, strict=True))
    assert worst < 0.02, worst


def merged_words(outcome_transcript) -> list[tuple[float, float]]:  # type: ignore[no-untyped-def]
    return [(w.start, w.end) for s in outcome_transcript.segments for w in s.words]


@pytest.mark.slow
async def test_two_hours_split_under_25_mb_in_parallel_and_merged_exactly(
    bursts_studio: Studio, wire: WireServer, tmp_path: Path
) -> None:
    made = clip_file(tmp_path / "meeting.wav", 2 * 3600)
    assert made.path.stat().st_size > stt_wire.LIMIT  # it cannot be sent whole
    wire.state["latency_s"] = 0.2
    reports: list[tuple[float | None, str | None]] = []
    outcome = await bursts_studio.transcription.transcribe(
        TranscriptionRequest(audio=made.path, model="whisper-1"),
        provider_id="openai",
        progress=lambda share, message: reports.append((share, message)),
        concurrency=4,
    )
    uploads = wire.state["uploads"]
    posts = wire.requests("POST", POST)
    assert outcome.parts == len(uploads) == len(posts) >= 4  # ~30 min each, under 25 MB
    assert all(len(r.body) < stt_wire.LIMIT for r in posts)
    assert_exact(merged_words(outcome.transcript), made.clips)
    assert outcome.transcript.duration_s == pytest.approx(made.duration_s, abs=0.01)
    shares = [s for s, _ in reports if s is not None]
    assert shares and shares == sorted(shares) and shares[-1] == pytest.approx(1.0)
    item = outcome.item
    assert item.params["providers"] == ["openai"] and len(item.params["parts"]) == outcome.parts
    spans = [(p["start_s"], p["end_s"]) for p in item.params["parts"]]
    assert spans[0][0] == 0 and spans[-1][1] == pytest.approx(made.duration_s, abs=0.01)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    assert item.usage.cost_usd == pytest.approx(0.006 * 120, rel=0.01)  # whisper-1, per minute


async def test_a_part_that_breaks_is_not_sent_twice_and_a_retry_sends_only_it(
    bursts_studio: Studio, wire: WireServer, tmp_path: Path
) -> None:
    """Its answer broke after the server accepted it: it may have been billed, so no layer
    sends it again by itself (README "Retries"); the user's retry sends only that part."""
    made = clip_file(tmp_path / "short.wav", 300, seed=3)
    wire.fail("POST", POST, Fault("reset_mid", keep=8))
    request = TranscriptionRequest(audio=made.path, model="whisper-1")
    run = ChunkedTranscription(bursts_studio.context, request, max_bytes=1_500_000, concurrency=3)
    try:
        with pytest.raises(NetworkError, match="not sent again automatically"):
            await bursts_studio.transcription.transcribe(request, provider_id="openai", run=run)
        sent = len(wire.requests("POST", POST))
        assert all(p.attempts <= 1 for p in run.parts)
        assert sent == sum(p.attempts for p in run.parts)
        assert len([p for p in run.parts if p.error is not None]) == 1
        outcome = await bursts_studio.transcription.transcribe(
            request, provider_id="openai", run=run
        )
    finally:
        run.close()
    assert len(wire.requests("POST", POST)) == len(run.parts) + 1
    assert_exact(merged_words(outcome.transcript), made.clips)


@pytest.mark.slow
async def test_quota_gone_mid_file_finishes_with_the_offline_engine(
    bursts_studio: Studio, wire: WireServer, tmp_path: Path
) -> None:
    import numpy as np

    from audio_studio.core.audio.codec import AudioData, decode, write

    speech = decode(JFK, sample_rate=16_000, mono=True).samples
    gap = np.zeros((16_000, 1), np.float32)
    path = tmp_path / "three.wav"
    write(AudioData(np.concatenate([speech, gap, speech, gap, speech, gap]), 16_000), path)
    wire.fail("POST", POST, Fault("slow", delay=0))  # the first part goes through
    quota = b'{"error": {"message": "You exceeded your current quota.", "type": "insufficient_quota", "code": "insufficient_quota"}}'  # noqa: E501
    wire.fail("POST", POST, Fault("status", status=429, body=quota, headers={}))
    request = TranscriptionRequest(audio=path, model="whisper-1")
    run = ChunkedTranscription(bursts_studio.context, request, max_bytes=400_000, concurrency=1)
    try:
        with pytest.raises(QuotaExceededError):
            await bursts_studio.transcription.transcribe(request, provider_id="openai", run=run)
        assert run.kept == 1 and not run.complete
        recordings = await bursts_studio.library.query(HistoryQuery(kinds=(HistoryKind.RECORDING,)))
        assert len(recordings) == 1  # the audio is kept although the transcription failed
        outcome = await bursts_studio.transcription.transcribe(
            request, provider_id="local", run=run
        )
    finally:
        run.close()
    text = outcome.transcript.text.lower()
    assert text.startswith("speech") and text.count("ask not what your country") == 2
    assert outcome.item.params["providers"] == ["openai", "local"]
    assert any("transcribed by local after openai failed" in n for n in outcome.transcript.notices)
    assert outcome.recording.id == recordings[0].id
    assert len(wire.requests("POST", POST)) == 2


async def test_a_small_file_goes_whole_and_cancel_stops_the_parts(
    bursts_studio: Studio, wire: WireServer, tmp_path: Path
) -> None:
    made: ClipFile = clip_file(tmp_path / "note.wav", 30, seed=5)
    outcome = await bursts_studio.transcription.transcribe(
        TranscriptionRequest(audio=made.path), provider_id="openai"
    )
    assert outcome.parts == 1 and "parts" not in outcome.item.params
    (upload,) = wire.requests("POST", POST)
    assert any(f[2] == "note.wav" for f in upload.form())  # the user's file, not a copy
    assert_exact(merged_words(outcome.transcript), made.clips)
    # A long job cancelled mid-way stops at once and leaves no part files behind.
    wire.state["latency_s"] = 5.0
    request = TranscriptionRequest(audio=made.path)
    run = ChunkedTranscription(bursts_studio.context, request, max_bytes=200_000, concurrency=2)
    task = asyncio.ensure_future(
        bursts_studio.transcription.transcribe(request, provider_id="openai", run=run)
    )
    await poll_until(lambda: len(wire.requests("POST", POST)) > 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    run.close()
    assert not list((bursts_studio.paths.cache_dir / "transcription-parts").glob("*/*"))
