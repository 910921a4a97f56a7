"""One HTML page, and Markdown (markdown-it-py renders it, then it is read as a page)."""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt

from audio_studio.core.narration.documents.base import Chapter, Document, bad_file, read_bytes
from audio_studio.core.narration.documents.html import (
    ParserError,
    headings,
    html_root,
    html_sections,
    page_text,
)
from audio_studio.core.narration.documents.text import decode_text

__all__ = ["read_html", "read_markdown"]


def read_html(path: Path) -> Document:
    """Read one HTML page: its h1s (or h2s) as chapters, <title> and meta author.

    Raises:
        InputError: unreadable, or no text.
    """
    return _read(path, read_bytes(path), "html", script=False)


def read_markdown(path: Path) -> Document:
    """Read Markdown: its top headings as chapters, markup removed.

    Raises:
        InputError: unreadable, not UTF-8, or no text.
    """
    text = decode_text(path, read_bytes(path))
    page = MarkdownIt("commonmark").render(text)
    return _read(path, f"<html><body>{page}</body></html>".encode(), "markdown", script=True)


def _read(path: Path, data: bytes, kind: str, *, script: bool) -> Document:
    try:
        root = html_root(data)
    except (ParserError, ValueError) as exc:
        raise bad_file(path, "has no text to narrate.") from exc
    title_el = root.find(".//title")
    title = page_text(title_el) if title_el is not None else ""
    author = ""
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() == "author":
            author = (meta.get("content") or "").strip()
    language = root.get("lang") or ""
    marks = headings(root)
    titles = [page_text(h) for h in marks]
    title = title or path.stem
    sections = html_sections(root, marks, script=script)
    chapters = []
    for section in sections:
        if not section.paragraphs:
            continue
        name = titles[section.index] if section.index >= 0 else "Opening"
        chapters.append(Chapter(name or section.paragraphs[0][:80], section.paragraphs))
    if not chapters:
        raise bad_file(path, "has no text to narrate.")
    return Document(
        source=str(path), kind=kind, title=title, chapters=tuple(chapters), author=author,
        language=language,
    )  # fmt: skip
