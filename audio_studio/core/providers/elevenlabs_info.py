"""ElevenLabs' static facts: what it offers, per-model text limits, and the output format names."""

from __future__ import annotations

from audio_studio.core.models import AudioFormat, Capability, frozen_mapping
from audio_studio.core.providers.base import ModelInfo, ProviderInfo, ProviderLimits, SttFeatures
from audio_studio.core.providers.outputs import pcm_to_wav, resolve_format

__all__ = [
    "DEFAULT_VOICE",
    "INFO",
    "MODEL_LIMITS",
    "PCM_RATES",
    "decoded_format",
    "delivered",
    "output_format",
]

# Characters per request (docs models.mdx, 2025-08); GET /v1/models refines them at runtime.
MODEL_LIMITS = {
    "eleven_multilingual_v2": 10_000,
    "eleven_v3": 3_000,
    "eleven_flash_v2_5": 40_000,
    "eleven_turbo_v2_5": 40_000,
    "eleven_flash_v2": 30_000,
    "eleven_turbo_v2": 30_000,
}
# pcm_44100 needs the Pro plan, so it is used only when asked for by sample rate.
PCM_RATES = (8000, 16000, 22050, 24000, 44100, 48000)
DEFAULT_VOICE = "JBFqnCBsd6RMkjVDRZzb"  # "George", a premade voice every account has

# Scribe: word times with log-probabilities, speakers (1-32), no prompt (PROVIDERS.md §2.6).
SCRIBE_STT = SttFeatures(prompt=False, diarize=True, num_speakers=True, confidence=True)

INFO = ProviderInfo(
    id="elevenlabs",
    name="ElevenLabs",
    capabilities=frozenset(
        {
            Capability.SPEECH,
            Capability.TRANSCRIPTION,
            Capability.SFX,
            Capability.MUSIC,
            Capability.VOICE_CLONE,
        }
    ),
    limits=ProviderLimits(
        max_chars=MODEL_LIMITS["eleven_multilingual_v2"],
        max_upload_bytes=3_000_000_000,
        max_sfx_seconds=22.0,
        max_music_seconds=300.0,
        max_concurrency=2,
    ),
    output_formats=(AudioFormat.MP3, AudioFormat.WAV, AudioFormat.PCM, AudioFormat.OPUS),
    input_formats=("mp3", "wav", "flac", "ogg", "opus", "m4a", "aac", "webm", "mp4", "mov"),
    models=(
        *(
            ModelInfo(mid, mid, Capability.SPEECH, max_chars=limit)
            for mid, limit in MODEL_LIMITS.items()
        ),
        ModelInfo("scribe_v1", "Scribe v1", Capability.TRANSCRIPTION, stt=SCRIBE_STT),
        ModelInfo("music_v1", "Eleven Music v1", Capability.MUSIC),
    ),
    default_models=frozen_mapping(
        {
            Capability.SPEECH: "eleven_multilingual_v2",
            Capability.TRANSCRIPTION: "scribe_v1",
            Capability.MUSIC: "music_v1",
        }
    ),
    default_voice=DEFAULT_VOICE,
    default_base_url="https://api.elevenlabs.io",
    base_url_configurable=True,  # data-residency hosts (api.eu.residency.elevenlabs.io, …)
    key_env="ELEVENLABS_API_KEY",
    streams_speech=True,
    stt=SCRIBE_STT,
    description="Voices, sound effects, music and Scribe transcription; paid in credits.",
    signup_url="https://elevenlabs.io/app/settings/api-keys",
)


def output_format(fmt: AudioFormat, sample_rate: int | None) -> str:
    """The ``output_format`` query value for a wanted format (WAV is PCM wrapped locally)."""
    if fmt in (AudioFormat.PCM, AudioFormat.WAV):
        rate = sample_rate if sample_rate in PCM_RATES else 24_000
        return f"pcm_{rate}"
    if fmt in (AudioFormat.OPUS, AudioFormat.OGG):
        return "opus_48000_64"
    return "mp3_44100_128"


def decoded_format(name: str) -> tuple[AudioFormat, int | None]:
    """What an ``output_format`` value delivers: the format and (for PCM) the sample rate."""
    codec, _, rest = name.partition("_")
    rate = int(rest.split("_")[0]) if rest else None
    fmt = {"mp3": AudioFormat.MP3, "pcm": AudioFormat.PCM, "opus": AudioFormat.OPUS}.get(codec)
    return fmt or AudioFormat.MP3, rate


def delivered(
    data: bytes, output_format_name: str, wanted: AudioFormat, content_type: str
) -> tuple[bytes, AudioFormat, int | None]:
    """What arrived, as (bytes, format, sample rate): PCM is wrapped in WAV when WAV was wanted.

    The bytes decide: a server that ignored ``output_format`` is not mistaken for raw PCM.
    """
    fmt, rate = decoded_format(output_format_name)
    actual = resolve_format(data, content_type, fmt)
    if actual is AudioFormat.PCM and wanted is AudioFormat.WAV and rate:
        return pcm_to_wav(data, rate), AudioFormat.WAV, rate
    return data, actual, rate if actual is AudioFormat.PCM or fmt is actual else None
