"""Books and documents read into chapters for narration: one reader per format.

``read_document`` picks the reader by the file's extension (EPUB, PDF, DOCX, HTML, Markdown,
TXT, SRT/VTT); every reader returns a ``Document`` or raises InputError with one sentence naming
the file and what to do. Blocking: call via asyncio.to_thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from audio_studio.core.errors import InputError
from audio_studio.core.narration.documents.base import Chapter, Cue, Document
from audio_studio.core.narration.documents.docx import read_docx
from audio_studio.core.narration.documents.epub import read_epub
from audio_studio.core.narration.documents.pdf import read_pdf
from audio_studio.core.narration.documents.subtitles import read_subtitles
from audio_studio.core.narration.documents.text import read_text
from audio_studio.core.narration.documents.web import read_html, read_markdown

__all__ = ["READERS", "SUFFIXES", "Chapter", "Cue", "Document", "read_document"]

READERS: dict[str, Callable[[Path], Document]] = {
    ".epub": read_epub,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".html": read_html,
    ".htm": read_html,
    ".xhtml": read_html,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".txt": read_text,
    ".text": read_text,
    ".srt": read_subtitles,
    ".vtt": read_subtitles,
}
SUFFIXES = tuple(READERS)


def read_document(path: Path) -> Document:
    """The document at ``path``, read by the reader for its extension.

    Raises:
        InputError: an extension no reader takes, or the reader's own refusal.
    """
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        kinds = "EPUB, PDF, DOCX, HTML, Markdown, TXT, SRT or VTT"
        if path.suffix.lower() == ".doc":
            raise InputError(f"{path.name} is an old Word .doc; save it as .docx and open that.")
        raise InputError(f"{path.name} is not a document narration reads; open an {kinds} file.")
    return reader(path)
