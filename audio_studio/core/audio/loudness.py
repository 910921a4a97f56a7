"""Loudness normalisation: gain to a LUFS target (BS.1770, analysis.py) and a peak ceiling.

Speech raised to −16 LUFS often has peaks above full scale; a plain gain would clip them. The
limiter here lowers only the few blocks (5 ms) that would pass the ceiling, with the gain
eased in and out over neighbouring blocks so it does not click, and leaves the rest alone, so
the integrated loudness stays on target. Blocking (numpy): call via asyncio.to_thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from audio_studio.core.audio.analysis import analyze
from audio_studio.core.audio.codec import AudioData

__all__ = ["Normalized", "limit_peaks", "normalize"]

_BLOCK_S = 0.001
_SPREAD_BLOCKS = 3  # attack / release, in blocks either side
_ROUNDS = 6


@dataclass(frozen=True)
class Normalized:
    audio: AudioData
    lufs_before: float | None
    lufs_after: float | None
    peak_dbfs: float
    gain_db: float
    limited_blocks: int


def limit_peaks(audio: AudioData, ceiling: float) -> tuple[AudioData, int]:
    """Lower the blocks whose peak passes ``ceiling`` (linear); returns how many were lowered."""
    samples = audio.samples
    frames = audio.frames
    if frames == 0:
        return audio, 0
    level = np.abs(samples).max(axis=1)
    if float(level.max()) <= ceiling:
        return audio, 0
    block = max(1, int(audio.sample_rate * _BLOCK_S))
    count = -(-frames // block)
    padded = np.zeros(count * block, np.float32)
    padded[:frames] = level
    peaks = padded.reshape(count, block).max(axis=1)
    gains = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-9))
    lowered = int((gains < 1.0).sum())
    spread = gains.copy()
    for shift in range(1, _SPREAD_BLOCKS + 1):
        spread[shift:] = np.minimum(spread[shift:], gains[:-shift])
        spread[:-shift] = np.minimum(spread[:-shift], gains[shift:])
    # Interpolate the gain only around the lowered blocks (an hour of audio has few of them;
    # a whole-length interpolation would need gigabytes).
    touched = spread < 1.0
    touched[1:] |= touched[:-1]
    touched[:-1] |= touched[1:]
    where = np.nonzero(np.repeat(touched, block)[:frames])[0]
    centres = (np.arange(count) + 0.5) * block
    envelope = np.ones(frames, np.float32)
    envelope[where] = np.interp(where, centres, spread)
    out = samples * envelope[:, None]
    np.clip(out, -ceiling, ceiling, out=out)  # what interpolation between blocks let through
    return AudioData(out.astype(np.float32), audio.sample_rate), lowered


def normalize(audio: AudioData, target_lufs: float, ceiling_dbfs: float = -1.0) -> Normalized:
    """``audio`` at ``target_lufs`` integrated loudness, peaks at most ``ceiling_dbfs``.

    Audio too short or too quiet to measure (under 0.4 s, or silence) is left as it is.
    """
    before = analyze(audio).lufs
    if before is None or not math.isfinite(before):
        stats = analyze(audio)
        return Normalized(audio, before, before, stats.peak_dbfs, 0.0, 0)
    gain_db = target_lufs - before
    ceiling = 10 ** (ceiling_dbfs / 20)
    # Limiting lowers the loudness a little; a few more rounds of gain make up for it.
    for _ in range(_ROUNDS):
        scaled = AudioData(audio.samples * np.float32(10 ** (gain_db / 20)), audio.sample_rate)
        limited, lowered = limit_peaks(scaled, ceiling)
        after = analyze(limited)
        if after.lufs is None or abs(after.lufs - target_lufs) < 0.1 or not lowered:
            break
        gain_db += target_lufs - after.lufs
    return Normalized(limited, before, after.lufs, after.peak_dbfs, gain_db, lowered)
