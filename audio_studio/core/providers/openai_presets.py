"""The OpenAI-shaped servers the studio knows (PROVIDERS.md §6): their info, limits and quirks.

Each preset is its own provider id with a default base URL: ``openai``, ``groq``, ``gateway``
(any OpenAI-compatible or seed-style gateway; needs a base URL), the two gateways the studio
was specified from, ``crazyrouter`` and ``imarouter`` (described from their own pages, in
../shared/seeds), and ``localai``, ``speaches`` and ``kokoro``. What differs between them is
data here, not branches in the client; ImaRouter's one endpoint of its own is imarouter.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from audio_studio.core.errors import ConfigurationError, InputError
from audio_studio.core.models import AudioFormat, Capability, frozen_mapping
from audio_studio.core.providers.base import ModelInfo, ProviderInfo, ProviderLimits, SttFeatures

__all__ = ["OPENAI_UPLOAD_LIMIT", "PRESETS", "Preset", "Quirks"]

# The 413 body OpenAI sends names this number ("Maximum content size limit (26214400)").
OPENAI_UPLOAD_LIMIT = 26_214_400
# Groq documents "25 MB"; the decimal reading is the safe one.
GROQ_UPLOAD_LIMIT = 25_000_000

# What the OpenAI-shaped transcription models offer (PROVIDERS.md §1.4, §6).
WHISPER_STT = SttFeatures(confidence=True)  # verbose_json: words, segments, avg_logprob
TEXT_ONLY_STT = SttFeatures(word_timestamps=False, timestamps=False)  # json: text only
DIARIZE_STT = SttFeatures(word_timestamps=False, prompt=False, diarize=True)
# gpt-4o-transcribe and its siblings refuse audio over 1400 s ("audio duration ... is longer
# than 1400 seconds which is the maximum for this model"); a little under it, for safety.
GPT4O_MAX_SECONDS = 1380.0

_STT_EXTENSIONS = ("flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "wav", "webm")
_OPENAI_SPEECH_FORMATS = (
    AudioFormat.MP3,
    AudioFormat.OPUS,
    AudioFormat.AAC,
    AudioFormat.FLAC,
    AudioFormat.WAV,
    AudioFormat.PCM,
)
OPENAI_VOICES = (
    "alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer",
    "verse", "marin", "cedar",
)  # fmt: skip
# tts-1 and tts-1-hd predate these; only the gpt-4o-mini-tts family speaks with them.
NEW_VOICES = frozenset({"ballad", "verse", "marin", "cedar"})
TTS1_VOICES = tuple(v for v in OPENAI_VOICES if v not in NEW_VOICES)
# "OpenAI TTS-1 HD — 6 built-in voices" (ImaRouter's page): tts-1's original six.
SIX_VOICES = ("alloy", "echo", "fable", "onyx", "nova", "shimmer")


@dataclass(frozen=True)
class Quirks:
    """How one OpenAI-compatible server differs from api.openai.com."""

    stt_formats: tuple[str, ...] = ("json", "text", "srt", "vtt", "verbose_json", "diarized_json")
    word_timestamps: bool = True  # timestamp_granularities[] with verbose_json
    json_only_models: tuple[str, ...] = ()  # prefixes of models that answer json only
    diarize_model: str | None = None  # the model that labels speakers
    translation: bool = True
    sse_speech: bool = False  # stream_format=sse for the models below
    sse_speech_models: tuple[str, ...] = ("gpt-4o-mini-tts",)
    instructions_models: tuple[str, ...] = ("gpt-4o-mini-tts",)
    speech_extra: Mapping[str, Any] = field(default_factory=frozen_mapping)
    stream_extra: Mapping[str, Any] = field(default_factory=frozen_mapping)
    voices_path: str | None = None  # GET endpoint listing voices
    sfx_path: str | None = None  # ElevenLabs-style sound generation (LocalAI)
    music_jobs: bool = False  # the seed gateway's POST audio/generate/async pattern
    # ImaRouter's POST audio/generate, answered at once: sound effects, and music up to
    # ``music_sync_max_s`` (longer music goes to the async jobs above).
    audio_generate: bool = False
    music_sync_max_s: float | None = None
    nanosecond_times: bool = False  # old LocalAI whisper.cpp segment times
    static_voices: tuple[str, ...] = OPENAI_VOICES  # offered when the server lists none


@dataclass(frozen=True)
class Preset:
    info: ProviderInfo
    quirks: Quirks

    def model(self, requested: str | None, capability: Capability) -> str:
        """The model asked for, or the preset's default; InputError when it has none."""
        model = requested or self.info.default_models.get(capability)
        if not model:
            raise InputError(
                f"{self.info.name} needs the name of a {capability.value} model installed on "
                "it; choose one (for example with --model).",
                provider=self.info.id,
            )
        return model

    def need(self, capability: Capability) -> None:
        """ConfigurationError unless the preset can do ``capability``."""
        if not self.info.can(capability):
            raise ConfigurationError(
                f"{self.info.name} cannot do {capability.value}. Choose another provider.",
                provider=self.info.id,
            )


