"""A file as 16 kHz mono float32 windows, decoded as a stream so memory stays flat with length."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt

from audio_studio.core.audio.codec import StreamResampler
from audio_studio.core.audio.reading import iter_blocks

__all__ = ["SPEECH_RATE", "iter_speech_windows"]

SPEECH_RATE = 16_000


def iter_speech_windows(
    path: Path, seconds: float = 30.0
) -> Iterator[tuple[float, npt.NDArray[np.float32]]]:
    """``(start_s, samples)`` pairs of about ``seconds`` each (the last may be shorter), mono at
    16 kHz. Only one window and one decoded block are held at a time.

    Raises:
        UnsupportedFormatError: not audio, corrupt or truncated.
    """
    size = max(1, int(seconds * SPEECH_RATE))
    resampler: StreamResampler | None = None
    pending: list[npt.NDArray[np.float32]] = []
    held = 0
    start = 0
    for block in iter_blocks(path):
        mono = block.samples.mean(axis=1, dtype=np.float32)[:, None]
        if block.sample_rate == SPEECH_RATE:
            out = mono[:, 0]
        else:
            if resampler is None:
                resampler = StreamResampler(block.sample_rate, SPEECH_RATE, 1)
            out = resampler.push(mono)[:, 0]
        pending.append(np.ascontiguousarray(out, dtype=np.float32))
        held += len(out)
        while held >= size:
            joined = np.concatenate(pending)
            yield start / SPEECH_RATE, joined[:size]
            start += size
            rest = joined[size:]
            pending, held = [rest], len(rest)
    if resampler is not None:
        pending.append(np.ascontiguousarray(resampler.flush()[:, 0], dtype=np.float32))
    tail = np.concatenate(pending) if pending else np.zeros(0, np.float32)
    while len(tail):
        yield start / SPEECH_RATE, tail[:size]
        start += min(size, len(tail))
        tail = tail[size:]


def read_range(path: Path, start_s: float, end_s: float) -> npt.NDArray[np.float32]:
    """The 16 kHz mono samples from ``start_s`` to ``end_s``, decoded as a stream (only that
    stretch is kept)."""
    kept: list[npt.NDArray[np.float32]] = []
    for at, samples in iter_speech_windows(path, 10.0):
        end = at + len(samples) / SPEECH_RATE
        if end <= start_s:
            continue
        if at >= end_s:
            break
        a = max(0, int((start_s - at) * SPEECH_RATE))
        b = min(len(samples), int((end_s - at) * SPEECH_RATE))
        kept.append(samples[a:b])
    return np.concatenate(kept) if kept else np.zeros(0, np.float32)
