"""ElevenLabs replies into studio shapes: Scribe transcripts, character alignment, detailed music.

Pure functions over decoded JSON/bytes, kept apart from the client so each is tested on
spec-conformant examples.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from audio_studio.core.errors import ProviderProtocolError
from audio_studio.core.models import Segment, Transcript, Word
from audio_studio.core.providers.outputs import MimePart, parse_multipart

__all__ = [
    "CharacterAlignment",
    "DetailedMusic",
    "StreamedWords",
    "parse_alignment",
    "parse_detailed_music",
    "parse_scribe",
]

NAME = "ElevenLabs"
_SENTENCE_END = re.compile(r"[.!?…。！？]['\")\]]*$")
_GAP_S = 1.5
_MAX_WORDS = 40


@dataclass(frozen=True)
class CharacterAlignment:
    """When each character of the text is spoken (TTS /with-timestamps)."""

    characters: tuple[str, ...]
    starts: tuple[float, ...]
    ends: tuple[float, ...]

    def words(self) -> tuple[Word, ...]:
        """Characters grouped into words at whitespace, with the first start and last end."""
        words: list[Word] = []
        text, start, end = "", 0.0, 0.0
        for ch, s, e in zip(self.characters, self.starts, self.ends, strict=False):
            if ch.isspace():
                if text:
                    words.append(Word(text, start, end))
                text = ""
                continue
            if not text:
                start = s
            text += ch
            end = e
        if text:
            words.append(Word(text, start, end))
        return tuple(words)


class StreamedWords:
    """Character times arriving piece by piece (/stream/with-timestamps) grouped into words. A
    word split between pieces is given when the piece that ends it arrives, the last one by
    ``finish``. Times count from the start of the speech; a piece whose times start again near
    zero (times per piece) is placed after the one before, so either reading gives the same."""

    _SLACK_S = 0.05  # rounding between one piece's last end and the next one's first start

    def __init__(self) -> None:
        self._chars: list[str] = []
        self._starts: list[float] = []
        self._ends: list[float] = []
        self._given = 0

    def add(self, alignment: CharacterAlignment | None) -> tuple[Word, ...]:
        """The words ``alignment`` (one piece's) finishes."""
        if alignment is None or not alignment.characters:
            return ()
        offset = 0.0
        if self._ends and alignment.starts and alignment.starts[0] + self._SLACK_S < self._ends[-1]:
            offset = self._ends[-1]
        self._chars += alignment.characters
        self._starts += [t + offset for t in alignment.starts]
        self._ends += [t + offset for t in alignment.ends]
        return self._new(finished=bool(self._chars) and self._chars[-1].isspace())

    def finish(self) -> tuple[Word, ...]:
        """The words not given yet (the last one has no space after it)."""
        return self._new(finished=True)

    def _new(self, *, finished: bool) -> tuple[Word, ...]:
        words = CharacterAlignment(tuple(self._chars), tuple(self._starts), tuple(self._ends))
        done = words.words() if finished else words.words()[:-1]
        new, self._given = done[self._given :], max(self._given, len(done))
        return new


def parse_alignment(raw: Any) -> CharacterAlignment | None:
    if raw is None:
        return None
    try:
        chars = tuple(str(c) for c in raw["characters"])
        starts = tuple(float(t) for t in raw["character_start_times_seconds"])
        ends = tuple(float(t) for t in raw["character_end_times_seconds"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ProviderProtocolError(f"{NAME} sent timestamps of an unexpected shape.") from exc
    if not len(chars) == len(starts) == len(ends):
        raise ProviderProtocolError(f"{NAME} sent timestamps that do not match the text.")
    if not all(math.isfinite(t) and t >= 0 for t in (*starts, *ends)):
        raise ProviderProtocolError(f"{NAME} sent timestamps that are not times.")
    return CharacterAlignment(chars, starts, ends)


def _speaker(raw: Any, channel: int | None) -> str | None:
    if isinstance(raw, str) and raw:
        match = re.fullmatch(r"speaker_(\d+)", raw)
        return f"Speaker {int(match.group(1)) + 1}" if match else raw
    return f"Channel {channel + 1}" if channel is not None else None


def _segments(words: Sequence[Word]) -> list[Segment]:
    """Words into segments: a new one at a speaker change, a sentence end, or a long pause."""
    segments: list[Segment] = []
    current: list[Word] = []

    def close() -> None:
        if current:
            text = " ".join(w.text for w in current)
            confs = [w.confidence for w in current if w.confidence is not None]
            conf = round(sum(confs) / len(confs), 4) if confs else None
            segments.append(
                Segment(
                    text,
                    current[0].start,
                    current[-1].end,
                    current[0].speaker,
                    tuple(current),
                    conf,
                )
            )
            current.clear()

    for word in words:
        if current:
            last = current[-1]
            if (
                word.speaker != last.speaker
                or word.start - last.end > _GAP_S
                or _SENTENCE_END.search(last.text)
                or len(current) >= _MAX_WORDS
            ):
                close()
        current.append(word)
    close()
    return segments


def _seconds(value: Any, default: float) -> float:
    """A time field as seconds; anything that is not a finite number is ``default``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default


def _words(chunk: Mapping[str, Any], channel: int | None) -> list[Word]:
    words = []
    for w in chunk.get("words") or ():
        if not isinstance(w, Mapping) or w.get("type") == "spacing":
            continue
        text = str(w.get("text") or "").strip()
        if not text:
            continue
        start = _seconds(w.get("start"), 0.0)
        logprob = w.get("logprob")
        words.append(
            Word(
                text,
                start,
                _seconds(w.get("end"), start),
                _speaker(w.get("speaker_id"), channel),
                round(math.exp(logprob), 4)
                if isinstance(logprob, int | float) and logprob <= 0
                else None,
            )
        )
    return words


def parse_scribe(data: Any, *, provider: str, model: str) -> Transcript:
    """A Scribe reply (one channel, or ``transcripts`` per channel) as a Transcript."""
    if not isinstance(data, Mapping):
        raise ProviderProtocolError(
            f"{NAME} sent a transcript of an unexpected shape.", provider=provider
        )
    if "transcripts" in data:
        chunks = [c for c in data["transcripts"] if isinstance(c, Mapping)]
        words = sorted(
            (w for i, c in enumerate(chunks) for w in _words(c, c.get("channel_index", i))),
            key=lambda w: w.start,
        )
        first: Mapping[str, Any] = chunks[0] if chunks else {}
    elif "words" in data:
        words, first = _words(data, None), data
    else:
        raise ProviderProtocolError(
            f"{NAME} sent no transcript (it may have been sent to a webhook instead).",
            provider=provider,
        )
    segments = _segments(words)
    notices = () if segments else ("No speech was found in this audio.",)
    duration = first.get("audio_duration_secs")
    prob = first.get("language_probability")
    return Transcript(
        segments=tuple(segments),
        language=first.get("language_code") or None,
        language_probability=float(prob) if isinstance(prob, int | float) else None,
        duration_s=float(duration)
        if isinstance(duration, int | float)
        else (segments[-1].end if segments else None),
        provider=provider,
        model=model,
        notices=notices,
    )


@dataclass(frozen=True)
class DetailedMusic:
    audio: bytes
    audio_type: str
    metadata: Mapping[str, Any]


def parse_detailed_music(body: bytes, content_type: str) -> DetailedMusic:
    """/v1/music/detailed: a JSON part (composition plan, song metadata) and an audio part."""
    parts = parse_multipart(body, content_type, name=NAME)
    meta: Mapping[str, Any] = {}
    audio: MimePart | None = None
    for part in parts:
        if part.content_type == "application/json" and not meta:
            try:
                loaded = json.loads(part.content)
            except ValueError as exc:
                raise ProviderProtocolError(f"{NAME} sent song details that are not JSON.") from exc
            meta = loaded if isinstance(loaded, Mapping) else {}
        elif audio is None and part.content:
            audio = part
    if audio is None:
        raise ProviderProtocolError(f"{NAME} sent the song's details but no audio. Try again.")
    return DetailedMusic(audio.content, audio.content_type, meta)