def _gpt4o(description: str, stt: SttFeatures) -> dict[str, Any]:
    return {"description": description, "stt": stt, "max_upload_seconds": GPT4O_MAX_SECONDS}


def _models(*items: tuple[str, Capability, dict[str, Any]]) -> tuple[ModelInfo, ...]:
    return tuple(ModelInfo(id=mid, name=mid, capability=cap, **extra) for mid, cap, extra in items)


_S, _T, _C, _M, _X = (
    Capability.SPEECH,
    Capability.TRANSCRIPTION,
    Capability.CHAT,
    Capability.MUSIC,
    Capability.SFX,
)

OPENAI = Preset(
    ProviderInfo(
        id="openai",
        name="OpenAI",
        capabilities=frozenset({_S, _T, _C}),
        limits=ProviderLimits(max_chars=4096, max_upload_bytes=OPENAI_UPLOAD_LIMIT),
        output_formats=_OPENAI_SPEECH_FORMATS,
        input_formats=_STT_EXTENSIONS,
        models=_models(
            ("gpt-4o-mini-tts", _S, {"max_chars": 4096, "takes_instructions": True}),
            ("tts-1", _S, {"max_chars": 4096}),
            ("tts-1-hd", _S, {"max_chars": 4096}),
            ("whisper-1", _T, {"description": "word and segment timestamps", "stt": WHISPER_STT}),
            ("gpt-4o-transcribe", _T, _gpt4o("text only, no timestamps", TEXT_ONLY_STT)),
            ("gpt-4o-mini-transcribe", _T, _gpt4o("text only, no timestamps", TEXT_ONLY_STT)),
            ("gpt-4o-transcribe-diarize", _T, _gpt4o("speaker labels", DIARIZE_STT)),
            ("gpt-4o-mini", _C, {}),
        ),
        default_models=frozen_mapping({_S: "gpt-4o-mini-tts", _T: "whisper-1", _C: "gpt-4o-mini"}),
        default_voice="alloy",
        default_base_url="https://api.openai.com/v1",
        base_url_configurable=True,
        key_env="OPENAI_API_KEY",
        streams_speech=True,
        description="OpenAI's speech, transcription and chat models (25 MB per upload).",
        signup_url="https://platform.openai.com/api-keys",
        stt=WHISPER_STT,
    ),
    Quirks(
        json_only_models=("gpt-4o-transcribe", "gpt-4o-mini-transcribe", "gpt-transcribe"),
        diarize_model="gpt-4o-transcribe-diarize",
        sse_speech=True,
    ),
)

