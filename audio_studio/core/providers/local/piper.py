"""Offline neural text to speech with Piper, one sentence at a time, in the engine worker process.

The parent side (``PiperEngine``) finds voices, splits the text into sentences and streams
each sentence's audio as soon as the worker has it, so playback can start after the first
sentence. ``synthesize_sentences`` is the handler that runs inside the worker (blocking,
imports piper there), so importing this module stays cheap.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from audio_studio.core.errors import ConfigurationError, InputError
from audio_studio.core.models import (
    AudioChunk,
    AudioFormat,
    AudioResult,
    Capability,
    Latency,
    SpeechRequest,
    Usage,
    Voice,
    frozen_mapping,
)
from audio_studio.core.providers.local.models import (
    InstalledModel,
    find_installed,
    installed_models,
)
from audio_studio.core.providers.local.worker import EngineWorker
from audio_studio.core.text import has_words
from audio_studio.core.text import split_sentences as split_script_sentences

__all__ = ["PiperEngine", "has_words", "split_sentences", "synthesize_sentences"]

HANDLER = "audio_studio.core.providers.local.piper:synthesize_sentences"
DEFAULT_SENTENCE_PAUSE_S = 0.25


def split_sentences(text: str) -> list[str]:
    """Sentences (and lines) with something to say, in order (core/text.py's ICU splitter)."""
    return [text[a:b] for a, b in split_script_sentences(text)]


class PiperEngine:
    """Piper voices from the bundled package and the models folder, rendered in a worker."""

    def __init__(
        self,
        models_dir: Path,
        worker: EngineWorker,
        *,
        default_voice: str | None = None,
        discover: Callable[[Path], list[InstalledModel]] = installed_models,
    ) -> None:
        self.models_dir = models_dir
        self.worker = worker
        self.default_voice = default_voice
        self._discover = discover

    async def voices(self) -> list[InstalledModel]:
        models = await asyncio.to_thread(self._discover, self.models_dir)
        return [m for m in models if m.kind is Capability.SPEECH and m.engine == "piper"]

    async def list_voices(self) -> list[Voice]:
        return [
            Voice(
                id=m.id,
                name=m.name,
                provider="local",
                language=m.id.split("-")[0] if "-" in m.id else None,
                description=f"{m.licence}; {'bundled' if m.bundled else str(m.location)}",
            )
            for m in await self.voices()
        ]

    async def resolve(self, voice_id: str | None) -> InstalledModel:
        """The voice asked for, the configured default, or the first installed one."""
        voices = await self.voices()
        if voice_id:
            return find_installed(voices, Capability.SPEECH, voice_id)
        wanted = self.default_voice
        if wanted and any(v.id == wanted for v in voices):
            return find_installed(voices, Capability.SPEECH, wanted)
        preferred = next((v for v in voices if v.id == "en_US-joe-medium"), None)
        return preferred or find_installed(voices, Capability.SPEECH, None)

    def _payload(self, voice: InstalledModel, request: SpeechRequest) -> dict[str, Any]:
        if not has_words(request.text):
            raise InputError(
                "There is nothing to say: the text has no letters or digits "
                "(only spaces, punctuation or emoji)."
            )
        if not 0.25 <= request.speed <= 4.0:
            raise InputError(f"Speed {request.speed} is outside 0.25–4.0.")
        settings = dict(request.settings)
        pause = float(settings.get("sentence_pause_s", DEFAULT_SENTENCE_PAUSE_S))
        if not 0.0 <= pause <= 5.0:
            raise InputError(f"A sentence pause of {pause} s is outside 0–5 s.")
        return {
            "model": str(voice.location),
            "config": str(voice.config),
            "voice": voice.id,
            "sentences": split_sentences(request.text),
            "length_scale": 1.0 / request.speed,
            "noise_scale": settings.get("noise_scale"),
            "noise_w": settings.get("noise_w"),
            "volume": float(settings.get("volume", 1.0)),
            "speaker_id": settings.get("speaker_id"),
            "pause_s": pause,
        }

    async def stream(self, request: SpeechRequest) -> AsyncIterator[AudioChunk]:
        """Raw 16-bit PCM, one chunk per sentence (its pause included), as each is ready."""
        voice = await self.resolve(request.voice or _voice_from_model(request.model))
        payload = self._payload(voice, request)
        async for kind, value in self.worker.events(HANDLER, payload):
            if kind == "event":
                _index, sentence, pcm, rate = value
                yield AudioChunk(pcm, AudioFormat.PCM, sample_rate=rate, channels=1, text=sentence)

    async def synthesize(self, request: SpeechRequest) -> AudioResult:
        from audio_studio.core.audio import codec

        started = time.perf_counter()
        voice = await self.resolve(request.voice or _voice_from_model(request.model))
        payload = self._payload(voice, request)
        pcm = bytearray()
        rate = 22_050
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
            model="piper",
            sample_rate=audio.sample_rate,
            channels=1,
            duration_s=audio.duration_s,
            latency=Latency(
                ttfb_ms=((first or total) - started) * 1000, total_ms=(total - started) * 1000
            ),
            usage=Usage(characters=len(request.text), audio_seconds=audio.duration_s),
            params=frozen_mapping(_params(voice, payload)),
        )


