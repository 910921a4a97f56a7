"""Cutting at silences under byte/duration limits, with offsets."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from audio_studio.core.audio.codec import AudioData, decode
from audio_studio.core.audio.split import (
    bytes_per_second,
    plan_chunks,
    split_audio,
    split_for_upload,
)
from audio_studio.core.errors import InputError
from audio_studio.core.models import AudioFormat
from tests.support.audio import SHARED_DATA, tone

RATE = 16000


def phrases(lengths: list[float], pause: float = 0.5) -> tuple[AudioData, list[float]]:
    """Tone "phrases" separated by pauses; returns the audio and the middle of each pause."""
    parts, middles, t = [], [], 0.0
    for i, length in enumerate(lengths):
        parts.append(tone(300 + 50 * i, length, RATE, 0.4).samples)
        t += length
        parts.append(np.zeros((int(pause * RATE), 1), np.float32))
        middles.append(t + pause / 2)
        t += pause
    return AudioData(np.concatenate(parts), RATE), middles[:-1]


def test_cuts_fall_in_pauses_and_offsets_add_up() -> None:
    audio, pauses = phrases([3.0, 2.0, 4.0, 3.0, 2.5, 3.5])
    pieces = split_audio(audio, max_seconds=8.0)
    assert [c.index for c, _ in pieces] == list(range(len(pieces)))
    assert pieces[0][0].start_s == 0.0 and pieces[-1][0].end_s == pytest.approx(audio.duration_s)
    for (before, _), (after, _) in itertools.pairwise(pieces):
        assert before.end_s == after.start_s  # contiguous: nothing lost, nothing twice
        assert min(abs(before.end_s - p) for p in pauses) < 0.26  # inside a pause
    for chunk, piece in pieces:
        assert chunk.duration_s <= 8.0 and piece.duration_s == pytest.approx(chunk.duration_s)
    joined = np.concatenate([p.samples for _, p in pieces])
    assert np.array_equal(joined, audio.samples)


def test_audio_without_pauses_is_cut_at_its_quietest_point() -> None:
    rng = np.random.default_rng(5)
    noise = rng.normal(0, 0.3, (RATE * 10, 1)).astype(np.float32)
    noise[int(6.5 * RATE) : int(6.52 * RATE)] *= 0.01  # one quiet instant
    pieces = split_audio(AudioData(noise, RATE), max_seconds=8.0)
    assert len(pieces) == 2 and pieces[0][0].end_s == pytest.approx(6.52, abs=0.011)


def test_byte_limit_for_wav_is_exact() -> None:
    audio, _ = phrases([3.0] * 8)
    limit = 200_000  # 6.25 s of 16 kHz mono PCM
    chunks = list(split_for_upload(audio, max_bytes=limit, fmt=AudioFormat.WAV, sample_rate=None))
    assert len(chunks) >= 5
    for c in chunks:
        assert len(c.data) <= limit
        assert decode(c.data).duration_s == pytest.approx(c.chunk.duration_s, abs=0.001)
    assert chunks[-1].chunk.end_s == pytest.approx(audio.duration_s)
    assert bytes_per_second(AudioFormat.WAV, RATE, 1) == 32000


def test_a_file_is_split_streaming_for_upload_as_mp3(tmp_path: Path) -> None:
    path = SHARED_DATA / "multilingual.mp3"
    chunks = list(split_for_upload(path, max_bytes=120_000))
    assert len(chunks) >= 3
    assert [c.chunk.index for c in chunks] == list(range(len(chunks)))
    for c in chunks:
        assert len(c.data) <= 120_000 and c.format is AudioFormat.MP3
        back = decode(c.data)
        assert back.sample_rate == 16000 and back.channels == 1
        assert back.duration_s == pytest.approx(c.chunk.duration_s, abs=0.08)
    assert chunks[-1].chunk.end_s == pytest.approx(59.9, abs=0.02)
    # The same cuts as for the decoded audio: files and memory agree.
    in_memory = list(split_for_upload(decode(path), max_bytes=120_000))
    assert [c.offset_s for c in in_memory] == pytest.approx([c.offset_s for c in chunks], abs=0.02)


def test_an_underestimated_size_is_split_again(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    noise = AudioData(rng.uniform(-0.9, 0.9, (RATE * 6, 1)).astype(np.float32), RATE)
    limit = 100_000  # white noise does not compress: FLAC's 0.75 guess is too low
    chunks = list(split_for_upload(noise, max_bytes=limit, fmt=AudioFormat.FLAC, sample_rate=None))
    assert all(len(c.data) <= limit for c in chunks)
    assert sum(c.chunk.duration_s for c in chunks) == pytest.approx(6.0, abs=0.001)


def test_limits_must_be_usable() -> None:
    audio = tone(seconds=1.0)
    with pytest.raises(InputError, match="duration or a byte limit"):
        split_audio(audio)
    with pytest.raises(InputError, match="too short"):
        plan_chunks(np.zeros(10), max_s=0.01)
