"""Where speech is in a file, by the Silero VAD that faster-whisper ships (run in the worker)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from audio_studio.core.errors import ConfigurationError
from audio_studio.core.providers.local.worker import EngineWorker, shared_worker

__all__ = ["speech_regions"]

HANDLER = "audio_studio.core.providers.local.vad:regions_file"


async def speech_regions(
    audio: Path, worker: EngineWorker | None = None
) -> list[tuple[float, float]]:
    """``(start_s, end_s)`` of each stretch of speech in ``audio``, in order.

    Raises ConfigurationError when faster-whisper (which ships the VAD) is not installed."""
    if importlib.util.find_spec("faster_whisper") is None:
        raise ConfigurationError("The offline engines are not installed.", provider="local")
    found: list[tuple[float, float]] = await (worker or shared_worker("whisper")).run(
        HANDLER, {"audio": str(audio)}
    )
    return found


def regions_file(
    payload: dict[str, Any], emit: Callable[[Any], None], cache: dict[str, Any]
) -> list[tuple[float, float]]:
    """Worker handler: the file is read as a stream, 30 s at a time."""
    import numpy as np
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    from audio_studio.core.audio.speech_stream import SPEECH_RATE, iter_speech_windows

    options = VadOptions(min_silence_duration_ms=300, speech_pad_ms=200)
    out: list[tuple[float, float]] = []
    for start, samples in iter_speech_windows(Path(payload["audio"]), 30.0):
        if not len(samples) or float(np.max(np.abs(samples))) < 1e-3:
            continue
        for r in get_speech_timestamps(samples, options):
            a, b = start + r["start"] / SPEECH_RATE, start + r["end"] / SPEECH_RATE
            if out and a - out[-1][1] < 0.3:
                out[-1] = (out[-1][0], b)
            else:
                out.append((a, b))
    return out
