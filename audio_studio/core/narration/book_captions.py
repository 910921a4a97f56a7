"""Captions of a narration: one cue per sentence, timed from the export's takes and pauses.

A sentence longer than two 42-character lines is cut at its commas (else between words) into
cues. Where the take knows when each word is said (ElevenLabs), a cue starts at its first
word; the take's words (as spoken, e.g. "nineteen ninety-nine") are matched to the shown
ones with difflib. Otherwise, or when they do not match, cues are timed in proportion to
their characters. Each cue is wrapped into at most two balanced lines; pysubs2 writes the
SRT or VTT. The timing is the same one that lays the takes out in the export (take
durations plus the pauses after them), so cues start where the words do.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pysubs2

from audio_studio.core.models import Word

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
    # When each word of the take's spoken text is said, in seconds from ``start_s`` (the take's own
    # times): moving the sentence moves its words. Empty: not known.
    words: tuple[Word, ...] = ()


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
    """One cue, or several for a sentence longer than two lines: each starts when its first
    word is said where the take knows that, else at a time in proportion to characters."""
    pieces = _pieces(" ".join(sentence.text.split()), LINE * LINES)
    cuts = _word_cuts(sentence, pieces) if len(pieces) > 1 else None
    if cuts is None:
        total = sum(len(p) for p in pieces) or 1
        span = sentence.end_s - sentence.start_s
        cuts, at = [], sentence.start_s
        for piece in pieces[:-1]:
            at += span * len(piece) / total
            cuts.append(at)
    bounds = [sentence.start_s, *cuts, sentence.end_s]
    return [Timed(p, bounds[i], bounds[i + 1]) for i, p in enumerate(pieces)]


def _key(word: str) -> str:
    """A word as compared between shown and spoken text: case and punctuation aside."""
    return re.sub(r"[\W_]+", "", word.casefold())


def _word_cuts(sentence: Timed, pieces: Sequence[str]) -> list[float] | None:
    """Where each piece after the first starts (seconds of the export), from the take's word
    times; None when there are none or the spoken words cannot be matched to the shown ones.

    Pieces are whole shown words. A cut before shown word ``i`` goes before the spoken word
    difflib pairs with it; inside a changed stretch (a number said as words) it goes at the
    same share of the spoken stretch, so a cut never lands in the middle of a spoken word.
    """
    words = sentence.words
    shown = [_key(w) for w in sentence.text.split()]
    spoken = [_key(w.text) for w in words]
    if not words or not shown:
        return None
    matcher = difflib.SequenceMatcher(None, shown, spoken, autojunk=False)
    if matcher.ratio() < 0.5:
        return None  # too little in common to trust the pairing
    ops = matcher.get_opcodes()
    cuts: list[float] = []
    first = 0  # the shown word each cut goes before
    for piece in pieces[:-1]:
        first += len(piece.split())
        j = _spoken_index(ops, first)
        if not 0 < j < len(words):
            return None
        cuts.append(sentence.start_s + words[j].start)
    bounds = [sentence.start_s, *cuts, sentence.end_s]
    if any(b <= a for a, b in itertools.pairwise(bounds)):
        return None  # times out of order or outside the take: trust characters instead
    return cuts


def _spoken_index(ops: Sequence[tuple[str, int, int, int, int]], i: int) -> int:
    """The spoken word that shown word ``i`` starts at, from difflib's opcodes."""
    for tag, i1, i2, j1, j2 in ops:
        if i1 <= i < i2 or (i == i1 == i2):
            if tag == "equal":
                return j1 + (i - i1)
            if i == i1 or tag == "delete":
                return j1
            return j1 + round((i - i1) * (j2 - j1) / (i2 - i1))
    return -1


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
