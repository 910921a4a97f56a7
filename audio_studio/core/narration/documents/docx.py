"""DOCX (python-docx): Heading 1 paragraphs as chapters (Heading 2 when there is no Heading 1)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import docx.opc.exceptions
import lxml.etree

from audio_studio.core.narration.documents.base import (
    Chapter,
    Document,
    bad_file,
    clean_paragraphs,
    read_bytes,
)

__all__ = ["read_docx"]


def read_docx(path: Path) -> Document:
    """Read a .docx; see the module docstring.

    Raises:
        InputError: corrupt, or no text.
    """
    data = read_bytes(path)
    try:
        document = docx.Document(io.BytesIO(data))
    except (docx.opc.exceptions.PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError,
            lxml.etree.LxmlError) as exc:  # fmt: skip
        raise bad_file(
            path,
            "is not a readable Word document (damaged, or an old .doc); save it again as .docx.",
        ) from exc
    paragraphs: list[tuple[str, str]] = []  # style, text
    for p in document.paragraphs:
        text = " ".join(p.text.split())
        if text:
            style = (p.style.name if p.style is not None else "") or ""
            paragraphs.append((style, text))
    if not paragraphs:
        raise bad_file(path, "has no text to narrate; check that it is the right document.")
    styles = {s for s, _ in paragraphs}
    level = "Heading 1" if "Heading 1" in styles else "Heading 2" if "Heading 2" in styles else ""
    props = document.core_properties
    title = (props.title or "").strip()
    chapters: list[tuple[str, list[str]]] = []
    for style, text in paragraphs:
        if style == "Title" and not title:
            title = text
        if (level and style == level) or not chapters:
            chapters.append((text if style == level else "Opening", [text]))
        else:
            chapters[-1][1].append(text)
    return Document(
        source=str(path),
        kind="docx",
        title=title or path.stem,
        chapters=tuple(Chapter(t, clean_paragraphs(ps)) for t, ps in chapters),
        author=(props.author or "").strip(),
        language=(props.language or "").strip(),
    )