GROQ = Preset(
    ProviderInfo(
        id="groq",
        name="Groq",
        # Groq's PlayAI speech models are being retired; speech is left out on purpose.
        capabilities=frozenset({_T, _C}),
        limits=ProviderLimits(max_upload_bytes=GROQ_UPLOAD_LIMIT),
        input_formats=_STT_EXTENSIONS,
        models=_models(
            ("whisper-large-v3-turbo", _T, {"description": "fast, $0.04 per hour"}),
            ("whisper-large-v3", _T, {"description": "best, translation too"}),
            ("llama-3.3-70b-versatile", _C, {}),
        ),
        default_models=frozen_mapping(
            {_T: "whisper-large-v3-turbo", _C: "llama-3.3-70b-versatile"}
        ),
        default_base_url="https://api.groq.com/openai/v1",
        base_url_configurable=True,
        key_env="GROQ_API_KEY",
        description="Very fast Whisper transcription in the cloud (25 MB per upload).",
        signup_url="https://console.groq.com/keys",
        stt=WHISPER_STT,
    ),
    # Groq answers json, text and verbose_json only (no srt/vtt, no speakers).
    Quirks(stt_formats=("json", "text", "verbose_json")),
)

GATEWAY = Preset(
    ProviderInfo(
        id="gateway",
        name="OpenAI-compatible gateway",
        capabilities=frozenset({_S, _T, _C, _M}),
        limits=ProviderLimits(max_chars=4096, max_upload_bytes=OPENAI_UPLOAD_LIMIT),
        output_formats=_OPENAI_SPEECH_FORMATS,
        input_formats=_STT_EXTENSIONS,
        default_models=frozen_mapping({_S: "tts-1", _T: "whisper-1", _C: "gpt-4o-mini"}),
        default_voice="alloy",
        base_url_configurable=True,
        key_env="AUDIO_STUDIO_API_KEY",
        streams_speech=True,
        description="Any gateway or server with the OpenAI audio API at its own base URL, "
        "including async music jobs (POST …/audio/generate/async, then polling).",
    ),
    Quirks(music_jobs=True, voices_path="audio/voices"),
)

# -- the two gateways the studio was specified from (../shared/seeds) ------------------------
# What their pages say is data here; what they do not say is listed in ``unverified`` and
# shown in Settings → Providers and the README, so nobody mistakes a guess for a fact.

CRAZYROUTER_PAGE = "https://crazyrouter.com/en/blog/ai-audio-generator-api-guide-tts-stt-music"
IMAROUTER_PAGE = "ImaRouter's Speech & Audio API page (imarouter.com)"
# ImaRouter: "Maximum file size is 25MB per request".
IMAROUTER_UPLOAD_LIMIT = 25_000_000

CRAZYROUTER = Preset(
    ProviderInfo(
        id="crazyrouter",
        name="Crazyrouter",
        capabilities=frozenset({_S, _T, _C, _M}),
        limits=ProviderLimits(max_chars=4096, max_upload_bytes=OPENAI_UPLOAD_LIMIT),
        output_formats=(AudioFormat.MP3, AudioFormat.WAV, AudioFormat.OPUS),
        input_formats=_STT_EXTENSIONS,
        models=_models(
            ("tts-1", _S, {"max_chars": 4096, "description": "the guide's tested model"}),
            ("whisper-1", _T, {"description": "the guide's model", "stt": WHISPER_STT}),
            ("gpt-4o-mini", _C, {}),
        ),
        default_models=frozen_mapping({_S: "tts-1", _T: "whisper-1", _C: "gpt-4o-mini"}),
        default_voice="alloy",
        default_base_url="https://crazyrouter.com/v1",
        base_url_configurable=True,
        key_env="CRAZYROUTER_API_KEY",
        streams_speech=True,
        description="An OpenAI-compatible gateway: speech (POST /v1/audio/speech, tts-1 with "
        "the voice alloy, answered as MP3), transcription (POST /v1/audio/transcriptions, "
        "whisper-1, the file uploaded), chat for summaries, and music as an async task "
        "(submit, task id, poll, download), all with one key.",
        signup_url="https://crazyrouter.com",
        stt=WHISPER_STT,
        source_page=CRAZYROUTER_PAGE,
        unverified=(
            "Speech: only tts-1 with the voice alloy is shown (tested there as audio/mpeg); "
            "other models, voices, speed and formats besides MP3 are not confirmed.",
            "Transcription: only whisper-1 with an uploaded file is shown; the reply with "
            "timestamps (verbose_json) and the 25 MB limit are OpenAI's, assumed.",
            "Music: the guide describes submit → task id → poll → download but names no "
            "endpoint or model; the studio uses the gateway pattern POST "
            "/v1/audio/generate/async, which could not be checked without an account.",
            "Chat: /v1/chat/completions is named; the model gpt-4o-mini is assumed.",
            "Prices: the guide publishes none, so costs show as unknown.",
        ),
    ),
    Quirks(music_jobs=True, static_voices=TTS1_VOICES),
)

