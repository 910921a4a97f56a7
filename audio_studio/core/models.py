"""Frozen dataclasses and enums that cross layers: requests, results, transcripts, voices, jobs."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

__all__ = [
    "AudioChunk",
    "AudioFormat",
    "AudioResult",
    "Capability",
    "ChatMessage",
    "HistoryKind",
    "HistoryStatus",
    "JobKind",
    "JobStatus",
    "Latency",
    "MusicRequest",
    "RemoteJob",
    "RemoteJobState",
    "Secret",
    "Segment",
    "SfxRequest",
    "SpeechRequest",
    "SummaryResult",
    "Transcript",
    "TranscriptionRequest",
    "Usage",
    "Voice",
    "VoiceCloneRequest",
    "Word",
    "frozen_mapping",
]


K = TypeVar("K")
V = TypeVar("V")


def frozen_mapping(values: Mapping[K, V] | None = None) -> Mapping[K, V]:
    """Return a read-only copy of ``values``, for dataclass fields that hold settings."""
    return MappingProxyType(dict(values or {}))


class Capability(enum.StrEnum):
    """What a provider can do; the registry is queried by these."""

    SPEECH = "speech"  # text to speech
    TRANSCRIPTION = "transcription"  # speech to text
    SFX = "sfx"  # sound effects
    MUSIC = "music"
    VOICE_CLONE = "voice_clone"
    CHAT = "chat"  # text completion, for transcript summaries


class AudioFormat(enum.StrEnum):
    """Encoded audio formats the studio reads or writes; PCM is raw signed 16-bit little-endian."""

    WAV = "wav"
    MP3 = "mp3"
    FLAC = "flac"
    OPUS = "opus"
    OGG = "ogg"
    AAC = "aac"
    M4A = "m4a"
    WEBM = "webm"
    PCM = "pcm"

    @property
    def extension(self) -> str:
        return "raw" if self is AudioFormat.PCM else self.value

    @property
    def mime(self) -> str:
        return _MIME[self]


_MIME = {
    AudioFormat.WAV: "audio/wav",
    AudioFormat.MP3: "audio/mpeg",
    AudioFormat.FLAC: "audio/flac",
    AudioFormat.OPUS: "audio/ogg",
    AudioFormat.OGG: "audio/ogg",
    AudioFormat.AAC: "audio/aac",
    AudioFormat.M4A: "audio/mp4",
    AudioFormat.WEBM: "audio/webm",
    AudioFormat.PCM: "audio/L16",
}


class JobKind(enum.StrEnum):
    NARRATION = "narration"
    SPEECH = "speech"
    TRANSCRIPTION = "transcription"
    SFX = "sfx"
    MUSIC = "music"
    RECORDING = "recording"
    EXPORT = "export"
    VOICE_CLONE = "voice_clone"
    SUMMARY = "summary"
    DOWNLOAD = "download"
    MAINTENANCE = "maintenance"


class JobStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class HistoryKind(enum.StrEnum):
    """Kinds of things the History library keeps."""

    NARRATION = "narration"  # a finished, joined export of a script
    TAKE = "take"  # one chunk's take inside a narration
    SPEECH = "speech"  # a single `speak`
    RECORDING = "recording"
    TRANSCRIPT = "transcript"
    SFX = "sfx"
    MUSIC = "music"
    SUMMARY = "summary"
    VOICE = "voice"  # a cloned voice, with its consent statement


class HistoryStatus(enum.StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"  # the studio stopped while it ran and it could not resume


@dataclass(frozen=True)
class Latency:
    """Times of one provider call in milliseconds; None where it does not apply."""

    ttfb_ms: float | None = None  # request sent -> first response byte
    total_ms: float | None = None
    upload_ms: float | None = None
    queue_ms: float | None = None  # async jobs: submitted -> started on the provider


@dataclass(frozen=True)
class Usage:
    """What a call consumed, for cost estimates and the usage report."""

    characters: int = 0
    audio_seconds: float = 0.0
    requests: int = 1
    credits: float = 0.0
    cost_usd: float | None = None


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    provider: str
    language: str | None = None
    description: str = ""
    cloned: bool = False
    preview_url: str | None = None
    labels: Mapping[str, str] = field(default_factory=frozen_mapping)


@dataclass(frozen=True)
class SpeechRequest:
    """Text to speech for one chunk of text.

    ``settings`` holds provider-specific knobs (ElevenLabs stability, similarity...), passed as is.
    """

    text: str
    voice: str | None = None
    model: str | None = None
    speed: float = 1.0
    format: AudioFormat = AudioFormat.WAV
    instructions: str | None = None
    language: str | None = None
    sample_rate: int | None = None
    settings: Mapping[str, Any] = field(default_factory=frozen_mapping)
    # Ask for when each word is spoken (captions, read-along); providers that cannot tell
    # ignore it and return no words.
    word_times: bool = False


@dataclass(frozen=True)
class AudioChunk:
    """A piece of audio as it streams in; PCM chunks carry their sample rate."""

    data: bytes
    format: AudioFormat
    sample_rate: int | None = None
    channels: int = 1
    text: str | None = None  # the sentence this chunk speaks, when the engine knows
    # Words this piece finishes saying, timed from the start of the speech, when the request
    # asked for word times and the provider streams them (a piece may then carry no audio).
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class AudioResult:
    """Finished audio from a provider, already downloaded and decoded from base64 if needed."""

    data: bytes
    format: AudioFormat
    provider: str
    model: str | None = None
    sample_rate: int | None = None
    channels: int | None = None
    duration_s: float | None = None
    latency: Latency = field(default_factory=Latency)
    usage: Usage = field(default_factory=Usage)
    request_id: str | None = None
    params: Mapping[str, Any] = field(default_factory=frozen_mapping)
    # When each word of the text sent is spoken, in seconds from the audio's start: only
    # for a request with ``word_times`` to a provider that reports them, else empty.
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class TranscriptionRequest:
    audio: Path
    model: str | None = None
    language: str | None = None  # None = detect
    prompt: str | None = None
    word_timestamps: bool = True
    diarize: bool = False
    num_speakers: int | None = None
    vad: bool = False
    translate: bool = False  # to English, where the provider offers it
    settings: Mapping[str, Any] = field(default_factory=frozen_mapping)
    # The audio's web address, for a provider that fetches it itself (ProviderInfo.
    # stt_takes_urls); ``audio`` then only names it. Also kept as the source of a download.
    source_url: str | None = None


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    speaker: str | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class Segment:
    text: str
    start: float
    end: float
    speaker: str | None = None
    words: tuple[Word, ...] = ()
    confidence: float | None = None


@dataclass(frozen=True)
class Transcript:
    segments: tuple[Segment, ...]
    language: str | None = None
    language_probability: float | None = None
    duration_s: float | None = None
    provider: str | None = None
    model: str | None = None
    notices: tuple[str, ...] = ()  # e.g. "No speech was found in this audio."
    latency: Latency | None = None  # the request that made it (upload, first byte, total)

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    @property
    def speakers(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for seg in self.segments:
            if seg.speaker:
                seen.setdefault(seg.speaker, None)
        return tuple(seen)


@dataclass(frozen=True)
class SfxRequest:
    """A sound effect: a prompt for cloud providers, or preset/params for the procedural engine."""

    prompt: str = ""
    duration_s: float | None = None
    prompt_influence: float | None = None
    loop: bool = False
    seed: int | None = None
    preset: str | None = None
    params: Mapping[str, Any] = field(default_factory=frozen_mapping)
    model: str | None = None
    format: AudioFormat = AudioFormat.WAV


@dataclass(frozen=True)
class MusicRequest:
    prompt: str
    duration_s: float | None = None
    lyrics: str | None = None
    instrumental: bool = False
    model: str | None = None
    seed: int | None = None
    format: AudioFormat = AudioFormat.MP3


class RemoteJobState(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


@dataclass(frozen=True)
class RemoteJob:
    """An async job on a provider, persisted so polling resumes after a restart."""

    provider: str
    job_id: str
    poll_url: str | None = None
    cancel_url: str | None = None
    state: RemoteJobState = RemoteJobState.PENDING
    submitted_at: float | None = None  # epoch seconds
    meta: Mapping[str, Any] = field(default_factory=frozen_mapping)


@dataclass(frozen=True)
class VoiceCloneRequest:
    """Instant voice cloning; ``consent`` is the statement the user ticked, kept with the voice."""

    name: str
    samples: tuple[Path, ...]
    consent: str
    description: str = ""
    remove_background_noise: bool = False


@dataclass(frozen=True)
class ChatMessage:
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass(frozen=True)
class SummaryResult:
    summary: str
    action_items: tuple[str, ...]
    provider: str
    model: str | None = None
    usage: Usage = field(default_factory=Usage)


class Secret:
    """A value that never shows itself in repr, str, logs or tracebacks; ``reveal()`` to use it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
