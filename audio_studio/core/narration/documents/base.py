"""What a document reader returns: a title, an author, a cover and chapters of plain paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from audio_studio.core.errors import InputError

__all__ = ["Chapter", "Cue", "Document", "bad_file", "clean_paragraphs", "read_bytes"]


@dataclass(frozen=True)
class Chapter:
    """One chapter: its title (for the chapter list and markers) and the paragraphs to say,
    its heading among them."""

    title: str
    paragraphs: tuple[str, ...]

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


@dataclass(frozen=True)
class Cue:
    """One subtitle cue: the words to say from ``start_s`` to ``end_s``."""

    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class Document:
    """A book, a document or a subtitle file, read into chapters of plain text."""

    source: str  # the file it was read from
    kind: str  # "epub", "pdf", "docx", "html", "markdown", "text" or "subtitles"
    title: str
    chapters: tuple[Chapter, ...]
    author: str = ""
    language: str = ""
    year: str = ""
    cover: bytes | None = None
    cover_type: str = ""  # e.g. "image/jpeg"
    cues: tuple[Cue, ...] = ()  # subtitles only: one per paragraph of the one chapter
    notes: tuple[str, ...] = field(default=())  # what the reader left out, said plainly

    @property
    def words(self) -> int:
        return sum(c.words for c in self.chapters)


_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def clean_paragraphs(paragraphs: list[str], *, script: bool = False) -> tuple[str, ...]:
    """Paragraphs with runs of spaces made one space, and the empty ones gone.

    Args:
        script: a script the user wrote (TXT, Markdown): its line breaks (a line is a
            sentence) and [pause] markup stay. Otherwise line breaks become spaces and square
            brackets round ones, so a book cannot pause the narration by accident.
    """
    out = []
    for p in paragraphs:
        if script:
            lines = (_SPACE.sub(" ", line).strip() for line in p.split("\n"))
            flat = "\n".join(line for line in lines if line)
        else:
            flat = _SPACE.sub(" ", p.replace("\n", " ")).strip()
            flat = flat.replace("[", "(").replace("]", ")")
        if flat:
            out.append(flat)
    return tuple(out)


def bad_file(path: Path, what: str) -> InputError:
    """The one-sentence message for a file that cannot be narrated."""
    return InputError(f"{path.name} {what}")


def read_bytes(path: Path) -> bytes:
    """The file's bytes; a missing, unreadable or empty file says so.

    Raises:
        InputError: the file cannot be read or is 0 bytes.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(
            f"Cannot read {path}: there is no such file; check the name and folder."
        ) from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path} is a folder; choose a document in it.") from exc
    except OSError as exc:
        raise InputError(f"Cannot read {path} ({exc.strerror or exc}).") from exc
    if not data.strip():
        raise bad_file(path, "is empty (0 bytes of text); choose the file with the book in it.")
    return data
