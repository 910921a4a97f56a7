"""Offline speech with hibari (Apache-2.0): a second voice engine beside Piper, in its own worker.

hibari's voices are small Kokoro distillations at 24 kHz; "heart" (US English, female) comes
inside the ``hibari-tts`` package, the others are one ONNX file each in the models folder
(``models/hibari/<file>.onnx``, downloaded from Settings → Models and checked against the
sha256 the package's registry pins). The parent side (``HibariEngine``) finds voices without
importing hibari and streams each sentence as the worker makes it; ``synthesize_sentences``
runs inside the worker process (blocking, imports hibari there).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from audio_studio.core.errors import ConfigurationError, InputError
from audio_studio.core.models import (
    AudioChunk,
    AudioFormat,
    AudioResult,
    Latency,
    SpeechRequest,
    Usage,
    Voice,
    frozen_mapping,
)
from audio_studio.core.providers.local.hibari_voices import (
    ENGINE,
    PREFIX,
    is_hibari_voice,
    registry,
)
from audio_studio.core.providers.local.models import InstalledModel, installed_models
from audio_studio.core.providers.local.piper import DEFAULT_SENTENCE_PAUSE_S, has_words
from audio_studio.core.providers.local.piper import split_sentences as sentences_of
from audio_studio.core.providers.local.worker import EngineWorker

__all__ = ["HANDLER", "HibariEngine", "synthesize_sentences"]

HANDLER = "audio_studio.core.providers.local.hibari:synthesize_sentences"
RATE = 24_000


class HibariEngine:
    """hibari voices, rendered sentence by sentence in their own worker process."""

    def __init__(self, models_dir: Path, worker: EngineWorker) -> None:
        self.models_dir = models_dir
        self.worker = worker

    async def voices(self) -> list[InstalledModel]:
        models = await asyncio.to_thread(installed_models, self.models_dir)
        return [m for m in models if m.engine == ENGINE]

    async def list_voices(self) -> list[Voice]:
        return [
            Voice(
                id=m.id,
                name=m.name,
                provider="local",
                language="en_GB" if "British" in m.name else "en_US",
                description=f"{m.licence}; {'bundled' if m.bundled else str(m.location)}",
            )
            for m in await self.voices()
        ]

    async def resolve(self, voice_id: str | None) -> InstalledModel:
        """The voice asked for, else heart (the package's own), else the first one found.

        Raises:
            ConfigurationError: hibari is not installed, or that voice is not on this machine.
        """
        voices = await self.voices()
        if not voices:
            raise ConfigurationError(
                "The hibari voices are not installed. Install them with "
                "pip install 'audio-studio[offline]' (the README's run command does this).",
                provider="local",
            )
        wanted = voice_id if is_hibari_voice(voice_id) else f"{PREFIX}heart"
        for voice in voices:
            if voice.id == wanted:
                return voice
        if is_hibari_voice(voice_id):
            name = str(voice_id).removeprefix(PREFIX)
            known = await asyncio.to_thread(registry)
            if name in known:
                raise ConfigurationError(
                    f"The hibari voice {name} is not downloaded yet. Download it in Settings → "
                    f"Models (or `audio-studio models download {voice_id}`).",
                    provider="local",
                )
            names = ", ".join(f"{PREFIX}{n}" for n in known)
            raise ConfigurationError(
                f"There is no hibari voice called {name!r}. hibari has: {names}.",
                provider="local",
            )
        return voices[0]

    def _payload(self, voice: InstalledModel, request: SpeechRequest) -> dict[str, Any]:
        if not has_words(request.text):
            raise InputError(
                "There is nothing to say: the text has no letters or digits "
                "(only spaces, punctuation or emoji)."
            )
        # hibari's own range: 0.5 (slow) to 2.0 (fast), 1.0 the teacher's pace.
        if not 0.5 <= request.speed <= 2.0:
            raise InputError(f"Speed {request.speed} is outside 0.5–2.0 for hibari voices.")
        settings = dict(request.settings)
        pause = float(settings.get("sentence_pause_s", DEFAULT_SENTENCE_PAUSE_S))
        if not 0.0 <= pause <= 5.0:
            raise InputError(f"A sentence pause of {pause} s is outside 0–5 s.")
        seed = settings.get("seed")
        return {
            "model": str(voice.location),
            "voice": voice.id.removeprefix(PREFIX),
            "voice_id": voice.id,
            "sentences": sentences_of(request.text),
            "speed": float(request.speed),
            "seed": int(seed) if isinstance(seed, int) else None,
            "pause_s": pause,
        }

    async def stream(self, request: SpeechRequest) -> AsyncIterator[AudioChunk]:
        """Raw 16-bit PCM at 24 kHz, one chunk per sentence (its pause included)."""
        voice = await self.resolve(request.voice)
        payload = self._payload(voice, request)
        async for kind, value in self.worker.events(HANDLER, payload):
            if kind == "event":
                _index, sentence, pcm, rate = value
                yield AudioChunk(pcm, AudioFormat.PCM, sample_rate=rate, channels=1, text=sentence)

    async def synthesize(self, request: SpeechRequest) -> AudioResult:
        from audio_studio.core.audio import codec

        started = time.perf_counter()
        voice = await self.resolve(request.voice)
        payload = self._payload(voice, request)
        pcm = bytearray()
        rate = RATE
        first: float | None = None
        async for kind, value in self.worker.events(HANDLER, payload):
            if kind == "event":
                first = first if first is not None else time.perf_counter()
                pcm += value[2]
                rate = value[3]
        audio = codec.from_pcm16(bytes(pcm), rate)
        if request.sample_rate and request.sample_rate != rate:
            audio = await asyncio.to_thread(codec.resample, audio, request.sample_rate)
        data = await asyncio.to_thread(codec.encode, audio, request.format)
        total = time.perf_counter()
        return AudioResult(
            data=data,
            format=request.format,
            provider="local",
            model=ENGINE,
            sample_rate=audio.sample_rate,
            channels=1,
            duration_s=audio.duration_s,
            latency=Latency(
                ttfb_ms=((first or total) - started) * 1000, total_ms=(total - started) * 1000
            ),
            usage=Usage(characters=len(request.text), audio_seconds=audio.duration_s),
            params=frozen_mapping(
                {
                    "engine": ENGINE,
                    "voice": voice.id,
                    "speed": payload["speed"],
                    "sentence_pause_s": payload["pause_s"],
                    "seed": payload["seed"],
                    "sentences": len(payload["sentences"]),
                }
            ),
        )


# -- in the worker process -----------------------------------------------------------------


def _load(payload: dict[str, Any], cache: dict[str, Any]) -> Any:
    key = f"hibari:{payload['model']}"
    if key in cache:
        return cache[key]
    for old in [k for k in cache if k.startswith("hibari:")]:
        del cache[old]  # one voice in memory at a time
    from hibari import Hibari

    try:
        tts = Hibari(voice=payload["voice"], model=payload["model"])
    except Exception as exc:
        raise ConfigurationError(
            f"The voice {payload['voice_id']} could not be loaded ({exc.__class__.__name__}: "
            f"{str(exc)[:160]}). Its file may be damaged: delete it in Settings → Models and "
            "download it again.",
            provider="local",
        ) from exc
    cache[key] = tts
    return tts


def synthesize_sentences(
    payload: dict[str, Any], emit: Any, cache: dict[str, Any]
) -> dict[str, Any]:
    """Worker handler: emits ``(index, sentence, pcm16_bytes, sample_rate)`` per sentence."""
    import numpy as np

    tts = _load(payload, cache)
    rate = int(getattr(tts, "sample_rate", RATE))
    pause = np.zeros(int(payload["pause_s"] * rate), dtype=np.float32)
    sentences: list[str] = payload["sentences"]
    rng_seed = payload["seed"]
    spoken = 0
    for i, sentence in enumerate(sentences):
        parts = [
            np.asarray(p, np.float32) for p in tts.stream(sentence, payload["speed"], rng_seed)
        ]
        parts = [p for p in parts if len(p)]
        if not parts:
            continue
        if i < len(sentences) - 1:
            parts.append(pause)
        samples = np.clip(np.concatenate(parts), -1.0, 1.0)
        emit((i, sentence, (samples * 32767.0).astype("<i2").tobytes(), rate))
        spoken += 1
    if not spoken:
        raise InputError("The voice found nothing it could pronounce in this text.")
    return {"sample_rate": rate, "sentences": spoken}
