"""Speakers for any transcript: detected offline, then words and segments assigned by time.

Works after every recogniser (local or cloud) that gave no speakers: each word goes to the
speaker heard most during it (else the nearest turn), and a segment whose words change speaker
is split there. Segments without word times go to the speaker heard most during them.
"""

from __future__ import annotations

import bisect
from dataclasses import replace
from pathlib import Path

from audio_studio.core.errors import InputError
from audio_studio.core.models import Segment, Transcript, Word
from audio_studio.core.providers.base import ProgressFn
from audio_studio.core.providers.local.speakers.detector import (
    MAX_SPEAKERS,
    Detection,
    detect_speakers,
)

__all__ = ["MAX_SPEAKERS", "assign", "check_count", "default_name", "label_speakers"]

Turns = tuple[tuple[float, float, int], ...]


def default_name(index: int) -> str:
    return f"Speaker {index + 1}"


def check_count(num_speakers: int | None) -> None:
    """Raises InputError unless ``num_speakers`` is None (automatic) or 1 to 10."""
    if num_speakers is not None and not 1 <= num_speakers <= MAX_SPEAKERS:
        raise InputError(
            f"Speaker detection tells apart 1 to {MAX_SPEAKERS} speakers; give a number in "
            "that range, or leave it automatic."
        )


class _Timeline:
    def __init__(self, turns: Turns) -> None:
        self.turns = sorted(turns)
        self.starts = [t[0] for t in self.turns]

    def speaker(self, start: float, end: float) -> int | None:
        """The speaker heard most in [start, end]; else the one whose turn is nearest."""
        if not self.turns:
            return None
        i = bisect.bisect_right(self.starts, end)
        heard: dict[int, float] = {}
        j = i - 1
        while j >= 0 and j > i - 50:
            a, b, k = self.turns[j]
            overlap = min(b, end) - max(a, start)
            if overlap > 0:
                heard[k] = heard.get(k, 0.0) + overlap
            j -= 1
        if heard:
            return max(heard, key=lambda k: heard[k])
        mid = (start + end) / 2
        near = [self.turns[n] for n in (i - 1, i) if 0 <= n < len(self.turns)]
        return min(near, key=lambda t: min(abs(t[0] - mid), abs(t[1] - mid)))[2]


def assign(transcript: Transcript, turns: Turns, names: list[str]) -> Transcript:
    """``transcript`` with speakers from ``turns`` (``names[k]`` for speaker k)."""
    line = _Timeline(turns)
    if not line.turns:
        return transcript
    out: list[Segment] = []
    for seg in transcript.segments:
        if not seg.words:
            k = line.speaker(seg.start, seg.end)
            out.append(replace(seg, speaker=names[k] if k is not None else None))
            continue
        words = [
            replace(
                w, speaker=names[k] if (k := line.speaker(w.start, w.end)) is not None else None
            )
            for w in seg.words
        ]
        out.extend(_split(seg, words))
    return replace(transcript, segments=tuple(out))


def _split(seg: Segment, words: list[Word]) -> list[Segment]:
    groups: list[list[Word]] = []
    for w in words:
        if groups and groups[-1][-1].speaker == w.speaker:
            groups[-1].append(w)
        else:
            groups.append([w])
    if len(groups) == 1:
        return [replace(seg, speaker=words[0].speaker, words=tuple(words))]
    parts = []
    for n, group in enumerate(groups):
        start = seg.start if n == 0 else group[0].start
        end = seg.end if n == len(groups) - 1 else group[-1].end
        text = " ".join(w.text for w in group).strip()
        parts.append(replace(seg, text=text, start=start, end=end, speaker=group[0].speaker,
                             words=tuple(group)))  # fmt: skip
    return parts


async def label_speakers(
    transcript: Transcript,
    audio: Path,
    num_speakers: int | None,
    *,
    progress: ProgressFn | None = None,
    names: list[str] | None = None,
) -> tuple[Transcript, Detection]:
    """``transcript`` with speakers detected offline in ``audio``; also the detection itself
    (its voice prints let the caller recognise known voices)."""
    check_count(num_speakers)
    detection = await detect_speakers(audio, num_speakers, progress=progress)
    labels = names or [default_name(k) for k in range(len(detection.prints))]
    labelled = assign(transcript, detection.turns, labels)
    if not detection.turns and transcript.segments:
        labelled = replace(
            transcript,
            notices=(
                *transcript.notices,
                "No speech was heard clearly enough to tell speakers apart.",
            ),
        )
    return labelled, detection
