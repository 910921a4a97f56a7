"""The loop and hallucination guard, with fake engines that loop or write text over silence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audio_studio.core.audio.codec import decode, resample
from audio_studio.core.models import Segment, Transcript, Word
from audio_studio.core.providers.local.vad import speech_regions
from audio_studio.core.transcription.exports import EXPORT_FORMATS, ExportOptions, render
from audio_studio.core.transcription.guard import find_suspects, guard, is_loop
from tests.support.offline import JFK, JFK_REFERENCE, write_audio

pytestmark = pytest.mark.slow

LOOP = "I'm going to go ahead and"
INVENTED = "Thanks for watching, please subscribe"


def seg(text: str, start: float, end: float) -> Segment:
    words = text.split()
    step = (end - start) / len(words)
    return Segment(
        text, start, end,
        words=tuple(Word(w, start + i * step, start + (i + 1) * step) for i, w in enumerate(words)),
    )  # fmt: skip


def speech_then_silence(tmp_path: Path) -> Path:
    """jfk.flac (11 s) then 12 s of faint noise: nobody speaks after 11 s."""
    jfk = resample(decode(JFK).mono(), 16_000).samples[:, 0]
    quiet = np.random.default_rng(3).normal(0, 0.0005, 16_000 * 12).astype(np.float32)
    return write_audio(tmp_path / "memo.wav", np.concatenate([jfk, quiet]))


def exported(t: Transcript) -> str:
    text_formats = [f for f in EXPORT_FORMATS if f not in ("docx", "pdf")]
    return "\n".join(render(t, f, ExportOptions()).decode() for f in text_formats).lower()


def test_loops_are_found_in_text() -> None:
    assert is_loop(" ".join([LOOP] * 5))
    assert is_loop("thank you " * 8)
    assert not is_loop(JFK_REFERENCE)
    assert not is_loop("no no no, I said no")
    repeated = Transcript(tuple(seg("Okay.", i, i + 1) for i in range(4)))
    assert [s.reason for s in find_suspects(repeated, None)] == ["loop"]


async def test_a_looping_engine_and_an_inventing_engine_reach_no_export(tmp_path: Path) -> None:
    audio = speech_then_silence(tmp_path)
    regions = await speech_regions(audio)
    assert regions and regions[0][0] < 1.0 and regions[-1][1] < 12.0
    real = seg(JFK_REFERENCE, 0.3, 10.5)
    asked: list[tuple[float, float]] = []

    async def still_loops(start: float, end: float) -> Transcript:
        asked.append((start, end))
        return Transcript((seg(" ".join([LOOP] * 6), start, end),))

    looping = Transcript((real, seg(" ".join([LOOP] * 8), 11.0, 23.0)))
    kept = await guard(looping, regions, still_loops)
    assert asked == [(11.0, 23.0)]
    assert kept.segments == (real,)
    assert any("uncertain" in n and "repeated" in n for n in kept.notices)
    assert "go ahead" not in exported(kept) and "ask not what your country" in exported(kept)

    async def invents_again(start: float, end: float) -> Transcript:
        return Transcript((seg(INVENTED, start + 1, end - 1),))

    inventing = Transcript((real, seg(INVENTED, 13.0, 20.0)))
    kept = await guard(inventing, regions, invents_again)
    assert kept.segments == (real,)
    assert any("no one speaks" in n for n in kept.notices)
    assert "subscribe" not in exported(kept)

    async def clean_second_try(start: float, end: float) -> Transcript:
        return Transcript((seg("ask what you can do", 8.0, 10.0),))

    # A loop that a careful second try reads properly is replaced, not removed.
    fixed = await guard(
        Transcript((seg(" ".join([LOOP] * 5), 6.0, 10.5),)), regions, clean_second_try
    )
    assert [s.text for s in fixed.segments] == ["ask what you can do"] and not fixed.notices
