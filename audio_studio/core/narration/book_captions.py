"""Captions of a narration: one cue per sentence, timed from the export's takes and pauses.

A sentence longer than two 42-character lines is cut at its commas (else between words) into
cues timed in proportion to their characters; each cue is wrapped into at most two balanced
lines. pysubs2 writes the SRT or VTT. The timing is the same one that lays the takes out in
the export (take durations plus the pauses after them), so cues start where the words do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pysubs2

__all__ = ["LINE", "Timed", "caption_text", "split_for_captions", "wrap"]

LINE = 42  # characters a caption line holds (the common broadcast norm)
LINES = 2


@dataclass(frozen=True)
class Timed:
    """Words said from ``start_s`` to ``end_s`` of the exported audio."""

    text: str
    start_s: float
    end_s: float
    chunk: str = ""  # the chunk's id, for read-along highlighting


def _pieces(text: str, limit: int) -> list[str]:
    """``text`` cut at commas (then spaces) into pieces of at most ``limit`` characters."""
    if len(text) <= limit:
        return [text]
    clauses = [c for c in re.split(r"(?<=[,;:])\s+", text) if c]
    out: list[str] = []
    for clause in clauses:
        if out and len(out[-1]) + 1 + len(clause) <= limit:
            out[-1] += " " + clause
        elif len(clause) <= limit:
            out.append(clause)
        else:
            words, line = clause.split(), ""
            for word in words:
                if line and len(line) + 1 + len(word) > limit:
                    out.append(line)
                    line = word
                else:
                    line = f"{line} {word}" if line else word
            if line:
                out.append(line)
    return out


def split_for_captions(sentence: Timed) -> list[Timed]:
    """One cue, or several for a sentence longer than two lines, timed by their characters."""
    pieces = _pieces(" ".join(sentence.text.split()), LINE * LINES)
    total = sum(len(p) for p in pieces) or 1
    span = sentence.end_s - sentence.start_s
    out, at = [], sentence.start_s
    for piece in pieces:
        end = at + span * len(piece) / total
        out.append(Timed(piece, at, end))
        at = end
    return out


def wrap(text: str) -> str:
    """At most two lines of at most 42 characters where possible, the break balanced."""
    if len(text) <= LINE:
        return text
    words = text.split()
    best, best_score = text, float("inf")
    for i in range(1, len(words)):
        a, b = " ".join(words[:i]), " ".join(words[i:])
        score = max(len(a), len(b)) + (1000 if max(len(a), len(b)) > LINE else 0)
        if score < best_score:
            best, best_score = f"{a}\n{b}", score
    return best


def caption_text(sentences: Sequence[Timed], fmt: str) -> str:
    """The SRT or VTT text of ``sentences`` (in time order)."""
    subs = pysubs2.SSAFile()
    for sentence in sentences:
        for cue in split_for_captions(sentence):
            start, end = round(cue.start_s * 1000), round(cue.end_s * 1000)
            if end > start:
                text = wrap(cue.text).replace("\n", r"\N")
                subs.events.append(pysubs2.SSAEvent(start=start, end=end, text=text))
    return str(subs.to_string("vtt" if fmt == "vtt" else "srt"))
