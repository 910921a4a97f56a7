"""A chapter's audio as a stream: its takes laid out with their pauses, decoded one at a time.

Every place is a whole number of samples, counted from the takes' recorded lengths, so the
chapter's length and each sentence's start are sums of integers (exact however long the book).
The samples come in blocks of a fixed size: memory holds one take and one block, never the
chapter, so a two-hour chapter costs what a two-minute one does.
Blocking: decodes takes; call from a worker thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from audio_studio.core.audio import codec
from audio_studio.core.errors import InputError
from audio_studio.core.narration.book_captions import Timed
from audio_studio.core.narration.chapters import ChapterSpan, chapter_chunks
from audio_studio.core.narration.project import NarrationProject

__all__ = ["ChapterLayout", "Placed", "chapter_blocks", "lay_out"]


@dataclass(frozen=True)
class Placed:
    """One take in the chapter: ``frames`` samples of it (its recorded length), then
    ``silence`` samples of pause."""

    path: Path
    sha256: str
    frames: int
    silence: int


@dataclass(frozen=True)
class ChapterLayout:
    rate: int
    lead: int  # samples of silence before the first take
    takes: tuple[Placed, ...]

    @property
    def frames(self) -> int:
        return self.lead + sum(t.frames + t.silence for t in self.takes)


def lay_out(
    project: NarrationProject, span: ChapterSpan, *, pause: float, gap_after_last: float
) -> tuple[ChapterLayout, tuple[Timed, ...]]:
    """Where each take of the chapter goes, and each sentence's time from the chapter's start.

    Mono at the highest rate among the takes (an audiobook is one voice). Every sentence of the
    chapter must have a take (check_exportable).

    Raises:
        InputError: a sentence of the chapter has no take.
    """
    chunks = chapter_chunks(project, span)
    takes = [c.take for c in chunks if c.take is not None]
    if len(takes) != len(chunks) or not takes:
        raise InputError(f"Chapter {span.number} has sentences without audio; generate them.")
    rate = max(t.sample_rate for t in takes)
    lead = round((project.lead_pause_s if span.first == 0 else 0.0) * rate)
    placed, sentences, at = [], [], lead
    for i, (chunk, take) in enumerate(zip(chunks, takes, strict=True)):
        gap = gap_after_last if i + 1 == len(chunks) else project.gap_after(span.first + i, pause)
        frames, silence = round(take.duration_s * rate), round(gap * rate)
        placed.append(Placed(Path(take.path), take.sha256, frames, silence))
        sentences.append(Timed(chunk.text, at / rate, (at + frames) / rate, chunk.id, take.words))
        at += frames + silence
    return ChapterLayout(rate, lead, tuple(placed)), tuple(sentences)


def chapter_blocks(layout: ChapterLayout, block_frames: int) -> Iterator[npt.NDArray[np.float32]]:
    """The chapter's samples, (frames, 1) float32, in blocks of ``block_frames`` (the last one
    shorter): exactly ``layout.frames`` in all. A take shorter than its place is followed by
    silence; a longer one is cut to it."""
    block = np.zeros(block_frames, np.float32)
    filled = 0
    for samples, count in _segments(layout):
        done = 0
        while done < count:
            n = min(count - done, block_frames - filled)
            if samples is None:
                block[filled : filled + n] = 0.0
            else:
                block[filled : filled + n] = samples[done : done + n]
            filled += n
            done += n
            if filled == block_frames:
                yield block.reshape(-1, 1).copy()
                filled = 0
    if filled:
        yield block[:filled].reshape(-1, 1).copy()


def _segments(layout: ChapterLayout) -> Iterator[tuple[npt.NDArray[np.float32] | None, int]]:
    """(samples, count) in order; None for ``count`` samples of silence."""
    yield None, layout.lead
    for placed in layout.takes:
        samples = codec.resample(codec.decode(placed.path), layout.rate).samples.mean(axis=1)
        n = min(len(samples), placed.frames)
        yield samples[:n].astype(np.float32, copy=False), n
        del samples  # let the take go before the next is decoded
        yield None, placed.frames - n + placed.silence
