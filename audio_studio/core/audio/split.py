"""Cut long audio at silences into chunks under a duration and/or byte limit, with offsets.

For upload limits (OpenAI's 25 MB per transcription request) and chunked work: each chunk's
``start_s`` is its offset in the original, so timestamps found in a chunk are shifted back by
adding it. Cuts fall in the quietest place of the last half of each allowed span: the middle of
the latest pause at least ``min_silence_s`` long below ``silence_db``, else the quietest 10 ms
there (a hard cut only when the audio never gets quiet).

Blocking: call via asyncio.to_thread.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from audio_studio.core.audio.codec import AudioData, encode
from audio_studio.core.audio.reading import iter_blocks
from audio_studio.core.errors import InputError
from audio_studio.core.models import AudioFormat

__all__ = [
    "Chunk",
    "EncodedChunk",
    "bytes_per_second",
    "encode_within",
    "plan_chunks",
    "split_audio",
    "split_for_upload",
]

WINDOW_S = 0.01
_HEADROOM = 0.95  # stay this far under a byte limit that is only estimated before encoding


@dataclass(frozen=True)
class Chunk:
    index: int
    start_s: float  # offset in the original audio
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True, eq=False)
class EncodedChunk:
    chunk: Chunk
    data: bytes
    format: AudioFormat

    @property
    def offset_s(self) -> float:
        return self.chunk.start_s


def bytes_per_second(fmt: AudioFormat, sample_rate: int, channels: int) -> float:
    """What one second costs in ``fmt`` as codec.encode writes it (FLAC: a cautious guess)."""
    pcm = sample_rate * channels * 2.0
    return {
        AudioFormat.WAV: pcm,
        AudioFormat.PCM: pcm,
        AudioFormat.FLAC: pcm * 0.75,
        AudioFormat.MP3: 128_000 / 8,
        AudioFormat.M4A: 128_000 / 8,
        AudioFormat.AAC: 128_000 / 8,
        AudioFormat.OPUS: 64_000 / 8,
        AudioFormat.WEBM: 64_000 / 8,
        AudioFormat.OGG: 160_000 / 8,
    }[fmt]


def _levels(samples: npt.NDArray[np.float32], window: int) -> npt.NDArray[np.float64]:
    """dBFS of the mean square of every ``window`` frames (the last partial window too)."""
    n = len(samples) // window * window
    x = samples.astype(np.float64)
    ms = (x[:n] ** 2).reshape(-1, window * samples.shape[1]).mean(axis=1)
    if n < len(samples):
        ms = np.append(ms, float((x[n:] ** 2).mean()))
    with np.errstate(divide="ignore"):
        return np.asarray(10 * np.log10(np.maximum(ms, 1e-20)))


def plan_chunks(
    levels_db: npt.NDArray[np.float64],
    *,
    max_s: float,
    window_s: float = WINDOW_S,
    min_silence_s: float = 0.3,
    silence_db: float = -40.0,
) -> list[Chunk]:
    """Where to cut, given the level of every ``window_s`` of the audio."""
    total = len(levels_db)
    limit = int(max_s / window_s)
    if limit < 2:
        raise InputError(f"A chunk limit of {max_s:.2f} s is too short to cut audio into.")
    quiet = levels_db < silence_db
    need = max(1, round(min_silence_s / window_s))
    cuts = [0]
    while total - cuts[-1] > limit:
        lo, hi = cuts[-1] + limit // 2, cuts[-1] + limit
        cuts.append(_best_cut(levels_db[lo:hi], quiet[lo:hi], need) + lo)
    cuts.append(total)
    return [
        Chunk(i, round(a * window_s, 6), round(min(b, total) * window_s, 6))
        for i, (a, b) in enumerate(itertools.pairwise(cuts))
    ]


def _best_cut(levels: npt.NDArray[np.float64], quiet: npt.NDArray[np.bool_], need: int) -> int:
    # Runs of quiet windows: starts where quiet begins, stops where it ends.
    edges = np.diff(np.concatenate([[0], quiet.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    long_enough = (stops - starts) >= need
    if long_enough.any():
        start, stop = starts[long_enough][-1], stops[long_enough][-1]
        return int((start + stop) // 2)
    return int(np.argmin(levels)) + 1  # cut after the quietest window


def _file_levels(path: Path) -> tuple[npt.NDArray[np.float64], int, float]:
    """Levels of every ~10 ms window of a file, its rate, and the exact window length."""
    parts: list[npt.NDArray[np.float64]] = []
    rate, window, carry = 0, 1, None
    for block in iter_blocks(path):
        rate = block.sample_rate
        window = max(1, round(rate * WINDOW_S))
        data = block.samples if carry is None else np.concatenate([carry, block.samples])
        n = len(data) // window * window
        if n:
            parts.append(_levels(data[:n], window))
        carry = data[n:]
    if carry is not None and len(carry):
        parts.append(_levels(carry, len(carry)))
    return (np.concatenate(parts) if parts else np.zeros(0)), rate, window / max(1, rate)


def _limit_s(
    max_seconds: float | None, max_bytes: int | None, fmt: AudioFormat, rate: int, channels: int
) -> float:
    limits = [max_seconds] if max_seconds else []
    if max_bytes:
        limits.append(max_bytes * _HEADROOM / bytes_per_second(fmt, rate, channels))
    if not limits:
        raise InputError("Give a duration or a byte limit to split audio by.")
    return min(limits)


def split_audio(
    audio: AudioData,
    *,
    max_seconds: float | None = None,
    max_bytes: int | None = None,
    fmt: AudioFormat = AudioFormat.WAV,
    min_silence_s: float = 0.3,
    silence_db: float = -40.0,
) -> list[tuple[Chunk, AudioData]]:
    """Cut decoded audio; ``max_bytes`` is checked against ``fmt``'s size per second."""
    limit = _limit_s(max_seconds, max_bytes, fmt, audio.sample_rate, audio.channels)
    window = max(1, round(audio.sample_rate * WINDOW_S))
    plan = plan_chunks(
        _levels(audio.samples, window),
        max_s=limit,
        window_s=window / audio.sample_rate,
        min_silence_s=min_silence_s,
        silence_db=silence_db,
    )
    rate = audio.sample_rate
    return [
        (c, AudioData(audio.samples[round(c.start_s * rate) : round(c.end_s * rate)], rate))
        for c in plan
    ]


