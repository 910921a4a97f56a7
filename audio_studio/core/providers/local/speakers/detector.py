"""Speaker detection from the event loop: the work runs in the offline engine's worker process."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path
from typing import Any

from audio_studio.core.errors import ConfigurationError
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.providers.local.speakers.diarize import MAX_SPEAKERS, Detection
from audio_studio.core.providers.local.worker import EngineWorker, shared_worker

__all__ = ["MAX_SPEAKERS", "Detection", "detect_speakers"]

HANDLER = "audio_studio.core.providers.local.speakers.diarize:detect_file"


def _installed() -> bool:
    """faster-whisper (mel filters, Silero VAD) and scipy (clustering) come with the extra."""
    return all(importlib.util.find_spec(name) for name in ("faster_whisper", "scipy"))


async def detect_speakers(
    audio: Path,
    num_speakers: int | None = None,
    *,
    progress: ProgressFn | None = None,
    worker: EngineWorker | None = None,
) -> Detection:
    """Who spoke when in ``audio`` (``num_speakers`` voices, or found when None).

    Shares the transcription engine's worker, so the two never compete for the CPU and
    cancelling stops it at once. Raises UnsupportedFormatError for a file that is not audio.
    """

    if not await asyncio.to_thread(_installed):
        raise ConfigurationError(
            "Telling speakers apart needs the offline engines. Install them with "
            "pip install 'audio-studio[offline]' (the README's run command does this).",
            provider="local",
        )

    def on_event(event: Any) -> None:
        if progress is not None:
            progress(event[0], event[1])

    payload = {"audio": str(audio), "num_speakers": num_speakers}
    result: Detection = await (worker or shared_worker("whisper")).run(HANDLER, payload, on_event)
    return result
