"""EPUB 2 and 3 (ebooklib): spine order, the table of contents as chapters, metadata, cover."""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import ebooklib
import lxml.etree
from ebooklib import epub

from audio_studio.core.narration.documents.base import (
    Chapter,
    Document,
    bad_file,
    read_bytes,
)
from audio_studio.core.narration.documents.html import headings, html_root, html_sections, page_text

__all__ = ["read_epub"]


@dataclass(frozen=True)
class _Entry:
    title: str
    file: str  # the spine document's name inside the book
    anchor: str  # an element id in it, or ""


def read_epub(path: Path) -> Document:
    """Read an EPUB; see the module docstring.

    Raises:
        InputError: DRM-protected, corrupt, or no text.
    """
    data = read_bytes(path)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "META-INF/encryption.xml" in names and _encrypted(
                zf.read("META-INF/encryption.xml")
            ):
                raise bad_file(
                    path,
                    "is protected by DRM, so its text cannot be read; use a DRM-free copy "
                    "of the book.",
                )
    except zipfile.BadZipFile as exc:
        raise bad_file(
            path, "is not a readable EPUB (the file is damaged or not an EPUB); download it again."
        ) from exc
    try:
        book = epub.read_epub(io.BytesIO(data), {"ignore_ncx": False})
    except (epub.EpubException, KeyError, zipfile.BadZipFile, lxml.etree.LxmlError, ValueError,
            AttributeError, IndexError, TypeError) as exc:  # fmt: skip
        raise bad_file(
            path, "is not a readable EPUB (the file is damaged or not an EPUB); download it again."
        ) from exc
    title = _meta(book, "title") or path.stem
    entries = _toc(book.toc)
    chapters = _chapters(book, entries)
    if not any(c.paragraphs for c in chapters):
        raise bad_file(path, "has no text to narrate (its pages may be images only).")
    cover, cover_type = _cover(book)
    return Document(
        source=str(path),
        kind="epub",
        title=title,
        chapters=tuple(chapters),
        author=", ".join(_metas(book, "creator")),
        language=_meta(book, "language"),
        year=_meta(book, "date")[:4],
        cover=cover,
        cover_type=cover_type,
    )


def _encrypted(xml: bytes) -> bool:
    """Font obfuscation also lives in encryption.xml; only other algorithms are DRM."""
    try:
        root = lxml.etree.fromstring(xml)
    except lxml.etree.XMLSyntaxError:
        return True
    methods = [m.get("Algorithm", "") for m in root.iter("{*}EncryptionMethod")]
    fonts = ("http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC")
    return any(m not in fonts for m in methods)


def _metas(book: epub.EpubBook, name: str) -> list[str]:
    return [str(v[0]).strip() for v in book.get_metadata("DC", name) if v and v[0]]


def _meta(book: epub.EpubBook, name: str) -> str:
    values = _metas(book, name)
    return values[0] if values else ""


def _toc(toc: Any) -> list[_Entry]:
    """The table of contents, flattened in reading order."""
    out: list[_Entry] = []
    if toc is not None and not isinstance(toc, list | tuple):
        toc = [toc]  # ebooklib gives a lone entry unwrapped
    for node in toc or ():
        if isinstance(node, tuple | list) and len(node) == 2:
            head, children = node
            if getattr(head, "href", None):
                out.append(_entry(head.title, head.href))
            out.extend(_toc(children))
        elif getattr(node, "href", None):
            out.append(_entry(node.title, node.href))
    return out


def _entry(title: str, href: str) -> _Entry:
    file, _, anchor = unquote(href).partition("#")
    return _Entry(" ".join(str(title or "").split()), posixpath.normpath(file), anchor)


def _spine(book: epub.EpubBook) -> list[Any]:
    items = []
    for idref, linear in book.spine:
        item = book.get_item_with_id(idref)
        if item is None or item.get_type() == ebooklib.ITEM_NAVIGATION:
            continue
        if isinstance(item, epub.EpubNav) or "nav" in (getattr(item, "properties", None) or ()):
            continue  # the EPUB 3 table of contents page, with its list of page numbers
        if str(linear).lower() == "no":
            continue  # outside the reading order (pop-up notes, answers)
        if item.get_type() == ebooklib.ITEM_DOCUMENT:
            items.append(item)
    return items


