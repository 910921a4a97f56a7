"""The recorder's spool: a WAV that stays playable while it grows, and its repair after a crash.

Why a plain 16-bit PCM WAV whose header is rewritten every half second (not FLAC, Ogg or raw
PCM): a WAV grows by appending samples and nothing else, so a file cut off at any byte still
holds every complete sample before the cut. The 44-byte header is rewritten in place (one
sector, one pwrite) with the sizes written so far, so the file on disk plays up to the last
half second at every moment. After a kill, ``repair_take`` sets the sizes from the file length
and drops a torn last sample. FLAC or Ogg would lose the torn frame or page and need a decoder
to find where the damage starts; raw PCM would not play at all. A ``.json`` sidecar keeps what
the header cannot (title, device, start time, History row, pauses). The costs: size (no
compression; 5.5 MiB a minute at 48 kHz mono) and the 4 GiB WAV limit (6 h at 48 kHz stereo),
where the take stops and is kept.

Threads: one WavSpool is written by one thread (the recorder's writer). Blocking throughout.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from audio_studio.core.audio.backend import Samples
from audio_studio.core.fileio import atomic_write_text

__all__ = [
    "HEADER_BYTES",
    "RepairedTake",
    "WavSpool",
    "read_sidecar",
    "repair_take",
    "sidecar_path",
    "write_sidecar",
]

HEADER_BYTES = 44
# Leave a margin below 4 GiB so the RIFF size field (data + 36) never overflows.
WAV_LIMIT = 0xFFFFFFFF - HEADER_BYTES - (1 << 20)


@dataclass(frozen=True)
class RepairedTake:
    path: Path
    sample_rate: int
    channels: int
    frames: int
    sidecar: Mapping[str, Any] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


def _header(rate: int, channels: int, data_bytes: int) -> bytes:
    align = channels * 2
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        *(b"RIFF", 36 + data_bytes, b"WAVE", b"fmt ", 16, 1, channels),
        *(rate, rate * align, align, 16, b"data", data_bytes),
    )


def _lock(fd: int) -> bool:
    """Take an exclusive lock so start-up repair never touches a take that is still recording."""
    try:
        import fcntl
    except ImportError:  # Windows: a file open for writing cannot be replaced there anyway
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


class WavSpool:
    """A 16-bit PCM WAV written block by block, its header kept current by ``flush_header``."""

    def __init__(self, path: Path, sample_rate: int, channels: int) -> None:
        self.path = path
        self.sample_rate = sample_rate
        self.channels = channels
        self.frames = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        _lock(self._fd)
        self.flush_header()

    @property
    def data_bytes(self) -> int:
        return self.frames * self.channels * 2

    def append(self, block: Samples) -> bool:
        """Write float samples as 16-bit PCM; False (nothing written) past the WAV size limit."""
        pcm = (np.clip(block, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()
        if HEADER_BYTES + self.data_bytes + len(pcm) > WAV_LIMIT:
            return False
        # pwrite at an explicit offset: O_APPEND would make Linux ignore the header's offset.
        os.pwrite(self._fd, pcm, HEADER_BYTES + self.data_bytes)
        self.frames += len(block)
        return True

    def flush_header(self) -> None:
        os.pwrite(self._fd, _header(self.sample_rate, self.channels, self.data_bytes), 0)

    def sync(self) -> None:
        os.fsync(self._fd)

    def close(self) -> None:
        """Final header and fsync; never raises (repair_take fixes what a failing disk left)."""
        if self._fd < 0:
            return
        try:
            self.flush_header()
            os.fsync(self._fd)
        except OSError:
            pass
        finally:
            os.close(self._fd)  # also releases the lock
            self._fd = -1


def sidecar_path(path: Path) -> Path:
    return path.with_suffix(".json")


def write_sidecar(path: Path, meta: Mapping[str, Any]) -> None:
    atomic_write_text(sidecar_path(path), json.dumps(dict(meta), indent=1, default=str))


def read_sidecar(path: Path) -> dict[str, Any]:
    """The take's sidecar (empty if missing or unreadable)."""
    try:
        data = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def repair_take(path: Path) -> RepairedTake | None:
    """Make a spool left by a crash a complete WAV again: sizes from the file length.

    Returns None when the file is being recorded right now (locked by another process) or is
    not a take. Blocking.
    """
    sidecar = read_sidecar(path)
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None
    try:
        if not _lock(fd):
            return None  # still recording in another process
        head = os.pread(fd, HEADER_BYTES, 0)
        size = os.fstat(fd).st_size
        channels = rate = 0
        if len(head) == HEADER_BYTES and head[:4] == b"RIFF" and head[8:16] == b"WAVEfmt ":
            channels, rate = struct.unpack("<HI", head[22:28])
        if not (rate and channels) and sidecar.get("sample_rate") and sidecar.get("channels"):
            rate, channels = int(sidecar["sample_rate"]), int(sidecar["channels"])
        if not (rate and channels):
            return None  # neither a header nor a sidecar: not one of our takes
        align = channels * 2
        frames = max(0, min(size - HEADER_BYTES, WAV_LIMIT) // align)
        os.ftruncate(fd, HEADER_BYTES + frames * align)  # drop a torn last sample
        os.pwrite(fd, _header(rate, channels, frames * align), 0)
        os.fsync(fd)
    finally:
        os.close(fd)
    return RepairedTake(path, rate, channels, frames, sidecar)
