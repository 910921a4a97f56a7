"""Chapters of a narration project: opening a document as a project, each chapter's sentences,
counts and plan, and the "1-3,5" choice of chapters the CLI and the tab make."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from audio_studio.core.errors import InputError
from audio_studio.core.narration.book import BookInfo, ChapterMark, CueMark
from audio_studio.core.narration.documents import Document
from audio_studio.core.narration.project import Chunk, NarrationProject, NarrationSettings

__all__ = [
    "SPOKEN_CHARS_PER_S",
    "ChapterSpan",
    "ChapterStats",
    "chapter_chunks",
    "chapter_spans",
    "chapter_stats",
    "parse_chapter_choice",
    "plan_json",
    "project_from_document",
]


@dataclass(frozen=True)
class ChapterSpan:
    """Chapter ``index`` (0-based) holds chunks ``first`` to ``end`` (exclusive)."""

    index: int
    title: str
    first: int
    end: int

    @property
    def number(self) -> int:
        return self.index + 1


def project_from_document(
    document: Document,
    settings: NarrationSettings | None = None,
    *,
    max_chars: int | None = None,
    cover_path: str = "",
) -> NarrationProject:
    """A new project whose script is the document's paragraphs, with its chapters and cues."""
    paragraphs: list[str] = []
    starts: list[int] = []  # paragraph index where each chapter starts
    for chapter in document.chapters:
        starts.append(len(paragraphs))
        paragraphs.extend(chapter.paragraphs)
    script = "\n\n".join(paragraphs)
    offsets, at = [], 0
    for p in paragraphs:
        offsets.append(at)
        at += len(p) + 2
    settings = settings or NarrationSettings()
    project = NarrationProject(title=document.title, settings=settings, max_chars=max_chars)
    # The book's language first, so numbers are said in it from the first split.
    project.book = BookInfo(
        source=document.source, kind=document.kind, title=document.title,
        author=document.author, language=document.language, year=document.year,
        cover_path=cover_path,
    )  # fmt: skip
    project.set_script(script)
    chunk_starts = [c.start for c in project.chunks]

    def first_chunk(offset: int) -> str | None:
        from bisect import bisect_left

        i = bisect_left(chunk_starts, offset)
        return project.chunks[i].id if i < len(project.chunks) else None

    marks: list[ChapterMark] = []
    for chapter, start in zip(document.chapters, starts, strict=True):
        chunk = first_chunk(offsets[start]) if start < len(offsets) else None
        if chunk and (not marks or marks[-1].chunk != chunk):
            title = chapter.title
            if title == "Opening" and len(document.chapters) == 1:
                title = document.title  # a script without chapter headings is one chapter
            marks.append(ChapterMark(title, chunk))
    cues = []
    for cue, offset in zip(document.cues, offsets, strict=False):
        chunk = first_chunk(offset)
        if chunk:
            cues.append(CueMark(cue.start_s, cue.end_s, chunk))
    project.book = replace(project.book, chapters=tuple(marks), cues=tuple(cues))
    return project


def chapter_spans(project: NarrationProject) -> list[ChapterSpan]:
    """The project's chapters as chunk ranges; a project without chapters is one chapter."""
    chunks = project.chunks
    marks = project.book.chapters if project.book else ()
    firsts = [(project.find(m.chunk), m.title) for m in marks]
    starts = [(project.index(c), t) for c, t in firsts if c is not None]
    if not starts or starts[0][0] != 0:
        title = project.title or "Narration"
        starts.insert(0, (0, "Opening" if starts else title))
    spans: list[ChapterSpan] = []
    for k, (first, title) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(chunks)
        if end > first:
            spans.append(ChapterSpan(len(spans), title, first, end))
    return spans


SPOKEN_CHARS_PER_S = 14.5  # a narrator's pace at speed 1 (about 155 words a minute)


@dataclass(frozen=True)
class ChapterStats:
    """What the chapter list shows for one chapter."""

    span: ChapterSpan
    words: int
    sentences: int
    made: int  # sentences with a current take of their present text
    to_make_characters: int  # spoken characters still to make
    seconds: float  # the takes' length, and an estimate for the sentences still to make

    @property
    def done(self) -> bool:
        return self.made == self.sentences


def chapter_stats(project: NarrationProject) -> list[ChapterStats]:
    """Words, progress and estimated duration per chapter (cheap: no audio is read)."""
    speed = project.settings.speed or 1.0
    out = []
    for span in chapter_spans(project):
        chunks = chapter_chunks(project, span)
        words = made = to_make = 0
        seconds = 0.0
        for c in chunks:
            words += len(c.text.split())
            take = c.take
            if take is not None and not c.stale:
                made += 1
                seconds += take.duration_s
            else:
                chars = len(c.spoken or c.text)
                to_make += chars
                seconds += chars / SPOKEN_CHARS_PER_S / speed
        out.append(ChapterStats(span, words, len(chunks), made, to_make, seconds))
    return out


def chapter_chunks(project: NarrationProject, span: ChapterSpan) -> list[Chunk]:
    return project.chunks[span.first : span.end]


def parse_chapter_choice(text: str, count: int) -> list[int]:
    """``"1-3,5"`` as 0-based chapter indexes, in order.

    Raises:
        InputError: a part that is not a number or a range of chapters that exist.
    """
    chosen: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        lo, sep, hi = part.partition("-")
        try:
            a = int(lo)
            b = int(hi) if sep else a
        except ValueError:
            raise InputError(
                f"--chapters takes numbers and ranges like 1-3,5; {part!r} is neither."
            ) from None
        if not 1 <= a <= b <= count:
            raise InputError(
                f"There {'is' if count == 1 else 'are'} {count} chapter"
                f"{'' if count == 1 else 's'}; {part} is not among them."
            )
        chosen.update(range(a - 1, b))
    if not chosen:
        raise InputError("--chapters chose no chapter; give numbers like 1-3,5.")
    return sorted(chosen)


def plan_json(project: NarrationProject, chosen: list[int] | None = None) -> dict[str, Any]:
    """The plan of the chosen chapters: each sentence's text and what will be spoken."""
    book = project.book
    spans = chapter_spans(project)
    return {
        "title": (book.title if book else "") or project.title,
        "author": book.author if book else "",
        "chapters": [
            {
                "number": span.number,
                "title": span.title,
                "sentences": [
                    {"text": c.text, "spoken": project.spoken(c)}
                    for c in chapter_chunks(project, span)
                ],
            }
            for span in spans
            if chosen is None or span.index in chosen
        ],
    }
