"""Editing decoded audio with pydub, where its vocabulary reads better than numpy.

Joining takes with pauses, fades and finding silences are a line each in pydub. pydub only
edits here: it never decodes or encodes (that needs an ffmpeg executable, which the studio does
not ship); codec.py does that with soundfile and PyAV. Samples cross over as 32-bit integers,
so a round trip through pydub changes nothing audible (about -190 dB of rounding).
Blocking (fast for clips; for hour-long audio use split.py's numpy levels): call via
asyncio.to_thread.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from audio_studio.core.audio.codec import AudioData, resample

__all__ = ["fade", "from_segment", "join", "silences", "to_segment", "trim_silence"]

_FULL_SCALE = 2**31 - 1


def _pydub() -> Any:
    with warnings.catch_warnings():
        # pydub looks for an ffmpeg executable on import; the studio never asks it to run one.
        warnings.simplefilter("ignore")
        import pydub
        import pydub.silence

    return pydub


def to_segment(audio: AudioData) -> Any:
    """A pydub AudioSegment (32-bit integer samples) holding ``audio``."""
    ints = (np.clip(audio.samples, -1.0, 1.0).astype(np.float64) * _FULL_SCALE).round()
    return _pydub().AudioSegment(
        ints.astype("<i4").tobytes(),
        frame_rate=audio.sample_rate,
        sample_width=4,
        channels=audio.channels,
    )


def from_segment(segment: Any) -> AudioData:
    """Float samples back from a pydub AudioSegment of any sample width."""
    width = segment.sample_width
    dtype: Any = {1: np.int8, 2: "<i2", 4: "<i4"}[width]
    ints = np.frombuffer(segment.raw_data, dtype=dtype).reshape(-1, segment.channels)
    scale = float(2 ** (8 * width - 1))
    return AudioData((ints.astype(np.float64) / scale).astype(np.float32), segment.frame_rate)


def join(clips: Sequence[AudioData], pause_s: float | Sequence[float] = 0.0) -> AudioData:
    """Clips one after another with ``pause_s`` of silence between (one value, or one per gap).

    Clips at other rates or channel counts are converted to the first clip's.
    """
    if not clips:
        raise ValueError("nothing to join")
    pauses = [pause_s] * (len(clips) - 1) if isinstance(pause_s, int | float) else list(pause_s)
    if len(pauses) != len(clips) - 1:
        raise ValueError("give one pause per gap between clips")
    first = clips[0]
    pydub = _pydub()
    out = to_segment(first)
    for clip, pause in zip(clips[1:], pauses, strict=True):
        clip = resample(clip, first.sample_rate)
        if clip.channels != first.channels:
            clip = AudioData(
                np.repeat(clip.mono().samples, first.channels, axis=1)
                if first.channels > 1
                else clip.mono().samples,
                clip.sample_rate,
            )
        gap = pydub.AudioSegment.silent(duration=pause * 1000, frame_rate=first.sample_rate)
        out = out + gap.set_channels(first.channels).set_sample_width(4) + to_segment(clip)
    return from_segment(out)


def fade(audio: AudioData, in_s: float = 0.0, out_s: float = 0.0) -> AudioData:
    """Fade in over ``in_s`` and out over ``out_s`` seconds."""
    segment = to_segment(audio)
    if in_s > 0:
        segment = segment.fade_in(int(in_s * 1000))
    if out_s > 0:
        segment = segment.fade_out(int(out_s * 1000))
    return from_segment(segment)


def silences(
    audio: AudioData, *, min_silence_s: float = 0.3, threshold_db: float = -40.0
) -> list[tuple[float, float]]:
    """(start, end) seconds of every pause at least ``min_silence_s`` long below the threshold."""
    ranges = _pydub().silence.detect_silence(
        to_segment(audio),
        min_silence_len=int(min_silence_s * 1000),
        silence_thresh=threshold_db,
        seek_step=10,
    )
    return [(start / 1000, end / 1000) for start, end in ranges]


def trim_silence(
    audio: AudioData, *, threshold_db: float = -50.0, keep_s: float = 0.05
) -> AudioData:
    """Cut leading and trailing silence, keeping ``keep_s`` of it at each end."""
    detect = _pydub().silence.detect_leading_silence
    segment = to_segment(audio)
    lead = detect(segment, silence_threshold=threshold_db, chunk_size=5)
    tail = detect(segment.reverse(), silence_threshold=threshold_db, chunk_size=5)
    keep = int(keep_s * 1000)
    start, end = max(0, lead - keep), max(0, len(segment) - tail + keep)
    return from_segment(segment[start:end]) if end > start else from_segment(segment[:0])
