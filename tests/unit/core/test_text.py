"""Script splitting, provider limits, pause markup, the lexicon and Markdown scripts."""

from __future__ import annotations

import re

import pytest

from audio_studio.core.errors import InputError
from audio_studio.core.text import (
    Lexicon,
    markdown_to_text,
    split_script,
)

SCRIPT = """Dr. Smith arrived at 3.14 p.m. sharp. He said “Hello!” and left… Then what?
J. R. R. Tolkien wrote books, e.g. The Hobbit. It cost approx. three dollars, etc. The end.

1. First item on the list
2. Second item [pause 2s] after a pause.

[pause 500ms]
* * *

Mr. Nguyen read the U.S. report: 4.5% growth! Wow. [pause]"""


def texts(script: str, **kw: object) -> list[str]:
    return [c.text for c in split_script(script, **kw).chunks]  # type: ignore[arg-type]


def words_only(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def test_sentences_respect_abbreviations_initials_decimals_and_lists() -> None:
    assert texts(SCRIPT) == [
        "Dr. Smith arrived at 3.14 p.m. sharp.",
        "He said “Hello!” and left…",
        "Then what?",
        "J. R. R. Tolkien wrote books, e.g. The Hobbit.",
        "It cost approx. three dollars, etc.",
        "The end.",
        "1. First item on the list",
        "2. Second item",
        "after a pause.",
        "Mr. Nguyen read the U.S. report: 4.5% growth!",
        "Wow.",
    ]


def test_no_text_is_lost_and_spans_point_into_the_script() -> None:
    plan = split_script(SCRIPT)
    for chunk in plan.chunks:
        assert SCRIPT[chunk.start : chunk.end] == chunk.text
    spoken = "".join(c.text for c in plan.chunks)
    without_markup = re.sub(r"\[pause[^\]]*\]|\* \* \*", "", SCRIPT)
    assert words_only(spoken) == words_only(without_markup)


def test_paragraphs_and_pauses() -> None:
    plan = split_script(SCRIPT)
    assert [c.paragraph for c in plan.chunks] == [0] * 6 + [1] * 3 + [2] * 2
    pauses = {c.text: c.pause_after_s for c in plan.chunks if c.pause_after_s}
    # A pause on its own line (and a line of only symbols) belongs to the sentence before it.
    assert pauses == {"2. Second item": 2.0, "after a pause.": 0.5, "Wow.": 1.0}
    assert plan.paragraphs == 3 and plan.lead_pause_s == 0.0 and not plan.warnings


def test_pause_markup_variants_and_mistakes() -> None:
    plan = split_script("[pause 1,5 s] Hi. [PAUSE 250 ms] There. [pause 99s] x [pause soon] y")
    assert plan.lead_pause_s == 1.5
    assert [(c.text, c.pause_after_s) for c in plan.chunks] == [
        ("Hi.", 0.25),
        ("There.", 30.0),
        ("x", 1.0),
        ("y", 0.0),
    ]
    assert any("shortened to 30 s" in w for w in plan.warnings)
    assert any("[pause soon]" in w and "Line 1" in w for w in plan.warnings)
    assert split_script("[pause 2s]\n\n[pause]").chunks == ()  # markup only: nothing to say


def test_long_sentences_are_cut_within_the_limit_at_clauses_then_spaces() -> None:
    long = ("The quick brown fox jumps over the lazy dog, " * 8).strip() + " and stops."
    plan = split_script(long + " Short one.", max_chars=100)
    assert all(len(c.text) <= 100 for c in plan.chunks)
    assert plan.split_long == 1 and "split at commas" in plan.warnings[0]
    assert all(c.text.endswith(",") for c in plan.chunks[:-2])  # cut after a comma
    assert words_only("".join(c.text for c in plan.chunks)) == words_only(long + "Short one.")
    # One enormous word still fits (cut anywhere), and nothing is lost.
    word = "x" * 250
    assert [len(t) for t in texts(word, max_chars=100)] == [100, 100, 50]


def test_the_limit_applies_to_the_text_as_sent_after_the_lexicon() -> None:
    lexicon = Lexicon.of({"WHO": "World Health Organization"})
    plan = split_script("WHO " * 10, max_chars=60, lexicon=lexicon)
    assert all(len(lexicon.apply(c.text)) <= 60 for c in plan.chunks)
    assert len(plan.chunks) > 1


def test_lexicon_whole_words_case_and_longest_first() -> None:
    lex = Lexicon.parse("# names\ngif = jif\nNew York => Noo York\nYork → Yawk\nSQL\tsequel\n")
    said = lex.apply("A GIF from New York; gif, York. Gifted SQL, MySQL and sql.")
    assert said == "A Jif from Noo York; jif, Yawk. Gifted sequel, MySQL and sql."
    # A replacement is never replaced again.
    assert Lexicon.of({"a": "b", "b": "c"}).apply("a b") == "b c"
    assert Lexicon.parse('{"Amalie": "Æmahlee"}').apply("Amalie and amalie") == (
        "Æmahlee and amalie"
    )
    assert not Lexicon() and Lexicon().apply("same") == "same"
    assert Lexicon.parse(lex.to_text()) == lex


def test_lexicon_mistakes_say_which_line() -> None:
    with pytest.raises(InputError, match=r"Line 2 .*Nguyen = Win"):
        Lexicon.parse("ok = fine\njust words\n")
    with pytest.raises(InputError, match="not valid JSON"):
        Lexicon.parse("{nope")


def test_markdown_scripts_become_plain_paragraphs() -> None:
    md = (
        "---\ntitle: x\n---\n# Chapter One\n\nSome **bold** and *italic* and a "
        "[link](http://x).\n![img](a.png)\n\n- item one\n- item two\n\n```\ncode()\n```\n"
        "> quoted [pause 1s] text\n"
    )
    text = markdown_to_text(md)
    assert text.startswith("Chapter One\n\nSome bold and italic and a link.")
    assert "item one\nitem two" in text and "code()" not in text and "http" not in text
    assert "quoted [pause 1s] text" in text
    assert texts(text)[0] == "Chapter One"


def test_a_million_characters_split_into_every_sentence() -> None:
    """How fast is bench/text_split.py's question; here only that nothing is lost."""
    script = ("This sentence is part of a very long script. " * 10 + "\n\n") * 2300
    assert len(script) > 1_000_000
    plan = split_script(script, max_chars=4096)
    assert len(plan.chunks) == 23_000 and plan.paragraphs == 2300
