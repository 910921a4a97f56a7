"""Measure audio: duration, peak, RMS, integrated loudness (LUFS), clipping, silence, loop seam.

Loudness follows ITU-R BS.1770-4 (EBU R 128): K-weighting (a high-shelf "head" filter and the
RLB high-pass), mean square per 400 ms block with 75 % overlap, an absolute gate at -70 LUFS
and a relative gate 10 LU below the loudness of the blocks that passed it. The two biquads are
derived for any sample rate from their analogue prototypes (as libebur128 does; at 48 kHz they
are the coefficients printed in the standard) and applied as one FIR of their impulse response
by FFT overlap-add: numpy has no IIR filter, and the response decays below 1e-9 within about
0.3 s, so the result matches the recursive filter to float precision.

Everything works block by block, so ``analyze_file`` runs over hour-long files in constant
memory. Blocking: call via asyncio.to_thread.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from audio_studio.core.audio.codec import AudioData
from audio_studio.core.audio.levels import CLIP_LEVEL
from audio_studio.core.audio.reading import iter_blocks

__all__ = ["AudioStats", "analyze", "analyze_blocks", "analyze_file", "k_weighting_ir"]

Floats = npt.NDArray[np.float64]
_BLOCK = 65536


@dataclass(frozen=True)
class AudioStats:
    duration_s: float
    sample_rate: int
    channels: int
    peak_dbfs: float  # -inf for digital silence
    rms_dbfs: float  # all channels together; a full-scale sine reads -3.0
    lufs: float | None  # integrated loudness; None if shorter than 0.4 s or all gated
    clipped_samples: int  # samples at or beyond -0.01 dBFS
    leading_silence_s: float
    trailing_silence_s: float
    seam_jump: float  # |first sample - last sample|, largest over channels
    seam_ratio: float  # curvature across the loop seam / the signal's typical curvature
    loop_click: bool  # the seam would click when the audio loops

    @property
    def is_silent(self) -> bool:
        return self.peak_dbfs == -math.inf


def _biquads(rate: int) -> list[tuple[tuple[float, float, float], tuple[float, float, float]]]:
    # Stage 1, high shelf (the head's acoustic effect): analogue prototype of BS.1770.
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = (
        ((vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0),
        (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0),
    )
    # Stage 2, the RLB high-pass.
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    a0 = 1 + k / q + k * k
    highpass = ((1.0, -2.0, 1.0), (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0))
    return [shelf, highpass]


@functools.lru_cache(maxsize=16)
def k_weighting_ir(rate: int) -> Floats:
    """The impulse response of the K-weighting filter at ``rate``, cut where it is < 1e-9."""
    n = 1 << 18
    w = np.exp(-1j * np.pi * np.arange(n // 2 + 1) / (n // 2))  # z^-1 on the unit circle
    response = np.ones_like(w)
    for (b0, b1, b2), (_, a1, a2) in _biquads(rate):
        response *= (b0 + b1 * w + b2 * w * w) / (1 + a1 * w + a2 * w * w)
    ir = np.fft.irfft(response, n)
    significant = np.flatnonzero(np.abs(ir) > 1e-9 * np.abs(ir).max())
    return np.ascontiguousarray(ir[: significant[-1] + 1])


class _Analyzer:
    """Accumulates every measure over blocks of (frames, channels) float samples."""

    def __init__(self, rate: int, channels: int, silence_db: float) -> None:
        self.rate, self.channels = rate, channels
        self.ir = k_weighting_ir(rate)
        self.fft_size = 1 << math.ceil(math.log2(_BLOCK + len(self.ir) - 1))
        self.ir_fft = np.fft.rfft(self.ir, self.fft_size)
        self.tail = np.zeros((len(self.ir) - 1, channels))
        self.hop = max(1, round(rate / 10))  # 100 ms: a quarter of a 400 ms gating block
        self.hop_carry = np.zeros((0, channels))
        self.hops: list[Floats] = []  # mean square per hop, per channel
        self.window = max(1, rate // 100)  # 10 ms windows for the silence search
        self.win_carry = np.zeros((0, channels))
        self.threshold = 10 ** (silence_db / 20)
        self.first_loud: int | None = None
        self.last_loud_end = 0
        self.frames = 0
        self.peak = 0.0
        self.sumsq = 0.0
        self.clipped = 0
        self.head = np.zeros((0, channels))
        self.prev = np.zeros((0, channels))
        self.curv_sumsq = 0.0
        self.curv_count = 0

    def add(self, block: npt.NDArray[np.float32]) -> None:
        x = block.astype(np.float64)
        if not len(x):
            return
        peak = float(np.max(np.abs(x)))
        self.peak = max(self.peak, peak)
        self.sumsq += float(np.einsum("ij,ij->", x, x))
        if peak >= CLIP_LEVEL:
            self.clipped += int(np.count_nonzero(np.abs(x) >= CLIP_LEVEL))
        if len(self.head) < 2:
            self.head = np.concatenate([self.head, x[: 2 - len(self.head)]])
        joined = np.concatenate([self.prev, x])
        if len(joined) >= 3:
            curvature = joined[2:] - 2 * joined[1:-1] + joined[:-2]
            self.curv_sumsq += float(np.einsum("ij,ij->", curvature, curvature))
            self.curv_count += curvature.size
        self.prev = joined[-2:]
        self._silence(x)
        for start in range(0, len(x), _BLOCK):
            self._loudness(x[start : start + _BLOCK])
        self.frames += len(x)

    def _silence(self, x: Floats) -> None:
        data = np.concatenate([self.win_carry, x])
        full = len(data) // self.window * self.window
        base = self.frames - len(self.win_carry)
        loud = np.flatnonzero(
            np.abs(data[:full]).reshape(-1, self.window * self.channels).max(axis=1)
            > self.threshold
        )
        if len(loud):
            if self.first_loud is None:
                self.first_loud = base + int(loud[0]) * self.window
            self.last_loud_end = base + (int(loud[-1]) + 1) * self.window
        self.win_carry = data[full:]

    def _loudness(self, x: Floats) -> None:
        n = len(x)
        spectrum = np.fft.rfft(x, self.fft_size, axis=0) * self.ir_fft[:, None]
        y = np.fft.irfft(spectrum, self.fft_size, axis=0)[: n + len(self.tail)]
        y[: len(self.tail)] += self.tail
        if len(y) > n:
            self.tail = y[n:].copy()
            y = y[:n]
        else:
            self.tail = np.zeros_like(self.tail)
        data = np.concatenate([self.hop_carry, y])
        full = len(data) // self.hop * self.hop
        if full:
            squares = (data[:full] ** 2).reshape(-1, self.hop, self.channels)
            self.hops.append(squares.mean(axis=1))
        self.hop_carry = data[full:]

    def finish(self) -> AudioStats:
        if self.win_carry.size and np.abs(self.win_carry).max() > self.threshold:
            if self.first_loud is None:
                self.first_loud = self.frames - len(self.win_carry)
            self.last_loud_end = self.frames
        rate, frames = self.rate, self.frames
        seam_jump, seam_ratio = self._seam()
        return AudioStats(
            duration_s=frames / rate,
            sample_rate=rate,
            channels=self.channels,
            peak_dbfs=_db(self.peak),
            rms_dbfs=_db(math.sqrt(self.sumsq / max(1, frames * self.channels))),
            lufs=self._integrated(),
            clipped_samples=self.clipped,
            leading_silence_s=(self.first_loud if self.first_loud is not None else frames) / rate,
            trailing_silence_s=(frames - self.last_loud_end) / rate
            if self.first_loud is not None
            else 0.0,
            seam_jump=seam_jump,
            seam_ratio=seam_ratio,
            loop_click=seam_ratio > 8.0 and seam_jump > 0.005,
        )

    def _seam(self) -> tuple[float, float]:
        if self.frames < 4:
            return 0.0, 0.0
        last2, first2 = self.prev, self.head
        jump = float(np.max(np.abs(first2[0] - last2[-1])))
        across = np.concatenate([last2, first2])
        curvature = across[2:] - 2 * across[1:-1] + across[:-2]
        typical = math.sqrt(self.curv_sumsq / max(1, self.curv_count))
        seam = float(np.max(np.abs(curvature)))
        return jump, seam / typical if typical > 1e-12 else (math.inf if seam > 1e-9 else 0.0)

    def _integrated(self) -> float | None:
        if not self.hops:
            return None
        hops = np.concatenate(self.hops)
        if len(hops) < 4:
            return None
        weights = np.ones(self.channels)
        if self.channels == 6:  # 5.1 as L R C LFE Ls Rs: no LFE, surrounds weigh 1.41
            weights[3], weights[4:] = 0.0, 1.41
        per_hop = hops @ weights
        blocks = (per_hop[:-3] + per_hop[1:-2] + per_hop[2:-1] + per_hop[3:]) / 4
        with np.errstate(divide="ignore"):
            loudness = -0.691 + 10 * np.log10(blocks)
        kept = blocks[loudness > -70.0]
        if not len(kept):
            return None
        relative = -0.691 + 10 * math.log10(float(kept.mean())) - 10.0
        gated = blocks[(loudness > -70.0) & (loudness > relative)]
        return -0.691 + 10 * math.log10(float(gated.mean())) if len(gated) else None


def _db(value: float) -> float:
    return 20 * math.log10(value) if value > 0 else -math.inf


def analyze(audio: AudioData, *, silence_db: float = -50.0) -> AudioStats:
    """Measure decoded audio. ``silence_db``: the level below which audio counts as silence."""
    analyzer = _Analyzer(audio.sample_rate, audio.channels, silence_db)
    for start in range(0, max(1, audio.frames), _BLOCK * 4):
        analyzer.add(audio.samples[start : start + _BLOCK * 4])
    return analyzer.finish()


def analyze_blocks(
    blocks: Iterable[npt.NDArray[np.float32]],
    sample_rate: int,
    channels: int,
    *,
    silence_db: float = -50.0,
) -> AudioStats:
    """Measure audio that arrives as (frames, channels) blocks, in constant memory (a stream
    made on the fly, such as a chapter laid out from its takes)."""
    analyzer = _Analyzer(sample_rate, channels, silence_db)
    for block in blocks:
        analyzer.add(block)
    return analyzer.finish()


def analyze_file(path: Path, *, silence_db: float = -50.0) -> AudioStats:
    """Measure a file block by block, in constant memory.

    Raises:
        UnsupportedFormatError: the file is not audio the studio reads.
    """
    analyzer: _Analyzer | None = None
    for block in iter_blocks(path, block_frames=_BLOCK * 4):
        if analyzer is None:
            analyzer = _Analyzer(block.sample_rate, block.channels, silence_db)
        analyzer.add(block.samples)
    assert analyzer is not None  # iter_blocks raises for a file without audio
    return analyzer.finish()
