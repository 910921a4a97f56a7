"""Finished music on its way out: its length, and the caller's file in the format it asks for."""

from __future__ import annotations

import asyncio
from pathlib import Path

from audio_studio.core.errors import InputError, StudioError
from audio_studio.core.models import AudioFormat, AudioResult

__all__ = ["measure_duration", "write_output"]


def measure_duration(result: AudioResult) -> float | None:
    """Decode to measure the length. Blocking."""
    from audio_studio.core.audio import codec

    try:
        if result.format is AudioFormat.PCM:
            return codec.from_pcm16(result.data, result.sample_rate or 24_000).duration_s
        return codec.decode(result.data).duration_s
    except StudioError:
        return None


async def write_output(result: AudioResult, output: Path) -> Path:
    """Write the audio to the caller's file, converting if its extension asks for another format."""
    from audio_studio.core.audio import codec
    from audio_studio.core.fileio import atomic_write_bytes

    wanted = codec.format_for_path(output)
    same = {wanted, result.format} <= {AudioFormat.OGG, AudioFormat.OPUS} or wanted is result.format
    try:
        if same:
            await asyncio.to_thread(atomic_write_bytes, output, result.data)
        else:

            def convert() -> None:
                audio = (
                    codec.from_pcm16(result.data, result.sample_rate or 24_000)
                    if result.format is AudioFormat.PCM
                    else codec.decode(result.data)
                )
                codec.write(audio, output, wanted)

            await asyncio.to_thread(convert)
    except OSError as exc:
        raise InputError(f"Could not write {output} ({exc.strerror or exc}).") from exc
    return output
