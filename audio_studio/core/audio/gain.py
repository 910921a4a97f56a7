"""Loudness normalisation at export: one linear gain to a LUFS target, kept under a peak ceiling.

Only a gain (no limiter, no compression), so an export is the source times one number: a
sidecar that records ``gain_db`` lets anyone rebuild the exported samples exactly. When the
target would push the peak over the ceiling the gain is reduced instead ("limited"), and audio
too short for an integrated loudness (under 0.4 s: most blips and clicks) is peak-normalised.

Blocking (numpy over the whole clip): call via asyncio.to_thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from audio_studio.core.audio.analysis import AudioStats, analyze
from audio_studio.core.audio.codec import AudioData

__all__ = ["DEFAULT_CEILING_DBFS", "GainPlan", "apply_gain", "normalize", "plan_gain"]

DEFAULT_CEILING_DBFS = -1.0


@dataclass(frozen=True)
class GainPlan:
    """What normalising one clip does and why.

    ``mode`` is "lufs" (gain to the loudness target), "peak" (too short for LUFS: the peak goes
    to the ceiling), or "none" (digital silence: nothing to normalise).
    """

    gain_db: float
    mode: str
    target_lufs: float | None
    ceiling_dbfs: float
    before_lufs: float | None
    before_peak_dbfs: float
    limited: bool = False  # the gain was lowered to keep the peak under the ceiling

    @property
    def after_peak_dbfs(self) -> float:
        return self.before_peak_dbfs + self.gain_db

    @property
    def after_lufs(self) -> float | None:
        return None if self.before_lufs is None else self.before_lufs + self.gain_db

    def describe(self) -> str:
        """One line for the user, e.g. "+4.2 dB to −16 LUFS" or "−2.0 dB (peak held at −1 dBFS)"."""
        if self.mode == "none":
            return "silent: left as is"
        change = f"{self.gain_db:+.1f} dB"
        if self.mode == "peak":
            return f"{change} (too short for LUFS: peak to {self.ceiling_dbfs:g} dBFS)"
        if self.limited:
            return f"{change} (peak held at {self.ceiling_dbfs:g} dBFS, short of the target)"
        return f"{change} to {self.target_lufs:g} LUFS"


def plan_gain(
    stats: AudioStats, target_lufs: float, ceiling_dbfs: float = DEFAULT_CEILING_DBFS
) -> GainPlan:
    """The gain that takes audio with ``stats`` to ``target_lufs`` without passing the ceiling."""
    if stats.is_silent:
        return GainPlan(0.0, "none", target_lufs, ceiling_dbfs, stats.lufs, stats.peak_dbfs)
    headroom = ceiling_dbfs - stats.peak_dbfs
    if stats.lufs is None:
        return GainPlan(
            round(headroom, 4), "peak", None, ceiling_dbfs, None, stats.peak_dbfs, False
        )
    wanted = target_lufs - stats.lufs
    limited = wanted > headroom
    gain = headroom if limited else wanted
    return GainPlan(
        round(gain, 4), "lufs", target_lufs, ceiling_dbfs, stats.lufs, stats.peak_dbfs, limited
    )


def apply_gain(audio: AudioData, gain_db: float) -> AudioData:
    """``audio`` times 10^(gain_db/20), in float32: the exact operation a sidecar describes."""
    if gain_db == 0.0:
        return audio
    factor = np.float32(math.pow(10.0, gain_db / 20.0))
    return AudioData(np.multiply(audio.samples, factor, dtype=np.float32), audio.sample_rate)


def normalize(
    audio: AudioData,
    target_lufs: float,
    ceiling_dbfs: float = DEFAULT_CEILING_DBFS,
    *,
    stats: AudioStats | None = None,
) -> tuple[AudioData, GainPlan]:
    """Normalise ``audio``; pass ``stats`` when they are already known to skip the analysis."""
    plan = plan_gain(stats or analyze(audio), target_lufs, ceiling_dbfs)
    return apply_gain(audio, plan.gain_db), plan
