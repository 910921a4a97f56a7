"""HTML and XHTML to paragraphs (lxml), split where chosen elements start.

Block elements end paragraphs; scripts, styles, page-break markers, footnote references and
footnote bodies are left out, because a listener should not hear "12" in mid-sentence or the
page numbers of the printed edition. Used by the EPUB, HTML and Markdown readers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import lxml.etree
import lxml.html

from audio_studio.core.narration.documents.base import clean_paragraphs

__all__ = ["HtmlSection", "ParserError", "headings", "html_root", "html_sections", "page_text"]

_BLOCKS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "main", "aside", "blockquote",
     "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "pre", "table",
     "tr", "td", "th", "figure", "figcaption", "hr", "body", "title", "caption", "address"}
)  # fmt: skip
# <nav> holds tables of contents, page lists and landmarks: never the story.
_DROP_TAGS = ("script", "style", "head", "noscript", "template", "svg", "math", "img", "nav")
_MARK = "\ue000"  # a private-use character: never in a book, allowed in XML
_SPLIT = re.compile(rf"{_MARK}(\d+){_MARK}")


@dataclass(frozen=True)
class HtmlSection:
    """Paragraphs from one split point (``index`` into the split elements; -1: before any)."""

    index: int
    paragraphs: tuple[str, ...]


def html_root(data: bytes | str) -> lxml.html.HtmlElement:
    """The parsed page (XHTML too); raises lxml.etree.ParserError on nothing parseable."""
    if isinstance(data, bytes):
        # lxml.html refuses str with an encoding declaration; bytes let it read the declaration.
        return lxml.html.document_fromstring(data)
    return lxml.html.document_fromstring(data.encode("utf-8"))


def _attr(el: lxml.html.HtmlElement, suffix: str) -> str:
    """An attribute by local name whatever its namespace prefix (``epub:type``)."""
    for name, value in el.attrib.items():
        if str(name).split("}")[-1].split(":")[-1] == suffix:
            return str(value)
    return ""


def _is_noise(el: lxml.html.HtmlElement) -> bool:
    kinds = f"{_attr(el, 'type')} {el.get('role', '')}".lower()
    classes = el.get("class", "").lower()
    if any(k in kinds for k in ("pagebreak", "noteref", "footnote", "endnote", "rearnote")):
        return True
    if any(k in classes for k in ("pagenum", "page-number", "pagebreak", "footnote-ref")):
        return True
    if el.tag == "sup":
        # A superscript that is only a number or a mark is a footnote marker.
        return bool(re.fullmatch(r"\s*[\[(]?[\d*†‡§]+[\])]?\s*", el.text_content() or ""))
    if el.tag == "a" and (el.get("href") or "").startswith("#"):
        text = el.text_content() or ""
        return bool(re.fullmatch(r"\s*[\[(]?[\d*†‡§]+[\])]?\s*", text))
    return False


def headings(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The page's chapter headings: its h1s when there are two or more, else its h2s."""
    for level in ("h1", "h2"):
        found = list(root.iter(level))
        if len(found) >= 2:
            return found
    return []


def html_sections(
    root: lxml.html.HtmlElement,
    split_at: Iterable[lxml.html.HtmlElement] = (),
    *,
    script: bool = False,
) -> list[HtmlSection]:
    """The page's paragraphs, cut where each element of ``split_at`` starts. Changes ``root``.

    Args:
        script: keep line breaks and [pause] markup (Markdown a user wrote as a script).
    """
    for el in list(root.iter(*_DROP_TAGS)):
        _remove(el)
    for el in [e for e in root.iter() if isinstance(e.tag, str) and _is_noise(e)]:
        _remove(el)
    for i, el in enumerate(split_at):
        el.text = f"{_MARK}{i}{_MARK}" + (el.text or "")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue  # comments and processing instructions
        if el.tag == "br":
            el.tail = "\n" + (el.tail or "")
        elif el.tag in _BLOCKS:
            el.text = "\n\n" + (el.text or "")
            el.tail = "\n\n" + (el.tail or "")
    body = root.find("body")
    text = (body if body is not None else root).text_content()
    parts = _SPLIT.split(text)
    sections = [HtmlSection(-1, _paragraphs(parts[0], script))]
    for k in range(1, len(parts), 2):
        sections.append(HtmlSection(int(parts[k]), _paragraphs(parts[k + 1], script)))
    return sections


def _paragraphs(text: str, script: bool) -> tuple[str, ...]:
    return clean_paragraphs(re.split(r"\n[ \t\r\f\v\u00a0]*\n", text), script=script)


def _remove(el: lxml.html.HtmlElement) -> None:
    """Drop an element but keep its tail text (what follows it in the parent)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail or ""
    prev = el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(el)


def page_text(el: lxml.html.HtmlElement) -> str:
    return " ".join((el.text_content() or "").split())


ParserError = lxml.etree.ParserError
