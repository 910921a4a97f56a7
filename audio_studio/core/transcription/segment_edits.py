"""Corrections beyond the words: a segment's times, split, merge, find and replace.

Pure functions on Transcript values (the tab keeps each result as an undo step and saves it to
History as a new version). Word times follow: a moved edge moves the first or last word with
it and keeps the others inside; a split divides the words at the cut; a merge joins them.
"""

from __future__ import annotations

import dataclasses
import re

from audio_studio.core.errors import InputError
from audio_studio.core.models import Segment, Transcript, Word
from audio_studio.core.transcripts import replace_segment_text

__all__ = [
    "MIN_SEGMENT_S",
    "find_replace",
    "merge_with_next",
    "set_times",
    "split_at_char",
    "split_at_time",
]

MIN_SEGMENT_S = 0.05


def _with(t: Transcript, index: int, *segments: Segment, drop: int = 1) -> Transcript:
    segs = list(t.segments)
    segs[index : index + drop] = segments
    return dataclasses.replace(t, segments=tuple(segs))


def _fit_words(words: tuple[Word, ...], start: float, end: float) -> tuple[Word, ...]:
    """Words kept inside [start, end]; the first starts at ``start``, the last ends at ``end``."""
    if not words:
        return words
    out = []
    for n, w in enumerate(words):
        a = min(max(w.start, start), end)
        b = min(max(w.end, a), end)
        if n == 0:
            a = start
        if n == len(words) - 1:
            b = end
        out.append(dataclasses.replace(w, start=a, end=max(a, b)))
    return tuple(out)


def set_times(t: Transcript, index: int, start: float, end: float) -> Transcript:
    """Segment ``index`` from ``start`` to ``end``, kept between its neighbours.

    The new edges are clamped so segments never overlap: to move a boundary into a neighbour,
    shorten the neighbour first.
    """
    seg = t.segments[index]
    lo = t.segments[index - 1].end if index > 0 else 0.0
    hi = t.segments[index + 1].start if index + 1 < len(t.segments) else float("inf")
    if t.duration_s:
        hi = min(hi, t.duration_s)
    start = min(max(start, lo), max(lo, hi - MIN_SEGMENT_S))
    end = max(min(end, hi), start + MIN_SEGMENT_S)
    if (start, end) == (seg.start, seg.end):
        return t
    moved = dataclasses.replace(seg, start=start, end=end, words=_fit_words(seg.words, start, end))
    return _with(t, index, moved)


def _split(seg: Segment, cut: int, at: float | None) -> tuple[Segment, Segment]:
    """``seg`` as its first ``cut`` tokens and the rest; ``at`` is the time of the cut."""
    tokens = seg.text.split()
    left, right = " ".join(tokens[:cut]), " ".join(tokens[cut:])
    words = seg.words if len(seg.words) == len(tokens) else ()
    if words:
        first, second = words[:cut], words[cut:]
        boundary = at if at is not None else (first[-1].end + second[0].start) / 2
        boundary = min(max(boundary, first[-1].start), second[0].end)
        a_end, b_start = max(boundary, seg.start), boundary
    else:
        first, second = (), ()
        if at is None:  # share the time by characters, as captions do
            at = seg.start + (seg.end - seg.start) * (len(left) + 1) / (len(seg.text) + 1)
        a_end = b_start = min(max(at, seg.start), seg.end)
    a = dataclasses.replace(seg, text=left, end=a_end, words=_fit_words(first, seg.start, a_end))
    b = dataclasses.replace(seg, text=right, start=b_start,
                            words=_fit_words(second, b_start, seg.end))  # fmt: skip
    return a, b


def split_at_char(t: Transcript, index: int, offset: int) -> Transcript:
    """Split segment ``index`` at the text caret ``offset`` (moved to the nearest word break).

    Raises:
        InputError: the caret is before the first word or after the last.
    """
    seg = t.segments[index]
    # Words that end at or before the caret stay left; a caret inside a word moves it right.
    cut = sum(1 for m in re.finditer(r"\S+", seg.text) if m.end() <= offset)
    text = " ".join(seg.text.split())
    if not 0 < cut < len(text.split()):
        raise InputError("Put the caret between two words of the segment to split it there.")
    return _with(t, index, *_split(dataclasses.replace(seg, text=text), cut, None), drop=1)


def split_at_time(t: Transcript, index: int, seconds: float) -> Transcript:
    """Split segment ``index`` where the audio is at ``seconds`` (between the nearest words).

    Raises:
        InputError: the time is not inside the segment, or no word falls on either side.
    """
    seg = t.segments[index]
    if not seg.start < seconds < seg.end:
        raise InputError("The playhead is not inside this segment: play or click to where the "
                         "split goes, or put the caret in the text.")  # fmt: skip
    tokens = seg.text.split()
    if len(seg.words) == len(tokens):
        cut = sum(1 for w in seg.words if (w.start + w.end) / 2 < seconds)
    else:
        share = (seconds - seg.start) / (seg.end - seg.start)
        text = " ".join(tokens)
        cut = len(text[: round(share * len(text))].split())
    if not 0 < cut < len(tokens):
        raise InputError("No word on one side of the playhead: move it between two words.")
    return _with(t, index, *_split(seg, cut, seconds), drop=1)


def merge_with_next(t: Transcript, index: int) -> Transcript:
    """Segment ``index`` and the one after it as one (the first one's speaker).

    Raises:
        InputError: ``index`` is the last segment.
    """
    if index + 1 >= len(t.segments):
        raise InputError("This is the last segment: there is no next one to merge with.")
    a, b = t.segments[index], t.segments[index + 1]
    confidences = [c for c in (a.confidence, b.confidence) if c is not None]
    merged = Segment(
        text=f"{' '.join(a.text.split())} {' '.join(b.text.split())}".strip(),
        start=min(a.start, b.start),
        end=max(a.end, b.end),
        speaker=a.speaker or b.speaker,
        words=a.words + b.words if a.words and b.words else (),
        confidence=sum(confidences) / len(confidences) if confidences else None,
    )
    if a.words and b.words and len(merged.words) != len(merged.text.split()):
        merged = dataclasses.replace(merged, words=())
    return _with(t, index, merged, drop=2)


def find_replace(
    t: Transcript, find: str, replace: str, *, match_case: bool = False, whole_words: bool = False
) -> tuple[Transcript, int]:
    """Every occurrence of ``find`` replaced in every segment's text; the new transcript and
    how many were replaced (word times kept where the words still line up)."""
    if not find:
        return t, 0
    pattern = re.escape(find)
    if whole_words:
        pattern = rf"(?<!\w){pattern}(?!\w)"
    regex = re.compile(pattern, 0 if match_case else re.IGNORECASE)
    count = 0
    segments = []
    for seg in t.segments:
        text, n = regex.subn(lambda _m: replace, seg.text)
        count += n
        if n and " ".join(text.split()):
            segments.append(replace_segment_text(seg, text))
        else:
            segments.append(seg)  # a segment replaced to nothing keeps its words
    return dataclasses.replace(t, segments=tuple(segments)), count
