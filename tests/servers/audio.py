"""Small real audio payloads for the servers: a WAV built with the stdlib, an MP3 via the codec."""

from __future__ import annotations

import functools
import io
import math
import struct
import wave


@functools.cache
def wav_bytes(seconds: float = 0.5, rate: int = 24_000) -> bytes:
    """A 440 Hz tone as 16-bit mono WAV."""
    frames = int(seconds * rate)
    samples = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate))) for n in range(frames)
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples)
    return out.getvalue()


@functools.cache
def pcm_bytes(seconds: float = 0.5, rate: int = 24_000) -> bytes:
    return wav_bytes(seconds, rate)[44:]


@functools.cache
def mp3_bytes(seconds: float = 1.0) -> bytes:
    from audio_studio.core.audio import codec
    from audio_studio.core.models import AudioFormat

    return codec.encode(codec.decode(wav_bytes(seconds, 24_000)), AudioFormat.MP3)


def audio_for(fmt: str, seconds: float | None = None) -> tuple[bytes, str]:
    """Bytes and content type for an OpenAI ``response_format`` or ElevenLabs codec name
    (``seconds`` long; default half a second, a second for MP3)."""
    if fmt.startswith("pcm"):
        return pcm_bytes(seconds or 0.5), "audio/pcm"
    if fmt.startswith(("mp3", "opus", "aac", "flac")):
        return mp3_bytes(seconds or 1.0), "audio/mpeg"
    return wav_bytes(seconds or 0.5), "audio/wav"


def chunked(data: bytes, size: int = 4096) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]