def split_for_upload(
    source: Path | AudioData,
    *,
    max_bytes: int = 25 * 1000 * 1000,
    fmt: AudioFormat = AudioFormat.MP3,
    max_seconds: float | None = None,
    sample_rate: int | None = 16000,
    mono: bool = True,
    min_silence_s: float = 0.3,
    silence_db: float = -40.0,
) -> Iterator[EncodedChunk]:
    """Encoded chunks, each under ``max_bytes`` (checked after encoding), one at a time.

    A file is read twice, streaming: once for levels, once to cut; only one chunk is held in
    memory. Speech to text wants 16 kHz mono, hence the defaults.

    Raises:
        UnsupportedFormatError: the file is not audio; InputError: limits too small.
    """
    from audio_studio.core.audio.codec import resample

    def prepare(audio: AudioData) -> AudioData:
        audio = audio.mono() if mono else audio
        return resample(audio, sample_rate) if sample_rate else audio

    pieces: Iterator[tuple[Chunk, AudioData]] | list[tuple[Chunk, AudioData]]
    if isinstance(source, AudioData):
        audio = prepare(source)
        pieces = split_audio(
            audio,
            max_seconds=max_seconds,
            max_bytes=max_bytes,
            fmt=fmt,
            min_silence_s=min_silence_s,
            silence_db=silence_db,
        )
    else:
        levels, rate, window_s = _file_levels(source)
        channels = 1 if mono else 2
        limit = _limit_s(max_seconds, max_bytes, fmt, sample_rate or rate, channels)
        plan = plan_chunks(
            levels,
            max_s=limit,
            window_s=window_s,
            min_silence_s=min_silence_s,
            silence_db=silence_db,
        )
        pieces = _cut_file(source, plan, prepare)
    index = 0
    for chunk, audio in pieces:
        for part in encode_within(chunk, audio, fmt, max_bytes):
            renumbered = Chunk(index, part.chunk.start_s, part.chunk.end_s)
            yield EncodedChunk(renumbered, part.data, part.format)
            index += 1


def _cut_file(
    path: Path, plan: list[Chunk], prepare: Callable[[AudioData], AudioData]
) -> Iterator[tuple[Chunk, AudioData]]:
    pending: list[npt.NDArray[np.float32]] = []
    position, index = 0, 0
    rate = 0
    for block in iter_blocks(path):
        rate = block.sample_rate
        data: npt.NDArray[np.float32] | None = block.samples
        while index < len(plan) and data is not None:
            end = round(plan[index].end_s * rate)
            take = max(0, min(len(data), end - position))
            pending.append(data[:take])
            position += take
            data = data[take:] if take < len(data) else None
            if position >= end:
                yield plan[index], prepare(AudioData(np.concatenate(pending), rate))
                pending, index = [], index + 1
    if index < len(plan) and pending:
        yield plan[index], prepare(AudioData(np.concatenate(pending), rate))


def encode_within(
    chunk: Chunk,
    audio: AudioData,
    fmt: AudioFormat,
    max_bytes: int | None,
    encoder: Callable[[AudioData, AudioFormat], bytes] = encode,
) -> Iterator[EncodedChunk]:
    """``audio`` encoded with ``encoder``; halved at quiet spots until each piece fits."""
    data = encoder(audio, fmt)
    if not max_bytes or len(data) <= max_bytes:
        yield EncodedChunk(chunk, data, fmt)
        return
    # The size estimate was wrong for this audio (FLAC of noise, say): halve at a quiet spot.
    parts = split_audio(audio, max_seconds=max(0.05, math.floor(audio.duration_s * 50) / 100))
    for sub, piece in parts:
        shifted = Chunk(chunk.index, chunk.start_s + sub.start_s, chunk.start_s + sub.end_s)
        yield from encode_within(shifted, piece, fmt, max_bytes, encoder)
