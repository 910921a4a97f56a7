"""Voices of one's own: a 1–2 minute sample plus the user's consent, cloned by a provider.

The consent statement the user ticks is stored with the voice in History (a VOICE row with the
sample kept as its source file); the provider refuses without it too. Every take and export
made with a cloned voice says so in its History row (``params["cloned_voice"]`` and the tag
"cloned-voice"). Runs on the loop; decoding and SQLite go through asyncio.to_thread.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from audio_studio.core.audio.codec import decode
from audio_studio.core.errors import InputError
from audio_studio.core.models import Capability, HistoryKind, Voice, VoiceCloneRequest
from audio_studio.core.store.history import FileRecord, HistoryEntry, HistoryItem, HistoryQuery

if TYPE_CHECKING:
    from audio_studio.core.context import StudioContext

__all__ = [
    "CONSENT_STATEMENT",
    "MAX_SAMPLE_S",
    "MIN_SAMPLE_S",
    "ClonedVoice",
    "clone_voice",
    "cloned_voices",
    "sample_notes",
]

CONSENT_STATEMENT = (
    "This is my own voice, or its owner has given me their permission to clone it. "
    "I will not use the cloned voice to deceive anyone or to impersonate a person."
)
MIN_SAMPLE_S = 60.0  # ElevenLabs advises 1–2 minutes of clean speech
MAX_SAMPLE_S = 120.0
_HARD_MIN_S = 5.0


@dataclass(frozen=True)
class ClonedVoice:
    voice: Voice
    item: HistoryItem  # the VOICE row holding the consent statement and the sample
    notes: tuple[str, ...] = ()


def sample_notes(seconds: float) -> tuple[str, ...]:
    """Advice about a sample's length (not errors: a short sample still clones, less well)."""
    if seconds < MIN_SAMPLE_S:
        return (
            f"The sample is {seconds:.0f} s; 1–2 minutes of clear speech clone more faithfully.",
        )
    if seconds > MAX_SAMPLE_S + 1:
        return (f"The sample is {seconds:.0f} s; the first 2 minutes are plenty.",)
    return ()


async def clone_voice(
    ctx: StudioContext,
    provider_id: str,
    *,
    name: str,
    sample: Path,
    consent_given: bool,
    consent: str = CONSENT_STATEMENT,
    description: str = "",
    remove_background_noise: bool = False,
) -> ClonedVoice:
    """Clone a voice from ``sample`` on ``provider_id`` and keep it (with consent) in History.

    Raises:
        InputError: no consent, no name, or a sample that is not usable (said before any call).
        StudioError: what the provider answered.
    """
    if not consent_given or len(consent.strip()) < 10:
        raise InputError(
            "Tick the consent statement first: a voice is cloned only when it is yours or its "
            "owner agreed."
        )
    if not name.strip():
        raise InputError("Give the new voice a name.")
    audio = await asyncio.to_thread(decode, sample)
    if audio.duration_s < _HARD_MIN_S:
        raise InputError(
            f"The sample is only {audio.duration_s:.1f} s long; record or open 1–2 minutes of "
            "clear speech."
        )
    notes = sample_notes(audio.duration_s)
    provider = await ctx.provider(provider_id, Capability.VOICE_CLONE)
    voice = await provider.clone_voice(
        VoiceCloneRequest(
            name=name.strip(),
            samples=(sample,),
            consent=consent,
            description=description,
            remove_background_noise=remove_background_noise,
        )
    )
    stored = await asyncio.to_thread(ctx.files.put_file, sample, sample.suffix.lstrip(".") or "wav")
    entry = HistoryEntry(
        kind=HistoryKind.VOICE,
        title=f"Voice: {voice.name}",
        provider=provider_id,
        voice=voice.id,
        params={
            "voice_id": voice.id,
            "voice_name": voice.name,
            "consent": consent,
            "consent_given": True,
            "sample_seconds": round(audio.duration_s, 2),
            "sample_sha256": stored.sha256,
            "description": description,
            "provider_note": voice.description,
        },
        duration_s=audio.duration_s,
        files=(
            FileRecord.of("source", stored, audio.duration_s, audio.sample_rate, audio.channels),
        ),
        tags=("cloned-voice",),
    )
    item_id = await asyncio.to_thread(ctx.history.add, entry)
    item = await asyncio.to_thread(ctx.history.get, item_id)
    assert item is not None
    return ClonedVoice(voice, item, notes)


async def cloned_voices(ctx: StudioContext, provider_id: str) -> list[Voice]:
    """Voices cloned in the studio for ``provider_id`` (newest first), from History."""
    query = HistoryQuery(kinds=(HistoryKind.VOICE,), limit=500)
    rows = await asyncio.to_thread(ctx.history.query, query)
    voices: dict[str, Voice] = {}
    for row in rows:
        vid = row.params.get("voice_id")
        if row.provider == provider_id and isinstance(vid, str) and vid not in voices:
            name = str(row.params.get("voice_name") or vid)
            note = "Cloned in the studio"
            voices[vid] = Voice(vid, name, provider_id, description=note, cloned=True)
    return list(voices.values())