def _voice_from_model(model: str | None) -> str | None:
    # "piper" names the engine, anything else is taken as a voice id.
    return None if model in (None, "", "piper") else model


def _params(voice: InstalledModel, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "engine": "piper",
        "voice": voice.id,
        "length_scale": payload["length_scale"],
        "sentence_pause_s": payload["pause_s"],
        "noise_scale": payload["noise_scale"],
        "noise_w": payload["noise_w"],
        "volume": payload["volume"],
        "sentences": len(payload["sentences"]),
    }


# -- in the worker process -----------------------------------------------------------------


def _open_voice(model: Path, config: Path) -> Any:
    """A PiperVoice whose ONNX session does not spin while it waits.

    onnxruntime's threads spin between operations by default. Alone that is free; beside
    another engine (proof-listening's recogniser on the other core) a spinning thread holds
    a core the other one needs: 60 sentences took 13.8 s beside the recogniser instead of
    6.2 s alone, and 9.6 s without spinning (6.4 s alone).
    """
    import json

    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    options = onnxruntime.SessionOptions()
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(
        str(model), sess_options=options, providers=["CPUExecutionProvider"]
    )
    settings = json.loads(config.read_text(encoding="utf-8"))
    return PiperVoice(session=session, config=PiperConfig.from_dict(settings))


def _load_voice(payload: dict[str, Any], cache: dict[str, Any]) -> Any:
    key = f"piper:{payload['model']}"
    if key in cache:
        return cache[key]
    for old in [k for k in cache if k.startswith("piper:")]:
        del cache[old]  # one voice in memory at a time
    try:
        voice = _open_voice(Path(payload["model"]), Path(payload["config"]))
    except Exception as exc:
        raise ConfigurationError(
            f"The voice {payload['voice']} could not be loaded ({exc.__class__.__name__}: "
            f"{str(exc)[:160]}). Its files may be damaged or incomplete: delete it in Settings "
            f"→ Models (or `audio-studio models remove {payload['voice']}`) and download it "
            "again.",
            provider="local",
        ) from exc
    cache[key] = voice
    return voice


def synthesize_sentences(
    payload: dict[str, Any], emit: Callable[[Any], None], cache: dict[str, Any]
) -> dict[str, Any]:
    """Worker handler: emits ``(index, sentence, pcm16_bytes, sample_rate)`` per sentence."""
    import numpy as np
    from piper import SynthesisConfig

    voice = _load_voice(payload, cache)
    config = SynthesisConfig(
        speaker_id=payload["speaker_id"],
        length_scale=payload["length_scale"],
        noise_scale=payload["noise_scale"],
        noise_w_scale=payload["noise_w"],
        volume=payload["volume"],
    )
    rate = int(voice.config.sample_rate)
    pause = np.zeros(int(payload["pause_s"] * rate), dtype=np.float32)
    sentences: list[str] = payload["sentences"]
    spoken = 0
    for i, sentence in enumerate(sentences):
        parts = [c.audio_float_array for c in voice.synthesize(sentence, syn_config=config)]
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
