"""The ``local`` provider: Piper speech, Whisper transcription and sfxr effects on this computer.

It is a provider like any other (no key, no network, no cost); the UI and CLI find it through
the registry. Importing this module is cheap: the engines, numpy and the models are loaded
only when a request needs them (start-up time is benchmarked).
"""

from __future__ import annotations

import asyncio
import importlib.util
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

from audio_studio.core.errors import InvalidRequestError
from audio_studio.core.models import (
    AudioChunk,
    AudioFormat,
    AudioResult,
    Capability,
    Latency,
    SfxRequest,
    SpeechRequest,
    Transcript,
    TranscriptionRequest,
    Usage,
    Voice,
    frozen_mapping,
)
from audio_studio.core.providers.base import (
    ModelInfo,
    ProgressFn,
    ProviderInfo,
    ProviderLimits,
    SttFeatures,
)
from audio_studio.core.providers.local.hibari import HibariEngine
from audio_studio.core.providers.local.hibari_voices import ENGINE as HIBARI
from audio_studio.core.providers.local.hibari_voices import is_hibari_voice
from audio_studio.core.providers.local.models import installed_models
from audio_studio.core.providers.local.piper import PiperEngine
from audio_studio.core.providers.local.whisper import WhisperEngine
from audio_studio.core.providers.local.worker import EngineWorker, shared_worker
from audio_studio.core.providers.registry import ProviderContext, ProviderSpec

__all__ = ["LOCAL_INFO", "OFFLINE_EXTRA", "SPECS", "LocalProvider", "local_unavailable"]

OFFLINE_EXTRA = "pip install 'audio-studio[offline]'"
SFX_MAX_SECONDS = 6.8  # three envelope stages of sfxr.ENV_UNIT_S (kept literal: no numpy here)
# faster-whisper: word times with probabilities, an initial prompt; no speakers. ".en" models
# understand English only.
LOCAL_STT = SttFeatures(confidence=True)
ENGLISH_STT = SttFeatures(confidence=True, languages=("en",))
_WRITES = (
    AudioFormat.WAV, AudioFormat.FLAC, AudioFormat.MP3, AudioFormat.OGG, AudioFormat.OPUS,
    AudioFormat.M4A, AudioFormat.WEBM, AudioFormat.PCM,
)  # fmt: skip

LOCAL_INFO = ProviderInfo(
    id="local",
    name="Offline (this computer)",
    capabilities=frozenset({Capability.SPEECH, Capability.TRANSCRIPTION, Capability.SFX}),
    needs_key=False,
    local=True,
    limits=ProviderLimits(max_sfx_seconds=SFX_MAX_SECONDS, max_concurrency=2),
    output_formats=_WRITES,
    input_formats=("wav", "flac", "mp3", "ogg", "opus", "m4a", "aac", "mp4", "webm"),
    models=(
        ModelInfo("piper", "Piper neural voices", Capability.SPEECH),
        ModelInfo("hibari", "hibari voices", Capability.SPEECH),
        ModelInfo("tiny.en", "Whisper tiny.en", Capability.TRANSCRIPTION, stt=ENGLISH_STT),
        ModelInfo("sfxr", "Retro effects (sfxr)", Capability.SFX),
    ),
    default_models=frozen_mapping(
        {Capability.SPEECH: "piper", Capability.TRANSCRIPTION: "tiny.en", Capability.SFX: "sfxr"}
    ),
    default_voice="en_US-joe-medium",
    streams_speech=True,
    description="Runs on this computer: Piper and hibari voices, Whisper transcription and "
    "retro sound effects. No key, no network, no cost.",
    stt=LOCAL_STT,
)

_ENGINES = {
    Capability.SPEECH: ("piper", "speech (piper-tts)"),
    Capability.TRANSCRIPTION: ("faster_whisper", "transcription (faster-whisper)"),
}


def local_unavailable(capability: Capability | None) -> str | None:
    """None if the offline engine for ``capability`` is installed, else how to install it."""
    if capability is None or capability is Capability.SFX:
        return None  # effects need only numpy, which the studio always has
    engine = _ENGINES.get(capability)
    if engine is None:
        return f"The offline engines cannot do {capability.value}."
    module, label = engine
    if importlib.util.find_spec(module) is None:
        return f"The offline {label} engine is not installed. Install it with {OFFLINE_EXTRA}."
    return None


