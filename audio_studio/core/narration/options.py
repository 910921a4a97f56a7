"""What the narration pickers offer per provider: style presets, voice knobs, speed, formats.

Style presets follow OpenAI.fm's "vibes": a named instruction prompt in the parts Voice Affect,
Tone, Pacing, Emotion, Pronunciation and Pauses; the user edits them freely. Voice knobs are
the provider's own settings (ElevenLabs: stability, similarity, style exaggeration, speaker
boost; defaults as its docs suggest). Data only: no provider is called here.
"""

from __future__ import annotations

from dataclasses import dataclass

from audio_studio.core.models import AudioFormat, Capability
from audio_studio.core.providers.base import ModelInfo, ProviderInfo

__all__ = [
    "EXPORT_FORMATS",
    "STYLE_PRESETS",
    "VoiceKnob",
    "max_chars_for",
    "speed_range",
    "synthesis_format",
    "takes_instructions",
    "voice_knobs",
]

EXPORT_FORMATS = (AudioFormat.WAV, AudioFormat.MP3, AudioFormat.FLAC, AudioFormat.OPUS)


def _vibe(affect: str, tone: str, pacing: str, emotion: str, pauses: str) -> str:
    return (
        f"Voice Affect: {affect}\nTone: {tone}\nPacing: {pacing}\nEmotion: {emotion}\n"
        f"Pronunciation: Clear and natural; names exactly as written.\nPauses: {pauses}"
    )


STYLE_PRESETS: dict[str, str] = {
    "Calm narrator": _vibe(
        "Warm, settled and unhurried.", "Reassuring and even.", "Steady, a little slow.",
        "Gentle interest, never flat.", "Brief pauses between ideas; longer at paragraph ends.",
    ),
    "Audiobook": _vibe(
        "Rich and expressive storyteller.", "Engaged, following the story's mood.",
        "Natural, slowing for important moments.", "Matches the scene: tension, warmth, humour.",
        "Let dialogue and scene changes breathe.",
    ),
    "Documentary": _vibe(
        "Authoritative and curious.", "Informative, measured, quietly awed.",
        "Moderate and deliberate.", "Restrained wonder.", "Pause before key facts.",
    ),
    "News anchor": _vibe(
        "Crisp, confident and neutral.", "Professional and clear.", "Brisk but never rushed.",
        "Neutral; serious for grave news.", "Short pauses between items.",
    ),
    "Friendly explainer": _vibe(
        "Bright, friendly, like a good teacher.", "Encouraging and plain-spoken.",
        "Relaxed; slower on new terms.", "Cheerful warmth.", "Pause after each step.",
    ),
    "Dramatic": _vibe(
        "Deep, intense and theatrical.", "Suspenseful, building.",
        "Slow, with sudden bursts at climaxes.", "High stakes, restrained power.",
        "Long pauses before reveals.",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class VoiceKnob:
    """One provider voice setting shown as a slider (or a checkbox for booleans)."""

    name: str  # the key sent in SpeechRequest.settings
    label: str
    default: float | bool
    minimum: float = 0.0
    maximum: float = 1.0
    help: str = ""


_KNOBS: dict[str, tuple[VoiceKnob, ...]] = {
    "elevenlabs": (
        VoiceKnob("stability", "Stability", 0.5,
                  help="Lower: more expressive and varied. Higher: steadier, more monotone."),
        VoiceKnob("similarity_boost", "Similarity", 0.75,
                  help="How closely to stick to the original voice."),
        VoiceKnob("style", "Style exaggeration", 0.0,
                  help="Amplifies the speaker's style; costs latency; 0 is usually best."),
        VoiceKnob("use_speaker_boost", "Speaker boost", True,
                  help="Boosts similarity to the speaker; slightly slower."),
    ),
}  # fmt: skip


def voice_knobs(provider_id: str) -> tuple[VoiceKnob, ...]:
    return _KNOBS.get(provider_id, ())


def speed_range(provider_id: str) -> tuple[float, float]:
    """The speeds a provider accepts (ElevenLabs 0.7–1.2; OpenAI-style and Piper 0.25–4)."""
    return (0.7, 1.2) if provider_id == "elevenlabs" else (0.25, 4.0)


def _model(info: ProviderInfo, model: str | None) -> ModelInfo | None:
    return next((m for m in info.models if m.id == model), None)


def takes_instructions(info: ProviderInfo, model: str | None, models: list[ModelInfo]) -> bool:
    """Whether ``model`` takes a style prompt (gpt-4o-mini-tts does; tts-1 does not)."""
    found = next((m for m in models if m.id == model), None) or _model(info, model)
    return bool(found and found.takes_instructions)


def max_chars_for(
    info: ProviderInfo, model: str | None, models: list[ModelInfo] | None = None
) -> int | None:
    """Characters per request for ``model`` (the model's own limit, else the provider's)."""
    model = model or info.default_models.get(Capability.SPEECH)
    found = next((m for m in models or [] if m.id == model), None) or _model(info, model)
    if found and found.max_chars:
        return found.max_chars
    return info.limits.max_chars


def synthesis_format(info: ProviderInfo) -> AudioFormat:
    """What to ask a provider for: raw PCM where offered (it can be played the moment it
    arrives and is lossless), else WAV, else the provider's first format."""
    for fmt in (AudioFormat.PCM, AudioFormat.WAV, AudioFormat.FLAC):
        if fmt in info.output_formats:
            return fmt
    return info.output_formats[0]
