"""Naming detected speakers: a rename that is remembered, a "not this person" correction.

Renaming "Speaker 1" to "Mara" in a transcript saves it as a new version (edits.py) and keeps
the speaker's voice print and a six-second sample under "Mara" (voices.py), so later recordings
say "Mara" by themselves. Saying a speaker is *not* Mara keeps that print as one Mara is not,
and gives the speaker back a neutral name.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from audio_studio.core.audio.codec import AudioData, encode
from audio_studio.core.audio.speech_stream import SPEECH_RATE, read_range
from audio_studio.core.errors import InputError
from audio_studio.core.models import AudioFormat, Transcript
from audio_studio.core.store.history import HistoryItem
from audio_studio.core.transcription import edits, voices
from audio_studio.core.transcription.speakers import default_name
from audio_studio.core.transcription.transcribe import load_transcript
from audio_studio.core.transcripts import rename_speaker

if TYPE_CHECKING:
    from pathlib import Path

    from audio_studio.core.context import StudioContext

__all__ = ["not_speaker", "remember_rename", "rename"]

SAMPLE_S = 6.0


def _check(transcript: Transcript, speaker: str) -> None:
    if speaker not in transcript.speakers:
        have = ", ".join(transcript.speakers) or "none"
        raise InputError(
            f"This transcript has no speaker called {speaker!r} (its speakers: {have})."
        )


def _prints(item: HistoryItem) -> dict[str, Any]:
    return dict(item.params.get("speaker_prints") or {})


async def _sample(ctx: StudioContext, item: HistoryItem, t: Transcript, who: str) -> Path | None:
    """Up to six seconds of ``who``'s longest stretch, kept as a WAV in the file store."""
    said = [s for s in t.segments if s.speaker == who]
    recording = await asyncio.to_thread(ctx.history.get, item.parent_id) if item.parent_id else None
    audio = recording.file("audio") if recording else None
    if not said or audio is None:
        return None
    longest = max(said, key=lambda s: s.end - s.start)
    end = min(longest.end, longest.start + SAMPLE_S)

    def cut() -> Path | None:
        samples = read_range(audio.path, longest.start, end)
        if not len(samples):
            return None
        data = encode(AudioData(samples[:, None], SPEECH_RATE), AudioFormat.WAV)
        return ctx.files.put_bytes(data, "wav").path

    return await asyncio.to_thread(cut)


async def rename(ctx: StudioContext, item: HistoryItem, old: str, new: str) -> HistoryItem:
    """Rename speaker ``old`` to ``new`` in the TRANSCRIPT row ``item`` and remember the voice.

    Raises:
        InputError: no such speaker, an empty name, or ``item`` is not a transcript.
    """
    new = " ".join(new.split())
    if not new:
        raise InputError("Give the speaker a name (it cannot be empty).")
    transcript = await load_transcript(item)
    _check(transcript, old)
    prints = _prints(item)
    vector = prints.pop(old, None)
    if vector is not None:
        prints.setdefault(new, vector)
    moved = replace(item, params={**item.params, "speaker_prints": prints})
    saved = await edits.save_transcript(ctx, moved, rename_speaker(transcript, old, new))
    if vector is not None:
        sample = await _sample(ctx, item, transcript, old)
        await asyncio.to_thread(
            voices.remember, ctx.db, new, vector, item_id=item.id, sample=sample
        )
    return saved


async def remember_rename(
    ctx: StudioContext, item: HistoryItem, transcript: Transcript, old: str, new: str
) -> bool:
    """Remember the voice of ``old`` as ``new`` after the tab renamed it in ``transcript`` (the
    version before the rename; the tab saves the transcript itself). False when ``old`` has no
    voice print (its speakers came from a provider, or it was renamed before)."""
    vector = _prints(item).get(old)
    if vector is None or not " ".join(new.split()):
        return False
    sample = await _sample(ctx, item, transcript, old)
    await asyncio.to_thread(voices.remember, ctx.db, new, vector, item_id=item.id, sample=sample)
    return True


async def not_speaker(
    ctx: StudioContext, item: HistoryItem, speaker: str, name: str
) -> HistoryItem:
    """``speaker`` in ``item`` is not the person ``name``: remembered, and when the speaker was
    labelled ``name`` it gets a neutral name back ("Speaker N")."""
    transcript = await load_transcript(item)
    _check(transcript, speaker)
    vector = _prints(item).get(speaker)
    if vector is None:
        raise InputError(
            f"{speaker!r} has no voice print (its speakers were not detected by the studio)."
        )
    await asyncio.to_thread(voices.refuse, ctx.db, name, vector, item_id=item.id)
    if speaker.casefold() != " ".join(name.split()).casefold():
        return item
    taken = set(transcript.speakers)
    neutral = next(default_name(k) for k in range(99) if default_name(k) not in taken)
    prints = _prints(item)
    prints[neutral] = prints.pop(speaker)
    moved = replace(item, params={**item.params, "speaker_prints": prints})
    return await edits.save_transcript(ctx, moved, rename_speaker(transcript, speaker, neutral))