class LocalProvider:
    """Speech, transcription and effects on this machine; each engine loads on first use."""

    def __init__(
        self,
        ctx: ProviderContext,
        *,
        speech_worker: EngineWorker | None = None,
        transcription_worker: EngineWorker | None = None,
        piper: PiperEngine | None = None,
        whisper: WhisperEngine | None = None,
        hibari: HibariEngine | None = None,
    ) -> None:
        self._ctx = ctx
        settings = ctx.provider_settings
        self.piper = piper or PiperEngine(
            ctx.models_dir,
            speech_worker or shared_worker("piper"),
            default_voice=settings.voice,
        )
        # Its own worker: a cast of a Piper and a hibari voice renders both at once.
        self.hibari = hibari or HibariEngine(ctx.models_dir, shared_worker("hibari"))
        self.whisper = whisper or WhisperEngine(
            ctx.models_dir,
            transcription_worker or shared_worker("whisper"),
            default_model=settings.model,
        )

    @property
    def info(self) -> ProviderInfo:
        return LOCAL_INFO

    async def check(self) -> str:
        models = await asyncio.to_thread(installed_models, self._ctx.models_dir)
        voices = sum(1 for m in models if m.kind is Capability.SPEECH)
        stt = sum(1 for m in models if m.kind is Capability.TRANSCRIPTION)
        return (
            f"Ready offline: {voices} voice{'s' if voices != 1 else ''}, {stt} transcription "
            f"model{'s' if stt != 1 else ''} and the sound-effect engine."
        )

    # -- speech ------------------------------------------------------------------------------

    async def list_voices(self) -> list[Voice]:
        return await self.piper.list_voices() + await self.hibari.list_voices()

    async def list_models(self) -> list[ModelInfo]:
        models = await asyncio.to_thread(installed_models, self._ctx.models_dir)
        speech = [ModelInfo("piper", "Piper neural voices", Capability.SPEECH)]
        if any(m.engine == HIBARI for m in models):
            speech.append(ModelInfo(HIBARI, "hibari voices", Capability.SPEECH))
        return speech + [
            ModelInfo(
                m.id,
                m.name,
                Capability.TRANSCRIPTION,
                description=m.licence,
                stt=ENGLISH_STT if m.id.endswith(".en") else LOCAL_STT,
            )
            for m in models
            if m.kind is Capability.TRANSCRIPTION
        ]

    def _speaker(self, request: SpeechRequest) -> PiperEngine | HibariEngine:
        """The engine of the voice asked for (a hibari- voice, or the model "hibari")."""
        if is_hibari_voice(request.voice) or request.model == HIBARI:
            return self.hibari
        return self.piper

    async def synthesize(self, request: SpeechRequest) -> AudioResult:
        return await self._speaker(request).synthesize(request)

    def stream(self, request: SpeechRequest) -> AsyncIterator[AudioChunk]:
        return self._speaker(request).stream(request)

    # -- transcription -----------------------------------------------------------------------

    async def transcribe(
        self, request: TranscriptionRequest, progress: ProgressFn | None = None
    ) -> Transcript:
        return await self.whisper.transcribe(request, progress)

    # -- sound effects -----------------------------------------------------------------------

    async def generate_sfx(self, request: SfxRequest) -> AudioResult:
        """Render an effect from ``params`` (exact), a ``preset``, or a prompt naming one.

        The result's params hold everything needed to render it again bit for bit:
        ``{"engine": "sfxr", "version", "seed", "preset", "sfxr": {...}}``.
        """
        started = time.perf_counter()
        saved = request.params.get("seed") if request.params else None
        if request.seed is not None:
            seed = request.seed
        elif isinstance(saved, int):
            seed = saved  # regenerating a saved recipe
        else:
            seed = secrets.randbelow(2**31)
        # Off the loop: a random draw may render itself once to check it is audible.
        params, preset = await asyncio.to_thread(self._sfx_params, request, seed)
        data, duration, rate = await asyncio.to_thread(_render_encoded, params, seed, request)
        total_ms = (time.perf_counter() - started) * 1000
        return AudioResult(
            data=data,
            format=request.format,
            provider="local",
            model="sfxr",
            sample_rate=rate,
            channels=1,
            duration_s=duration,
            latency=Latency(ttfb_ms=total_ms, total_ms=total_ms),
            usage=Usage(audio_seconds=duration),
            params=frozen_mapping(sfx_recipe(params, seed, preset)),
        )

    def _sfx_params(self, request: SfxRequest, seed: int) -> tuple[Any, str | None]:
        from audio_studio.core.providers.local.sfxr import SfxParams
        from audio_studio.core.providers.local.sfxr_presets import (
            PRESETS,
            make_preset,
            preset_for_prompt,
        )

        preset = request.preset
        if request.params:
            raw = dict(request.params)
            raw = dict(raw.get("sfxr", raw))  # a whole saved recipe, or just the parameters
            params = SfxParams.from_mapping(raw)
        else:
            if not preset and request.prompt.strip():
                preset = preset_for_prompt(request.prompt)
                if preset is None:
                    raise InvalidRequestError(
                        "The offline effects engine makes retro game sounds from presets and "
                        f"does not understand {request.prompt.strip()[:60]!r}. Choose a preset "
                        f"({', '.join(PRESETS)}) or a provider that takes descriptions.",
                        provider="local",
                    )
            params = make_preset(preset or "random", seed)
        if request.duration_s is not None:
            params = params.with_duration(request.duration_s)
        return params, preset


def sfx_recipe(params: Any, seed: int, preset: str | None) -> dict[str, Any]:
    """What History keeps for an effect: enough to regenerate it exactly."""
    from audio_studio.core.providers.local.sfxr import ENGINE_VERSION

    return {
        "engine": "sfxr",
        "version": ENGINE_VERSION,
        "seed": seed,
        "preset": preset,
        "sfxr": params.to_dict(),
    }


def _render_encoded(params: Any, seed: int, request: SfxRequest) -> tuple[bytes, float, int]:
    """Render and encode (blocking)."""
    from audio_studio.core.audio.codec import AudioData, encode
    from audio_studio.core.providers.local.sfxr import render

    samples = render(params, seed)
    audio = AudioData(samples.reshape(-1, 1), params.sample_rate)
    return encode(audio, request.format), audio.duration_s, params.sample_rate


SPECS = (ProviderSpec(LOCAL_INFO, lambda ctx: LocalProvider(ctx), local_unavailable),)
