"""Meter values for a recording: peak and RMS since the last poll, a latched clip flag.

Threads: the recorder's writer thread adds blocks; any thread (the UI's QTimer, the CLI) reads.
A lock guards the running sums; it is never taken on the audio callback's thread.
"""

from __future__ import annotations

import enum
import math
import threading
from dataclasses import dataclass

import numpy as np

from audio_studio.core.audio.backend import Samples

__all__ = ["CLIP_LEVEL", "Levels", "Meter", "RecorderState", "db"]

CLIP_LEVEL = 0.999  # about -0.01 dBFS: what 16-bit full scale decodes to


def db(value: float) -> float:
    """Linear amplitude to dBFS (-inf for silence)."""
    return 20 * math.log10(value) if value > 0 else -math.inf


class RecorderState(enum.StrEnum):
    IDLE = "idle"
    RECORDING = "recording"
    PAUSED = "paused"
    STOPPED = "stopped"
    FAILED = "failed"  # the device went away; the take so far is kept


@dataclass(frozen=True)
class Levels:
    """Meter values since the previous poll, and the take's running totals."""

    peak: float  # linear, 0..1+
    rms: float
    clipped: bool  # latched until reset_clip()
    seconds: float  # audio in the take (pauses excluded)
    overflows: int  # blocks the device reported as overflowed (audio it could not deliver)
    dropped_s: float  # audio the studio could not take in time, replaced by silence
    state: RecorderState

    @property
    def peak_db(self) -> float:
        return db(self.peak)

    @property
    def rms_db(self) -> float:
        return db(self.rms)


class Meter:
    """Peak and mean square of the blocks added since the last ``read``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._peak = self._sumsq = 0.0
        self._count = 0
        self._last = (0.0, 0.0)
        self._clipped = False

    def add(self, block: Samples) -> int:
        """Account for one block; returns how many of its samples clipped."""
        peak = float(np.max(np.abs(block))) if block.size else 0.0
        over = int(np.count_nonzero(np.abs(block) >= CLIP_LEVEL)) if peak >= CLIP_LEVEL else 0
        flat = block.ravel()
        with self._lock:
            self._peak = max(self._peak, peak)
            self._sumsq += float(np.dot(flat, flat))
            self._count += block.size
            self._clipped = self._clipped or over > 0
        return over

    def read(self) -> tuple[float, float, bool]:
        """(peak, rms, clipped) since the last read; the previous values if nothing came."""
        with self._lock:
            if self._count:
                self._last = (self._peak, math.sqrt(self._sumsq / self._count))
                self._peak = self._sumsq = 0.0
                self._count = 0
            return (*self._last, self._clipped)

    def reset_clip(self) -> None:
        with self._lock:
            self._clipped = False
