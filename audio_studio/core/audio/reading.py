"""Streaming reads of long files: what a file holds (probe) and its samples block by block.

Waveforms, analysis and splitting of hour-long files go through ``iter_blocks`` so memory stays
flat whatever the length. Blocking: call via asyncio.to_thread, a few blocks at a time if the
caller must stay cancellable.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from audio_studio.core.audio.codec import AudioData
from audio_studio.core.audio.formats import (
    SOUNDFILE_KINDS,
    check_mp3_length,
    check_ogg_complete,
    check_soundfile,
    declared_seconds,
    not_audio,
    read_head,
    sniff,
    truncated,
)
from audio_studio.core.errors import UnsupportedFormatError
from audio_studio.core.models import frozen_mapping

__all__ = ["AudioInfo", "iter_blocks", "probe"]

_TAG_KEYS = ("title", "artist", "album", "comment", "date", "genre")


@dataclass(frozen=True)
class AudioInfo:
    """What a file holds, read from its header (no decoding)."""

    path: Path
    sample_rate: int
    channels: int
    duration_s: float | None  # None when the container does not say
    container: str
    codec: str
    size_bytes: int
    tags: Mapping[str, str] = field(default_factory=frozen_mapping)


def probe(path: Path) -> AudioInfo:
    """Rate, channels, length, codec and tags of an audio file.

    Raises:
        UnsupportedFormatError: not an audio file the studio reads; the message names it.
    """
    head = read_head(path, path.name)
    size = path.stat().st_size
    if sniff(head) in SOUNDFILE_KINDS:
        try:
            return _probe_soundfile(path, size)
        except UnsupportedFormatError:
            raise
        except Exception:
            pass
    try:
        return _probe_av(path, size)
    except Exception as exc:
        raise not_audio(path.name, exc) from exc


def _probe_soundfile(path: Path, size: int) -> AudioInfo:
    import soundfile as sf

    with sf.SoundFile(path) as f:
        check_soundfile(f, path.name)
        tags = {k: str(getattr(f, k)) for k in _TAG_KEYS if getattr(f, k, "")}
        return AudioInfo(
            path,
            int(f.samplerate),
            int(f.channels),
            f.frames / f.samplerate if f.frames else None,
            str(f.format).lower(),
            str(f.subtype).lower(),
            size,
            frozen_mapping(tags),
        )


def _probe_av(path: Path, size: int) -> AudioInfo:
    import av

    with av.open(str(path)) as container:
        if not container.streams.audio:
            raise ValueError("no audio stream")
        stream = container.streams.audio[0]
        tags: dict[str, str] = {}
        for source in (container.metadata, stream.metadata):
            for key, value in source.items():
                if key.lower() in _TAG_KEYS and value:
                    tags.setdefault(key.lower(), str(value))
        duration = float(container.duration) / 1_000_000 if container.duration else None
        return AudioInfo(
            path,
            int(stream.rate or stream.codec_context.sample_rate),
            int(stream.codec_context.channels or 1),
            duration,
            str(container.format.name),
            str(stream.codec_context.name),
            size,
            frozen_mapping(tags),
        )


def iter_blocks(path: Path, *, block_frames: int = 65536) -> Iterator[AudioData]:
    """Decode ``path`` in blocks of about ``block_frames`` frames (the last may be shorter).

    Channels are kept as the file has them (more than two are mixed to stereo by FFmpeg).

    Raises:
        UnsupportedFormatError: not audio, corrupt or truncated (a truncation that only shows
            at the end is raised after the blocks before it were yielded).
    """
    head = read_head(path, path.name)
    # Not MP3: libsndfile 1.2.2 garbles MP3 samples at the seams of partial reads (mpg123
    # "part2_3_length too large"); FFmpeg streams it exactly.
    if sniff(head) in SOUNDFILE_KINDS - {"mp3"}:
        try:
            blocks = _soundfile_blocks(path, head, block_frames)
            first = next(blocks, None)
        except UnsupportedFormatError:
            raise
        except Exception:
            first = None
        if first is not None:
            yield first
            try:
                yield from blocks
            except UnsupportedFormatError:
                raise
            except Exception as exc:  # damage in the middle of the file
                raise not_audio(path.name, exc) from exc
            return
    if sniff(head) == "opus":
        check_ogg_complete(path, path.name)
    yield from _av_blocks(path, head, block_frames)


def _soundfile_blocks(path: Path, head: bytes, block_frames: int) -> Iterator[AudioData]:
    import soundfile as sf

    with sf.SoundFile(path) as f:
        check_soundfile(f, path.name)
        rate, declared, total = int(f.samplerate), int(f.frames), 0
        while True:
            data = f.read(block_frames, dtype="float32", always_2d=True)
            if not len(data):
                break
            total += len(data)
            yield AudioData(data, rate)
    check_mp3_length(head, path.name, total, declared, rate)


def _av_blocks(path: Path, head: bytes, block_frames: int) -> Iterator[AudioData]:
    import av

    try:
        container = av.open(str(path))
    except Exception as exc:
        raise not_audio(path.name, exc) from exc
    with container:
        if not container.streams.audio:
            raise not_audio(path.name, ValueError("no audio stream"))
        stream = container.streams.audio[0]
        rate = int(stream.rate or stream.codec_context.sample_rate)
        width = 1 if (stream.codec_context.channels or 1) == 1 else 2
        declared = declared_seconds(container, head)
        resampler = av.AudioResampler(
            format="flt", layout="mono" if width == 1 else "stereo", rate=rate
        )
        pending: list[Any] = []
        held = 0
        total = 0
        frames = container.decode(stream)
        while True:
            try:
                frame = next(frames, None)
            except Exception as exc:
                raise not_audio(path.name, exc) from exc
            for out in resampler.resample(frame):
                part = np.asarray(out.to_ndarray(), dtype=np.float32).reshape(-1, width)
                pending.append(part)
                held += len(part)
            if held >= block_frames or (frame is None and held):
                block = np.concatenate(pending) if len(pending) > 1 else pending[0]
                pending, held = [], 0
                total += len(block)
                yield AudioData(block, rate)
            if frame is None:
                break
    if total == 0:
        raise UnsupportedFormatError(f"{path.name} holds no audio (0 samples).")
    if declared and total / rate < declared - max(0.5, 0.02 * declared):
        raise UnsupportedFormatError(truncated(path.name, total / rate, declared))
