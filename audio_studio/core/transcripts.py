"""Pure operations on Transcript values: merge parts into one timeline, rename speakers, edit text.

Merging is what makes a long file sent in parts read as one transcript: each part's times are
shifted by the part's offset and kept inside the part (a provider may put a word a few
milliseconds past the end of the audio it was given), words and segments are kept in time
order, and a word that comes back on both sides of a seam is kept once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from audio_studio.core.models import Segment, Transcript, Word

__all__ = [
    "EMPTY",
    "NO_SPEECH",
    "SILENT",
    "Part",
    "merge_parts",
    "rename_speaker",
    "replace_segment_text",
    "shift",
]

NO_SPEECH = "No speech was found in this audio."
SILENT = "The audio is silent, so there is nothing to transcribe."
EMPTY = "The audio is empty (it has no samples), so there is nothing to transcribe."
_EPS = 1e-3


@dataclass(frozen=True)
class Part:
    """One part's transcript and where the part lies in the original audio."""

    start_s: float
    end_s: float
    transcript: Transcript
    provider: str | None = None
    model: str | None = None


def _clamp(value: float, lo: float, hi: float) -> float:
    return min(max(value, lo), hi)


def shift(t: Transcript, offset: float, end: float | None = None) -> tuple[Segment, ...]:
    """The segments of ``t`` moved by ``offset`` seconds and kept within [offset, end]."""
    hi = end if end is not None else float("inf")

    def move(start: float, stop: float) -> tuple[float, float]:
        a = _clamp(start + offset, offset, hi)
        return a, _clamp(stop + offset, a, hi)

    out = []
    for seg in t.segments:
        start, stop = move(seg.start, seg.end)
        words = tuple(
            dataclasses.replace(w, start=ws, end=we)
            for w in seg.words
            for ws, we in (move(w.start, w.end),)
        )
        out.append(dataclasses.replace(seg, start=start, end=stop, words=words))
    return tuple(out)


def _label(speaker: str | None, part: int, parts: int) -> str | None:
    # Providers label speakers per request ("A", "speaker_0"...), so the same label in two
    # parts need not be the same person: keep them apart until the user renames them.
    if speaker is None or parts < 2:
        return speaker
    return f"{speaker} (part {part + 1})"


def _relabel(seg: Segment, part: int, parts: int) -> Segment:
    if parts < 2 or (seg.speaker is None and all(w.speaker is None for w in seg.words)):
        return seg
    words = tuple(dataclasses.replace(w, speaker=_label(w.speaker, part, parts)) for w in seg.words)
    return dataclasses.replace(seg, speaker=_label(seg.speaker, part, parts), words=words)


def _drop_repeats(segments: list[Segment], seam: float) -> list[Segment]:
    """Drop words at the start of a part that repeat the last words before ``seam``."""
    if not segments:
        return segments
    first = segments[0]
    words = list(first.words)
    kept = [w for w in words if w.end > seam + _EPS or w.start >= seam - _EPS]
    if len(kept) == len(words):
        return segments
    text = " ".join(w.text for w in kept) if kept else ""
    start = kept[0].start if kept else first.start
    return [dataclasses.replace(first, text=text, start=start, words=tuple(kept)), *segments[1:]]


def merge_parts(parts: Sequence[Part]) -> Transcript:
    """One transcript from parts in time order; notices and language are combined."""
    ordered = sorted(parts, key=lambda p: p.start_s)
    if len(ordered) == 1 and ordered[0].start_s == 0:
        return ordered[0].transcript
    segments: list[Segment] = []
    last_end = 0.0
    for n, part in enumerate(ordered):
        moved = [
            _relabel(s, n, len(ordered)) for s in shift(part.transcript, part.start_s, part.end_s)
        ]
        moved.sort(key=lambda s: s.start)
        if segments:
            moved = _drop_repeats(moved, last_end)
        for seg in moved:
            if not seg.text.strip():
                continue
            start = max(seg.start, segments[-1].start if segments else 0.0)
            segments.append(dataclasses.replace(seg, start=start, end=max(seg.end, start)))
            last_end = max(last_end, segments[-1].end)
    return Transcript(
        segments=tuple(segments),
        language=_language(ordered),
        language_probability=_probability(ordered),
        duration_s=max((p.end_s for p in ordered), default=None),
        provider=ordered[0].provider or ordered[0].transcript.provider if ordered else None,
        model=ordered[0].model or ordered[0].transcript.model if ordered else None,
        notices=_notices(ordered, bool(segments)),
    )


def _language(parts: Sequence[Part]) -> str | None:
    """The language spoken longest, as the parts detected it."""
    votes: dict[str, float] = {}
    for p in parts:
        if p.transcript.language:
            lang = p.transcript.language
            votes[lang] = votes.get(lang, 0.0) + max(_EPS, p.end_s - p.start_s)
    return max(votes, key=lambda k: votes[k]) if votes else None


def _probability(parts: Sequence[Part]) -> float | None:
    known = [(p.transcript.language_probability, p.end_s - p.start_s) for p in parts]
    weighted = [(prob, max(_EPS, d)) for prob, d in known if prob is not None]
    if not weighted:
        return None
    return sum(prob * d for prob, d in weighted) / sum(d for _, d in weighted)


def _notices(parts: Sequence[Part], any_speech: bool) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for p in parts:
        for notice in p.transcript.notices:
            if notice == NO_SPEECH and any_speech:
                continue  # some parts are silent; the transcript as a whole is not
            seen.setdefault(notice, None)
    if not any_speech:
        seen.setdefault(NO_SPEECH, None)
    if len(parts) > 1 and any(s.speaker for p in parts for s in p.transcript.segments):
        seen.setdefault(
            f"The audio was sent in {len(parts)} parts and speakers are labelled per part; "
            "rename a speaker to the same name as another to join them.",
            None,
        )
    return tuple(seen)


def rename_speaker(t: Transcript, old: str, new: str) -> Transcript:
    """Every segment and word of speaker ``old`` now says ``new`` (joining them if it exists)."""
    new = new.strip()
    if not new or new == old:
        return t

    def fix(seg: Segment) -> Segment:
        words = tuple(
            dataclasses.replace(w, speaker=new) if w.speaker == old else w for w in seg.words
        )
        speaker = new if seg.speaker == old else seg.speaker
        return dataclasses.replace(seg, speaker=speaker, words=words)

    return dataclasses.replace(t, segments=tuple(fix(s) for s in t.segments))


def replace_segment_text(seg: Segment, text: str) -> Segment:
    """``seg`` with corrected text; word times are kept while the words still line up."""
    text = " ".join(text.split())
    if text == seg.text.strip():
        return seg
    tokens = text.split()
    words: tuple[Word, ...] = ()
    if seg.words and len(tokens) == len(seg.words):
        words = tuple(
            dataclasses.replace(w, text=tok) for w, tok in zip(seg.words, tokens, strict=True)
        )
    # Words that no longer match the text are dropped rather than left wrong: exports and
    # search use the segment's text, and word times would point at words no longer there.
    return dataclasses.replace(seg, text=text, words=words, confidence=seg.confidence)
