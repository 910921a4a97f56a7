"""Plain text: paragraphs at blank lines, chapters at "Chapter N" / "CHAPTER ONE" lines."""

from __future__ import annotations

import re
from pathlib import Path

from audio_studio.core.narration.documents.base import (
    Chapter,
    Document,
    bad_file,
    clean_paragraphs,
    read_bytes,
)

__all__ = ["chapters_from_paragraphs", "is_chapter_heading", "read_text"]

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    "hundred"
)
_HEADING = re.compile(
    rf"^(?:(?:chapter|part|book)\s+(?:\d+|[ivxlcdm]+|(?:(?:{_NUMBER_WORDS})[\s-]*)+)\b"
    r"[.:\-–—]?\s*.{0,80}"
    r"|prologue|epilogue|introduction|preface|foreword|afterword)\s*$",
    re.IGNORECASE,
)


def is_chapter_heading(paragraph: str) -> bool:
    return len(paragraph) <= 100 and bool(_HEADING.match(paragraph.strip()))


def chapters_from_paragraphs(
    paragraphs: list[str] | tuple[str, ...], *, script: bool = False
) -> list[Chapter]:
    """Chapters starting at heading paragraphs; text before the first is an opening chapter."""
    chapters: list[tuple[str, list[str]]] = []
    for p in paragraphs:
        if is_chapter_heading(p) or not chapters:
            chapters.append((p[:80] if is_chapter_heading(p) else "Opening", [p]))
        else:
            chapters[-1][1].append(p)
    cleaned = [(t, clean_paragraphs(ps, script=script)) for t, ps in chapters]
    return [Chapter(t, ps) for t, ps in cleaned if ps]


def decode_text(path: Path, data: bytes) -> str:
    """UTF-8 (with or without a BOM), else UTF-16 with a BOM.

    Raises:
        InputError: neither.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise bad_file(
            path, "is not UTF-8 text; save it as UTF-8 in a text editor and open it again."
        ) from exc


def read_text(path: Path) -> Document:
    """Read a .txt file; see the module docstring.

    Raises:
        InputError: unreadable, empty or not UTF-8.
    """
    text = decode_text(path, read_bytes(path))
    paragraphs = [p.strip() for p in re.split(r"\n[ \t\r\f\v]*\n", text.replace("\r\n", "\n"))]
    # A heading on its own line directly above the text is a paragraph of its own.
    split: list[str] = []
    for p in paragraphs:
        first, _, rest = p.partition("\n")
        if rest and is_chapter_heading(first):
            split.extend([first, rest])
        else:
            split.append(p)
    chapters = chapters_from_paragraphs(split, script=True)
    if not chapters:
        raise bad_file(path, "has no text to narrate.")
    return Document(source=str(path), kind="text", title=path.stem, chapters=tuple(chapters))
