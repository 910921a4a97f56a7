"""PDF with a text layer (pypdf): chapters from the outline, else from "Chapter N" lines.

Running headers and footers (a line that comes back at the top or the bottom of most pages,
numbers aside) and bare page numbers are dropped; a word hyphenated at a line end is joined;
lines are joined into paragraphs where a line ends a sentence well short of the measure. These
layout rules are ours because pypdf gives lines, not paragraphs. No OCR: a scanned PDF says so.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from pathlib import Path

import pypdf
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

from audio_studio.core.narration.documents.base import Chapter, Document, bad_file, read_bytes
from audio_studio.core.narration.documents.text import chapters_from_paragraphs

__all__ = ["read_pdf"]

_PAGE_NUMBER = re.compile(
    r"^\s*(?:page\s+)?(?:\d{1,4}|[ivxlcdm]{1,6})(?:\s*(?:/|of)\s*\d{1,4})?\s*$", re.I
)
_HYPHEN_END = re.compile(r"(\w)[-\u00ad]$")


def read_pdf(path: Path) -> Document:
    """Read a PDF; see the module docstring.

    Raises:
        InputError: password-protected, corrupt, or without a text layer.
    """
    data = read_bytes(path)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # it logs every odd byte it skips
    damaged = (
        "is not a readable PDF (the file is damaged or not a PDF); download or export it again."
    )
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                # A PDF locked only against editing opens with no password.
                opened = bool(reader.decrypt(""))
            except (DependencyError, NotImplementedError):
                opened = False
            if not opened:
                raise bad_file(
                    path,
                    "is protected by a password; open it in a PDF reader, save an unprotected "
                    "copy and narrate that.",
                )
        pages = [_page_lines(page.extract_text() or "") for page in reader.pages]
        outline = _outline(reader)
        meta = reader.metadata
    except FileNotDecryptedError as exc:
        raise bad_file(path, "is protected by a password; save an unprotected copy.") from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise bad_file(path, damaged) from exc
    pages = _drop_running_lines(pages)
    if not any(line for lines in pages for line in lines):
        raise bad_file(
            path,
            "has no text layer (it is scanned images); run it through OCR first and narrate "
            "the result.",
        )
    title = str(getattr(meta, "title", "") or "").strip() if meta else ""
    author = str(getattr(meta, "author", "") or "").strip() if meta else ""
    chapters = _by_outline(pages, outline) if outline else None
    if not chapters:
        chapters = chapters_from_paragraphs(_paragraphs([ln for p in pages for ln in p]))
    return Document(
        source=str(path), kind="pdf", title=title or path.stem, chapters=tuple(chapters),
        author=author,
    )  # fmt: skip


def _page_lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _outline(reader: pypdf.PdfReader) -> list[tuple[str, int]]:
    """Top-level bookmarks as (title, page index), in page order."""
    out = []
    for node in reader.outline or ():
        if isinstance(node, list):
            continue  # sub-entries: chapters are the top level
        try:
            page = reader.get_destination_page_number(node)
        except (PyPdfError, KeyError, ValueError, TypeError, AttributeError):
            continue
        if page is not None and page >= 0:
            out.append((" ".join(str(node.title or "").split()), page))
    return sorted(out, key=lambda t: t[1])


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower())


def _drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Without page numbers and the headers and footers that repeat on most pages."""
    edges: Counter[str] = Counter()
    for lines in pages:
        for line in {*lines[:2], *lines[-2:]}:
            edges[_key(line)] += 1
    many = max(3, len(pages) // 2)
    running = {k for k, n in edges.items() if n >= many} if len(pages) >= 3 else set()
    out = []
    for lines in pages:
        kept = []
        for i, line in enumerate(lines):
            at_edge = i < 2 or i >= len(lines) - 2
            if at_edge and (_PAGE_NUMBER.match(line) or _key(line) in running):
                continue
            kept.append(line)
        out.append(kept)
    return out


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines joined into paragraphs, hyphenated words made whole again."""
    if not lines:
        return []
    measure = sorted(len(ln) for ln in lines)[int(len(lines) * 0.8)]
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if current and _HYPHEN_END.search(current) and line[:1].islower():
            current = current[:-1] + line
        else:
            current = f"{current} {line}" if current else line
        short = len(line) < 0.75 * measure
        ends = line.rstrip()[-1:]
        if short and ends not in "-\u00ad," and (ends in ".!?:\"'”’" or len(line.split()) <= 8):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs


def _by_outline(pages: list[list[str]], outline: list[tuple[str, int]]) -> list[Chapter]:
    """Chapters cut where each bookmark's page starts (at its title when that is on the page)."""
    cuts: list[tuple[str, int, int]] = []  # title, page, line on the page
    for title, page in outline:
        lines = pages[page] if page < len(pages) else []
        at = next((i for i, ln in enumerate(lines) if _starts(ln, title)), 0)
        cuts.append((title, page, at))
    chapters = []
    front = [ln for p in pages[: cuts[0][1]] for ln in p] + pages[cuts[0][1]][: cuts[0][2]]
    if any(ln.strip() for ln in front):
        opening = tuple(_paragraphs(front))
        chapters.append(Chapter(opening[0][:80], opening))
    for k, (title, page, at) in enumerate(cuts):
        if k + 1 < len(cuts):
            _, end_page, end_at = cuts[k + 1]
        else:
            end_page, end_at = len(pages) - 1, len(pages[-1])
        if (end_page, end_at) <= (page, at):
            continue
        lines = _span(pages, page, at, end_page, end_at)
        paragraphs = _paragraphs(lines)
        if title and not (paragraphs and _starts(paragraphs[0], title)):
            paragraphs.insert(0, title)
        if paragraphs:
            chapters.append(Chapter(title or paragraphs[0][:80], tuple(paragraphs)))
    return chapters


def _span(pages: list[list[str]], p0: int, l0: int, p1: int, l1: int) -> list[str]:
    if p0 == p1:
        return pages[p0][l0:l1]
    out = list(pages[p0][l0:])
    for p in range(p0 + 1, p1):
        out.extend(pages[p])
    out.extend(pages[p1][:l1])
    return out


def _starts(line: str, title: str) -> bool:
    def norm(s: str) -> str:
        return "".join(ch for ch in s.lower() if ch.isalnum())

    return bool(norm(title)) and norm(line).startswith(norm(title))
