"""Two offline voices in alternating turns (Piper's Joe, hibari's Heart): speaker-detection data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audio_studio.core.audio.codec import AudioData, decode, resample, write
from audio_studio.core.models import AudioFormat, Capability, SpeechRequest

VOICES = ("en_US-joe-medium", "hibari-heart")
TURNS = (
    "Good morning, thanks for making time for this call today.",
    "Of course. I have the figures from last quarter ready to share.",
    "Great. Let us start with the sales numbers for the northern region.",
    "Sales in the north grew by twelve percent, mostly from new customers.",
    "That is better than we planned. What about the costs over the same period?",
    "Costs stayed flat, although shipping became a little more expensive in March.",
    "Understood. Can you send me the full report before Friday afternoon?",
    "Yes, I will send it tomorrow morning together with the summary slides.",
)


@dataclass(frozen=True)
class Turn:
    voice: str
    text: str
    start: float
    end: float


async def make_dialogue(
    studio: object,
    path: Path,
    *,
    gap_s: float = 0.6,
    voices: tuple[str, str] = VOICES,
    texts: tuple[str, ...] = TURNS,
) -> list[Turn]:
    """Write the turns to ``path`` (16-bit WAV, 24 kHz mono), ``voices`` taking turns; returns
    where each turn is."""
    provider = await studio.context.provider("local", Capability.SPEECH)  # type: ignore[attr-defined]
    rate = 24_000
    pieces: list[np.ndarray] = []
    turns: list[Turn] = []
    at = 0.5
    pieces.append(np.zeros(int(0.5 * rate), np.float32))
    for n, text in enumerate(texts):
        voice = voices[n % 2]
        speech = await provider.synthesize(
            SpeechRequest(text=text, voice=voice, format=AudioFormat.WAV)
        )
        audio = resample(decode(speech.data).mono(), rate)
        samples = audio.samples[:, 0]
        turns.append(Turn(voice, text, at, at + len(samples) / rate))
        pieces += [samples, np.zeros(int(gap_s * rate), np.float32)]
        at += len(samples) / rate + gap_s
    joined = np.concatenate(pieces)[:, None]
    write(AudioData(joined.astype(np.float32), rate), path)
    return turns
