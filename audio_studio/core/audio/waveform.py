"""Waveform peaks: min/max/RMS per column, computed streaming over long files, cached by hash.

A file is summarised once into at most ~1 M bins (min, max and mean square of every
``bin_frames`` frames, all channels together); any number of columns, for any zoomed range,
is then a cheap reduction of that summary. Summaries are cached in the cache folder under the
file's sha256, so the same audio at two paths (or a re-opened History item) is read once.

Blocking: ``summarize``/``summary_for``/``peaks`` read the whole file; call via
asyncio.to_thread. ``PeakSummary.columns`` is fast enough for the GUI thread (a resize).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from audio_studio.core.audio.codec import AudioData
from audio_studio.core.audio.reading import iter_blocks, probe
from audio_studio.core.fileio import sha256_file

__all__ = ["PeakSummary", "Peaks", "peaks", "summarize", "summary_for"]

Floats = npt.NDArray[np.float32]
MAX_BINS = 1 << 20  # 12 MiB of summary whatever the length
_CACHE_VERSION = 1


@dataclass(frozen=True, eq=False)
class Peaks:
    """What a waveform view draws: one min, max and RMS per column, in -1..1."""

    mins: Floats
    maxs: Floats
    rms: Floats
    start_s: float
    end_s: float

    @property
    def columns(self) -> int:
        return len(self.mins)


@dataclass(frozen=True, eq=False)
class PeakSummary:
    """Min, max and mean square of every ``bin_frames`` frames of a file."""

    mins: Floats
    maxs: Floats
    ms: Floats
    bin_frames: int
    frames: int
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0

    def columns(self, n: int, start_s: float = 0.0, end_s: float | None = None) -> Peaks:
        """Peaks for ``n`` columns between ``start_s`` and ``end_s`` (default: the end)."""
        end_s = self.duration_s if end_s is None else min(end_s, self.duration_s)
        start_s = max(0.0, min(start_s, end_s))
        bins = len(self.mins)
        if n <= 0 or bins == 0 or end_s <= start_s:
            empty = np.zeros(max(0, n), np.float32)
            return Peaks(empty, empty, empty, start_s, end_s)
        b0 = min(bins - 1, int(start_s * self.sample_rate) // self.bin_frames)
        b1 = max(b0 + 1, min(bins, math.ceil(end_s * self.sample_rate / self.bin_frames)))
        # Column i covers bins [edges[i], edges[i+1]); when zoomed in past one bin per column,
        # consecutive columns repeat a bin (reduceat returns a[i] for an empty range).
        edges = np.linspace(b0, b1, n + 1)
        starts = np.minimum(edges[:-1].astype(np.int64), b1 - 1)
        mins = np.minimum.reduceat(self.mins[:b1], starts)
        maxs = np.maximum.reduceat(self.maxs[:b1], starts)
        sums = np.add.reduceat(self.ms[:b1].astype(np.float64), starts)
        counts = np.where(starts[1:] > starts[:-1], starts[1:] - starts[:-1], 1)
        counts = np.append(counts, b1 - starts[-1]).astype(np.float64)
        rms = np.sqrt(sums / np.maximum(counts, 1)).astype(np.float32)
        return Peaks(mins.astype(np.float32), maxs.astype(np.float32), rms, start_s, end_s)

    def save(self, path: Path) -> None:
        """Write atomically (a temp file renamed), so a reader never sees half a cache file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".peaks-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(
                    fh,
                    mins=self.mins,
                    maxs=self.maxs,
                    ms=self.ms,
                    meta=np.array(
                        [_CACHE_VERSION, self.bin_frames, self.frames, self.sample_rate], np.int64
                    ),
                )
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    @classmethod
    def load(cls, path: Path) -> PeakSummary | None:
        """A cached summary, or None if missing, damaged or from another cache version."""
        try:
            with np.load(path) as data:
                version, bin_frames, frames, rate = (int(v) for v in data["meta"])
                if version != _CACHE_VERSION:
                    return None
                return cls(data["mins"], data["maxs"], data["ms"], bin_frames, frames, rate)
        except (OSError, ValueError, KeyError):
            return None