def _chapters(book: epub.EpubBook, entries: list[_Entry]) -> list[Chapter]:
    targets: dict[str, list[tuple[int, _Entry]]] = {}
    for i, e in enumerate(entries):
        targets.setdefault(posixpath.basename(e.file), []).append((i, e))
    # (toc index or -1, title, paragraphs) in reading order
    pieces: list[tuple[int, str, list[str]]] = []
    for item in _spine(book):
        try:
            root = html_root(item.get_content())
        except (lxml.etree.ParserError, ValueError):
            continue
        here = targets.get(posixpath.basename(item.get_name()), [])
        at_top = [(i, e) for i, e in here if not e.anchor]
        anchored = []
        for i, e in here:
            if e.anchor:
                el = root.get_element_by_id(e.anchor, None)
                if el is not None:
                    anchored.append((i, e, el))
                else:
                    at_top.append((i, e))
        if not entries and (found := headings(root)):
            # No table of contents: the page's headings are its chapters.
            anchored = [(-1, _Entry(page_text(h), "", ""), h) for h in found]
        sections = html_sections(root, [el for _, _, el in anchored])
        for section in sections:
            if section.index == -1:
                if at_top:
                    i, e = min(at_top, key=lambda t: t[0])
                    pieces.append((i, e.title, list(section.paragraphs)))
                elif not entries and not anchored:
                    pieces.append((-1, section.paragraphs[0] if section.paragraphs else "",
                                   list(section.paragraphs)))  # fmt: skip
                else:
                    pieces.append((-2, "", list(section.paragraphs)))  # continues the last one
            else:
                i, e, _ = anchored[section.index]
                pieces.append((i, e.title, list(section.paragraphs)))
    return _assemble(pieces)


def _assemble(pieces: list[tuple[int, str, list[str]]]) -> list[Chapter]:
    """Pieces to chapters: a piece that starts no chapter joins the one before it (text before
    the first chapter, such as a title page, becomes an opening chapter of its own)."""
    chapters: list[tuple[str, list[str]]] = []
    for index, title, paragraphs in pieces:
        if index == -2 and chapters:
            chapters[-1][1].extend(paragraphs)
            continue
        if index == -2 and not paragraphs:
            continue
        chapters.append((title or (paragraphs[0][:80] if paragraphs else ""), paragraphs))
    out: list[Chapter] = []
    carry: list[str] = []
    for title, paragraphs in chapters:
        # The title is said first, unless the chapter's own heading says it already.
        said = [title] if title and not (paragraphs and _same(paragraphs[0], title)) else []
        if not paragraphs or paragraphs == [title]:
            carry.extend(said or paragraphs)  # a part title with no text: said before the next
            continue
        out.append(Chapter(title, tuple([*carry, *said, *paragraphs])))
        carry = []
    return out


def _same(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return "".join(ch for ch in s.lower() if ch.isalnum())

    return norm(b) != "" and norm(a).startswith(norm(b)) and len(a) < 120


def _cover(book: epub.EpubBook) -> tuple[bytes | None, str]:
    items = list(book.get_items_of_type(ebooklib.ITEM_COVER))
    if not items:
        ref = book.get_metadata("OPF", "cover")
        for value in ref:
            cover_id = (value[1] or {}).get("content") if len(value) > 1 else None
            item = book.get_item_with_id(cover_id) if cover_id else None
            if item is not None:
                items.append(item)
    for item in book.get_items_of_type(ebooklib.ITEM_IMAGE):
        if "cover" in (item.get_name() or "").lower() or "cover" in (item.id or "").lower():
            items.append(item)
    for item in items:
        media = getattr(item, "media_type", "") or ""
        content = item.get_content()
        if content and media.startswith("image/"):
            return content, media
    return None, ""
