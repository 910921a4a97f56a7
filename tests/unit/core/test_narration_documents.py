"""Books and documents read into chapters: real files made in the test by the libraries."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from audio_studio.core.errors import InputError
from audio_studio.core.narration.chapters import (
    chapter_spans,
    parse_chapter_choice,
    plan_json,
    project_from_document,
)
from audio_studio.core.narration.documents import read_document
from tests.support.books import (
    AUTHOR,
    BOOK_TITLE,
    CHAPTERS,
    CUES,
    cover_png,
    make_docx,
    make_epub,
    make_html,
    make_markdown,
    make_pdf,
    make_srt,
    make_txt,
)

TITLES = [name for name, _ in CHAPTERS]


def body(chapter_paragraphs: tuple[str, ...]) -> str:
    return " ".join(chapter_paragraphs)


def test_epub_spine_toc_metadata_cover_without_notes_or_page_numbers(tmp_path: Path) -> None:
    cover = cover_png()
    doc = read_document(make_epub(tmp_path / "book.epub", cover=cover))
    assert (doc.kind, doc.title, doc.author, doc.language, doc.year) == (
        "epub", BOOK_TITLE, AUTHOR, "en", "2024"
    )  # fmt: skip
    assert doc.cover == cover and doc.cover_type == "image/png"
    # The title page (not in the table of contents) opens; then the TOC's chapters in order.
    assert [c.title for c in doc.chapters] == [BOOK_TITLE, *TITLES]
    for chapter, (name, paragraphs) in zip(doc.chapters[1:], CHAPTERS, strict=True):
        assert chapter.paragraphs == (name, *paragraphs)  # the heading is said once
    text = " ".join(p for c in doc.chapters for p in c.paragraphs)
    assert "Pages" not in text and " 10" not in text and "dawn.1" not in text


def test_epub_without_toc_uses_its_headings(tmp_path: Path) -> None:
    doc = read_document(make_epub(tmp_path / "plain.epub", extras=False, toc=False))
    assert [c.title for c in doc.chapters] == TITLES
    assert doc.chapters[0].paragraphs == (CHAPTERS[0][0], *CHAPTERS[0][1])


def test_pdf_outline_chapters_without_running_header_and_page_numbers(tmp_path: Path) -> None:
    doc = read_document(make_pdf(tmp_path / "book.pdf"))
    assert (doc.title, doc.author) == (BOOK_TITLE, AUTHOR)
    assert [c.title for c in doc.chapters] == TITLES
    for chapter, (name, paragraphs) in zip(doc.chapters, CHAPTERS, strict=True):
        said = " ".join(chapter.paragraphs)
        assert said.startswith(name) and body(paragraphs) in said
        assert "a novel" not in said  # the running header
        assert not any(p.strip().isdigit() for p in chapter.paragraphs)  # page numbers
    words = " ".join(" ".join(c.paragraphs) for c in doc.chapters)
    assert "lighthouse in her log" in words and "harbour in her log" in words  # de-hyphenated


def test_pdf_without_outline_finds_chapter_headings(tmp_path: Path) -> None:
    doc = read_document(make_pdf(tmp_path / "book.pdf", outline=False))
    assert [c.title for c in doc.chapters] == TITLES


def test_docx_headings_are_chapters(tmp_path: Path) -> None:
    doc = read_document(make_docx(tmp_path / "book.docx"))
    assert (doc.title, doc.author) == (BOOK_TITLE, AUTHOR)
    assert [c.title for c in doc.chapters] == ["Opening", *TITLES]
    assert doc.chapters[0].paragraphs == ("A preface before any chapter.",)
    assert doc.chapters[2].paragraphs == (CHAPTERS[1][0], *CHAPTERS[1][1])


def test_html_page_markdown_and_text(tmp_path: Path) -> None:
    html = read_document(make_html(tmp_path / "book.html"))
    assert (html.title, html.author, html.language) == (BOOK_TITLE, AUTHOR, "en")
    assert [c.title for c in html.chapters] == TITLES
    assert "var x" not in " ".join(p for c in html.chapters for p in c.paragraphs)
    md = read_document(make_markdown(tmp_path / "book.md"))
    assert [c.title for c in md.chapters] == TITLES
    assert md.chapters[0].paragraphs[1] == CHAPTERS[0][1][0]  # ** gone
    assert md.chapters[-1].paragraphs[-1] == "See the site."  # the link's address is not said
    txt = read_document(make_txt(tmp_path / "book.txt"))
    assert [c.title for c in txt.chapters] == TITLES
    assert txt.chapters[1].paragraphs == (CHAPTERS[1][0], *CHAPTERS[1][1])


def test_text_chapter_words_and_pause_markup_kept_in_scripts(tmp_path: Path) -> None:
    path = tmp_path / "novel.txt"
    path.write_text(
        "CHAPTER ONE\nIt was dark. [pause 1s] Then light.\n\nChapter 2\n\nMorning came.\n"
    )
    doc = read_document(path)
    assert [c.title for c in doc.chapters] == ["CHAPTER ONE", "Chapter 2"]
    assert doc.chapters[0].paragraphs == ("CHAPTER ONE", "It was dark. [pause 1s] Then light.")


def test_subtitles_are_cues(tmp_path: Path) -> None:
    doc = read_document(make_srt(tmp_path / "video.srt"))
    assert doc.kind == "subtitles"
    assert [(c.start_s, c.end_s, c.text) for c in doc.cues] == list(CUES)
    project = project_from_document(doc)
    assert project.book is not None
    assert [c.start_s for c in project.book.cues] == [a for a, _, _ in CUES]
    assert [project.find(c.chunk).text for c in project.book.cues] == [t for _, _, t in CUES]


@pytest.mark.parametrize(
    ("name", "make", "words"),
    [
        ("empty.epub", lambda p: p.write_bytes(b""), "is empty"),
        ("broken.epub", lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 200), "damaged"),
        ("drm.epub", "drm", "DRM"),
        ("locked.pdf", lambda p: make_pdf(p, password="secret"), "password"),
        ("scan.pdf", lambda p: make_pdf(p, text=False), "no text layer"),
        ("empty.docx", lambda p: docx.Document().save(str(p)), "no text to narrate"),
        ("garbage.docx", lambda p: p.write_bytes(b"not a zip at all"), "save it again as .docx"),
        ("old.doc", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0"), "save it as .docx"),
        ("nothing.txt", lambda p: p.write_bytes(b""), "is empty"),
        ("latin1.txt", lambda p: p.write_bytes("caf\xe9".encode("latin-1")), "UTF-8"),
        (
            "music.srt",
            lambda p: p.write_text("1\n00:00:01,000 --> 00:00:02,000\n♪\n"),
            "no subtitle",
        ),
    ],
)
def test_bad_input_one_clear_sentence_naming_the_file(
    tmp_path: Path, name: str, make: object, words: str
) -> None:
    path = tmp_path / name
    if make == "drm":
        make_epub(path)
        with zipfile.ZipFile(path, "a") as zf:
            zf.writestr(
                "META-INF/encryption.xml",
                '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
                'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
                '<enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
                "</enc:EncryptedData></encryption>",
            )
    else:
        make(path)  # type: ignore[operator]
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(InputError) as caught:
        read_document(path)
    message = caught.value.message
    assert name in message and words in message, message
    assert message.count(". ") == 0 and message.endswith("."), message  # one sentence
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_project_chapters_follow_script_edits_and_the_plan_says_it_in_words(
    tmp_path: Path,
) -> None:
    project = project_from_document(read_document(make_epub(tmp_path / "b.epub")))
    spans = chapter_spans(project)
    assert [s.title for s in spans] == [BOOK_TITLE, *TITLES]
    assert [s.end - s.first for s in spans] == [2, 3, 3, 3]
    sentence = "In 1999, Dr. Smith paid $3.50 for 2 tickets on March 3rd."
    # The first sentence of chapter two is replaced: the chapter still starts where it did.
    old = CHAPTERS[1][0]
    project.set_script(project.script.replace(old, sentence))
    assert [s.title for s in chapter_spans(project)] == [BOOK_TITLE, *TITLES]
    plan = plan_json(project, parse_chapter_choice("3", 4))
    assert plan["title"] == BOOK_TITLE and plan["author"] == AUTHOR
    first = plan["chapters"][0]["sentences"][0]
    assert first == {
        "text": sentence,
        "spoken": "In nineteen ninety-nine, Doctor Smith paid three dollars and fifty cents "
        "for two tickets on March third.",
    }
    saved = type(project).from_json(project.to_json())
    assert [s.title for s in chapter_spans(saved)] == [BOOK_TITLE, *TITLES]


@pytest.mark.parametrize(
    ("text", "count", "chosen"),
    [("1-3,5", 6, [0, 1, 2, 4]), ("2", 2, [1]), (" 3 , 1-2 ", 3, [0, 1, 2])],
)
def test_chapter_choice(text: str, count: int, chosen: list[int]) -> None:
    assert parse_chapter_choice(text, count) == chosen


@pytest.mark.parametrize(("text", "words"), [("0-2", "not among"), ("x", "neither"), (",", "no")])
def test_chapter_choice_refused(text: str, words: str) -> None:
    with pytest.raises(InputError, match=words):
        parse_chapter_choice(text, 4)
