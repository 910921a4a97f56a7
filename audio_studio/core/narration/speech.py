"""Speak one text: any speech provider → stored audio + a History row with its provenance.

Runs on the event loop; encoding, hashing and SQLite go through asyncio.to_thread. With
``on_chunk``, streaming providers are read sentence by sentence and each piece goes to the
caller as it arrives (playback can start early); otherwise the provider's ``synthesize`` is
used, whose result also names the voice it chose and its own time to first audio.
"""

from __future__ import annotations

import asyncio
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audio_studio.core.errors import InputError
from audio_studio.core.models import (
    AudioChunk,
    AudioFormat,
    AudioResult,
    Capability,
    HistoryKind,
    Latency,
    SpeechRequest,
    Usage,
    frozen_mapping,
)
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.store.history import FileRecord, HistoryEntry, HistoryItem

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext

__all__ = ["SpeechOutcome", "check_text", "speak"]


@dataclass(frozen=True)
class SpeechOutcome:
    item: HistoryItem
    path: Path  # the stored audio file
    result: AudioResult


def check_text(text: str) -> str:
    """The text to speak, stripped.

    Raises:
        InputError: nothing to say (empty, only spaces, punctuation or emoji).
    """
    stripped = text.strip()
    if not any(unicodedata.category(c)[0] in "LN" for c in stripped):
        raise InputError(
            "There is nothing to say: the text has no letters or digits "
            "(only spaces, punctuation or emoji)."
            if stripped
            else "There is nothing to say: the text is empty."
        )
    return stripped


def _title(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


async def speak(
    ctx: StudioContext,
    request: SpeechRequest,
    *,
    provider_id: str | None = None,
    progress: ProgressFn | None = None,
    on_chunk: Callable[[AudioChunk], None] | None = None,
) -> SpeechOutcome:
    """Say ``request.text`` with the provider (default: Settings' speech provider).

    Args:
        progress: ``(share, message)``, e.g. a JobContext's ``report``.
        on_chunk: called with each streamed piece (PCM for the offline engine).

    Raises:
        InputError: nothing to say. StudioError: whatever the provider or storage reports.
    """
    check_text(request.text)
    pid = provider_id or ctx.settings.speech_provider or "local"
    provider = await ctx.provider(pid, Capability.SPEECH)
    info = provider.info
    check = await ctx.preflight(pid, Capability.SPEECH, request.model, characters=len(request.text))
    check.raise_if_blocked()
    started = time.perf_counter()
    if info.streams_speech and on_chunk is not None:
        # A listener wants the audio as it comes (playback can start after a sentence).
        result = await _from_stream(provider, request, started, progress, on_chunk)
    else:
        result = await provider.synthesize(request)
    if progress:
        progress(1.0, "Saving…")
    stored = await asyncio.to_thread(ctx.files.put_bytes, result.data, result.format.extension)
    voice = request.voice or ctx.settings.provider(pid).voice or info.default_voice
    params: dict[str, Any] = {
        "speed": request.speed,
        "format": request.format.value,
        "sample_rate": result.sample_rate,
        "settings": dict(request.settings),
        **dict(result.params),
    }
    if request.instructions:
        params["instructions"] = request.instructions
    entry = HistoryEntry(
        kind=HistoryKind.SPEECH,
        title=_title(request.text),
        provider=pid,
        model=result.model or request.model or info.default_models.get(Capability.SPEECH),
        voice=str(params.get("voice") or voice or "") or None,
        params=params,
        input_text=request.text,
        duration_s=result.duration_s,
        usage=check.usage(
            Usage(
                characters=len(request.text),
                audio_seconds=result.duration_s or 0.0,
                credits=result.usage.credits,
                cost_usd=result.usage.cost_usd,
            )
        ),
        latency=result.latency,
        files=(
            FileRecord.of("audio", stored, result.duration_s, result.sample_rate, result.channels),
        ),
    )
    item_id = await asyncio.to_thread(ctx.history.add, entry)
    item = await asyncio.to_thread(ctx.history.get, item_id)
    assert item is not None
    return SpeechOutcome(item=item, path=stored.path, result=result)


async def _from_stream(
    provider: Any,
    request: SpeechRequest,
    started: float,
    progress: ProgressFn | None,
    on_chunk: Callable[[AudioChunk], None] | None,
) -> AudioResult:
    chunks: list[AudioChunk] = []
    first: float | None = None
    said = 0
    async for chunk in provider.stream(request):
        if first is None:
            first = time.perf_counter()
        chunks.append(chunk)
        if on_chunk is not None:
            on_chunk(chunk)
        said += len(chunk.text or "")
        if progress:
            share = min(0.99, said / max(1, len(request.text))) if chunk.text else None
            progress(share, f"{len(chunks)} sentence{'s' if len(chunks) != 1 else ''} ready")
    if not chunks:
        raise InputError("The voice produced no audio for this text.")
    data, rate, channels, duration = await asyncio.to_thread(_assemble, chunks, request.format)
    done = time.perf_counter()
    info = provider.info
    return AudioResult(
        data=data,
        format=request.format,
        provider=info.id,
        model=request.model or info.default_models.get(Capability.SPEECH),
        sample_rate=rate,
        channels=channels,
        duration_s=duration,
        latency=Latency(
            ttfb_ms=((first or done) - started) * 1000, total_ms=(done - started) * 1000
        ),
        usage=Usage(characters=len(request.text), audio_seconds=duration or 0.0),
        params=frozen_mapping({"sentences": len(chunks)}),
    )


def _assemble(
    chunks: list[AudioChunk], fmt: AudioFormat
) -> tuple[bytes, int | None, int | None, float | None]:
    """Join streamed pieces into one file of ``fmt``. Blocking."""
    from audio_studio.core.audio import codec

    if all(c.format is AudioFormat.PCM and c.sample_rate for c in chunks):
        rate = chunks[0].sample_rate or 0
        channels = chunks[0].channels
        audio = codec.from_pcm16(b"".join(c.data for c in chunks), rate, channels)
    else:
        joined = b"".join(c.data for c in chunks)
        if all(c.format is fmt for c in chunks) and fmt is not AudioFormat.WAV:
            # Frames of compressed formats simply follow each other; keep the provider's bytes.
            audio = codec.decode(joined, name="the streamed audio")
            return joined, audio.sample_rate, audio.channels, audio.duration_s
        audio = codec.decode(joined, name="the streamed audio")
    return codec.encode(audio, fmt), audio.sample_rate, audio.channels, audio.duration_s
