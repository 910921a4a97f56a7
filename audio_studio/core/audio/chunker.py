"""Cut a long file into upload-sized chunks at silences in one streaming pass, from any offset.

``split.split_for_upload`` reads a file twice (levels first, then the cuts), so nothing can be
sent before the whole file was decoded once. Here the file is read once: audio is converted to
the upload rate as it is decoded, and a chunk is cut and encoded as soon as enough audio is
buffered to choose its end, so the first upload starts after one chunk's worth of work. Cuts
use the same rule as ``split.plan_chunks`` (the latest pause of ``min_silence_s`` below
``silence_db`` in the last half of the allowed span, else the quietest 10 ms), and the last two
chunks are balanced so the final one is never a sliver. FLAC is the default: lossless, about
fifty times faster to encode than MP3 and no bigger than 128 kb/s MP3 for 16 kHz speech.

Blocking: call via asyncio.to_thread (one ``next()`` per chunk keeps cancel responsive).
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from audio_studio.core.audio.codec import AudioData, StreamResampler, encode
from audio_studio.core.audio.reading import iter_blocks
from audio_studio.core.audio.split import Chunk, EncodedChunk, bytes_per_second, split_audio
from audio_studio.core.errors import InputError
from audio_studio.core.models import AudioFormat

__all__ = ["PartChunk", "chunk_seconds", "iter_chunks"]

WINDOW_S = 0.01
HEADROOM = 0.95  # a byte limit is only estimated before encoding


@dataclass(frozen=True, eq=False)
class PartChunk(EncodedChunk):
    """An encoded chunk and its peak level (0..1), so silent ones need not be sent."""

    peak: float = 0.0


def chunk_seconds(
    max_bytes: int | None, max_seconds: float | None, fmt: AudioFormat, sample_rate: int
) -> float:
    """The longest chunk allowed by a byte and/or duration limit (inf without limits)."""
    limits = [max_seconds] if max_seconds else []
    if max_bytes:
        limits.append(max_bytes * HEADROOM / bytes_per_second(fmt, sample_rate, 1))
    limit = min(limits) if limits else math.inf
    if limit < 2.0:
        raise InputError(f"An upload limit of {limit:.2f} s of audio is too short to cut into.")
    return limit


def _levels(samples: npt.NDArray[np.float32], window: int) -> npt.NDArray[np.float64]:
    n = len(samples) // window * window
    x = samples[:n, 0].astype(np.float64)
    ms = (x**2).reshape(-1, window).mean(axis=1)
    with np.errstate(divide="ignore"):
        return np.asarray(10 * np.log10(np.maximum(ms, 1e-20)))


def _pick_cut(
    levels: npt.NDArray[np.float64],
    lo: int,
    hi: int,
    need: int,
    silence_db: float,
    target: int | None,
) -> int:
    """A window index in [lo, hi] to cut at: in a long enough pause (the latest one, or the one
    nearest ``target``), else after the quietest window."""
    span = levels[lo:hi]
    quiet = span < silence_db
    edges = np.diff(np.concatenate([[0], quiet.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    ok = (stops - starts) >= need
    if ok.any():
        middles = (starts[ok] + stops[ok]) // 2
        if target is None:
            return lo + int(middles[-1])
        return lo + int(middles[np.argmin(np.abs(middles + lo - target))])
    return lo + int(np.argmin(span)) + 1


def iter_chunks(
    path: Path,
    *,
    max_bytes: int | None = None,
    max_seconds: float | None = None,
    fmt: AudioFormat = AudioFormat.FLAC,
    sample_rate: int = 16_000,
    start_s: float = 0.0,
    first_index: int = 0,
    min_silence_s: float = 0.3,
    silence_db: float = -40.0,
) -> Generator[PartChunk, None, None]:
    """Mono ``sample_rate`` chunks of ``path`` from ``start_s`` on, each under the limits.

    Offsets (``chunk.start_s``) are exact in the original's time: sample counts at the upload
    rate. Without limits the rest of the file is one chunk.

    Raises:
        UnsupportedFormatError: the file is not audio, or is damaged (possibly after some
            chunks were yielded); InputError: limits too small.
    """
    limit_s = chunk_seconds(max_bytes, max_seconds, fmt, sample_rate)
    window = max(1, round(sample_rate * WINDOW_S))
    limit = math.inf if math.isinf(limit_s) else int(limit_s / WINDOW_S) * window
    # Hold a little more than one chunk, so the next cut never leaves a sliver behind it.
    margin = 0 if math.isinf(limit_s) else int(min(60.0, limit_s / 2) / WINDOW_S) * window
    need = max(1, round(min_silence_s / WINDOW_S))
    skip = round(start_s * sample_rate)
    position = skip  # frames (at sample_rate) of the original before the buffer
    pending: list[npt.NDArray[np.float32]] = []
    held = 0
    index = first_index
    resampler: StreamResampler | None = None

    def take(frames: int) -> AudioData:
        nonlocal pending, held
        joined = np.concatenate(pending) if len(pending) > 1 else pending[0]
        pending = [joined[frames:]] if frames < len(joined) else []
        held -= frames
        return AudioData(joined[:frames], sample_rate)

    def cut(final: bool) -> int:
        joined = np.concatenate(pending) if len(pending) > 1 else pending[0]
        pending[:] = [joined]
        levels = _levels(joined, window)
        windows = len(levels)
        top = int(limit // window)
        if final:  # two chunks left: balance them around the middle
            lo, hi, target = max(top // 2, windows - top), top, windows // 2
        else:
            lo, hi, target = top // 2, top, None
        return _pick_cut(levels, lo, max(lo + 1, hi), need, silence_db, target) * window

    def emit(audio: AudioData) -> Iterator[PartChunk]:
        nonlocal position, index
        start = position / sample_rate
        position += audio.frames
        peak = float(np.max(np.abs(audio.samples))) if audio.frames else 0.0
        for part in _encode_within(
            Chunk(index, start, position / sample_rate), audio, fmt, max_bytes
        ):
            index += 1
            chunk = Chunk(index - 1, part.chunk.start_s, part.chunk.end_s)
            yield PartChunk(chunk, part.data, fmt, peak)

    for block in iter_blocks(path):
        mono = block.mono().samples
        if block.sample_rate != sample_rate:
            if resampler is None:
                resampler = StreamResampler(block.sample_rate, sample_rate, 1)
            mono = resampler.push(mono)
        if skip:
            dropped = min(skip, len(mono))
            mono, skip = mono[dropped:], skip - dropped
        if len(mono):
            pending.append(mono)
            held += len(mono)
        while held >= limit + margin + window:
            yield from emit(take(cut(final=False)))
    if resampler is not None:
        tail = resampler.flush()
        if skip:
            tail = tail[min(skip, len(tail)) :]
        if len(tail):
            pending.append(tail)
            held += len(tail)
    if held > limit:
        yield from emit(take(cut(final=True)))
    if held > 0:
        yield from emit(take(held))


def _encode_within(
    chunk: Chunk, audio: AudioData, fmt: AudioFormat, max_bytes: int | None
) -> Iterator[EncodedChunk]:
    data = encode(audio, fmt)
    if not max_bytes or len(data) <= max_bytes:
        yield EncodedChunk(chunk, data, fmt)
        return
    # The size estimate was wrong for this audio (FLAC of noise, say): halve at a quiet spot.
    parts = split_audio(audio, max_seconds=max(0.05, math.floor(audio.duration_s * 50) / 100))
    for sub, piece in parts:
        shifted = Chunk(chunk.index, chunk.start_s + sub.start_s, chunk.start_s + sub.end_s)
        yield from _encode_within(shifted, piece, fmt, max_bytes)
