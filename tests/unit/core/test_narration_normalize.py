"""Reading as a person would: one table per category, and the pronunciation list still wins."""

from __future__ import annotations

import pytest

from audio_studio.core.narration.normalize import normalize, roman_value
from audio_studio.core.narration.project import NarrationProject, NarrationSettings
from audio_studio.core.text import Lexicon

TABLE = {
    "cardinals": [
        ("I have 2 cats.", "I have two cats."),
        ("It holds 1,234 books.", "It holds one thousand, two hundred and thirty-four books."),
        ("Pi is about 3.14.", "Pi is about three point one four."),
    ],
    "ordinals": [
        ("On March 3rd we sailed.", "On March third we sailed."),
        ("The 21st century.", "The twenty-first century."),
        ("She came 2nd.", "She came second."),
    ],
    "years": [
        ("In 1999 it rained.", "In nineteen ninety-nine it rained."),
        ("By 2024 it stopped.", "By twenty twenty-four it stopped."),
        ("The 1990s were loud.", "The nineteen nineties were loud."),
    ],
    "money": [
        ("It costs $3.50.", "It costs three dollars and fifty cents."),
        ("It costs $1.", "It costs one dollar."),
        ("A £2,500 fee.", "A two thousand, five hundred pounds fee."),
        ("They raised $2 million.", "They raised two million dollars."),
        ("Only €0.99 today.", "Only zero euros and ninety-nine cents today."),
    ],
    "percentages": [
        ("Up 12.5% this year.", "Up twelve point five percent this year."),
        ("A 40% share.", "A forty percent share."),
    ],
    "times": [
        ("Wake at 6:30.", "Wake at six thirty."),
        ("Lunch at 12:00.", "Lunch at twelve o'clock."),
        ("The train left at 7:05 p.m.", "The train left at seven oh five p m."),
    ],
    "abbreviations": [
        ("Dr. Smith came.", "Doctor Smith came."),
        ("Mr. and Mrs. Jones.", "Mister and Missus Jones."),
        ("St. Paul lived on Baker St. for years.", "Saint Paul lived on Baker Street for years."),
        ("Fruit, e.g. apples.", "Fruit, for example apples."),
        ("Cats, dogs, etc.", "Cats, dogs, et cetera."),
        ("Room No. 5 is free.", "Room number five is free."),
    ],
    "roman numerals in titles": [
        ("Chapter IV", "Chapter four"),
        ("Part II: The Return", "Part two: The Return"),
        ("Book XII", "Book twelve"),
    ],
    "addresses": [
        ("Visit https://example.org/books/ now.", "Visit example dot org slash books now."),
        ("See www.example.com today.", "See w w w dot example dot com today."),
        ("Mail ada.quill@example.com please.", "Mail ada dot quill at example dot com please."),
    ],
}
CASES = [(kind, written, said) for kind, rows in TABLE.items() for written, said in rows]


@pytest.mark.parametrize(("kind", "written", "said"), CASES, ids=[c[1] for c in CASES])
def test_read_as_words(kind: str, written: str, said: str) -> None:
    assert normalize(written) == said, kind


def test_text_without_numbers_is_left_alone() -> None:
    plain = "The wind rose over the harbour before dawn. I saw it."
    assert normalize(plain) == plain
    assert normalize("Henry VIII was king.") == "Henry VIII was king."  # not a chapter title


def test_other_languages_get_their_numbers_in_their_words() -> None:
    assert normalize("Er zahlte 25 Euro.", "de") == "Er zahlte fünfundzwanzig Euro."
    assert normalize("Il a 3 chats.", "fr-FR") == "Il a trois chats."
    # Japanese for the Japanese voice keeps its digits: that voice reads them itself.
    assert normalize("りんごを3個ください。") == "りんごを3個ください。"


@pytest.mark.parametrize(("text", "value"), [("IV", 4), ("XLII", 42), ("MMXXIV", 2024),
                                             ("IIII", None), ("ABC", None)])  # fmt: skip
def test_roman_values(text: str, value: int | None) -> None:
    assert roman_value(text) == value


def test_the_pronunciation_list_wins_and_cloud_voices_have_a_switch() -> None:
    sentence = "In 1999, Dr. Smith paid $3.50 for 2 tickets on March 3rd."
    words = (
        "In nineteen ninety-nine, Doctor Smith paid three dollars and fifty cents for two "
        "tickets on March third."
    )
    local = NarrationProject(sentence, settings=NarrationSettings(provider="local"))
    assert local.chunks[0].spoken == words
    lexicon = Lexicon.of({"1999": "the last year of the century", "Dr.": "Doc"})
    listed = NarrationProject(sentence, settings=NarrationSettings(lexicon=lexicon))
    assert listed.chunks[0].spoken == (
        "In the last year of the century, Doc Smith paid three dollars and fifty cents for two "
        "tickets on March third."
    )
    cloud = NarrationSettings(provider="openai")
    assert NarrationProject(sentence, settings=cloud).chunks[0].spoken == words
    as_written = NarrationSettings(provider="openai", normalize_text=False)
    project = NarrationProject(sentence, settings=as_written)
    assert project.chunks[0].spoken == sentence
    # The offline voice always gets words, whatever the switch says.
    project.set_settings(NarrationSettings(provider="local", normalize_text=False), None)
    assert project.chunks[0].spoken == words
