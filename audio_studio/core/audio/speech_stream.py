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