IMAROUTER = Preset(
    ProviderInfo(
        id="imarouter",
        name="ImaRouter",
        capabilities=frozenset({_S, _T, _M, _X}),
        limits=ProviderLimits(max_chars=4096, max_upload_bytes=IMAROUTER_UPLOAD_LIMIT),
        output_formats=(AudioFormat.MP3, AudioFormat.WAV),  # "an MP3 or WAV file"
        # "MP3, MP4, MPEG, MPGA, M4A, WAV, and WEBM for speech-to-text".
        input_formats=("mp3", "mp4", "mpeg", "mpga", "m4a", "wav", "webm"),
        models=_models(
            ("tts-1-hd", _S, {"max_chars": 4096, "description": "OpenAI TTS-1 HD, 6 voices"}),
            ("elevenlabs-turbo", _S, {"description": "ElevenLabs Turbo: your voice ids"}),
            ("whisper-large-v3", _T, {"description": "Whisper large-v3, 99 languages"}),
            ("suno-v4", _M, {"description": "Suno v4: instrumental tracks from a prompt"}),
            ("elevenlabs-sound-effects", _X, {"description": "ElevenLabs Sound Effects"}),
        ),
        default_models=frozen_mapping(
            {
                _S: "tts-1-hd",
                _T: "whisper-large-v3",
                _M: "suno-v4",
                _X: "elevenlabs-sound-effects",
            }
        ),
        default_voice="alloy",
        default_base_url="https://api.imarouter.com/v1",
        base_url_configurable=True,
        key_env="IMAROUTER_API_KEY",
        description="One key for speech (POST /v1/audio/speech, answered with an audio URL), "
        "transcription (POST /v1/audio/transcriptions; a file URL is passed on as it is), "
        "music (POST /v1/audio/generate at once, /v1/audio/generate/async as a job the studio "
        "polls) and sound effects. Outputs come as a URL or base64; 25 MB per transcription.",
        signup_url="https://imarouter.com",
        # "returns transcript text"; its fields are file, model and language.
        stt=SttFeatures(word_timestamps=False, timestamps=False, prompt=False),
        stt_takes_urls=True,
        source_page=IMAROUTER_PAGE,
        unverified=(
            "Model ids: the page names models (Whisper large-v3, ElevenLabs Turbo, OpenAI "
            "TTS-1 HD, ElevenLabs Sound Effects, Suno v4), not their ids; the ids here are "
            "guesses. Test connection lists the real ones (GET /v1/models).",
            "Speech: the page says it returns an audio URL but not in which field; the studio "
            "reads url, audio_url, b64_json, audio_base64 or audio (or binary audio).",
            "Transcription: 'file (URL)' is sent as the form field file; whether uploads are "
            "accepted too is not stated (local files are uploaded). Only text comes back.",
            "Music: where 'short' ends is not stated; the studio sends music up to 30 s to "
            "/v1/audio/generate and longer music to /v1/audio/generate/async, whose status "
            "path (/v1/audio/generate/async/{id}) and fields are the seed gateway's.",
            "Sound effects: ElevenLabs Sound Effects is listed without an endpoint; the "
            "studio uses /v1/audio/generate.",
            "Prices: per 1,000 characters (speech), per minute (transcription) and per "
            "generated second (music); the page gives no amounts, so costs show as unknown.",
            "Webhooks are for servers: the desktop polls async jobs instead.",
        ),
    ),
    Quirks(
        stt_formats=("json", "text"),
        word_timestamps=False,
        translation=False,
        instructions_models=(),
        music_jobs=True,
        audio_generate=True,
        music_sync_max_s=30.0,
        static_voices=SIX_VOICES,
    ),
)

