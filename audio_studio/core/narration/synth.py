"""One chunk to one take: call the provider (streaming when someone listens), keep the audio.

``Voicing`` is everything that decides the sound of a chunk for one job (and so its cache key).
``render`` asks the provider for the chunk, handing samples to a listener as they arrive;
``keep_take`` stores the audio (FLAC, content-addressed), adds its TAKE row to History under
the project and returns the Take. Runs on the loop; codec and SQLite go through to_thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from audio_studio.core.audio import codec
from audio_studio.core.costs import estimate
from audio_studio.core.errors import InputError
from audio_studio.core.models import (
    AudioFormat,
    Capability,
    HistoryKind,
    Latency,
    SpeechRequest,
    Usage,
    Word,
    frozen_mapping,
)
from audio_studio.core.narration.cache import CachedAudio, SynthCache, cache_key
from audio_studio.core.narration.preview import PcmDecoder, Samples
from audio_studio.core.narration.project import (
    Chunk,
    NarrationProject,
    Take,
    words_from_json,
    words_to_json,
)
from audio_studio.core.store.history import FileRecord, HistoryEntry, now_iso

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext

__all__ = ["Rendered", "Voicing", "keep_take", "render", "take_from_cache"]

SampleFn = Callable[[Samples, int], None]


@dataclass(frozen=True)
class Voicing:
    """Provider, model, voice and knobs of one job; the same for every chunk it makes."""

    provider: str
    model: str | None
    voice: str | None
    format: AudioFormat
    speed: float = 1.0
    instructions: str | None = None
    voice_settings: Mapping[str, Any] = field(default_factory=frozen_mapping)
    base_url: str | None = None
    voice_name: str | None = None
    cloned: bool = False
    fallback: bool = False  # the offline voice finishing what a cloud provider could not

    def request(self, text: str) -> SpeechRequest:
        return SpeechRequest(
            text=text,
            voice=self.voice,
            model=self.model,
            speed=self.speed,
            format=self.format,
            instructions=self.instructions,
            settings=self.voice_settings,
        )

    def key(self, text: str) -> str:
        return cache_key(
            text=text,
            provider=self.provider,
            model=self.model,
            voice=self.voice,
            speed=self.speed,
            instructions=self.instructions,
            settings=self.voice_settings,
            format=self.format.value,
            base_url=self.base_url,
        )


@dataclass(frozen=True)
class Rendered:
    """A sentence as the provider sent it: decoded ``audio`` when it was streamed (the preview
    needed the samples), else the provider's ``data`` still encoded; ``decoded()`` gives both
    forms one shape. Decoding waits for the keeping task, so a worker asks for its next
    sentence as soon as the reply has arrived."""

    audio: codec.AudioData | None
    latency: Latency
    usage: Usage
    request_id: str | None = None
    data: bytes = b""
    format: AudioFormat = AudioFormat.PCM
    sample_rate: int | None = None
    channels: int = 1
    words: tuple[Word, ...] = ()  # when each word is said, where the provider reported it

    def decoded(self) -> codec.AudioData:
        """The audio as samples. Blocking (decodes): call via asyncio.to_thread."""
        if self.audio is not None:
            return self.audio
        return _to_audio(self.data, self.format, self.sample_rate, self.channels)


def _to_audio(data: bytes, fmt: AudioFormat, rate: int | None, channels: int) -> codec.AudioData:
    if fmt is AudioFormat.PCM:
        if not rate:
            raise InputError("The provider sent raw audio without its sample rate.")
        return codec.from_pcm16(data, rate, channels)
    return codec.decode(data, name="the provider's audio")


async def render(
    provider: Any, voicing: Voicing, text: str, *, on_samples: SampleFn | None = None
) -> Rendered:
    """Synthesise ``text``; with ``on_samples``, stream and hand over audio as it arrives.

    Raises:
        StudioError: whatever the provider says (mapped at its boundary).
    """
    # Word times where the provider reports them (captions cut long sentences there), also
    # while streaming (ElevenLabs' timed stream: its pieces carry the words they finish).
    request = replace(voicing.request(text), word_times=True)
    started = time.perf_counter()
    if on_samples is None or not provider.info.streams_speech:
        result = await provider.synthesize(request)
        channels = result.channels or 1
        if on_samples is None:  # nobody listens now: the keeping task decodes it
            return Rendered(
                None, result.latency, result.usage, result.request_id,
                result.data, result.format, result.sample_rate, channels, result.words,
            )  # fmt: skip
        audio = await asyncio.to_thread(
            _to_audio, result.data, result.format, result.sample_rate, channels
        )
        on_samples(audio.samples, audio.sample_rate)
        return Rendered(audio, result.latency, result.usage, result.request_id, words=result.words)
    first: float | None = None
    raw: list[bytes] = []
    decoded: list[Samples] = []
    decoder: PcmDecoder | None = None
    fmt, rate, channels = AudioFormat.PCM, None, 1
    # aclosing: a cancel mid-stream closes the provider's stream now, in this task.
    words: list[Word] = []
    async with contextlib.aclosing(provider.stream(request)) as stream:
        async for chunk in stream:
            words += chunk.words
            if not chunk.data:
                continue  # a piece with word times only
            if first is None:
                first = time.perf_counter()
                fmt, rate, channels = chunk.format, chunk.sample_rate, chunk.channels
                decoder = PcmDecoder(channels) if fmt is AudioFormat.PCM and rate else None
            if decoder is not None and rate:
                samples = decoder.push(chunk.data)
                if len(samples):
                    decoded.append(samples)
                    on_samples(samples, chunk.sample_rate or rate)
            else:
                raw.append(chunk.data)
    done = time.perf_counter()
    if not raw and not decoded:
        raise InputError("The provider sent no audio for this sentence.", provider=voicing.provider)
    if decoder is not None and rate:
        audio = codec.AudioData(np.concatenate(decoded), rate)  # decoded once, for both
    else:
        data = b"".join(raw)
        audio = await asyncio.to_thread(_to_audio, data, fmt, rate, channels)
        if decoder is None:
            on_samples(audio.samples, audio.sample_rate)  # not playable piece by piece
    latency = Latency(ttfb_ms=((first or done) - started) * 1000, total_ms=(done - started) * 1000)
    usage = Usage(characters=len(text), audio_seconds=audio.duration_s)
    return Rendered(audio, latency, usage, words=tuple(words))


def _flac(rendered: Rendered) -> tuple[codec.AudioData, bytes]:
    audio = rendered.decoded()
    return audio, codec.encode(audio, AudioFormat.FLAC)


async def keep_take(
    ctx: StudioContext,
    cache: SynthCache,
    project: NarrationProject,
    chunk: Chunk,
    voicing: Voicing,
    spoken: str,
    rendered: Rendered,
    key: str,
) -> Take:
    """Store a freshly made take: audio file, cache entry, TAKE row in History."""
    audio, data = await asyncio.to_thread(_flac, rendered)
    stored = await asyncio.to_thread(ctx.files.put_bytes, data, "flac")
    await asyncio.to_thread(cache.put, key, stored.path, stored.sha256, "flac")
    est = estimate(voicing.provider, Capability.SPEECH, voicing.model, characters=len(spoken))
    usage = rendered.usage
    cost = usage.cost_usd if usage.cost_usd is not None else est.usd
    credits = usage.credits or (est.credits or 0.0)
    take = Take(
        id=uuid.uuid4().hex[:12],
        path=str(stored.path),
        sha256=stored.sha256,
        format="flac",
        duration_s=audio.duration_s,
        sample_rate=audio.sample_rate,
        text=chunk.text,
        spoken=spoken,
        provider=voicing.provider,
        model=voicing.model,
        voice=voicing.voice,
        created_at=now_iso(),
        cost_usd=cost,
        credits=credits,
        fallback=voicing.fallback,
        cloned_voice=voicing.cloned,
        ttfb_ms=rendered.latency.ttfb_ms,
        total_ms=rendered.latency.total_ms,
        role=project.role_of(chunk),
        voiced_by=chunk.voiced_by,
        words=_within(rendered.words, audio.duration_s),
    )
    entry = _take_entry(project, chunk, voicing, take, key, rendered, stored.size_bytes)
    item_id = await asyncio.to_thread(ctx.history.add, entry)
    return _with_item(take, item_id)


async def take_from_cache(
    ctx: StudioContext,
    project: NarrationProject,
    chunk: Chunk,
    voicing: Voicing,
    spoken: str,
    cached: CachedAudio,
    on_samples: SampleFn | None,
) -> Take:
    """A take from audio made before (no provider call, no cost), as its own TAKE row."""
    audio = await asyncio.to_thread(codec.decode, cached.path)
    if on_samples is not None:
        on_samples(audio.samples, audio.sample_rate)
    # The same audio, so the same word times: those the first take of it was made with.
    first = await asyncio.to_thread(ctx.history.get, cached.item_id) if cached.item_id else None
    words = words_from_json(first.params.get("word_times")) if first is not None else ()
    if " ".join(w.text for w in words) != " ".join(spoken.split()):
        words = ()  # the same audio made for other words (it happens with silence)
    take = Take(
        id=uuid.uuid4().hex[:12],
        path=str(cached.path),
        sha256=cached.sha256,
        format=cached.format,
        duration_s=audio.duration_s,
        sample_rate=audio.sample_rate,
        text=chunk.text,
        spoken=spoken,
        provider=voicing.provider,
        model=voicing.model,
        voice=voicing.voice,
        created_at=now_iso(),
        cost_usd=0.0,
        cache_hit=True,
        fallback=voicing.fallback,
        cloned_voice=voicing.cloned,
        role=project.role_of(chunk),
        voiced_by=chunk.voiced_by,
        words=_within(words, audio.duration_s),
    )
    size = await asyncio.to_thread(lambda: cached.path.stat().st_size)
    entry = _take_entry(project, chunk, voicing, take, cached.key, None, size, cached.item_id)
    item_id = await asyncio.to_thread(ctx.history.add, entry)
    return _with_item(take, item_id)


def _within(words: tuple[Word, ...], seconds: float) -> tuple[Word, ...]:
    """``words`` with their times kept inside the take (a provider may round past its end)."""
    return tuple(
        Word(w.text, min(max(w.start, 0.0), seconds), min(max(w.end, w.start, 0.0), seconds))
        for w in words
    )


def _with_item(take: Take, item_id: int) -> Take:
    return replace(take, item_id=item_id)


def _take_entry(
    project: NarrationProject,
    chunk: Chunk,
    voicing: Voicing,
    take: Take,
    key: str,
    rendered: Rendered | None,
    size: int,
    cached_from: int | None = None,
) -> HistoryEntry:
    try:
        index: int | None = project.index(chunk)
    except ValueError:  # edited out of the script while it was being made
        index = None
    params: dict[str, Any] = {
        "project_id": project.id,
        "chunk": index,
        "chunk_id": chunk.id,
        "paragraph": chunk.paragraph,
        "speed": voicing.speed,
        "settings": dict(voicing.voice_settings),
        "format": voicing.format.value,
        "sample_rate": take.sample_rate,
        "cache_key": key,
        "cache_hit": take.cache_hit,
        "role": take.role,
    }
    if voicing.instructions:
        params["instructions"] = voicing.instructions
    if take.spoken != take.text:
        params["spoken_text"] = take.spoken  # after the pronunciation list
    if take.words:
        # For a cache hit of this audio to reuse (one line: History shows params as they are).
        params["word_times"] = words_to_json(take.words)
    if cached_from is not None:
        params["cached_from"] = cached_from
    if voicing.fallback:
        params["offline_fallback"] = True
    if voicing.cloned:
        params["cloned_voice"] = True
    if voicing.voice_name:
        params["voice_name"] = voicing.voice_name
    if rendered is not None and rendered.request_id:
        params["request_id"] = rendered.request_id
    flags = {"cloned-voice": voicing.cloned, "offline-fallback": voicing.fallback}
    tags = [t for t, on in {**flags, "cache": take.cache_hit}.items() if on]
    return HistoryEntry(
        kind=HistoryKind.TAKE,
        title=_clip(chunk.text),
        provider=voicing.provider,
        model=voicing.model,
        voice=voicing.voice,
        params=params,
        input_text=chunk.text,
        duration_s=take.duration_s,
        usage=Usage(
            characters=len(take.spoken),
            audio_seconds=take.duration_s,
            requests=0 if take.cache_hit else 1,
            credits=take.credits,
            cost_usd=take.cost_usd,
        ),
        latency=Latency(ttfb_ms=take.ttfb_ms, total_ms=take.total_ms),
        files=(
            FileRecord(
                "audio",
                Path(take.path),
                take.sha256,
                take.format,
                size,
                take.duration_s,
                take.sample_rate,
                1,
            ),
        ),
        parent_id=project.item_id,
        tags=tuple(tags),
    )


def _clip(text: str, limit: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
