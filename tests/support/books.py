"""Real documents made in the test: EPUB (ebooklib), DOCX (python-docx), PDF with an outline
(fpdf2), HTML, Markdown, TXT and SRT, from one set of chapters."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import docx
import numpy as np
from ebooklib import epub
from fpdf import FPDF

BOOK_TITLE = "The Lighthouse Keeper"
AUTHOR = "Ada Quill"
CHAPTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Chapter One: The Storm", (
        "The wind rose over the harbour before dawn.",
        "Mara climbed the stairs and lit the great lamp.",
    )),
    ("Chapter Two: The Ship", (
        "A small ship fought the waves near the rocks.",
        "She rang the bell until her arms ached.",
    )),
    ("Chapter Three: The Morning", (
        "By morning the sea was calm and grey.",
        "The sailors came ashore and thanked her.",
    )),
)  # fmt: skip


def cover_png() -> bytes:
    """A small real PNG (a blue square), made with Qt-free means: PyAV encodes one frame."""
    import av

    frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), (30, 60, 200), np.uint8), "rgb24")
    buf = io.BytesIO()
    with av.open(buf, "w", format="image2pipe") as out:
        stream = out.add_stream("png", rate=1)
        stream.width = stream.height = 64
        stream.pix_fmt = "rgb24"
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buf.getvalue()


def make_epub(
    path: Path,
    chapters: Sequence[tuple[str, Sequence[str]]] = CHAPTERS,
    *,
    title: str = BOOK_TITLE,
    author: str = AUTHOR,
    cover: bytes | None = None,
    extras: bool = True,
    toc: bool = True,
) -> Path:
    """An EPUB 3 with a cover page, a title page outside the TOC, chapters in the TOC whose
    pages carry a footnote marker and a page-break number (both must not be read)."""
    book = epub.EpubBook()
    book.set_identifier("test-book-1")
    book.set_title(title)
    book.set_language("en")
    book.add_author(author)
    book.add_metadata("DC", "date", "2024-05-01")
    if cover is not None:
        book.set_cover("cover.png", cover)
    spine: list[object] = []
    if extras:
        front = epub.EpubHtml(title="Title page", file_name="title.xhtml", lang="en")
        front.content = f"<html><body><h1>{title}</h1><p>by {author}</p></body></html>"
        book.add_item(front)
        spine.append(front)
    pages = []
    for i, (name, paragraphs) in enumerate(chapters, 1):
        page = epub.EpubHtml(title=name, file_name=f"ch{i}.xhtml", lang="en")
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        if extras:
            body = (
                body.replace("</p>", '<sup><a href="#n1" epub:type="noteref">1</a></sup></p>', 1)
                + f'<span epub:type="pagebreak" id="page{i}" role="doc-pagebreak">{i * 10}</span>'
            )
        heading = "h2" if toc else "h1"
        page.content = f"<html><body><{heading}>{name}</{heading}>{body}</body></html>"
        book.add_item(page)
        pages.append(page)
    book.toc = tuple(pages) if toc else ()
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = [*spine, "nav", *pages]
    epub.write_epub(str(path), book)
    return path


def make_docx(path: Path, chapters: Sequence[tuple[str, Sequence[str]]] = CHAPTERS) -> Path:
    document = docx.Document()
    document.core_properties.title = BOOK_TITLE
    document.core_properties.author = AUTHOR
    document.add_paragraph("A preface before any chapter.")
    for name, paragraphs in chapters:
        document.add_heading(name, level=1)
        for p in paragraphs:
            document.add_paragraph(p)
    document.save(str(path))
    return path


def make_pdf(
    path: Path,
    chapters: Sequence[tuple[str, Sequence[str]]] = CHAPTERS,
    *,
    outline: bool = True,
    text: bool = True,
    password: str | None = None,
) -> Path:
    """A PDF with one page per chapter, a running header and a page number on every page,
    a word hyphenated across a line end, and (``outline``) one bookmark per chapter."""
    pdf = FPDF()
    pdf.set_title(BOOK_TITLE)
    pdf.set_author(AUTHOR)
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    for number, (name, paragraphs) in enumerate(chapters, 1):
        pdf.add_page()
        pdf.set_font("helvetica", size=9)
        pdf.cell(0, 8, f"{BOOK_TITLE} - a novel", new_x="LMARGIN", new_y="NEXT")
        if not text:
            pdf.image(io.BytesIO(cover_png()), x=20, y=30, w=100)
            continue
        pdf.set_font("helvetica", size=16)
        if outline:
            pdf.start_section(name)
        pdf.cell(0, 12, name, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=11)
        for p in paragraphs:
            pdf.multi_cell(0, 7, p, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        word = ("light-\nhouse", "har-\nbour", "morn-\ning")[(number - 1) % 3]
        pdf.multi_cell(0, 7, f"She wrote of the {word} in her log.")
        pdf.set_y(-20)
        pdf.set_font("helvetica", size=9)
        pdf.cell(0, 8, str(number), align="C")
    pdf.output(str(path))
    return path


def make_html(path: Path, chapters: Sequence[tuple[str, Sequence[str]]] = CHAPTERS) -> Path:
    body = "".join(
        f"<h1>{name}</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs)
        for name, paragraphs in chapters
    )
    path.write_text(
        f'<!DOCTYPE html><html lang="en"><head><title>{BOOK_TITLE}</title>'
        f'<meta name="author" content="{AUTHOR}"><style>p {{ color: red; }}</style></head>'
        f"<body><script>var x = 1;</script>{body}</body></html>",
        encoding="utf-8",
    )
    return path


def make_markdown(path: Path, chapters: Sequence[tuple[str, Sequence[str]]] = CHAPTERS) -> Path:
    parts = [f"# {name}\n\n" + "\n\n".join(f"**{p}**" for p in paragraphs)
             for name, paragraphs in chapters]  # fmt: skip
    path.write_text("\n\n".join(parts) + "\n\nSee [the site](https://example.org).\n")
    return path


def make_txt(path: Path, chapters: Sequence[tuple[str, Sequence[str]]] = CHAPTERS) -> Path:
    parts = [f"{name}\n\n" + "\n\n".join(paragraphs) for name, paragraphs in chapters]
    path.write_text("\n\n\n".join(parts) + "\n", encoding="utf-8")
    return path


CUES = (
    (1.0, 3.2, "Welcome to the harbour."),
    (4.0, 6.5, "The lamp is lit every night."),
    (8.25, 10.0, "Listen to the bell."),
)


def make_srt(path: Path, cues: Sequence[tuple[float, float, str]] = CUES) -> Path:
    def clock(s: float) -> str:
        ms = round(s * 1000)
        return f"{ms // 3_600_000:02}:{ms // 60_000 % 60:02}:{ms // 1000 % 60:02},{ms % 1000:03}"

    blocks = [f"{i}\n{clock(a)} --> {clock(b)}\n{t}\n" for i, (a, b, t) in enumerate(cues, 1)]
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path