class _Binner:
    """Folds blocks into fixed-size bins, carrying the partial bin between blocks."""

    def __init__(self, bin_frames: int) -> None:
        self.bin_frames = bin_frames
        self.carry: Floats = np.zeros((0, 1), np.float32)
        self.parts: list[tuple[Floats, Floats, Floats]] = []
        self.frames = 0

    def add(self, block: Floats) -> None:
        self.frames += len(block)
        data = block if not len(self.carry) else np.concatenate([self.carry, block])
        full = len(data) // self.bin_frames * self.bin_frames
        if full:
            self._fold(data[:full].reshape(-1, self.bin_frames * data.shape[1]))
        self.carry = np.array(data[full:], copy=True)

    def finish(self) -> tuple[Floats, Floats, Floats]:
        if len(self.carry):
            self._fold(self.carry.reshape(1, -1))
            self.carry = self.carry[:0]
        if not self.parts:
            zero = np.zeros(0, np.float32)
            return zero, zero, zero
        mins, maxs, ms = (np.concatenate(p) for p in zip(*self.parts, strict=True))
        return mins, maxs, ms

    def _fold(self, rows: Floats) -> None:
        self.parts.append(
            (
                rows.min(axis=1),
                rows.max(axis=1),
                np.einsum("ij,ij->i", rows, rows, dtype=np.float32) / rows.shape[1],
            )
        )


def _bin_frames(frames_estimate: int) -> int:
    # At least 32 frames a bin (~1400 bins a second): finer zoom than that shows repeated bins.
    return max(32, math.ceil(frames_estimate / MAX_BINS))


def summarize(source: Path | AudioData) -> PeakSummary:
    """Summarise a file (streaming, block by block) or decoded audio. Blocking.

    Raises:
        UnsupportedFormatError: the file is not audio the studio reads.
    """
    if isinstance(source, AudioData):
        binner = _Binner(_bin_frames(source.frames))
        binner.add(source.samples)
        rate = source.sample_rate
    else:
        info = probe(source)
        rate = info.sample_rate
        estimate = int((info.duration_s or 3600.0) * rate)
        binner = _Binner(_bin_frames(estimate))
        for block in iter_blocks(source, block_frames=max(65536, binner.bin_frames)):
            rate = block.sample_rate
            binner.add(block.samples)
    mins, maxs, ms = binner.finish()
    return PeakSummary(mins, maxs, ms, binner.bin_frames, binner.frames, rate)


def summary_for(path: Path, cache_dir: Path, *, sha256: str | None = None) -> PeakSummary:
    """The summary of ``path`` from the cache, computing and caching it when missing. Blocking.

    ``sha256`` skips hashing when the caller knows it (History files are named by it); else
    the hash is remembered per (path, size, mtime) so an unchanged file is not hashed again.
    """
    folder = cache_dir / "peaks"
    digest = sha256 or _known_hash(path, folder)
    cached = PeakSummary.load(folder / f"{digest}.npz")
    if cached is not None:
        return cached
    summary = summarize(path)
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
        summary.save(folder / f"{digest}.npz")
    return summary


def _known_hash(path: Path, folder: Path) -> str:
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()
    marker = folder / "by-path" / hashlib.sha1(key, usedforsecurity=False).hexdigest()
    with contextlib.suppress(OSError):
        known = marker.read_text(encoding="ascii").strip()
        if len(known) == 64:
            return known
    digest = sha256_file(path)
    with contextlib.suppress(OSError):
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(digest, encoding="ascii")
    return digest


def peaks(source: Path | AudioData, columns: int, *, cache_dir: Path | None = None) -> Peaks:
    """Peaks of a whole file or decoded audio for ``columns`` columns. Blocking."""
    if isinstance(source, Path) and cache_dir is not None:
        return summary_for(source, cache_dir).columns(columns)
    return summarize(source).columns(columns)
