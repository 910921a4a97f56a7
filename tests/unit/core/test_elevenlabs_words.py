"""ElevenLabs' timed stream: character times arriving piece by piece become words."""

from __future__ import annotations

from audio_studio.core.models import Word
from audio_studio.core.providers.elevenlabs_parse import CharacterAlignment, StreamedWords


def piece(text: str, start: float, step: float = 0.1) -> CharacterAlignment:
    starts = tuple(round(start + i * step, 3) for i in range(len(text)))
    return CharacterAlignment(tuple(text), starts, tuple(round(t + step, 3) for t in starts))


def test_a_word_split_between_pieces_comes_whole_when_it_ends() -> None:
    words = StreamedWords()
    assert words.add(piece("Hel", 0.0)) == ()
    assert words.add(piece("lo th", 0.3)) == (Word("Hello", 0.0, 0.5),)
    assert words.add(None) == ()
    assert words.add(piece("ere", 0.8)) == ()
    assert words.finish() == (Word("there", 0.6, 1.1),)
    assert words.finish() == ()


def test_times_given_per_piece_are_placed_after_the_piece_before() -> None:
    absolute, relative = StreamedWords(), StreamedWords()
    got_absolute = absolute.add(piece("One ", 0.0)) + absolute.add(piece("two ", 0.4))
    got_relative = relative.add(piece("One ", 0.0)) + relative.add(piece("two ", 0.0))
    assert got_absolute == got_relative == (Word("One", 0.0, 0.3), Word("two", 0.4, 0.7))
