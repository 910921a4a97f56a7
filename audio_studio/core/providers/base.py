"""Capability protocols every provider implements, and ProviderInfo: what it can do and its limits.

A provider is one object per vendor (or local engine) that implements one or more of the
capability protocols below. Local engines are providers like any other: nothing above this
layer special-cases them. Providers know nothing of the store, audio devices or jobs; they
take requests, return results, and raise StudioErrors mapped at their boundary.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from audio_studio.core.models import (
    AudioChunk,
    AudioFormat,
    AudioResult,
    Capability,
    ChatMessage,
    MusicRequest,
    RemoteJob,
    SfxRequest,
    SpeechRequest,
    Transcript,
    TranscriptionRequest,
    Usage,
    Voice,
    VoiceCloneRequest,
    frozen_mapping,
)

__all__ = [
    "ChatCompleter",
    "ModelInfo",
    "MusicGenerator",
    "ProgressFn",
    "Provider",
    "ProviderInfo",
    "ProviderLimits",
    "SfxGenerator",
    "SpeechSynthesizer",
    "SttFeatures",
    "SubmittedFn",
    "Transcriber",
    "VoiceCloner",
]

ProgressFn = Callable[[float | None, str | None], None]
"""``progress(share_done_0_to_1_or_None, message_or_None)``."""

SubmittedFn = Callable[[RemoteJob], Awaitable[None]]
"""Called once an async provider job has an id, so the caller can persist it before polling."""


@dataclass(frozen=True)
class ProviderLimits:
    """Hard limits a provider enforces; the studio splits work to stay under them."""

    max_chars: int | None = None  # per speech request
    max_upload_bytes: int | None = None  # per transcription upload
    max_upload_seconds: float | None = None
    max_sfx_seconds: float | None = None
    max_music_seconds: float | None = None
    max_concurrency: int = 4


@dataclass(frozen=True)
class SttFeatures:
    """What a transcription model offers, so the UI shows only the options that do something."""

    word_timestamps: bool = True  # word-level times (False: segments or plain text only)
    timestamps: bool = True  # segment times at all (gpt-4o-transcribe answers text only)
    prompt: bool = True  # a prompt / vocabulary to spell names right
    diarize: bool = False  # labels speakers
    num_speakers: bool = False  # takes the number of speakers
    confidence: bool = False  # gives per-word or per-segment confidence
    language: bool = True  # takes a language (else: always detected)
    languages: tuple[str, ...] = ()  # ISO 639-1 codes it knows; empty = any


@dataclass(frozen=True)
class ModelInfo:
    id: str
    name: str = ""
    capability: Capability | None = None
    max_chars: int | None = None  # per-model text limit where it differs (ElevenLabs)
    takes_instructions: bool = False  # style prompts (gpt-4o-mini-tts)
    description: str = ""
    stt: SttFeatures | None = None  # transcription models: None = the provider's ``stt``
    max_upload_seconds: float | None = None  # per-model audio length cap (gpt-4o-transcribe)


@dataclass(frozen=True)
class ProviderInfo:
    """What a provider is and can do; static, known without a network call."""

    id: str
    name: str
    capabilities: frozenset[Capability]
    needs_key: bool = True
    local: bool = False  # runs on this machine: no key, no network, no cost
    limits: ProviderLimits = field(default_factory=ProviderLimits)
    output_formats: tuple[AudioFormat, ...] = (AudioFormat.WAV,)
    input_formats: tuple[str, ...] = ()  # file extensions accepted for transcription
    models: tuple[ModelInfo, ...] = ()
    default_models: Mapping[Capability, str] = field(default_factory=frozen_mapping)
    default_voice: str | None = None
    default_base_url: str | None = None
    base_url_configurable: bool = False
    key_env: str | None = None  # the vendor's usual environment variable, for the CLI
    streams_speech: bool = False
    description: str = ""
    signup_url: str | None = None
    stt: SttFeatures = field(default_factory=SttFeatures)  # for models not listed in ``models``
    stt_takes_urls: bool = False  # transcription fetches an audio file URL itself
    source_page: str | None = None  # the vendor page this info follows (address or title)
    unverified: tuple[str, ...] = ()  # what that page says that could not be checked here

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def models_for(self, capability: Capability) -> tuple[ModelInfo, ...]:
        return tuple(m for m in self.models if m.capability in (capability, None))

    def model(self, model_id: str | None, capability: Capability) -> ModelInfo | None:
        """The listed model ``model_id`` (or the default for ``capability``), if it is listed."""
        wanted = model_id or self.default_models.get(capability)
        return next((m for m in self.models_for(capability) if m.id == wanted), None)

    def stt_features(self, model_id: str | None) -> SttFeatures:
        """What transcription with ``model_id`` (None: the default model) offers."""
        found = self.model(model_id, Capability.TRANSCRIPTION)
        return found.stt if found is not None and found.stt is not None else self.stt

    def upload_limits(self, model_id: str | None) -> tuple[int | None, float | None]:
        """Bytes and seconds one transcription upload may have with ``model_id``."""
        found = self.model(model_id, Capability.TRANSCRIPTION)
        caps = (self.limits.max_upload_seconds, found.max_upload_seconds if found else None)
        seconds = [c for c in caps if c]
        return self.limits.max_upload_bytes, min(seconds) if seconds else None


@runtime_checkable
class Provider(Protocol):
    @property
    def info(self) -> ProviderInfo: ...

    async def check(self) -> str:
        """Test the connection and key; return one line for the user (e.g. "OK: 12 models").

        Raises:
            StudioError: what went wrong, in words that say what to do.
        """
        ...


@runtime_checkable
class SpeechSynthesizer(Provider, Protocol):
    async def list_voices(self) -> list[Voice]: ...

    async def list_models(self) -> list[ModelInfo]: ...

    async def synthesize(self, request: SpeechRequest) -> AudioResult: ...

    def stream(self, request: SpeechRequest) -> AsyncIterator[AudioChunk]:
        """Yield audio as it arrives (raw chunks, SSE deltas, or one sentence at a time)."""
        ...


@runtime_checkable
class Transcriber(Provider, Protocol):
    async def transcribe(
        self, request: TranscriptionRequest, progress: ProgressFn | None = None
    ) -> Transcript: ...


@runtime_checkable
class SfxGenerator(Provider, Protocol):
    async def generate_sfx(self, request: SfxRequest) -> AudioResult: ...


@runtime_checkable
class MusicGenerator(Provider, Protocol):
    async def generate_music(
        self,
        request: MusicRequest,
        *,
        on_submitted: SubmittedFn | None = None,
        progress: ProgressFn | None = None,
    ) -> AudioResult:
        """Generate music; async-job providers call ``on_submitted`` once they have a job id."""
        ...

    async def resume_music(self, job: RemoteJob, progress: ProgressFn | None = None) -> AudioResult:
        """Continue polling a job submitted earlier (possibly by a previous run of the studio)."""
        ...

    async def cancel_music(self, job: RemoteJob) -> None: ...


@runtime_checkable
class VoiceCloner(Provider, Protocol):
    async def clone_voice(self, request: VoiceCloneRequest) -> Voice: ...


@runtime_checkable
class ChatCompleter(Provider, Protocol):
    async def complete(
        self, messages: Sequence[ChatMessage], *, model: str | None = None
    ) -> tuple[str, Usage]: ...
