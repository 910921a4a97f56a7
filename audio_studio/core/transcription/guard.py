"""Loop and hallucination guard: Whisper-family engines sometimes repeat a phrase for minutes or
write text where nobody speaks. Such spans are decoded again with safer settings; if the text
is still a loop or still over silence, the span is taken out of the transcript (so no export
holds invented words) and named in the transcript's notices as uncertain.

Works on any transcript: loops are found in the text, silence by the offline VAD's speech
regions; ``redecode`` is how the caller asks its recogniser again for one stretch.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from audio_studio.core.models import Segment, Transcript

__all__ = ["Span", "find_suspects", "guard", "is_loop"]

Redecode = Callable[[float, float], Awaitable[Transcript | None]]
Regions = list[tuple[float, float]]

MIN_REPEATS = 4  # an n-gram said this many times back to back is a loop
MAX_GRAM = 8
MIN_HEARD = 0.2  # a segment with less of its time in speech than this is over silence
_WORD = re.compile(r"[\w']+")


@dataclass(frozen=True)
class Span:
    first: int  # segment indexes, inclusive
    last: int
    reason: str  # "loop" or "silence"


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def is_loop(text: str) -> bool:
    """Some run of 1 to 8 words repeats back to back at least four times (six for one word)."""
    words = _tokens(text)
    for n in range(1, MAX_GRAM + 1):
        need = MIN_REPEATS + (2 if n == 1 else 0)
        for start in range(len(words) - n * need + 1):
            gram = words[start : start + n]
            count = 1
            at = start + n
            while words[at : at + n] == gram:
                count += 1
                at += n
            if count >= need:
                return True
    return False


def _heard(seg: Segment, regions: Regions) -> float:
    length = seg.end - seg.start
    if length <= 0:
        return 1.0
    inside = sum(max(0.0, min(b, seg.end) - max(a, seg.start)) for a, b in regions)
    return inside / length


def find_suspects(t: Transcript, regions: Regions | None) -> list[Span]:
    """Spans of looping segments (one segment, or the same text three times running) and of
    segments over silence (when the speech ``regions`` are known)."""
    segs = t.segments
    marks: list[str | None] = [None] * len(segs)
    for i, seg in enumerate(segs):
        if is_loop(seg.text):
            marks[i] = "loop"
        elif regions is not None and _heard(seg, regions) < MIN_HEARD:
            marks[i] = "silence"
    i = 0
    while i < len(segs):  # the same words segment after segment
        j = i
        key = " ".join(_tokens(segs[i].text))
        while j + 1 < len(segs) and key and " ".join(_tokens(segs[j + 1].text)) == key:
            j += 1
        if j - i >= 2:
            for k in range(i, j + 1):
                marks[k] = "loop"
        i = j + 1
    spans: list[Span] = []
    for i, mark in enumerate(marks):
        if mark is None:
            continue
        if spans and spans[-1].last == i - 1 and spans[-1].reason == mark:
            spans[-1] = replace(spans[-1], last=i)
        else:
            spans.append(Span(i, i, mark))
    return spans


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m}:{s:02d}"


def _still_bad(t: Transcript | None, reason: str, regions: Regions | None) -> bool:
    if t is None or not t.segments:
        return True
    if any(is_loop(s.text) for s in t.segments):
        return True
    return (
        reason == "silence"
        and regions is not None
        and all(_heard(s, regions) < MIN_HEARD for s in t.segments)
    )


async def guard(t: Transcript, regions: Regions | None, redecode: Redecode | None) -> Transcript:
    """``t`` without loops and text over silence: each suspect span decoded again by
    ``redecode(start_s, end_s)`` (segments with times in the file), kept if that is clean,
    else removed and named in the notices."""
    spans = find_suspects(t, regions)
    if not spans:
        return t
    out: list[Segment] = []
    notices = list(t.notices)
    uncertain: list[str] = []
    at = 0
    for span in spans:
        out.extend(t.segments[at : span.first])
        at = span.last + 1
        start, end = t.segments[span.first].start, t.segments[span.last].end
        again = await redecode(start, end) if redecode is not None else None
        if not _still_bad(again, span.reason, regions):
            assert again is not None
            out.extend(s for s in again.segments if s.text.strip())
            continue
        uncertain.append(f"{_clock(start)}–{_clock(end)}")
        what = "repeated itself" if span.reason == "loop" else "wrote text where no one speaks"
        notices.append(
            f"{_clock(start)}–{_clock(end)} is uncertain and left out: the engine {what} "
            "there, even when asked again with safer settings."
        )
    out.extend(t.segments[at:])
    return replace(t, segments=tuple(out), notices=tuple(notices))