LOCALAI = Preset(
    ProviderInfo(
        id="localai",
        name="LocalAI (self-hosted)",
        capabilities=frozenset({_S, _T, _C, _X}),
        needs_key=False,
        limits=ProviderLimits(max_concurrency=1),
        output_formats=(AudioFormat.WAV, AudioFormat.MP3, AudioFormat.FLAC, AudioFormat.OPUS),
        input_formats=_STT_EXTENSIONS,
        # The AIO images ship these names; other installs use their own model names.
        default_models=frozen_mapping({_S: "tts-1", _T: "whisper-1", _C: "gpt-4"}),
        default_base_url="http://localhost:8080/v1",
        base_url_configurable=True,
        description="A LocalAI server on this computer: speech, transcription and sound "
        "generation with the models you installed in it.",
        stt=SttFeatures(word_timestamps=False),
    ),
    Quirks(
        stt_formats=("json", "text", "srt", "vtt", "verbose_json"),
        word_timestamps=False,
        translation=True,
        sfx_path="sound-generation",
        voices_path="audio/voices",
        nanosecond_times=True,
    ),
)

SPEACHES = Preset(
    ProviderInfo(
        id="speaches",
        name="speaches (self-hosted)",
        capabilities=frozenset({_S, _T}),
        needs_key=False,
        limits=ProviderLimits(max_concurrency=2),
        output_formats=_OPENAI_SPEECH_FORMATS,
        input_formats=_STT_EXTENSIONS,
        models=_models(
            ("speaches-ai/Kokoro-82M-v1.0-ONNX", _S, {}),
            ("Systran/faster-whisper-small", _T, {}),
            ("Systran/faster-whisper-large-v3", _T, {}),
        ),
        default_models=frozen_mapping(
            {_S: "speaches-ai/Kokoro-82M-v1.0-ONNX", _T: "Systran/faster-whisper-small"}
        ),
        default_voice="af_heart",
        default_base_url="http://localhost:8000/v1",
        base_url_configurable=True,
        streams_speech=True,
        description="A speaches server on this computer (faster-whisper and Kokoro). Models "
        "must be downloaded into it first (POST /v1/models/{id}).",
    ),
    Quirks(
        stt_formats=("json", "text", "srt", "vtt", "verbose_json"),
        sse_speech=True,
        sse_speech_models=("",),  # every speaches speech model can stream SSE
        instructions_models=(),
        voices_path="audio/voices",
    ),
)

KOKORO = Preset(
    ProviderInfo(
        id="kokoro",
        name="Kokoro-FastAPI (self-hosted)",
        capabilities=frozenset({_S}),
        needs_key=False,
        limits=ProviderLimits(max_concurrency=2),
        output_formats=_OPENAI_SPEECH_FORMATS,
        models=_models(("kokoro", _S, {})),
        default_models=frozen_mapping({_S: "kokoro"}),
        default_voice="af_heart",
        default_base_url="http://localhost:8880/v1",
        base_url_configurable=True,
        streams_speech=True,
        description="A Kokoro-FastAPI server on this computer; voices like af_heart, or mixes "
        "such as af_bella+af_sky.",
    ),
    # Kokoro streams by default; a whole file is asked for explicitly.
    Quirks(
        instructions_models=(),
        speech_extra=frozen_mapping({"stream": False}),
        stream_extra=frozen_mapping({"stream": True}),
        voices_path="audio/voices",
        translation=False,
    ),
)

PRESETS: tuple[Preset, ...] = (
    OPENAI, GROQ, GATEWAY, CRAZYROUTER, IMAROUTER, LOCALAI, SPEACHES, KOKORO,
)  # fmt: skip
